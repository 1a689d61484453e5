"""Which activities count toward which cycle and category, and each cycle's progress.

All cycles of a page are computed together from one load of the user's activities (with their
tags) and one load of the user's own splits, so the query count does not grow with the data.
"""

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import String, func, select, type_coerce

from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityStatus, Competency, Framework
from cpd_log.models.activity import activity_competency
from cpd_log.models.scheme import Allocation, Cycle
from cpd_log.requirements import rules
from cpd_log.requirements.counting import Counter, Line, Logged
from cpd_log.requirements.pace import Projection, project
from cpd_log.requirements.services import user_enrolments
from cpd_log.requirements.splits import ActivityFacts

# Reflections arrive with issue 3: until then CPD Log reports these rules as not measurable
# rather than guessing (an activity's description is not a reflective account).
UNMEASURED_COUNTS: dict = {}


@dataclass(frozen=True)
class CycleInfo:
    """A cycle's facts copied off the row, so a page can commit and still render without
    reloading anything."""

    id: int
    number: int
    label: str
    start: date
    end: date
    scheme_name: str
    scheme_version: str
    closed: bool

    @classmethod
    def of(cls, cycle: Cycle, today: date) -> "CycleInfo":
        return cls(
            cycle.id,
            cycle.number,
            cycle.enrolment.label,
            cycle.start_date,
            cycle.end_date,
            cycle.scheme.name,
            cycle.scheme.version,
            cycle.is_closed(today),
        )


@dataclass(frozen=True)
class CycleView:
    cycle: CycleInfo
    scheme: rules.Scheme
    lines: list[Line]
    progress: rules.Progress
    projection: Projection | None
    carry_out: int
    warning: bool  # ends within 90 days with a rule not met

    @property
    def days_left(self) -> int:
        return self.projection.days_left if self.projection else 0


def _activities(user, start: date, end: date, frameworks: set[str]) -> list[Logged]:
    """Completed activities that ended within [start, end], with their tags in `frameworks`
    (the only ones the schemes look at): two queries at any size (selectinload would send one
    more query per 500 activities)."""
    last_day = func.coalesce(Activity.end_date, Activity.start_date)
    in_span = (
        Activity.user_id == user.id,
        Activity.status == ActivityStatus.COMPLETED,
        last_day >= start,
        last_day <= end,
    )
    connection = db.session.connection()  # Core rows: no ORM processing for plain columns
    tags: dict[int, set] = defaultdict(set)
    for activity_id, slug, code in connection.execute(
        select(activity_competency.c.activity_id, Framework.slug, Competency.code)
        .join(Activity, Activity.id == activity_competency.c.activity_id)
        .join(Competency, Competency.id == activity_competency.c.competency_id)
        .join(Framework, Framework.id == Competency.framework_id)
        .where(*in_span, Framework.slug.in_(sorted(frameworks)))
    ):
        tags[activity_id].add((slug, code))
    rows = connection.execute(
        select(
            Activity.id,
            Activity.title,
            type_coerce(Activity.kind, String),  # the stored value: no Enum object per row
            Activity.minutes,
            Activity.participatory,
            type_coerce(last_day, String),  # see _day
        )
        .where(*in_span)
        .order_by(last_day, Activity.start_date, Activity.id)
    )
    shared: dict[tuple, ActivityFacts] = {}
    found = []
    for aid, title, kind, minutes, participatory, day in rows:
        key = (kind, minutes, participatory, frozenset(tags.get(aid, ())))
        facts = shared.get(key) or shared.setdefault(key, ActivityFacts(*key))
        found.append(Logged(aid, title, _day(day), facts))
    return found


def _day(value: date | str) -> date:
    """PostgreSQL sends a date; SQLite sends ISO text, which date.fromisoformat reads several
    times faster than SQLAlchemy's Date type (it showed in the profile of a 5,000-row page)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _overrides(cycle_ids: list[int]) -> dict[int, dict[int, dict[str, int]]]:
    """The user's own splits: {cycle id: {activity id: {category: minutes}}}."""
    found: dict[int, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    if cycle_ids:
        for row in db.session.scalars(select(Allocation).where(Allocation.cycle_id.in_(cycle_ids))):
            found[row.cycle_id][row.activity_id][row.category] = row.minutes
    return found


def compute(user, cycles: list[Cycle], today: date, lines_of=()) -> dict[int, CycleView]:
    """CycleView per cycle id. Include a cycle's predecessor to get its carry-over in. Only the
    cycles in `lines_of` (ids) get their per-activity lines: the dashboard shows none."""
    if not cycles:
        return {}
    counters = {
        cycle.scheme_id: Counter(rules.Scheme.from_dict(cycle.scheme.content)) for cycle in cycles
    }
    frameworks = {
        c.scheme.allocation.get("competencies", {}).get("framework") for c in counters.values()
    }
    activities = _activities(
        user,
        min(c.start_date for c in cycles),
        max(c.end_date for c in cycles),
        frameworks - {None},
    )
    days = [activity.last_date for activity in activities]  # sorted by the query
    overrides = _overrides([c.id for c in cycles])
    views: dict[int, CycleView] = {}
    carry: dict[tuple[int, int], int] = {}  # (enrolment id, cycle number) -> minutes carried in
    for cycle in sorted(cycles, key=lambda c: (c.enrolment_id, c.number)):
        counter = counters[cycle.scheme_id]
        first, last = bisect_left(days, cycle.start_date), bisect_right(days, cycle.end_date)
        lines = [] if cycle.id in lines_of else None
        tally = counter.tally(activities[first:last], overrides.get(cycle.id, {}), lines)
        carried_in = carry.get((cycle.enrolment_id, cycle.number), 0)
        progress = tally.progress(UNMEASURED_COUNTS, carried_in)
        carry_out = rules.carry_over(counter.scheme, progress, cycle.end_date)
        carry[(cycle.enrolment_id, cycle.number + 1)] = carry_out
        views[cycle.id] = _view(cycle, counter.scheme, lines or [], progress, carry_out, today)
    return views


def _view(cycle, scheme, lines, progress, carry_out, today) -> CycleView:
    projection = project(scheme, progress, cycle.start_date, cycle.end_date, today)
    warning = (
        cycle.start_date <= today <= cycle.end_date
        and (cycle.end_date - today) <= timedelta(days=90)
        and any(rule.status == rules.NOT_MET for rule in progress.rules)
    )
    info = CycleInfo.of(cycle, today)
    return CycleView(info, scheme, lines, progress, projection, carry_out, warning)


def active_cycles(enrolments, today: date) -> list[Cycle]:
    """The cycle containing today of each enrolment (or its first, not yet begun)."""
    found = []
    for enrolment in enrolments:
        current = [c for c in enrolment.cycles if c.end_date >= today]
        if current:
            found.append(current[0])
    return found


def with_predecessors(cycles: list[Cycle]) -> list[Cycle]:
    """The cycles plus the one before each, whose surplus may carry over into it. A cycle whose
    scheme takes nothing carried over needs none: counting its predecessor would be wasted."""
    extra = []
    for cycle in cycles:
        if not rules.Scheme.from_dict(cycle.scheme.content).carry_over_max:
            continue
        before = [c for c in cycle.enrolment.cycles if c.number == cycle.number - 1]
        extra.extend(before)
    return [*cycles, *extra]


def dashboard_cycles(user, today: date) -> list[CycleView]:
    """Every active cycle of the user with its progress, for the dashboard panel."""
    active = active_cycles(user_enrolments(user, today), today)
    views = compute(user, with_predecessors(active), today)
    return [views[cycle.id] for cycle in active]
