"""Dashboard figures. Each is one aggregate query; the totals and the hours by kind read the
daily totals the triggers keep (cpd_log/aggregates/), one row per day and kind, not per activity."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select

from cpd_log.access import owned
from cpd_log.competencies.services import AREA
from cpd_log.extensions import db
from cpd_log.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Competency,
    DailyMinutes,
    Framework,
)
from cpd_log.models.activity import activity_competency


@dataclass(frozen=True)
class Totals:
    this_year: int
    last_12_months: int
    all_time: int
    count: int


def _year_ago(today: date) -> date:
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def completed_minutes(user, today: date) -> Totals:
    """Minutes of completed activities this calendar year, in the last 12 months and ever."""
    minutes = DailyMinutes.minutes
    row = db.session.execute(
        select(
            func.coalesce(
                func.sum(
                    case((DailyMinutes.day >= today.replace(month=1, day=1), minutes), else_=0)
                ),
                0,
            ),
            func.coalesce(
                func.sum(case((DailyMinutes.day > _year_ago(today), minutes), else_=0)), 0
            ),
            func.coalesce(func.sum(minutes), 0),
            func.coalesce(func.sum(DailyMinutes.activities), 0),
        ).where(*_counted(user, None, today))
    ).one()
    return Totals(*(int(value) for value in row))


PERIODS = {"12m": "last 12 months", "year": "this year", "all": "all time"}


def period_start(period: str, today: date) -> date | None:
    """First day counted for a dashboard period; None means from the beginning."""
    if period == "year":
        return today.replace(month=1, day=1)
    if period == "all":
        return None
    return _year_ago(today) + timedelta(days=1)


def _counted(user, since: date | None, today: date) -> list:
    """The user's daily totals of completed activities that started in [since, today]: what the
    totals count (daily_minutes, kept by triggers: one row per day and kind, not per activity)."""
    conditions = [
        DailyMinutes.user_id == user.id,
        DailyMinutes.status == ActivityStatus.COMPLETED.value,
        DailyMinutes.day <= today,
    ]
    if since is not None:
        conditions.append(DailyMinutes.day >= since)
    return conditions


def _counted_activities(user, since: date | None, today: date) -> list:
    """The same condition on the activities themselves (the by-area figures need their tags)."""
    conditions = [
        Activity.user_id == user.id,
        Activity.status == ActivityStatus.COMPLETED,
        Activity.start_date <= today,
    ]
    if since is not None:
        conditions.append(Activity.start_date >= since)
    return conditions


def minutes_by_kind(user, since: date | None, today: date) -> list[tuple[ActivityKind, int]]:
    total = func.sum(DailyMinutes.minutes)
    rows = db.session.execute(
        select(DailyMinutes.kind, total)
        .where(*_counted(user, since, today))
        .group_by(DailyMinutes.kind)
        .order_by(total.desc(), DailyMinutes.kind)
    )
    return [(ActivityKind(kind), int(minutes)) for kind, minutes in rows]


def minutes_by_area(user, since: date | None, today: date) -> list[tuple[str, str, int]]:
    """(framework name, area name, minutes): an activity counts once per area however many tags."""
    area = AREA

    # The area is resolved after DISTINCT by primary key; joining on the COALESCE expression
    # instead would compare every tag with every competency.
    pairs = (
        select(
            Activity.id.label("activity_id"),
            Activity.minutes,
            func.coalesce(Competency.parent_id, Competency.id).label("area_id"),
        )
        .join(activity_competency, activity_competency.c.activity_id == Activity.id)
        .join(Competency, Competency.id == activity_competency.c.competency_id)
        .where(*_counted_activities(user, since, today))
        .distinct()
        .subquery()
    )
    total = func.sum(pairs.c.minutes)
    rows = db.session.execute(
        select(Framework.name, area.name, total)
        .join(area, area.id == pairs.c.area_id)
        .join(Framework, Framework.id == area.framework_id)
        .group_by(Framework.name, area.id, area.name)
        .order_by(total.desc(), area.name)
    )
    return [(fw, name, int(minutes)) for fw, name, minutes in rows]


def recent_activities(user, limit: int = 8) -> list[Activity]:
    return list(
        db.session.scalars(
            owned(Activity, user)
            .order_by(Activity.start_date.desc(), Activity.id.desc())
            .limit(limit)
        )
    )
