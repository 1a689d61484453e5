"""Self-assessment, development goals, and the figures of the competency page and gap view.

Every figure is one query (aggregates in SQL, window functions for "latest"), so a page costs the
same number of queries whatever the number of activities, reflections or assessments.
"""

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from cpd_log.extensions import db
from cpd_log.models import (
    Activity,
    ActivityStatus,
    Competency,
    Goal,
    GoalStatus,
    Reflection,
    SelfAssessment,
)
from cpd_log.models.activity import activity_competency
from cpd_log.models.reflection import reflection_competency

RECENT = 50


def assess(user, competency: Competency, level: int, on, note: str) -> SelfAssessment:
    row = SelfAssessment(
        user_id=user.id, competency_id=competency.id, level=level, assessed_on=on, note=note
    )
    db.session.add(row)
    db.session.flush()
    return row


def _activities(user, ids: list[int]) -> list[Activity]:
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Activity).where(Activity.user_id == user.id, Activity.id.in_(ids))
        )
    )


def set_goal(user, competency: Competency, data: dict, goal: Goal | None = None) -> Goal:
    """Create (or, given `goal`, update) a development goal with its linked activities."""
    if goal is None:
        goal = Goal(user_id=user.id, competency_id=competency.id)
        db.session.add(goal)
    goal.target_level = data["target_level"]
    goal.due_on = data["due_on"]
    goal.status = data["status"]
    goal.note = data["note"]
    goal.activities = _activities(user, data["activity_ids"])
    db.session.flush()
    return goal


def goal_problems(user, competency: Competency, data: dict, today, goal: Goal | None = None):
    """{form field: message} for an open goal that cannot be meant as entered: due in the past
    (a date left unchanged on an edit is kept), or the same target as another open goal of the
    same competency. An achieved or dropped goal is a record, and may lie in the past."""
    if data["status"] != GoalStatus.OPEN:
        return {}
    problems = {}
    due = data["due_on"]
    if due is not None and due < today and (goal is None or due != goal.due_on):
        problems["due_on"] = "The due date is in the past; choose today or a later date."
    twin = select(Goal.id).where(
        Goal.user_id == user.id,
        Goal.competency_id == competency.id,
        Goal.status == GoalStatus.OPEN,
        Goal.target_level == data["target_level"],
    )
    if goal is not None:
        twin = twin.where(Goal.id != goal.id)
    if db.session.scalar(twin.limit(1)) is not None:
        problems["target_level"] = "You already have an open goal for this level; edit that one."
    return problems


def delete_goal(goal: Goal) -> None:
    db.session.delete(goal)
    db.session.flush()


def level_name(levels: list[dict], value: int | None) -> str:
    if value is None:
        return "Not assessed"
    names = {level["value"]: level["name"] for level in levels or []}
    return f"{value} {names[value]}" if value in names else str(value)


@dataclass(frozen=True)
class CompetencyPage:
    history: list[SelfAssessment]
    goals: list[Goal]
    minutes: int
    activity_count: int
    activities: list[Activity]
    reflection_count: int
    reflections: list[Reflection]

    @property
    def current(self) -> int | None:
        return self.history[0].level if self.history else None

    @property
    def target(self) -> int | None:
        open_goals = [g for g in self.goals if g.status == GoalStatus.OPEN]
        return open_goals[0].target_level if open_goals else None


def competency_page(user, competency: Competency) -> CompetencyPage:
    """Eight queries at any size: history, goals (+ their activities), one aggregate, two lists."""
    tagged = and_(
        activity_competency.c.activity_id == Activity.id,
        activity_competency.c.competency_id == competency.id,
    )
    history = db.session.scalars(
        select(SelfAssessment)
        .where(SelfAssessment.user_id == user.id, SelfAssessment.competency_id == competency.id)
        .order_by(SelfAssessment.assessed_on.desc(), SelfAssessment.id.desc())
    )
    goals = db.session.scalars(
        select(Goal)
        .where(Goal.user_id == user.id, Goal.competency_id == competency.id)
        .options(selectinload(Goal.activities))
        .order_by(Goal.created_at.desc(), Goal.id.desc())
    )
    completed = Activity.status == ActivityStatus.COMPLETED
    minutes, activity_count = db.session.execute(
        select(
            func.coalesce(func.sum(Activity.minutes).filter(completed), 0),
            func.count(Activity.id),
        )
        .join(activity_competency, tagged)
        .where(Activity.user_id == user.id)
    ).one()
    activities = db.session.scalars(
        select(Activity)
        .join(activity_competency, tagged)
        .where(Activity.user_id == user.id)
        .order_by(Activity.start_date.desc(), Activity.id.desc())
        .limit(RECENT)
    )
    reflection_count = db.session.scalar(
        _tagged_reflections(user, competency)
        .with_only_columns(func.count(Reflection.id))
        .order_by(None)
    )
    reflections = list(
        db.session.scalars(
            _tagged_reflections(user, competency)
            .order_by(Reflection.reflected_on.desc(), Reflection.id.desc())
            .limit(RECENT)
        )
    )
    return CompetencyPage(
        history=list(history),
        goals=list(goals),
        minutes=int(minutes),
        activity_count=int(activity_count),
        activities=list(activities),
        reflection_count=int(reflection_count or 0),
        reflections=reflections,
    )


def _tagged_reflections(user, competency: Competency):
    """The user's reflections tagged to the competency; drafts never count as evidence."""
    return (
        select(Reflection)
        .join(
            reflection_competency,
            and_(
                reflection_competency.c.reflection_id == Reflection.id,
                reflection_competency.c.competency_id == competency.id,
            ),
        )
        .where(Reflection.user_id == user.id, Reflection.is_draft.is_(False))
    )
