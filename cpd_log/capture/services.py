"""Quick capture: save a completed activity now, prompt for the details later. Services flush."""

from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityKind, ActivityStatus, Delivery, QuickCapture
from cpd_log.models.activity import ActivitySource

# The likeliest delivery for each kind; the user corrects it when completing the entry.
_DELIVERY = {
    ActivityKind.WEBINAR: Delivery.ONLINE,
    ActivityKind.PODCAST: Delivery.SELF_PACED,
    ActivityKind.READING: Delivery.SELF_PACED,
}
PROMPT_LIMIT = 5


def capture_activity(user, data: dict, today: date) -> Activity:
    """A completed activity dated today, marked for completing later."""
    activity = Activity(
        user_id=user.id,
        title=data["title"],
        kind=data["kind"],
        provider="",
        start_date=today,
        minutes=data["minutes"],
        delivery=_DELIVERY.get(data["kind"], Delivery.IN_PERSON),
        participatory=False,
        description=data["what_stuck"],
        url="",
        status=ActivityStatus.COMPLETED,
        source=ActivitySource.MANUAL,
    )
    db.session.add(activity)
    db.session.flush()
    db.session.add(QuickCapture(activity_id=activity.id, user_id=user.id))
    db.session.flush()
    return activity


def pending_captures(user, limit: int = PROMPT_LIMIT) -> list[Activity]:
    """The user's quick captures still to complete, newest first. One query at any size: the
    newest captures are picked from their own small table first, then joined to activities."""
    newest = (
        select(QuickCapture.activity_id, QuickCapture.created_at)
        .where(QuickCapture.user_id == user.id)
        .order_by(QuickCapture.created_at.desc(), QuickCapture.activity_id.desc())
        .limit(limit)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(Activity)
            .join(newest, newest.c.activity_id == Activity.id)
            .where(Activity.user_id == user.id)
            .order_by(newest.c.created_at.desc(), Activity.id.desc())
            .options(selectinload(Activity.competencies))
        )
    )


def is_pending(activity: Activity) -> bool:
    return db.session.get(QuickCapture, activity.id) is not None


def settle_capture(activity: Activity) -> None:
    """The user completed or dismissed the prompt: it no longer shows."""
    db.session.execute(delete(QuickCapture).where(QuickCapture.activity_id == activity.id))
    db.session.flush()
