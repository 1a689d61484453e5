"""Reading, checking and rebuilding the per-user monthly totals (cpd_log/aggregates/triggers.py).

`period_rows` sums a period from the whole months inside it (monthly_minutes) and from the
activities of the partial months at its two ends, so a period costs the same at any number of
activities. `drift` compares the stored totals with a recomputation from `activity`: the tests
call it after every kind of write, and `flask aggregates check` runs it on a live database.
"""

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import delete, func, literal, select, text, union_all

from cpd_log.aggregates.triggers import rebuild_statement
from cpd_log.common.sql import year_month
from cpd_log.extensions import db
from cpd_log.models import Activity, MonthlyMinutes

Key = tuple[int, str, str, str]  # user id, ISO first day of the month, kind, status


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def period_rows(
    user_id: int, since: date | None, until: date | None, by_month: bool = True, **equal
):
    """[("YYYY-MM", kind, minutes, activities)] of the user's activities that started within
    [since, until] (None: no bound), `equal` filtering on status and kind (stored values);
    without `by_month` the month is "" and the rows are per kind only (several per kind: add
    them up), so a long period sends back a few rows, not one per month.

    Whole months come from monthly_minutes; the days of a partial month at either end from the
    activities (the covering index ix_activity_user_totals answers them). One query.
    """
    monthly, activity = MonthlyMinutes.__table__.c, Activity.__table__.c
    # [first, end): the whole months inside the period, by their first days
    first = since if since is None or since.day == 1 else _next_month(since)
    end = None
    if until is not None:
        end = _next_month(until) if _next_month(until) - timedelta(days=1) == until else None
        end = end or until.replace(day=1)
    whole = [monthly.user_id == user_id, *(monthly[k] == str(v) for k, v in equal.items())]
    whole += [monthly.month >= first] if first is not None else []
    whole += [monthly.month < end] if end is not None else []

    def month_of(column):
        return (year_month(column) if by_month else literal("")).label("ym")

    parts = [
        select(
            month_of(monthly.month),
            monthly.kind,
            func.sum(monthly.minutes).label("minutes"),
            func.sum(monthly.activities).label("activities"),
        )
        .where(*whole)
        .group_by(*(["ym"] if by_month else []), monthly.kind)
    ]
    edges = []  # each its own part: one index range, never an OR of two
    if since is not None and first != since:  # the days of since's month
        head = [activity.start_date >= since, activity.start_date < first]
        edges.append([*head, *([activity.start_date <= until] if until else [])])
    if until is not None and end <= until:  # the days of until's month (not in the head)
        start = max(end, first) if first is not None else end
        edges.append([activity.start_date >= start, activity.start_date <= until])
    for edge in edges:
        parts.append(
            select(
                month_of(activity.start_date),
                activity.kind,
                func.sum(activity.minutes).label("minutes"),
                func.count().label("activities"),
            )
            .where(
                activity.user_id == user_id,
                *(activity[k] == str(v) for k, v in equal.items()),
                *edge,
            )
            .group_by(*(["ym"] if by_month else []), activity.kind)
        )
    query = union_all(*parts) if len(parts) > 1 else parts[0]
    return [(ym, kind, int(m or 0), int(n or 0)) for ym, kind, m, n in db.session.execute(query)]


def stored(user_id: int | None = None) -> dict[Key, tuple[int, int]]:
    """{(user, month, kind, status): (minutes, activities)} as the triggers left them."""
    table = MonthlyMinutes.__table__.c
    query = select(
        table.user_id, table.month, table.kind, table.status, table.minutes, table.activities
    )
    if user_id is not None:
        query = query.where(table.user_id == user_id)
    return {
        (uid, str(month), str(kind), str(status)): (minutes, count)
        for uid, month, kind, status, minutes, count in db.session.execute(query)
    }


def recomputed(user_id: int | None = None) -> dict[Key, tuple[int, int]]:
    """The same figures summed from `activity` now (days folded into months here)."""
    table = Activity.__table__.c  # stored values, no enum objects
    query = select(
        table.user_id, table.start_date, table.kind, table.status, func.sum(table.minutes),
        func.count(),
    ).group_by(table.user_id, table.start_date, table.kind, table.status)  # fmt: skip
    if user_id is not None:
        query = query.where(table.user_id == user_id)
    found: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for uid, day, kind, status, minutes, count in db.session.execute(query):
        day = day if isinstance(day, date) else date.fromisoformat(day)
        totals = found[(uid, str(day.replace(day=1)), str(kind), str(status))]
        totals[0] += int(minutes)
        totals[1] += int(count)
    return {key: (minutes, count) for key, (minutes, count) in found.items()}


def drift(user_id: int | None = None) -> dict[Key, tuple]:
    """Every key where the stored totals differ from the recomputation: (stored, recomputed)."""
    have, want = stored(user_id), recomputed(user_id)
    return {
        key: (have.get(key), want.get(key))
        for key in have.keys() | want.keys()
        if have.get(key) != want.get(key)
    }


def rebuild(user_id: int | None = None) -> None:
    """Recompute the totals from scratch (of one user, or everyone's); flushes, never commits."""
    query = delete(MonthlyMinutes)
    if user_id is not None:
        query = query.where(MonthlyMinutes.user_id == user_id)
    db.session.execute(query)
    condition = "user_id = :user_id" if user_id is not None else ""
    statement = rebuild_statement(db.engine.dialect.name, condition)
    db.session.execute(text(statement), {"user_id": user_id})
    db.session.flush()
