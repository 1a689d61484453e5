"""The pre-audit check of one cycle: what an auditor sampling the records would query, each
finding naming the activity (or the rule) and the page that fixes it. Pure Python (no Flask, no
SQLAlchemy): preaudit_loading.py reads the few facts counting does not carry.

Which activities: those that count in the cycle (a cycle takes the completed activities whose
last day falls within it — schemes/progress.py — so an activity never ends after the cycle; one
that started before the cycle's first day is the date an auditor queries).
"""

from dataclasses import dataclass
from datetime import date

from cpd_log.claims.choices import ClaimState
from cpd_log.claims.vocabulary import Vocabulary
from cpd_log.schemes import rules
from cpd_log.schemes.counting import Line

# Reflective counts the check looks at (schemes/reflection_counts.py measures them).
REFLECTIVE = {"reflections", "reflective_statements"}


@dataclass(frozen=True)
class Facts:
    """What the check needs of an activity beyond its counting line."""

    start_date: date
    has_evidence: bool


@dataclass(frozen=True)
class Finding:
    kind: str  # one of KINDS
    subject: str  # the activity's title, or the rule's name
    text: str  # what an auditor would query
    fix: str  # the link's words
    endpoint: str  # the page that fixes it (the template builds the URL)
    args: tuple[tuple[str, int], ...] = ()

    @property
    def url_args(self) -> dict[str, int]:
        return dict(self.args)

    @property
    def heading(self) -> str:
        return KINDS[self.kind]


# In the order the page lists them, with each kind's heading.
KINDS = {
    "certificate": "No certificate",
    "over_limit": "Over the per-activity limit",
    "outside_cycle": "Dates outside the cycle",
    "claimed_hours": "Claimed hours differ from what is logged",
    "reflections": "Too few reflective accounts",
}


@dataclass(frozen=True)
class Counting:
    """One counting line with its counted minutes after the per-activity limits."""

    line: Line
    counted: rules.Counted


def counting(view_scheme: rules.SchemeRules, lines: list[Line]) -> list[Counting]:
    return [
        Counting(line, rules.count_activity(view_scheme, tuple(line.split.items())))
        for line in lines
    ]


def _activity(kind: str, line: Line, text: str, fix: str, endpoint: str, **args) -> Finding:
    return Finding(kind, line.activity.title, text, fix, endpoint, tuple(args.items()))


def missing_certificates(
    counted: list[Counting], facts: dict[int, Facts], vocabulary: Vocabulary
) -> list[Finding]:
    """A counted activity of a kind the body expects a certificate for, with no evidence."""
    found = []
    for item in counted:
        activity = item.line.activity
        if not item.counted.counts or activity.kind not in vocabulary.certificate_kinds:
            continue
        if activity.id in facts and not facts[activity.id].has_evidence:
            text = "No certificate or other evidence is attached."
            found.append(
                _activity(
                    "certificate",
                    item.line,
                    text,
                    "Upload the certificate",
                    "evidence.attach",
                    activity_id=activity.id,
                )
            )
    return found


def over_limit(scheme: rules.SchemeRules, counted: list[Counting]) -> list[Finding]:
    """An activity logged with more than the scheme's per-activity maximum."""
    found = []
    for item in counted:
        if item.counted.capped:
            logged = sum(item.line.split.values())
            text = (
                f"{scheme.amount(logged)} logged; the scheme counts at most "
                f"{scheme.amount(scheme.activity_max or 0)} per activity."
            )
            found.append(
                _activity(
                    "over_limit",
                    item.line,
                    text,
                    "Edit the activity",
                    "activities.edit",
                    activity_id=item.line.activity.id,
                )
            )
    return found


def outside_cycle(
    start: date, end: date, counted: list[Counting], facts: dict[int, Facts]
) -> list[Finding]:
    """A counted activity that started before the cycle's first day (or ended after its last)."""
    found = []
    for item in counted:
        activity = item.line.activity
        if not item.counted.counts or activity.id not in facts:
            continue
        began = facts[activity.id].start_date
        if began < start or activity.last_date > end:
            text = (
                f"It ran {began.isoformat()} – {activity.last_date.isoformat()}; the cycle runs "
                f"{start.isoformat()} – {end.isoformat()}."
            )
            found.append(
                _activity(
                    "outside_cycle",
                    item.line,
                    text,
                    "Edit the dates",
                    "activities.edit",
                    activity_id=activity.id,
                )
            )
    return found


def claimed_hours(
    scheme: rules.SchemeRules, cycle_id: int, counted: list[Counting], statuses: dict
) -> list[Finding]:
    """A claimed activity that counts other minutes today than when it was marked claimed
    (statuses saved before CPD Log recorded the figure are not compared)."""
    found = []
    for item in counted:
        status = statuses.get(item.line.activity.id)
        if status is None or status.state is not ClaimState.CLAIMED:
            continue
        if status.claimed_minutes is None or status.claimed_minutes == item.counted.minutes:
            continue
        text = (
            f"Claimed as {scheme.amount(status.claimed_minutes)}; it counts "
            f"{scheme.amount(item.counted.minutes)} now. Correct the claim with the body, then "
            "save its status again."
        )
        found.append(
            _activity(
                "claimed_hours",
                item.line,
                text,
                "Update the claim status",
                "claims.status",
                cycle_id=cycle_id,
                activity_id=item.line.activity.id,
            )
        )
    return found


def few_reflections(scheme: rules.SchemeRules, progress: rules.Progress) -> list[Finding]:
    """A count rule on reflective accounts (or statements) the cycle does not meet yet."""
    found = []
    for rule in scheme.count_rules:
        if rule.counts not in REFLECTIVE:
            continue
        result = progress.rule(rule.code)
        if result.met:
            continue
        text = f"{result.counted} of the {rule.min} the scheme needs; {result.needed} more."
        found.append(
            Finding("reflections", rule.name, text, "Write a reflection", "reflections.create")
        )
    return found


def check(view, facts: dict[int, Facts], statuses: dict, vocabulary: Vocabulary) -> list[Finding]:
    """Every finding of a cycle (a schemes.progress.CycleView with its lines), in KINDS order."""
    counted = counting(view.scheme, view.lines)
    cycle = view.cycle
    return [
        *missing_certificates(counted, facts, vocabulary),
        *over_limit(view.scheme, counted),
        *outside_cycle(cycle.start, cycle.end, counted, facts),
        *claimed_hours(view.scheme, cycle.id, counted, statuses),
        *few_reflections(view.scheme, view.progress),
    ]
