"""The next best activity: which competencies to learn next so that the unmet rules of the active
cycles close, and how many hours that takes. Pure Python (no Flask, no SQLAlchemy), like the
rules engine and the crosswalk map it reads.

A rule a competency can close is a minimum of an area that the scheme's competency rule routes
tagged minutes into (PMI: Ways of Working, Power Skills, Business Acumen, 8 PDUs each). The
competencies that count toward it are the codes of the scheme's framework mapped to that area
and every competency whose tags reach one of them through a crosswalk (read both ways, related
mappings only where the scheme says). An activity tagged only with one competency gives each area
it reaches a share in proportion to the codes reaching it (splits.py), so a competency reaching
two areas needs twice the hours to close one.

Ranking: learning that closes more unmet rules first (PMP and ACP both short of Power Skills),
then the user's open goals (largest self-assessed gap first), then the fewest hours, then the
framework's own order.
"""

import math
from dataclasses import dataclass, field

from cpd_log.crosswalks.mapping import CrosswalkMap, Tag
from cpd_log.schemes.rules import NOT_MET, Progress, SchemeRules

PER_RULE = 3  # suggestions per unmet rule: a choice, not a list of every competency
LIMIT = 6  # suggestions shown at once


@dataclass(frozen=True)
class CycleNeeds:
    """What of one active cycle the ranking reads."""

    label: str  # the enrolment's label: "PMP"
    scheme: SchemeRules
    progress: Progress
    crosswalks: CrosswalkMap


@dataclass(frozen=True)
class Competence:
    """A competency the user might learn, with where they stand on it."""

    tag: Tag  # (framework key, code): crosswalks/mapping.framework_key
    name: str
    id: int | None = None  # for a link to the competency page
    current: int | None = None  # the latest self-assessed level
    target: int | None = None  # the target of the latest open goal
    order: int = 0  # its place among the candidates (framework, then the framework's order)

    @property
    def gap(self) -> int | None:
        if self.target is None:
            return None
        return max(self.target - (self.current or 0), 0)

    @property
    def label(self) -> str:
        return f"{self.tag[1]} {self.name}".strip()


@dataclass(frozen=True)
class Need:
    """One unmet area minimum of one cycle."""

    cycle: str  # the enrolment's label
    rule: str  # the area's name: "Power Skills"
    area: str  # its category code
    needed: int  # minutes still needed
    step: int  # the area's step: shares count in multiples of it


@dataclass(frozen=True)
class Suggestion:
    competence: Competence
    closes: tuple[tuple[Need, int], ...]  # each rule served, with the minutes that close it
    minutes: int = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "minutes", max(minutes for _, minutes in self.closes))

    @property
    def rules(self) -> tuple[Need, ...]:
        return tuple(need for need, _ in self.closes)

    def sentence(self, hours) -> str:
        """“4 h on STK.3 Influencing and negotiation closes Power Skills for PMP and works toward
        your goal for STK.3.” `hours` formats minutes (the app's `hours` filter)."""
        alike = len({minutes for _, minutes in self.closes}) == 1
        rules = [
            f"{need.rule} for {need.cycle}" + ("" if alike else f" ({hours(minutes)} h)")
            for need, minutes in self.closes
        ]
        text = f"{hours(self.minutes)} h on {self.competence.label} closes {_and(rules)}"
        if self.competence.target is not None:
            text += f" and works toward your goal for {self.competence.tag[1]}"
        return text + "."


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def needs(cycle: CycleNeeds) -> list[Need]:
    """The unmet minimums of the areas the scheme's competency rule routes tagged minutes into,
    in the scheme's order."""
    rule = cycle.scheme.allocation.get("competencies")
    if not rule:
        return []
    areas = set(rule["map"].values())
    found = []
    for leaf in cycle.scheme.leaves():
        result = _rule(cycle.progress, f"min:{leaf.code}")
        if leaf.code in areas and result is not None and result.status == NOT_MET:
            found.append(Need(cycle.label, leaf.name, leaf.code, result.needed, leaf.step))
    return found


def _rule(progress: Progress, code: str):
    return next((rule for rule in progress.rules if rule.code == code), None)


def minutes_to_close(cycle: CycleNeeds, need: Need, tag: Tag) -> int | None:
    """The minutes of an activity tagged only with `tag` that close `need`, or None when its
    minutes do not reach the area."""
    rule = cycle.scheme.allocation["competencies"]
    reached = cycle.crosswalks.reached((tag,), rule["framework"], rule.get("related", False))
    areas = [rule["map"][code] for code in reached if code in rule["map"]]
    weight = areas.count(need.area)
    if not weight:
        return None
    share = math.ceil(need.needed / need.step) * need.step  # what the area must receive
    return math.ceil(share * len(areas) / weight)


def rank(cycles: list[CycleNeeds], competences: list[Competence]) -> list[Suggestion]:
    """Every competence that closes at least one unmet rule, best first (see the module)."""
    found = []
    served = [(cycle, need) for cycle in cycles for need in needs(cycle)]
    for competence in competences:
        closes = []
        for cycle, need in served:
            minutes = minutes_to_close(cycle, need, competence.tag)
            if minutes is not None:
                closes.append((need, minutes))
        if closes:
            found.append(Suggestion(competence, tuple(closes)))
    return sorted(found, key=_priority)


def _priority(suggestion: Suggestion) -> tuple:
    competence = suggestion.competence
    return (
        -len(suggestion.closes),
        competence.target is None,  # an open goal first
        -(competence.gap or 0),
        suggestion.minutes,
        competence.order,
    )


def choose(ranked: list[Suggestion], limit: int = LIMIT, per_rule: int = PER_RULE) -> list:
    """The best suggestions, `limit` in all: first the best one for each unmet rule, so no rule
    goes without, then the next best while a rule they serve has fewer than `per_rule`; in the
    ranking's order."""
    rules = dict.fromkeys(need for suggestion in ranked for need, _ in suggestion.closes)
    chosen = []
    for need in rules:
        best = next((s for s in ranked if need in s.rules and s not in chosen), None)
        if best is not None and len(chosen) < limit:
            chosen.append(best)
    for suggestion in ranked:
        if len(chosen) >= limit:
            break
        served = [sum(need in s.rules for s in chosen) for need in suggestion.rules]
        if suggestion not in chosen and min(served) < per_rule:
            chosen.append(suggestion)
    return sorted(chosen, key=ranked.index)
