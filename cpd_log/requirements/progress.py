"""Which activities count toward which cycle and category, and each cycle's progress.

All cycles of a page are computed together from one load of the user's activities (with their
tags) and one load of the user's own splits, so the query count does not grow with the data.
"""

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityStatus, Competency, Framework
from cpd_log.models.activity import activity_competency
from cpd_log.models.scheme import Allocation, Cycle
from cpd_log.requirements import rules
from cpd_log.requirements.pace import Projection, project
from cpd_log.requirements.services import user_enrolments
from cpd_log.requirements.splits import ActivityFacts, default_split, explain_default

# Reflections arrive with issue 3: until then CPD Log reports these rules as not measurable
# rather than guessing (an activity's description is not a reflective account).
UNMEASURED_COUNTS: dict = {}


@dataclass(frozen=True)
class Logged:
    """The columns of an activity that counting needs, read without building ORM objects."""

    id: int
    title: str
    kind: str
    minutes: int
    participatory: bool
    last_date: date
    tags: frozenset[tuple[str, str]]  # (framework slug, competency code)

    def facts(self) -> ActivityFacts:
        return ActivityFacts(self.kind, self.minutes, self.participatory, self.tags)


@dataclass(frozen=True)
class Line:
    """One activity in one cycle: how its minutes split and why."""

    activity: Logged
    split: dict[str, int]
    overridden: bool
    scheme: rules.Scheme
    stale: bool = False  # the user's split was set aside

    @property
    def reason(self) -> str:
        """Worded only when a page shows it (the dashboard never does)."""
        if self.overridden and not self.stale:
            return "Your own split."
        reason = explain_default(self.scheme, self.activity.facts())
        return f"{STALE_SPLIT} {reason}" if self.stale else reason


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


def _activities(user, start: date, end: date) -> list[Logged]:
    """Completed activities that ended within [start, end], with their tags: two queries at any
    size (selectinload would send one more query per 500 activities)."""
    last_day = func.coalesce(Activity.end_date, Activity.start_date)
    in_span = (
        Activity.user_id == user.id,
        Activity.status == ActivityStatus.COMPLETED,
        last_day >= start,
        last_day <= end,
    )
    tags: dict[int, set] = defaultdict(set)
    for activity_id, slug, code in db.session.execute(
        select(activity_competency.c.activity_id, Framework.slug, Competency.code)
        .join(Activity, Activity.id == activity_competency.c.activity_id)
        .join(Competency, Competency.id == activity_competency.c.competency_id)
        .join(Framework, Framework.id == Competency.framework_id)
        .where(*in_span)
    ):
        tags[activity_id].add((slug, code))
    rows = db.session.execute(
        select(
            Activity.id,
            Activity.title,
            Activity.kind,
            Activity.minutes,
            Activity.participatory,
            last_day,
        )
        .where(*in_span)
        .order_by(last_day, Activity.start_date, Activity.id)
    )
    return [
        Logged(aid, title, kind.value, minutes, participatory, day, frozenset(tags[aid]))
        for aid, title, kind, minutes, participatory, day in rows
    ]


def _overrides(cycle_ids: list[int]) -> dict[tuple[int, int], dict[str, int]]:
    found: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    if cycle_ids:
        for row in db.session.scalars(select(Allocation).where(Allocation.cycle_id.in_(cycle_ids))):
            found[(row.cycle_id, row.activity_id)][row.category] = row.minutes
    return found


def _lines(cycle, scheme, activities, overrides) -> list[Line]:
    """Each activity of the cycle with its split: the user's own, else the scheme's default.

    A split the user wrote that no longer fits (the activity was shortened since, or the scheme's
    new version dropped a category) is set aside rather than counted beyond the activity.
    """
    lines = []
    leaves = {c.code for c in scheme.leaves()}
    days = [activity.last_date for activity in activities]  # sorted by the query
    first, last = bisect_left(days, cycle.start_date), bisect_right(days, cycle.end_date)
    for activity in activities[first:last]:
        own = overrides.get((cycle.id, activity.id))
        if own is not None and sum(own.values()) <= activity.minutes and set(own) <= leaves:
            lines.append(Line(activity, own, True, scheme))
            continue
        split = default_split(scheme, activity.facts())
        lines.append(Line(activity, split, own is not None, scheme, stale=own is not None))
    return lines


STALE_SPLIT = (
    "Your own split no longer fits this activity (it was edited, or the scheme changed), so the "
    "scheme's rules apply until you split it again."
)


def compute(user, cycles: list[Cycle], today: date) -> dict[int, CycleView]:
    """CycleView per cycle id. Include a cycle's predecessor to get its carry-over in."""
    if not cycles:
        return {}
    activities = _activities(
        user, min(c.start_date for c in cycles), max(c.end_date for c in cycles)
    )
    overrides = _overrides([c.id for c in cycles])
    views: dict[int, CycleView] = {}
    carry: dict[tuple[int, int], int] = {}  # (enrolment id, cycle number) -> minutes carried in
    for cycle in sorted(cycles, key=lambda c: (c.enrolment_id, c.number)):
        scheme = rules.Scheme.from_dict(cycle.scheme.content)
        lines = _lines(cycle, scheme, activities, overrides)
        allocations = [
            rules.Allocation(line.activity.id, code, minutes, line.activity.last_date)
            for line in lines
            for code, minutes in line.split.items()
        ]
        carried_in = carry.get((cycle.enrolment_id, cycle.number), 0)
        progress = rules.evaluate(scheme, allocations, UNMEASURED_COUNTS, carried_in)
        carry_out = rules.carry_over(scheme, progress, cycle.end_date)
        carry[(cycle.enrolment_id, cycle.number + 1)] = carry_out
        projection = project(scheme, progress, cycle.start_date, cycle.end_date, today)
        warning = (
            cycle.start_date <= today <= cycle.end_date
            and (cycle.end_date - today) <= timedelta(days=90)
            and any(rule.status == rules.NOT_MET for rule in progress.rules)
        )
        info = CycleInfo.of(cycle, today)
        views[cycle.id] = CycleView(info, scheme, lines, progress, projection, carry_out, warning)
    return views


def active_cycles(enrolments, today: date) -> list[Cycle]:
    """The cycle containing today of each enrolment (or its first, not yet begun)."""
    found = []
    for enrolment in enrolments:
        current = [c for c in enrolment.cycles if c.end_date >= today]
        if current:
            found.append(current[0])
    return found


def with_predecessors(cycles: list[Cycle]) -> list[Cycle]:
    """The cycles plus the one before each, whose surplus may carry over into it."""
    extra = []
    for cycle in cycles:
        before = [c for c in cycle.enrolment.cycles if c.number == cycle.number - 1]
        extra.extend(before)
    return [*cycles, *extra]


def dashboard_cycles(user, today: date) -> list[CycleView]:
    """Every active cycle of the user with its progress, for the dashboard panel."""
    active = active_cycles(user_enrolments(user, today), today)
    views = compute(user, with_predecessors(active), today)
    return [views[cycle.id] for cycle in active]
