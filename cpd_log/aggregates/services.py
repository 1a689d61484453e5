"""Reading, checking and rebuilding the per-user aggregates (cpd_log/aggregates/triggers.py).

`drift` compares the stored totals with a recomputation from `activity`: the tests call it after
every kind of write, and `flask aggregates check` runs it on a live database.
"""

from sqlalchemy import delete, func, select, text

from cpd_log.aggregates.triggers import rebuild_statement
from cpd_log.extensions import db
from cpd_log.models import Activity, DailyMinutes

Key = tuple[int, str, str, str]  # user id, ISO day, kind, status


def stored(user_id: int | None = None) -> dict[Key, tuple[int, int]]:
    """{(user, day, kind, status): (minutes, activities)} as the triggers left them."""
    query = select(
        DailyMinutes.user_id,
        DailyMinutes.day,
        DailyMinutes.kind,
        DailyMinutes.status,
        DailyMinutes.minutes,
        DailyMinutes.activities,
    )
    if user_id is not None:
        query = query.where(DailyMinutes.user_id == user_id)
    return {
        (uid, str(day), str(kind), str(status)): (minutes, count)
        for uid, day, kind, status, minutes, count in db.session.execute(query)
    }


def recomputed(user_id: int | None = None) -> dict[Key, tuple[int, int]]:
    """The same figures summed from `activity` now."""
    kind, status = Activity.__table__.c.kind, Activity.__table__.c.status  # stored values
    query = select(
        Activity.user_id,
        Activity.start_date,
        kind,
        status,
        func.sum(Activity.minutes),
        func.count(),
    ).group_by(Activity.user_id, Activity.start_date, kind, status)
    if user_id is not None:
        query = query.where(Activity.user_id == user_id)
    return {
        (uid, str(day), str(k), str(s)): (int(minutes), int(count))
        for uid, day, k, s, minutes, count in db.session.execute(query)
    }


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
    query = delete(DailyMinutes)
    if user_id is not None:
        query = query.where(DailyMinutes.user_id == user_id)
    db.session.execute(query)
    condition = "user_id = :user_id" if user_id is not None else ""
    db.session.execute(text(rebuild_statement(condition)), {"user_id": user_id})
    db.session.flush()
