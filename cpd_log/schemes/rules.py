"""The CPD rules engine: pure Python (no Flask, no SQLAlchemy), so every rule is tested alone.

Given a scheme's rules (SchemeRules, parsed from its data file), the category shares of one
cycle (minutes of an activity counted toward one category) and counts measured elsewhere
(reflections), `evaluate()` says for each rule whether it is met, what counts after caps, what is
still needed, and why.

Everything is in whole minutes; the scheme's unit (hour, PDU, point) is only for display.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from cpd_log.schemes.definition import Category, CountRule, SchemeRules
from cpd_log.schemes.periods import add_months

__all__ = [
    "Category",
    "CategoryShare",
    "Counted",
    "CountRule",
    "Progress",
    "RuleResult",
    "SchemeRules",
    "Tally",
]

MET, NOT_MET, UNMEASURED, INFO = "met", "not_met", "unmeasured", "info"


@dataclass(frozen=True)
class CategoryShare:
    """Minutes of one activity counted toward one category (the stored split of an activity is
    the ORM model cpd_log.models.scheme.Allocation)."""

    activity_id: int
    category: str  # a leaf category's code
    minutes: int
    on: date  # the day the activity was completed


@dataclass(frozen=True)
class RuleResult:
    code: str
    label: str
    status: str  # met / not_met / unmeasured / info
    target: int  # minutes, or a count for count rules
    counted: int
    needed: int
    explanation: str
    is_count: bool = False
    logged: int = 0  # before caps

    @property
    def met(self) -> bool:
        return self.status == MET


@dataclass(frozen=True)
class Progress:
    rules: tuple[RuleResult, ...]
    total: int  # minutes counted toward the total (carried-in included)
    by_category: dict[str, int]  # minutes counted per category after caps
    counted: tuple[CategoryShare, ...] = ()  # from evaluate(): each share after limits and step
    carried_in: int = 0
    daily: dict[date, int] = field(default_factory=dict)  # counted by day (or stretch) completed

    @property
    def complete(self) -> bool:
        return all(r.status in (MET, INFO) for r in self.rules)

    def rule(self, code: str) -> RuleResult:
        return next(r for r in self.rules if r.code == code)

    def counted_between(self, after: date, until: date | None = None) -> int:
        """Minutes counted from activities completed after `after` (and up to `until`)."""
        return sum(
            minutes
            for day, minutes in self.daily.items()
            if after < day and (until is None or day <= until)
        )


@dataclass(frozen=True)
class Counted:
    """One activity's split after the per-activity limits and each category's step."""

    shares: tuple[tuple[str, int], ...]  # (category, minutes that count), in the split's order
    minutes: int = 0  # the shares' sum
    counts: bool = False  # some share is above zero: the activity counts toward "activities"
    below: bool = False  # under the per-activity minimum, so nothing of it counts
    capped: bool = False  # over the per-activity maximum


def count_activity(scheme: SchemeRules, split: tuple[tuple[str, int], ...]) -> Counted:
    """Apply the per-activity limits then each category's step to one activity's split
    ((category, minutes) pairs; an empty split is an activity that counts toward nothing)."""
    total = sum(minutes for _, minutes in split)
    if not split:
        return Counted(())
    if scheme.activity_min and total < scheme.activity_min:
        return Counted((), below=True)
    room = scheme.activity_max if scheme.activity_max is not None else total
    capped = total > room
    shares = []
    for code, minutes in split:
        step = _step(scheme, code)
        share = min(minutes, room) // step * step
        room -= share
        shares.append((code, share))
    counted = sum(share for _, share in shares)
    return Counted(tuple(shares), counted, any(share > 0 for _, share in shares), capped=capped)


def _step(scheme: SchemeRules, code: str) -> int:
    category = scheme.category(code)
    return category.step if category else 1


class Tally:
    """One cycle's counted minutes summed per category and per day as activities are added, so
    a page can count thousands of activities without an object per allocation."""

    def __init__(self, scheme: SchemeRules):
        self.scheme = scheme
        self.logged: dict[str, int] = defaultdict(int)
        self.daily: dict[date, int] = defaultdict(int)
        self.activities = self.below = self.capped = 0

    def add(self, counted: Counted, on: date | None = None, times: int = 1) -> None:
        """One activity completed `on` (None: the caller records days with add_day), or
        `times` activities alike."""
        for code, minutes in counted.shares:
            self.logged[code] += minutes * times
        self.activities += counted.counts * times
        self.below += counted.below * times
        self.capped += counted.capped * times
        if on is not None:
            self.daily[on] += counted.minutes * times

    def add_day(self, on: date, minutes: int) -> None:
        self.daily[on] += minutes

    def progress(self, counts: dict | None = None, carried_in: int = 0, counted=()) -> Progress:
        """Every rule of the scheme for what was added. `counts` maps e.g. "reflections" to a
        number; a count rule whose input is missing is reported as not measurable, never met."""
        scheme, logged = self.scheme, defaultdict(int, self.logged)
        by_category: dict[str, int] = {}
        for top in scheme.children(None):
            subs = scheme.children(top.code)
            for sub in subs:
                by_category[sub.code] = _cap(logged[sub.code], sub.max)
            if subs:  # what the sub-categories let through, before the category's own cap
                logged[top.code] = sum(by_category[s.code] for s in subs)
            by_category[top.code] = _cap(logged[top.code], top.max)
        carried_in = min(max(carried_in, 0), scheme.carry_over_max or 0)
        total = sum(by_category[c.code] for c in scheme.children(None)) + carried_in
        rules = [_total_rule(scheme, total, carried_in)]
        for category in scheme.categories:
            rules.extend(_category_rules(scheme, category, logged[category.code], by_category))
        rules.extend(_limit_rules(scheme, self.below, self.capped))
        for rule in scheme.count_rules:
            rules.append(_count_rule(rule, {"activities": self.activities, **(counts or {})}))
        daily = dict(self.daily)
        return Progress(tuple(rules), total, by_category, tuple(counted), carried_in, daily)


def evaluate(scheme: SchemeRules, shares, counts: dict | None = None, carried_in: int = 0):
    """Every rule of `scheme` for one cycle's category shares (see Tally.progress)."""
    by_activity: dict[int, list[CategoryShare]] = defaultdict(list)
    for share in shares:
        by_activity[share.activity_id].append(share)
    tally, counted = Tally(scheme), []
    for items in by_activity.values():
        result = count_activity(scheme, tuple((a.category, a.minutes) for a in items))
        tally.add(result)
        for item, (code, minutes) in zip(items, result.shares, strict=False):  # none if below
            tally.add_day(item.on, minutes)
            counted.append(CategoryShare(item.activity_id, code, minutes, item.on))
    return tally.progress(counts, carried_in, counted)


def _limit_rules(scheme: SchemeRules, below: int, capped: int):
    notes = []
    if below:
        notes.append(
            f"{below} activit{'y is' if below == 1 else 'ies are'} below the minimum "
            f"of {scheme.amount(scheme.activity_min)} and do not count"
        )
    if capped:
        notes.append(
            f"{capped} activit{'y was' if capped == 1 else 'ies were'} capped at "
            f"{scheme.amount(scheme.activity_max)} each"
        )
    if notes:
        why = "; ".join(notes).capitalize() + "."
        yield RuleResult("per_activity", "Per-activity limits", INFO, 0, 0, 0, why)


def _cap(value: int, cap: int | None) -> int:
    return value if cap is None else min(value, cap)


def _total_rule(scheme: SchemeRules, total: int, carried_in: int) -> RuleResult:
    needed = max(0, scheme.total_min - total)
    carried = f" (including {scheme.amount(carried_in)} carried over)" if carried_in else ""
    if needed:
        why = (
            f"{scheme.amount(total)} count{carried}; {scheme.amount(needed)} more are needed "
            f"to reach {scheme.amount(scheme.total_min)}."
        )
    else:
        required = scheme.amount(scheme.total_min)
        why = f"{scheme.amount(total)} count{carried}, at least the {required} required."
    return RuleResult(
        "total", "Total", NOT_MET if needed else MET, scheme.total_min, total, needed, why
    )


def _category_rules(scheme: SchemeRules, category: Category, logged: int, by_category: dict):
    counted = by_category[category.code]
    if category.min:
        needed = max(0, category.min - counted)
        why = f"{scheme.amount(counted)} of {category.name} count; " + (
            f"{scheme.amount(needed)} more needed to reach the minimum of "
            f"{scheme.amount(category.min)}."
            if needed
            else f"the minimum of {scheme.amount(category.min)} is reached."
        )
        yield RuleResult(
            f"min:{category.code}",
            category.name,
            NOT_MET if needed else MET,
            category.min,
            counted,
            needed,
            why,
            logged=logged,
        )
    if category.max is not None:
        over = max(0, logged - category.max)
        why = f"At most {scheme.amount(category.max)} of {category.name} count in a cycle; " + (
            f"{scheme.amount(logged)} logged, so {scheme.amount(over)} do not count."
            if over
            else f"{scheme.amount(logged)} logged, all of it counts."
        )
        yield RuleResult(
            f"max:{category.code}",
            f"{category.name} (cap)",
            INFO,
            category.max,
            counted,
            0,
            why,
            logged=logged,
        )


# What a count rule counts: one, and several.
COUNT_NAMES = {
    "activities": ("different activity", "different activities"),
    "reflections": ("reflective account", "reflective accounts"),
    "reflective_statements": (
        "reflective statement on how learning was applied",
        "reflective statements on how learning was applied",
    ),
}


def count_words(number: int, counts: str) -> str:
    """`number` and what it counts, singular for 1 ("1 reflective statement")."""
    one, several = COUNT_NAMES.get(counts, (counts, counts))
    return f"{number} {one if number == 1 else several}"


def _count_rule(rule: CountRule, counts: dict) -> RuleResult:
    value = counts.get(rule.counts)
    if value is None:
        return RuleResult(
            rule.code,
            rule.name,
            UNMEASURED,
            rule.min,
            0,
            rule.min,
            f"Needs at least {count_words(rule.min, rule.counts)}; "
            "not measured, so never shown as met.",
            is_count=True,
        )
    needed = max(0, rule.min - value)
    why = f"{count_words(value, rule.counts)} so far; at least {rule.min} needed" + (
        f", {needed} to go." if needed else " — done."
    )
    return RuleResult(
        rule.code,
        rule.name,
        NOT_MET if needed else MET,
        rule.min,
        value,
        needed,
        why,
        is_count=True,
    )


def carry_over(scheme: SchemeRules, progress: Progress, cycle_end: date) -> int:
    """Minutes that carry into the next cycle: earned in the cycle's last months, beyond the
    total required, and never more than the scheme's limit (PMI: 20 PDUs from the last year)."""
    if not scheme.carry_over_max:
        return 0
    window_start = add_months(cycle_end, -scheme.carry_over_months)
    late = progress.counted_between(window_start)
    surplus = progress.total - progress.carried_in - scheme.total_min
    return max(0, min(scheme.carry_over_max, surplus, late))
