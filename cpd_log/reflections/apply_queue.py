""" "How did you apply it?": completed activities 30 and 90 days on, until answered or dismissed.

An activity is asked about twice: once when it ended 30–89 days ago (checkpoint 30) and again
when it ended 90–179 days ago (checkpoint 90). Older activities are not asked about, so logging a
backlog of past learning does not flood the dashboard. Answering (any reflection on the activity
with an application note) ends both prompts; dismissing ends one checkpoint and is remembered.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, exists, func, select

from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityStatus, ApplyPromptDismissal, Reflection
from cpd_log.reflections.services import search_text

CHECKPOINTS = (30, 90)
OLDEST_DAYS = 180
SHOWN = 3


@dataclass(frozen=True)
class Prompt:
    activity: Activity
    checkpoint: int


def _answered():
    return exists().where(
        and_(Reflection.activity_id == Activity.id, Reflection.applied_text.is_not(None))
    )


def _queue(user, today: date):
    ended = Activity.last_date
    checkpoint = case((ended <= today - timedelta(days=90), 90), else_=30)
    answered = _answered()
    dismissed = exists().where(
        and_(
            ApplyPromptDismissal.activity_id == Activity.id,
            ApplyPromptDismissal.checkpoint == checkpoint,
        )
    )
    return (
        select(Activity, checkpoint.label("checkpoint"))
        .where(Activity.user_id == user.id, Activity.status == ActivityStatus.COMPLETED)
        .where(ended <= today - timedelta(days=30), ended > today - timedelta(days=OLDEST_DAYS))
        .where(~answered, ~dismissed)
    )


def apply_queue(user, today: date, limit: int = SHOWN) -> tuple[list[Prompt], int]:
    """The oldest prompts first (closest to dropping out), and how many there are: one query,
    the count being a window over every matching row before the limit."""
    query = _queue(user, today).add_columns(func.count().over().label("total"))
    order = (Activity.last_date.asc(), Activity.id.asc())
    rows = db.session.execute(query.order_by(*order).limit(limit)).all()
    total = rows[0].total if rows else 0
    return [Prompt(activity, int(point)) for activity, point, _ in rows], int(total)


def answer(user, activity: Activity, text: str, today: date) -> Reflection:
    """Record the application on the activity's newest reflection, or on a new one."""
    reflection = db.session.scalar(
        select(Reflection)
        .where(Reflection.user_id == user.id, Reflection.activity_id == activity.id)
        .order_by(Reflection.reflected_on.desc(), Reflection.id.desc())
        .limit(1)
    )
    if reflection is None:
        title = f"Applying: {activity.title}"[:200]
        reflection = Reflection(
            user_id=user.id, activity_id=activity.id, title=title, reflected_on=today,
            model="free", stages={}, search_text=search_text(title, {}),
        )  # fmt: skip
        db.session.add(reflection)
    reflection.applied_text = text
    reflection.applied_on = today
    db.session.flush()
    return reflection


def dismiss(user, activity: Activity, checkpoint: int) -> None:
    """Remember that the user does not want this prompt (idempotent)."""
    if checkpoint not in CHECKPOINTS:
        raise ValueError(checkpoint)
    already = db.session.scalar(
        select(ApplyPromptDismissal.id).where(
            ApplyPromptDismissal.activity_id == activity.id,
            ApplyPromptDismissal.checkpoint == checkpoint,
        )
    )
    if already is None:
        db.session.add(
            ApplyPromptDismissal(user_id=user.id, activity_id=activity.id, checkpoint=checkpoint)
        )
        db.session.flush()


def schedule(user, today: date, limit: int = 500) -> list[tuple[Activity, int, date]]:
    """(activity, checkpoint, the day its prompt appears) for every prompt of an unanswered
    activity that is shown now or will be (the calendar feed), its dismissals left out. One
    query for the activities, one for the dismissals."""
    activities = list(
        db.session.scalars(
            select(Activity)
            .where(Activity.user_id == user.id, Activity.status == ActivityStatus.COMPLETED)
            .where(Activity.last_date > today - timedelta(days=OLDEST_DAYS), ~_answered())
            .order_by(Activity.last_date, Activity.id)
            .limit(limit)
        )
    )
    dismissed = {
        tuple(row)
        for row in db.session.execute(
            select(ApplyPromptDismissal.activity_id, ApplyPromptDismissal.checkpoint).where(
                ApplyPromptDismissal.user_id == user.id,
                ApplyPromptDismissal.activity_id.in_([a.id for a in activities]),
            )
        )
    }
    return [
        (activity, point, activity.last_date + timedelta(days=point))
        for activity in activities
        for point in CHECKPOINTS
        if (activity.id, point) not in dismissed
    ]
