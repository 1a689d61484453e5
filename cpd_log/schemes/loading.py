"""Reading what counting a user's cycles needs, in a constant number of queries.

A page that lists each activity (the cycle page) reads them one by one. The dashboard only shows
totals, so it reads one by one just the activities the user split in one of the cycles, and
counts the rest by groups: of the same kind, minutes, participatory flag and stretch of days they
ended in (the stretches being cut at every date a cycle or one of its windows starts or ends),
and for activities tagged in a framework a scheme counts in (or reaches through a crosswalk), of
the same codes reached. The database does the grouping, so no tag row comes back.
"""

from collections import defaultdict
from datetime import date

from sqlalchemy import String, and_, case, func, not_, or_, select, type_coerce

from cpd_log.access import shipped
from cpd_log.crosswalks.loading import framework_in
from cpd_log.crosswalks.mapping import framework_key
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityStatus, Competency, Framework
from cpd_log.models.activity import activity_competency
from cpd_log.models.scheme import Allocation
from cpd_log.schemes.counting import Logged
from cpd_log.schemes.splits import ActivityFacts

LAST_DAY = Activity.last_date
ACTIVITY_KIND = type_coerce(Activity.kind, String)  # the stored value: no Enum object per row
LAST_DAY_TEXT = type_coerce(LAST_DAY, String)  # see _day
PLAIN = (ACTIVITY_KIND, Activity.minutes, Activity.participatory, LAST_DAY_TEXT)


def _in_span(user, start: date, end: date) -> tuple:
    return (
        Activity.user_id == user.id,
        Activity.status == ActivityStatus.COMPLETED,
        start <= LAST_DAY,
        end >= LAST_DAY,
    )


def _columns(*extra):
    return select(
        Activity.id,
        Activity.title,
        ACTIVITY_KIND,
        Activity.minutes,
        Activity.participatory,
        LAST_DAY_TEXT,
        *extra,
    )


def _tags(user, start: date, end: date, frameworks: set[str], *columns, where=True):
    """Rows of `columns` of an activity that ended within [start, end] plus (framework slug,
    owner, team, competency code), one per tag in `frameworks` (keys: the only ones the schemes
    look at)."""
    return db.session.connection().execute(
        select(*columns, Framework.slug, Framework.owner_id, Framework.team_id, Competency.code)
        .select_from(activity_competency)
        .join(Activity, Activity.id == activity_competency.c.activity_id)
        .join(Competency, Competency.id == activity_competency.c.competency_id)
        .join(Framework, Framework.id == Competency.framework_id)
        .where(*_in_span(user, start, end), framework_in(Framework, frameworks), where)
    )


class _Reader:
    """Builds Logged rows, sharing one ActivityFacts between activities with the same facts."""

    def __init__(self):
        self.shared: dict[tuple, ActivityFacts] = {}
        self.tags: dict[int, set] = defaultdict(set)

    def facts(self, kind, minutes, participatory, tags=frozenset()) -> ActivityFacts:
        key = (kind, minutes, participatory, tags)
        return self.shared.get(key) or self.shared.setdefault(key, ActivityFacts(*key))

    def logged(self, rows) -> list[Logged]:
        found = []
        for aid, title, kind, minutes, participatory, day in rows:
            tags = frozenset(self.tags.get(aid, ()))
            found.append(
                Logged(aid, title, _day(day), self.facts(kind, minutes, participatory, tags))
            )
        return found


def activities(user, start: date, end: date, frameworks: set[str]) -> list[Logged]:
    """Completed activities that ended within [start, end], sorted by that day, with their tags
    in `frameworks`: two queries at any size (selectinload would send one more query per 500
    activities). Core rows: no ORM processing for plain columns."""
    reader = _Reader()
    for aid, slug, owner, team, code in _tags(user, start, end, frameworks, Activity.id):
        reader.tags[aid].add((framework_key(slug, owner, team), code))
    rows = db.session.connection().execute(
        _columns()
        .where(*_in_span(user, start, end))
        .order_by(LAST_DAY, Activity.start_date, Activity.id)
    )
    return reader.logged(rows)


def some(user, start: date, end: date, frameworks: set[str], condition, *, page=None):
    """Like `activities`, of those matching `condition` only, and of them only the slice
    `page` ((offset, limit), in the same order) when given: two queries that read the rows
    asked for and their tags, so a page of a cycle costs the same at any size of the cycle."""
    query = (
        _columns()
        .where(*_in_span(user, start, end), condition)
        .order_by(LAST_DAY, Activity.start_date, Activity.id)
    )
    if page is not None:
        query = query.offset(page[0]).limit(page[1])
    rows = db.session.connection().execute(query).all()
    reader = _Reader()
    ids = Activity.id.in_([row[0] for row in rows])  # asked even for none: a constant count
    for aid, slug, owner, team, code in _tags(user, start, end, frameworks, Activity.id, where=ids):
        reader.tags[aid].add((framework_key(slug, owner, team), code))
    return reader.logged(rows)


def _day(value: date | str) -> date:
    """PostgreSQL sends a date; SQLite sends ISO text, which date.fromisoformat reads several
    times faster than SQLAlchemy's Date type (it showed in the profile of a 5,000-row page)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _one_tag(tag) -> frozenset:
    return frozenset((tag,))


def _always(_thing, _day: date) -> bool:
    return True


def summarised(
    user, cuts: list[date], end: date, frameworks: set[str], cycle_ids, sees=_one_tag, heeds=_always
):
    """The activities that ended within [cuts[0], end] as counting sees them, sorted by day:
    Logged ones for those the user split in one of the cycles, and for the rest one Logged per
    group, filed under the first day of its stretch (`cuts`: sorted first days of the
    stretches), counted `times` over.

    `sees(tag)` is what counting sees of one tag (progress._sees: the codes of the schemes' maps
    it reaches); of several tags, the union. The database groups the activities by their facts
    and, for each thing seen, whether one of their tags sees it, so no tag row comes back (with
    crosswalks most tags reach a scheme's area: reading them here cost the dashboard twice its
    time). Each group stands for its activities with tags seeing exactly what theirs see, which
    counting cannot tell apart (Counter.default). `heeds(thing, day)`: whether what is seen
    matters to an activity filed under that day (progress._heeds: a counter's codes matter only
    within its cycles); groups alike in all that matters are merged.
    """
    start = cuts[0]
    known = _competencies(user, frameworks)
    seen = {cid: found for cid, tag in known.items() if (found := sees(tag))}
    split = Activity.id.in_(
        select(Allocation.activity_id).where(Allocation.cycle_id.in_(cycle_ids))
    )
    reader = _Reader()
    for aid, cid in _split_tags(user, start, end, split, seen):
        reader.tags[aid].add(known[cid])
    alone = reader.logged(
        db.session.connection().execute(_columns().where(*_in_span(user, start, end), split))
    )
    tags_of = _Standing(known, seen)
    found = [*alone, *_groups(reader, user, cuts, end, not_(split), tags_of, heeds)]
    return sorted(found, key=lambda activity: activity.last_date)


def _competencies(user, frameworks: set[str]) -> dict[int, tuple[str, str]]:
    """{competency id: (framework key, code)} of the frameworks (keys: global, the user's, or a
    team's a scheme the user follows counts in: the user's tags in it count even after leaving
    the team, see cpd_log/team_library/). One query, none without frameworks."""
    if not frameworks:
        return {}
    rows = db.session.connection().execute(
        select(Competency.id, Framework.slug, Framework.owner_id, Framework.team_id)
        .add_columns(Competency.code)
        .join(Framework, Framework.id == Competency.framework_id)
        .where(
            framework_in(Framework, frameworks),
            or_(shipped(Framework), Framework.owner_id == user.id, Framework.team_id.is_not(None)),
        )
    )
    return {cid: (framework_key(slug, owner, team), code) for cid, slug, owner, team, code in rows}


def _split_tags(user, start: date, end: date, split, seen: dict):
    """(activity id, competency id) per tag that counting sees of an activity the user split."""
    if not seen:
        return ()
    tags = activity_competency.c
    rows = db.session.connection().execute(
        select(tags.activity_id, tags.competency_id)
        .select_from(Activity)
        .join(activity_competency, tags.activity_id == Activity.id)
        .where(*_in_span(user, start, end), split)
    )
    return [(aid, cid) for aid, cid in rows if cid in seen]


class _Standing:
    """The tags a group of activities is counted with: a few of the known ones that together
    see exactly what the group's tags see."""

    def __init__(self, known: dict, seen: dict):
        self.known, self.seen = known, seen
        self.things = sorted(set().union(*seen.values()))  # one column of the grouping each
        self.by_flags: dict[tuple, frozenset] = {}

    def ids_seeing(self, thing) -> list[int]:
        return sorted(cid for cid, found in self.seen.items() if thing in found)

    def tags(self, flags: tuple, heeded: tuple) -> frozenset:
        """The tags standing for those of a group, from its grouping columns (1: some tag of the
        group's activities sees that thing), as far as the things `heeded` (1 each) go: what
        they see of the others does not matter where the group is filed."""
        found = self.by_flags.get((flags, heeded))
        if found is None:
            pairs = list(zip(self.things, flags, heeded, strict=True))
            wanted = frozenset(thing for thing, flag, _ in pairs if flag)
            matters = frozenset(thing for thing, _, heed in pairs if heed)
            chosen: set[int] = set()
            for thing in sorted(wanted):
                if not any(thing in self.seen[cid] for cid in chosen):
                    fit = (c for c in self.ids_seeing(thing) if self.seen[c] & matters <= wanted)
                    chosen.add(next(fit))
            found = frozenset(self.known[cid] for cid in chosen)
            self.by_flags[(flags, heeded)] = found
        return found


def stretch(cuts: list[date], day=LAST_DAY):
    """The index of the stretch of `cuts` holding `day` (default: the day an activity ended),
    as a SQL expression."""
    return case(*((cut > day, index) for index, cut in enumerate(cuts[1:])), else_=len(cuts) - 1)


def _heeded_days(cuts: list[date], heeded: list[bool]):
    """A SQL condition: the activity ended in one of the stretches `heeded` (one flag per cut)."""
    runs = []
    for index, heed in enumerate(heeded):
        if heed and (index == 0 or not heeded[index - 1]):
            runs.append([index, index])
        elif heed:
            runs[-1][1] = index
    return or_(
        *(
            and_(
                cuts[first] <= LAST_DAY,
                *([cuts[last + 1] > LAST_DAY] if last + 1 < len(cuts) else []),
            )
            for first, last in runs
        )
    )


def _shared_columns(things: list, heeded: list[tuple]) -> list[list[int]]:
    """The things (by place) each grouping column stands for: things heeded in no common
    stretch share one (a cycle's columns and its predecessor's, for instance)."""
    where = [frozenset(i for i, heeds_at in enumerate(heeded) if heeds_at[n]) for n in things]
    columns: list[list[int]] = []
    for n in things:
        if not where[n]:
            continue  # heeded nowhere: no column
        free = (c for c in columns if not any(where[n] & where[other] for other in c))
        column = next(free, None)
        if column is None:
            columns.append([n])
        else:
            column.append(n)
    return columns


def _groups(reader: _Reader, user, cuts, end: date, condition, standing: _Standing, heeds) -> list:
    """The activities matching `condition` grouped by facts, stretch and what their tags see,
    as far as their stretch heeds it (a cycle that ended before the crosswalks came counts with
    its own codes, which matter inside it only): one query, grouped outside (PostgreSQL does
    not match a CASE of bound parameters)."""
    tags = activity_competency.c
    heeded = [tuple(int(heeds(thing, cut)) for thing in standing.things) for cut in cuts]
    columns = _shared_columns(list(range(len(standing.things))), heeded)
    flags = []
    for column in columns:
        whens = []
        for n in column:
            seeing = tags.competency_id.in_(standing.ids_seeing(standing.things[n]))
            where = [bool(heeds_at[n]) for heeds_at in heeded]
            whens.append((seeing if all(where) else and_(_heeded_days(cuts, where), seeing), 1))
        flags.append(func.max(case(*whens, else_=0)))
    inner = select(
        ACTIVITY_KIND.label("kind"),
        Activity.minutes,
        Activity.participatory,
        stretch(cuts).label("stretch"),
        *(flag.label(f"sees_{n}") for n, flag in enumerate(flags)),
    ).where(*_in_span(user, cuts[0], end), condition)
    if flags:  # every tag read in order of the key, checked against the lists in the database
        inner = inner.outerjoin(activity_competency, tags.activity_id == Activity.id).group_by(
            Activity.id
        )
    subquery = list(inner.subquery().c)
    rows = db.session.connection().execute(select(*subquery, func.count()).group_by(*subquery))
    column_of = {n: place for place, column in enumerate(columns) for n in column}
    found = []
    for kind, minutes, participatory, index, *values, times in rows:
        sees = tuple(values[column_of[n]] if heed else 0 for n, heed in enumerate(heeded[index]))
        facts = reader.facts(kind, minutes, participatory, standing.tags(sees, heeded[index]))
        found.append(Logged(None, "", cuts[index], facts, times))
    return found


def overrides(cycle_ids: list[int]) -> dict[int, dict[int, dict[str, int]]]:
    """The user's own splits: {cycle id: {activity id: {category: minutes}}}."""
    found: dict[int, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    if cycle_ids:
        for row in db.session.scalars(select(Allocation).where(Allocation.cycle_id.in_(cycle_ids))):
            found[row.cycle_id][row.activity_id][row.category] = row.minutes
    return found
