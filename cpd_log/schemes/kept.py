"""Each cycle's counted minutes kept between views, so its totals are SQL sums of a few rows
whatever the number of activities (issue 17, Deliver 2).

What an activity counts in a cycle (its split after the per-activity limits and each category's
step, rules.Counted) depends on the activity and its tags, the user's own split of it, the
scheme's rules and the crosswalk steps into the scheme's framework. It is kept per cycle and
activity (`counted_activity`, `counted_share`) and brought up to date on the next view:

- the triggers of kept_triggers.py mark an activity (`counted_dirty`) in the same transaction as
  every write to it, its tags, the user's split of it, or a competency or framework its tags
  resolve through; a view takes the user's marks and counts those activities again;
- each cycle's rows carry a digest of what they were counted with (`counted_basis`: the span,
  the scheme's rules with the framework it counts in, the crosswalk steps into that framework in
  force for the cycle); another digest (a new scheme version, a crosswalk loaded, edited or
  overridden, the cycle closing) counts the whole cycle again. A cycle never counted has none.

So nothing needs filling when the tables are created: each cycle is counted on its first view.
The totals are then summed by category, and by the stretches of days the page asks about
(progress._cuts), in two grouped queries. Up to KEEP_AFTER marks a view writes nothing: it
corrects the sums in memory. `stored_rows` and `sums_drift` let tests compare the kept rows with
a count from scratch (tests/schemes/test_kept.py); there is no command for it yet.
"""

import hashlib
import json
from bisect import bisect_right
from collections import defaultdict
from datetime import date

from sqlalchemy import (
    Date,
    Integer,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    union_all,
)
from sqlalchemy.exc import IntegrityError, OperationalError

from cpd_log.extensions import db
from cpd_log.models import Activity
from cpd_log.models.counted import (
    CountedActivity,
    CountedBasis,
    CountedDay,
    CountedDirty,
    CountedShare,
    CountedTotal,
)
from cpd_log.models.scheme import Cycle
from cpd_log.schemes import loading, rules
from cpd_log.schemes.counting import Counter

# More marks than this at once (an import): the page's cycles are counted again whole, rather
# than sending thousands of ids in one statement.
MARKS_AT_MOST = 500
# Up to this many marks a view counts the marked activities again without writing (the sums are
# corrected in memory), so the first view after a few writes stays a reader (no write lock, no
# commit to disk); more, and it keeps what it counted and takes the marks.
KEEP_AFTER = 20


def basis(cycle: Cycle, counter: Counter) -> str:
    """A digest of everything but the activities (and the user's splits) that a cycle's kept rows
    depend on."""
    scheme = counter.scheme
    steps = getattr(counter, "_kept_steps", None)
    if steps is None:
        steps = []
        if scheme.tagged:
            into = scheme.allocation["competencies"]["framework"]
            steps = sorted(
                (tag, step.code, step.related)
                for tag, targets in counter.crosswalks.steps.items()
                for step in targets.get(into, ())
            )
        counter._kept_steps = steps
    facts = [
        cycle.scheme_id,
        str(cycle.start_date),
        str(cycle.end_date),
        cycle.scheme.content,
        scheme.allocation,
        steps,
    ]
    text = json.dumps(facts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def tallies(user, cycles, counters, tagged_in, overrides, cuts) -> dict | None:
    """{cycle id: (rules.Tally, completed activities)} of `cycles` from the kept rows, brought up
    to date first; each day of `Tally.daily` is the first of a stretch of `cuts`. None when
    another view was keeping the same rows at the same moment (the caller counts without)."""
    try:
        with db.session.begin_nested():
            pending = _bring_up_to_date(user, cycles, counters, tagged_in, overrides)
    except (IntegrityError, OperationalError):
        return None
    found = _sums(cycles, counters, cuts)
    if pending is not None:
        _adjust(found, pending, cuts)
    return {cid: (tally, completed) for cid, (tally, completed) in found.items()}


def _bring_up_to_date(user, cycles, counters, tagged_in, overrides) -> None:
    wanted = {cycle.id: basis(cycle, counters[cycle.id]) for cycle in cycles}
    stored = dict(
        db.session.execute(
            select(CountedBasis.cycle_id, CountedBasis.basis)
            .join(Cycle, Cycle.id == CountedBasis.cycle_id)
            .where(Cycle.user_id == user.id)
        ).all()
    )
    mine = CountedDirty.user_id == user.id
    seen = db.session.scalars(select(CountedDirty.activity_id).where(mine)).all()
    stale = any(stored.get(cid) != digest for cid, digest in wanted.items())
    if not stale and len(seen) <= KEEP_AFTER:  # a view after a few writes only reads
        return _pending(user, cycles, counters, tagged_in, overrides, seen) if seen else None
    # Taken before the activities are read (a writer still at work holds its marks locked until
    # it commits, kept_triggers.py): a write committed later marks them again.
    taken = delete(CountedDirty).where(mine)
    if len(seen) <= MARKS_AT_MOST:
        taken = taken.where(CountedDirty.activity_id.in_(seen))
    # A writer still at work (an import's long transaction, or another session of this request)
    # holds its marks locked: wait a moment, then count by groups instead (tallies returns None).
    waits = db.session.get_bind().dialect.name == "postgresql"
    if waits:
        db.session.execute(text("SET LOCAL lock_timeout = '200ms'"))
    marked = db.session.scalars(taken.returning(CountedDirty.activity_id)).all()
    if waits:
        db.session.execute(text("RESET lock_timeout"))
    if marked:  # the user's other kept cycles are counted again when next viewed
        others = [cid for cid in stored if cid not in wanted]
        if others:
            db.session.execute(delete(CountedBasis).where(CountedBasis.cycle_id.in_(others)))
    whole = [c for c in cycles if stored.get(c.id) != wanted[c.id] or len(marked) > MARKS_AT_MOST]
    kept = [c for c in cycles if c not in whole]
    if whole:
        ids = [c.id for c in whole]
        for table in (CountedActivity, CountedShare):
            db.session.execute(delete(table).where(table.cycle_id.in_(ids)))
        start, end = min(c.start_date for c in whole), max(c.end_date for c in whole)
        _keep(whole, loading.activities(user, start, end, tagged_in), counters, overrides)
        db.session.execute(delete(CountedBasis).where(CountedBasis.cycle_id.in_(ids)))
        db.session.execute(
            insert(CountedBasis), [{"cycle_id": c.id, "basis": wanted[c.id]} for c in whole]
        )
    if kept and marked:
        ids = [c.id for c in kept]
        for table in (CountedActivity, CountedShare):
            db.session.execute(
                delete(table).where(table.cycle_id.in_(ids), table.activity_id.in_(marked))
            )
        start, end = min(c.start_date for c in kept), max(c.end_date for c in kept)
        found = loading.some(user, start, end, tagged_in, Activity.id.in_(marked))
        _keep(kept, sorted(found, key=lambda a: a.last_date), counters, overrides)


def _pending(user, cycles, counters, tagged_in, overrides, marked) -> tuple:
    """(the kept rows of the `marked` activities in `cycles`, their rows counted now), each as
    (activity rows, share rows) like _rows's: what the sums are corrected by, nothing written."""
    ids = [c.id for c in cycles]
    row, share = CountedActivity.__table__.c, CountedShare.__table__.c
    old_rows = [
        dict(r._mapping)
        for r in db.session.execute(
            select(row.cycle_id, row.day, row.minutes, row.counts, row.below, row.capped).where(
                row.cycle_id.in_(ids), row.activity_id.in_(marked)
            )
        )
    ]
    old_shares = [
        dict(r._mapping)
        for r in db.session.execute(
            select(share.cycle_id, share.category, share.minutes).where(
                share.cycle_id.in_(ids), share.activity_id.in_(marked)
            )
        )
    ]
    start, end = min(c.start_date for c in cycles), max(c.end_date for c in cycles)
    found = loading.some(user, start, end, tagged_in, Activity.id.in_(marked))
    now = _rows(cycles, sorted(found, key=lambda a: a.last_date), counters, overrides)
    return (old_rows, old_shares), now


def _adjust(found: dict, pending: tuple, cuts: list[date]) -> None:
    """Take the marked activities' kept rows out of the sums and put their rows counted now in."""
    for sign, (rows, shares) in zip((-1, 1), pending, strict=True):
        for one in rows:
            tally = found[one["cycle_id"]][0]
            day = one["day"] if isinstance(one["day"], date) else date.fromisoformat(one["day"])
            tally.daily[cuts[bisect_right(cuts, day) - 1]] += sign * one["minutes"]
            tally.activities += sign * bool(one["counts"])
            tally.below += sign * bool(one["below"])
            tally.capped += sign * bool(one["capped"])
            found[one["cycle_id"]][1] += sign
        for one in shares:
            found[one["cycle_id"]][0].logged[one["category"]] += sign * one["minutes"]


def _keep(cycles, activities, counters, overrides) -> None:
    """Insert the counted rows of `activities` (Logged, sorted by day) in each cycle whose span
    holds the day they ended."""
    counted_rows, share_rows = _rows(cycles, activities, counters, overrides)
    if counted_rows:
        db.session.execute(insert(CountedActivity), counted_rows)
    if share_rows:
        db.session.execute(insert(CountedShare), share_rows)


def _rows(cycles, activities, counters, overrides) -> tuple[list, list]:
    """(counted_activity rows, counted_share rows) of `activities` in each of `cycles` whose span
    holds the day they ended."""
    counted_rows, share_rows = [], []
    for cycle in cycles:
        counter, own = counters[cycle.id], overrides.get(cycle.id, {})
        for activity in activities:
            if not cycle.start_date <= activity.last_date <= cycle.end_date:
                continue
            _, counted, _ = counter.count(activity, own.get(activity.id))
            counted_rows.append(
                {
                    "cycle_id": cycle.id,
                    "activity_id": activity.id,
                    "day": activity.last_date,
                    "minutes": counted.minutes,
                    "counts": counted.counts,
                    "below": counted.below,
                    "capped": counted.capped,
                }
            )
            share_rows.extend(
                {"cycle_id": cycle.id, "activity_id": activity.id, "category": code,
                 "minutes": minutes}
                for code, minutes in counted.shares
            )  # fmt: skip
    return counted_rows, share_rows


def _sums(cycles, counters, cuts: list[date]) -> dict:
    """Two grouped queries over the sums the triggers keep: the categories of each cycle, and
    its days by stretch (grouped outside, as loading._groups says why)."""
    ids = [c.id for c in cycles]
    tallies = {c.id: rules.Tally(counters[c.id].scheme) for c in cycles}
    completed: dict[int, int] = defaultdict(int)
    total = CountedTotal.__table__.c
    for cid, code, minutes in db.session.execute(
        select(total.cycle_id, total.category, total.minutes).where(total.cycle_id.in_(ids))
    ):
        tallies[cid].logged[code] += minutes
    day = CountedDay.__table__.c
    # The stretches as a table of their own: the database seeks each one's days in the primary
    # key's order instead of testing every day against every cut.
    ends = [*cuts[1:], date.max]
    stretches = union_all(
        *(
            select(
                literal(place, Integer).label("place"),
                literal(first, Date).label("first"),
                literal(end, Date).label("after"),
            )
            for place, (first, end) in enumerate(zip(cuts, ends, strict=True))
        )
    ).subquery("stretch")
    grouped = (
        select(
            day.cycle_id,
            stretches.c.place,
            *(func.sum(day[name]) for name in ("minutes", "counts", "below", "capped")),
            func.sum(day.activities),
        )
        .select_from(stretches)
        .join(CountedDay.__table__, and_(day.day >= stretches.c.first, day.day < stretches.c.after))
        .where(day.cycle_id.in_(ids))
        .group_by(day.cycle_id, stretches.c.place)
    )
    for cid, index, minutes, counts, below, capped, number in db.session.execute(grouped):
        tally = tallies[cid]
        tally.daily[cuts[int(index)]] += int(minutes)
        tally.activities += int(counts)
        tally.below += int(below)
        tally.capped += int(capped)
        completed[cid] += int(number)
    return {cid: [tally, completed[cid]] for cid, tally in tallies.items()}


def sums_drift(cycle_ids) -> dict:
    """{(table, key): (kept sum, sum of the kept rows)} where the triggers' sums differ."""
    share, total = CountedShare.__table__.c, CountedTotal.__table__.c
    want = {
        (cid, code): int(m)
        for cid, code, m in db.session.execute(
            select(share.cycle_id, share.category, func.sum(share.minutes))
            .where(share.cycle_id.in_(cycle_ids))
            .group_by(share.cycle_id, share.category)
        )
    }
    have = {
        (cid, code): m
        for cid, code, m in db.session.execute(
            select(total.cycle_id, total.category, total.minutes).where(
                total.cycle_id.in_(cycle_ids)
            )
        )
        if m or (cid, code) in want
    }
    row, day = CountedActivity.__table__.c, CountedDay.__table__.c
    flags = [func.sum(case((column, 1), else_=0)) for column in (row.counts, row.below, row.capped)]
    days_want = {
        ("day", cid, str(on)): (int(m), *map(int, rest))
        for cid, on, m, *rest in db.session.execute(
            select(row.cycle_id, row.day, func.sum(row.minutes), *flags, func.count())
            .where(row.cycle_id.in_(cycle_ids))
            .group_by(row.cycle_id, row.day)
        )
    }
    days_have = {
        ("day", cid, str(on)): tuple(rest)
        for cid, on, *rest in db.session.execute(
            select(day.cycle_id, day.day, day.minutes, day.counts, day.below, day.capped,
                   day.activities).where(day.cycle_id.in_(cycle_ids))
        )
    }  # fmt: skip
    have.update(days_have)
    want.update(days_want)
    return {
        key: (have.get(key), want.get(key))
        for key in have.keys() | want.keys()
        if have.get(key) != want.get(key)
    }


def stored_rows(cycle_ids) -> dict:
    """{(cycle id, activity id): (day, minutes, counts, below, capped, {category: minutes})} as
    kept (for drift)."""
    found = {}
    row = CountedActivity.__table__.c
    for cid, aid, day, minutes, counts, below, capped in db.session.execute(
        select(row.cycle_id, row.activity_id, row.day, row.minutes, row.counts, row.below,
               row.capped).where(row.cycle_id.in_(cycle_ids))
    ):  # fmt: skip
        day = day if isinstance(day, date) else date.fromisoformat(day)
        found[(cid, aid)] = [day, minutes, bool(counts), bool(below), bool(capped), {}]
    share = CountedShare.__table__.c
    for cid, aid, code, minutes in db.session.execute(
        select(share.cycle_id, share.activity_id, share.category, share.minutes).where(
            share.cycle_id.in_(cycle_ids)
        )
    ):
        found.setdefault((cid, aid), [None, None, None, None, None, {}])[5][code] = minutes
    return {key: tuple(value) for key, value in found.items()}
