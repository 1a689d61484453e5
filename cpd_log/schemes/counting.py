"""Counting a cycle's activities with a scheme, fast enough for the dashboard at thousands of
activities: most activities share their facts (kind, minutes, participatory flag, tags), so each
distinct one's default split, and what of it counts, is worked out once per scheme and reused."""

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from cpd_log.crosswalks.mapping import CrosswalkMap
from cpd_log.schemes import rules
from cpd_log.schemes.splits import NO_CROSSWALKS, ActivityFacts, default_split, explain_default

STALE_SPLIT = (
    "Your own split no longer fits this activity (it was edited, or the scheme changed), so the "
    "scheme's rules apply until you split it again."
)


class Logged(NamedTuple):
    """The columns of an activity that counting needs, read without building ORM objects (a
    named tuple: thousands are built per page)."""

    id: int
    title: str
    last_date: date
    facts: ActivityFacts  # shared by the activities with the same facts
    times: int = 1  # more than one: a group of activities alike (id None), see loading.py

    @property
    def minutes(self) -> int:
        return self.facts.minutes

    @property
    def kind(self) -> str:
        return self.facts.kind


@dataclass(frozen=True)
class Line:
    """One activity in one cycle: how its minutes split and why."""

    activity: Logged
    split: dict[str, int]
    overridden: bool
    scheme: rules.SchemeRules
    stale: bool = False  # the user's split was set aside
    crosswalks: CrosswalkMap = NO_CROSSWALKS  # the versions in force for the cycle

    @property
    def reason(self) -> str:
        """Worded only when a page shows it (the dashboard never does)."""
        if self.overridden and not self.stale:
            return "Your own split."
        reason = explain_default(self.scheme, self.activity.facts, self.crosswalks)
        return f"{STALE_SPLIT} {reason}" if self.stale else reason


class Counter:
    """One scheme's default splits with one set of crosswalk versions, remembered for the length
    of one page."""

    def __init__(self, scheme: rules.SchemeRules, crosswalks: CrosswalkMap = NO_CROSSWALKS):
        self.scheme = scheme
        self.crosswalks = crosswalks
        self.leaves = {c.code for c in scheme.leaves()}
        self._defaults: dict[ActivityFacts, tuple[dict[str, int], rules.Counted]] = {}
        self._alike: dict[tuple, tuple[dict[str, int], rules.Counted]] = {}  # by what it sees
        self.tagged = scheme.allocation.get("competencies")  # the rule that looks at tags
        self._seen: dict[tuple[str, str], frozenset[str]] = {}

    def sees(self, tags) -> frozenset[str]:
        """The codes of the competency rule's map that the tags reach: all the default split
        looks at of them, so activities alike but for tags it sees alike split alike."""
        found = frozenset()
        for tag in tags:
            one = self._seen.get(tag)
            if one is None:
                rule = self.tagged
                reached = self.crosswalks.reached((tag,), rule["framework"], rule.get("related"))
                one = self._seen[tag] = frozenset(code for code in reached if code in rule["map"])
            found |= one
        return found

    def default(self, facts: ActivityFacts) -> tuple[dict[str, int], rules.Counted]:
        """(the scheme's split of an activity with these facts, what of it counts)."""
        found = self._defaults.get(facts)
        if found is None:
            seen = self.sees(facts.tags) if self.tagged else None
            alike = (facts.kind, facts.minutes, facts.participatory, seen)
            found = self._alike.get(alike)
            if found is None:
                split = default_split(self.scheme, facts, self.crosswalks)
                counted = rules.count_activity(self.scheme, tuple(split.items()))
                found = self._alike[alike] = (split, counted)
            self._defaults[facts] = found
        return found

    def count(self, activity: Logged, own: dict | None) -> tuple[dict, rules.Counted, bool]:
        """(split, what of it counts, whether the user's split `own` was set aside) of one
        activity: the user's split when there is one that fits, else the scheme's default."""
        stale = own is not None and (
            sum(own.values()) > activity.minutes or not set(own) <= self.leaves
        )
        if own is None or stale:
            split, counted = self.default(activity.facts)
            return split, counted, stale
        return own, rules.count_activity(self.scheme, tuple(own.items())), False

    def tally(self, activities, own_splits: dict, lines: list | None = None) -> rules.Tally:
        """Count the activities of one cycle (`own_splits`: the user's, by activity id). When
        `lines` is a list, each activity's Line is appended to it for the cycle page.

        A split the user wrote that no longer fits (the activity was shortened since, or the
        scheme's new version dropped a category) is set aside rather than counted beyond the
        activity.
        """
        tally = rules.Tally(self.scheme)
        for activity in activities:
            own = own_splits.get(activity.id)
            split, counted, stale = self.count(activity, own)
            tally.add(counted, activity.last_date, activity.times)
            if lines is not None:
                lines.append(
                    Line(activity, split, own is not None, self.scheme, stale, self.crosswalks)
                )
        return tally
