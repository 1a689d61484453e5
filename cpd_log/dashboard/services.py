"""Dashboard figures. Each is one aggregate query; the totals and the hours by kind read the
monthly totals the triggers keep (cpd_log/aggregates/), one row per month and kind."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from cpd_log.access import owned
from cpd_log.aggregates.services import period_rows
from cpd_log.competencies.services import AREA
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityKind, ActivityStatus, Competency, Framework
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


def completed_rows(user, today: date) -> dict[str, list]:
    """{period of PERIODS: period_rows of its completed activities}: three small queries over
    the monthly totals (cpd_log/aggregates/), whatever the number of activities. The totals and
    the hours by kind of the period shown are both read off them."""
    return {
        period: period_rows(
            user.id, period_start(period, today), today, by_month=False, status=COMPLETED
        )
        for period in PERIODS
    }


def completed_minutes(user, today: date, rows: dict[str, list] | None = None) -> Totals:
    """Minutes of completed activities this calendar year, in the last 12 months and ever
    (`rows`: completed_rows, read here when not given)."""
    rows = rows or completed_rows(user, today)
    return Totals(
        sum(minutes for *_, minutes, _ in rows["year"]),
        sum(minutes for *_, minutes, _ in rows["12m"]),
        sum(minutes for *_, minutes, _ in rows["all"]),
        sum(count for *_, count in rows["all"]),
    )


COMPLETED = ActivityStatus.COMPLETED.value
PERIODS = {"12m": "last 12 months", "year": "this year", "all": "all time"}


def period_start(period: str, today: date) -> date | None:
    """First day counted for a dashboard period; None means from the beginning."""
    if period == "year":
        return today.replace(month=1, day=1)
    if period == "all":
        return None
    return _year_ago(today) + timedelta(days=1)


def _counted(user, since: date | None, today: date) -> list:
    """Completed activities of `user` that started in [since, today]: what the totals count."""
    conditions = [
        Activity.user_id == user.id,
        Activity.status == ActivityStatus.COMPLETED,
        Activity.start_date <= today,
    ]
    if since is not None:
        conditions.append(Activity.start_date >= since)
    return conditions


def minutes_by_kind(user, since: date | None, today: date) -> list[tuple[ActivityKind, int]]:
    return kinds_of(period_rows(user.id, since, today, by_month=False, status=COMPLETED))


def kinds_of(rows: list) -> list[tuple[ActivityKind, int]]:
    """(kind, minutes), most first, of period_rows without months."""
    totals: dict[str, int] = defaultdict(int)
    for _, kind, minutes, _ in rows:
        totals[kind] += minutes
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [(ActivityKind(kind), minutes) for kind, minutes in ranked]


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
        .where(*_counted(user, since, today))
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
