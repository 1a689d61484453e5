"""Which activities count toward which cycle and category, and each cycle's progress.

All cycles of a page are computed together from one load of the user's activities (with their
tags), one load of the crosswalks that reach the schemes' frameworks and one load of the user's
own splits, so the query count does not grow with the data. A cycle that has ended counts with
the crosswalk versions in force on its last day; the others with the newest.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import partial

from cpd_log.crosswalks.loading import own_keys, page_crosswalks, team_keys
from cpd_log.crosswalks.mapping import CrosswalkMap
from cpd_log.models.scheme import Cycle
from cpd_log.pagination import Page
from cpd_log.schemes import loading, rules
from cpd_log.schemes.counting import Counter, Line
from cpd_log.schemes.kept import tallies
from cpd_log.schemes.pace import PACE_DAYS, Projection, project
from cpd_log.schemes.periods import add_months
from cpd_log.schemes.reflection_counts import reflection_counts
from cpd_log.schemes.services import user_enrolments


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
    scheme: rules.SchemeRules
    lines: list[Line]
    progress: rules.Progress
    projection: Projection | None
    carry_out: int
    warning: bool  # ends within 90 days with a rule not met
    # the versions the cycle counts with (the next best activity reads them)
    crosswalks: CrosswalkMap = field(default_factory=CrosswalkMap, compare=False)
    completed: int = 0  # completed activities that ended within the cycle, counting or not
    # Shown -> the Lines of those activities, counted as the totals are (within the request)
    lines_for: Callable[["Shown"], list[Line]] | None = field(default=None, compare=False)

    @property
    def days_left(self) -> int:
        return self.projection.days_left if self.projection else 0


@dataclass(frozen=True)
class Shown:
    """Which of a cycle's activities a page shows a Line of: those matching `condition` (a SQL
    condition on Activity), of them only the slice `page` ((offset, limit)) when given, in the
    cycle page's order (the day each ended)."""

    condition: object = True
    page: tuple[int, int] | None = None


def compute(
    user, cycles: list[Cycle], today: date, lines_of=(), by_month: bool = False
) -> dict[int, CycleView]:
    """CycleView per cycle id. Include a cycle's predecessor to get its carry-over in. Only the
    cycles in `lines_of` (ids) get their per-activity lines: the dashboard shows none.
    `by_month`: each open cycle's `progress.daily` is kept at least by calendar month up to
    today (the dashboard's burn-up lines read it; cpd_log/trends/burnup.py)."""
    if not cycles:
        return {}
    schemes = _schemes(user, cycles)
    rules_on_tags = [s.allocation["competencies"] for s in schemes.values() if s.tagged]
    frameworks = {rule["framework"] for rule in rules_on_tags}
    walks = page_crosswalks(user, frameworks)
    counters = _counters(cycles, schemes, walks, today)
    start, end = min(c.start_date for c in cycles), max(c.end_date for c in cycles)
    ids = [c.id for c in cycles]
    tagged_in = walks.frameworks_into(frameworks)
    overrides = loading.overrides(ids)
    kept = None
    if lines_of:
        activities = loading.activities(user, start, end, tagged_in)
    else:
        cuts = _cuts(cycles, schemes, start, today, by_month)
        kept = tallies(user, cycles, counters, tagged_in, overrides, cuts)
        activities = []
        if kept is None:  # another view was keeping the same rows: count by groups
            tagged = [c for c in dict.fromkeys(counters.values()) if c.tagged]
            heeds = _heeds(tagged, counters, cycles)
            activities = loading.summarised(user, cuts, end, tagged_in, ids, _sees(tagged), heeds)
    days = [activity.last_date for activity in activities]  # sorted
    counts = reflection_counts(cycles)
    views: dict[int, CycleView] = {}
    carry: dict[tuple[int, int], int] = {}  # (enrolment id, cycle number) -> minutes carried in
    for cycle in sorted(cycles, key=lambda c: (c.enrolment_id, c.number)):
        counter = counters[cycle.id]
        first, last = bisect_left(days, cycle.start_date), bisect_right(days, cycle.end_date)
        lines = [] if cycle.id in lines_of else None
        if kept is None:
            tally = counter.tally(activities[first:last], overrides.get(cycle.id, {}), lines)
            completed = sum(activity.times for activity in activities[first:last])
        else:
            tally, completed = kept[cycle.id]
        carried_in = carry.get((cycle.enrolment_id, cycle.number), 0)
        progress = tally.progress(counts[cycle.id], carried_in)
        carry_out = rules.carry_over(counter.scheme, progress, cycle.end_date)
        carry[(cycle.enrolment_id, cycle.number + 1)] = carry_out
        view = cycle_view(cycle, counter, lines or [], progress, carry_out, today)
        span = (cycle.start_date, cycle.end_date)
        lines_for = partial(_lines, user, span, tagged_in, counter, overrides.get(cycle.id, {}))
        views[cycle.id] = replace(view, completed=completed, lines_for=lines_for)
    return views


def _lines(user, span: tuple[date, date], frameworks: set[str], counter, own, shown: Shown):
    """The Lines of the cycle's activities `shown` selects: two queries reading only those."""
    found = loading.some(user, *span, frameworks, shown.condition, page=shown.page)
    lines: list[Line] = []
    counter.tally(found, own, lines)
    return lines


def _schemes(user, cycles: list[Cycle]) -> dict[int, rules.SchemeRules]:
    """The rules of each cycle's scheme by scheme id, the competency rule naming its framework
    by key: a shipped scheme counts in the shipped framework of its slug, the user's own scheme
    in the user's framework of that slug where they have one, a team's scheme in the team's
    framework of that slug where it has one (never a namesake's tags). One query when the user
    counts with a scheme of their own, one more with teams' schemes (however many teams)."""
    found = {c.scheme_id: rules.SchemeRules.from_dict(c.scheme.content) for c in cycles}
    tagged = {c.scheme_id: c.scheme for c in cycles if found[c.scheme_id].tagged}
    theirs = {sid for sid, s in tagged.items() if s.owner_id is not None}
    teams = {sid: s.team_id for sid, s in tagged.items() if s.team_id is not None}
    slug_of = {sid: found[sid].allocation["competencies"]["framework"] for sid in tagged}
    if theirs:
        keys = own_keys(user, [slug_of[sid] for sid in theirs])
        for sid in theirs:
            found[sid] = found[sid].counting_in(keys[slug_of[sid]])
    if teams:
        keys = team_keys({(team, slug_of[sid]) for sid, team in teams.items()})
        for sid, team in teams.items():
            found[sid] = found[sid].counting_in(keys[(team, slug_of[sid])])
    return found


def _counters(cycles, schemes, walks, today: date) -> dict[int, Counter]:
    """A Counter per cycle id; cycles of one scheme counted with the same crosswalk versions
    share one (and its memos)."""
    shared: dict[tuple, Counter] = {}
    found = {}
    for cycle in cycles:
        crosswalks = walks.for_cycle(cycle.end_date if cycle.is_closed(today) else None)
        key = (cycle.scheme_id, id(crosswalks))
        if key not in shared:
            shared[key] = Counter(schemes[cycle.scheme_id], crosswalks)
        found[cycle.id] = shared[key]
    return found


def _sees(counters: list[Counter]):
    """What the page's counting sees of one tag: (the counter's place, code) for each code of a
    competency rule's map the tag reaches; of several tags, the union. Activities alike but for
    tags that see the same count alike (loading.py)."""

    def sees(tag) -> frozenset:
        return frozenset(
            (place, code) for place, counter in enumerate(counters) for code in counter.sees((tag,))
        )

    return sees


def _heeds(tagged: list[Counter], counters: dict[int, Counter], cycles):
    """Whether what `_sees` found for a counter's place matters to an activity that ended on a
    day: only within the cycles counted by that counter (the cuts begin and end a stretch at
    each cycle's edges, so a stretch is inside or outside each cycle)."""
    spans = [
        [(c.start_date, c.end_date) for c in cycles if counters[c.id] is counter]
        for counter in tagged
    ]

    def heeds(thing, day: date) -> bool:
        return any(start <= day <= end for start, end in spans[thing[0]])

    return heeds


def _cuts(cycles, schemes, start: date, today: date, by_month: bool = False) -> list[date]:
    """The first days of the stretches the dashboard may count activities by (see loading.py):
    each cycle's span and carry-over window, and the pace window, begin or end at one; with
    `by_month`, every first of a month in an open cycle up to today too."""
    days = {start, today - timedelta(days=PACE_DAYS - 1), today + timedelta(days=1)}
    for cycle in cycles:
        months = schemes[cycle.scheme_id].carry_over_months
        window = add_months(cycle.end_date, -months) + timedelta(days=1)
        days |= {cycle.start_date, cycle.end_date + timedelta(days=1), window}
        if by_month and cycle.end_date >= today:
            days |= set(_month_firsts(cycle.start_date, min(cycle.end_date, today)))
    return sorted(day for day in days if day >= start)


def _month_firsts(first: date, last: date):
    """The first days of the months after `first`'s, up to `last`'s month."""
    day = first.replace(day=1)
    while (day := add_months(day, 1)) <= last:
        yield day


def cycle_view(cycle, counter: Counter, lines, progress, carry_out, today) -> CycleView:
    """A cycle's view from its counted progress (`lines`: the activities' lines, or none)."""
    scheme = counter.scheme
    projection = project(scheme, progress, cycle.start_date, cycle.end_date, today)
    warning = (
        cycle.start_date <= today <= cycle.end_date
        and (cycle.end_date - today) <= timedelta(days=90)
        and any(rule.status == rules.NOT_MET for rule in progress.rules)
    )
    info = CycleInfo.of(cycle, today)
    return CycleView(
        info, scheme, lines, progress, projection, carry_out, warning, counter.crosswalks
    )


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
        if not rules.SchemeRules.from_dict(cycle.scheme.content).carry_over_max:
            continue
        before = [c for c in cycle.enrolment.cycles if c.number == cycle.number - 1]
        extra.extend(before)
    return [*cycles, *extra]


def dashboard_cycles(user, today: date, by_month: bool = False) -> list[CycleView]:
    """Every active cycle of the user with its progress, for the dashboard panel (`by_month`:
    counted by calendar month too, for the burn-up lines)."""
    active = active_cycles(user_enrolments(user, today), today)
    views = compute(user, with_predecessors(active), today, by_month=by_month)
    return [views[cycle.id] for cycle in active]


def cycle_page(user, cycle: Cycle, today: date, number: int, per_page: int):
    """(CycleView of the cycle with every total, Page of its Lines numbered `number`): the
    totals counted by groups as on the dashboard, Lines built for the page's activities only,
    so the page costs the same for a cycle of 50 activities or of 5,000."""
    view = compute(user, with_predecessors([cycle]), today)[cycle.id]
    shown = Shown(page=((number - 1) * per_page, per_page))
    return view, Page(view.lines_for(shown), number, per_page, view.completed)
