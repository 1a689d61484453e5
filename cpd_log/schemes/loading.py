"""Reading what counting a user's cycles needs, in a constant number of queries.

A page that lists each activity (the cycle page) reads them one by one. The dashboard only shows
totals, so it reads one by one just the activities the user split in one of the cycles, and
counts the rest by groups: of the same kind, minutes, participatory flag and stretch of days they
ended in (the stretches being cut at every date a cycle or one of its windows starts or ends),
and for activities tagged in a framework a scheme counts in (or reaches through a crosswalk), of
the same codes reached.
"""

from bisect import bisect_right
from collections import defaultdict
from datetime import date

from sqlalchemy import String, case, func, not_, or_, select, type_coerce

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


def _tags(user, start: date, end: date, frameworks: set[str], *columns):
    """Rows of `columns` of an activity that ended within [start, end] plus (framework slug,
    competency code), one per tag in `frameworks` (the only ones the schemes look at)."""
    return db.session.connection().execute(
        select(*columns, Framework.slug, Competency.code)
        .select_from(activity_competency)
        .join(Activity, Activity.id == activity_competency.c.activity_id)
        .join(Competency, Competency.id == activity_competency.c.competency_id)
        .join(Framework, Framework.id == Competency.framework_id)
        .where(*_in_span(user, start, end), Framework.slug.in_(sorted(frameworks)))
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
    for aid, slug, code in _tags(user, start, end, frameworks, Activity.id):
        reader.tags[aid].add((slug, code))
    rows = db.session.connection().execute(
        _columns()
        .where(*_in_span(user, start, end))
        .order_by(LAST_DAY, Activity.start_date, Activity.id)
    )
    return reader.logged(rows)


def _day(value: date | str) -> date:
    """PostgreSQL sends a date; SQLite sends ISO text, which date.fromisoformat reads several
    times faster than SQLAlchemy's Date type (it showed in the profile of a 5,000-row page)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def summarised(
    user, cuts: list[date], end: date, frameworks: set[str], cycle_ids, signature=frozenset
) -> list:
    """The activities that ended within [cuts[0], end] as counting sees them, sorted by day:
    Logged ones for those the user split in one of the cycles, and for the rest one Logged per
    group, filed under the first day of its stretch (`cuts`: sorted first days of the
    stretches), counted `times` over.

    The database groups the activities by their facts as if untagged (finding the tagged ones in
    the grouping query would cost a second pass over the tags); the tagged ones are then grouped
    here by their facts and what counting sees of their tags (`signature` of their tags: by
    default the tags themselves, see progress._signature), and taken off the untagged groups.
    """
    start, reader = cuts[0], _Reader()
    tagged: dict[int, tuple] = {}
    known = _competencies(user, frameworks)
    for aid, cid, kind, minutes, participatory, day in _tag_rows(user, start, end, known):
        tag = known.get(cid)
        if tag is not None:
            tagged[aid] = (kind, minutes, participatory, day)
            reader.tags[aid].add(tag)
    split = Activity.id.in_(
        select(Allocation.activity_id).where(Allocation.cycle_id.in_(cycle_ids))
    )
    alone = reader.logged(
        db.session.connection().execute(_columns().where(*_in_span(user, start, end), split))
    )
    own = {activity.id for activity in alone}
    alike: dict[tuple, list] = {}
    fewer: dict[tuple, int] = defaultdict(int)  # tagged, so not in the untagged groups
    for aid, (kind, minutes, participatory, day) in tagged.items():
        if aid in own:
            continue
        tags = frozenset(reader.tags[aid])
        plain = (_stretch(cuts, _day(day)), kind, minutes, participatory)
        fewer[plain] += 1
        key = (plain, signature(tags))
        if key in alike:
            alike[key][1] += 1
        else:
            alike[key] = [reader.facts(kind, minutes, participatory, tags), 1]
    found = [*alone, *_groups(reader, user, cuts, end, not_(split), fewer)]
    found += [Logged(None, "", key[0][0], facts, times) for key, (facts, times) in alike.items()]
    return sorted(found, key=lambda activity: activity.last_date)


# Up to this many competencies, the database looks up each one per activity; beyond, reading
# every tag of the activities and keeping the known ones is faster (measured on SQLite: 100 codes
# of 5,000 activities took 20 times as long as reading their 10,000 tags).
FEW_COMPETENCIES = 12


def _competencies(user, frameworks: set[str]) -> dict[int, tuple[str, str]]:
    """{competency id: (framework slug, code)} of the frameworks (the user's or global). One
    query, none without frameworks."""
    if not frameworks:
        return {}
    rows = db.session.connection().execute(
        select(Competency.id, Framework.slug, Competency.code)
        .join(Framework, Framework.id == Competency.framework_id)
        .where(
            Framework.slug.in_(sorted(frameworks)),
            or_(Framework.owner_id.is_(None), Framework.owner_id == user.id),
        )
    )
    return {cid: (slug, code) for cid, slug, code in rows}


def _tag_rows(user, start: date, end: date, known: dict):
    """(activity id, competency id, kind, minutes, participatory, last day) per tag of an
    activity that ended within [start, end]: every tag, or only those in `known` when few."""
    if not known:
        return ()
    tags = activity_competency.c
    query = (
        select(tags.activity_id, tags.competency_id, *PLAIN)
        .select_from(Activity)
        .join(activity_competency, tags.activity_id == Activity.id)
        .where(*_in_span(user, start, end))
    )
    if len(known) <= FEW_COMPETENCIES:
        query = query.where(tags.competency_id.in_(sorted(known)))
    return db.session.connection().execute(query)


def _stretch(cuts: list[date], day: date) -> date:
    """The first day of the stretch `day` is in, as _groups files it."""
    return cuts[bisect_right(cuts, day) - 1]


def _groups(reader: _Reader, user, cuts: list[date], end: date, condition, fewer) -> list[Logged]:
    """The activities matching `condition` grouped by facts and stretch, less `fewer` of each
    ({(first day of the stretch, kind, minutes, participatory): how many})."""
    stretch = case(
        *((cut > LAST_DAY, index) for index, cut in enumerate(cuts[1:])), else_=len(cuts) - 1
    )
    inner = (
        select(
            ACTIVITY_KIND.label("kind"),
            Activity.minutes,
            Activity.participatory,
            stretch.label("stretch"),
        )
        .where(*_in_span(user, cuts[0], end), condition)
        .subquery()  # grouped outside: PostgreSQL does not match a CASE of bound parameters
    )
    columns = (inner.c.kind, inner.c.minutes, inner.c.participatory, inner.c.stretch)
    rows = db.session.connection().execute(select(*columns, func.count()).group_by(*columns))
    found = []
    for kind, minutes, participatory, index, times in rows:
        times -= fewer.get((cuts[index], kind, minutes, participatory), 0)
        if times:
            found.append(
                Logged(None, "", cuts[index], reader.facts(kind, minutes, participatory), times)
            )
    return found


def overrides(cycle_ids: list[int]) -> dict[int, dict[int, dict[str, int]]]:
    """The user's own splits: {cycle id: {activity id: {category: minutes}}}."""
    found: dict[int, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    if cycle_ids:
        for row in db.session.scalars(select(Allocation).where(Allocation.cycle_id.in_(cycle_ids))):
            found[row.cycle_id][row.activity_id][row.category] = row.minutes
    return found
