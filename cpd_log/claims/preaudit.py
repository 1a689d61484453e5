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
    title: str = ""
    in_cycle: bool = True  # False: read only because the cycle holds a claim status for it


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


def _finding(kind: str, subject: str, text: str, fix: tuple[str, str], **args) -> Finding:
    return Finding(kind, subject, text, fix[0], fix[1], tuple(args.items()))


UPLOAD = ("Upload the certificate", "evidence.attach")
EDIT = ("Edit the activity", "activities.edit")
EDIT_DATES = ("Edit the dates", "activities.edit")
CLAIM_STATUS = ("Update the claim status", "claims.status")
REFLECT = ("Write a reflection", "reflections.create")


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
                _finding("certificate", activity.title, text, UPLOAD, activity_id=activity.id)
            )
    return found


def over_limit(scheme: rules.SchemeRules, counted: list[Counting]) -> list[Finding]:
    """An activity logged with more than the scheme's per-activity maximum."""
    found = []
    for item in counted:
        if item.counted.capped:
            activity = item.line.activity
            logged = scheme.amount(sum(item.line.split.values()))
            most = scheme.amount(scheme.activity_max or 0)
            text = f"{logged} logged; the scheme counts at most {most} per activity."
            found.append(
                _finding("over_limit", activity.title, text, EDIT, activity_id=activity.id)
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
        began, ended = facts[activity.id].start_date, activity.last_date
        if began < start or ended > end:
            text = (
                f"It ran {began.isoformat()} – {ended.isoformat()}; the cycle runs "
                f"{start.isoformat()} – {end.isoformat()}."
            )
            found.append(
                _finding("outside_cycle", activity.title, text, EDIT_DATES, activity_id=activity.id)
            )
    return found


def claimed_hours(
    scheme: rules.SchemeRules,
    cycle_id: int,
    counted: list[Counting],
    statuses: dict,
    facts: dict[int, Facts],
) -> list[Finding]:
    """A claimed activity that counts other minutes today than when it was marked claimed
    (statuses saved before CPD Log recorded the figure are not compared). One whose dates moved
    it out of the cycle counts nothing here; its dates are the fix (the claim status page only
    knows the cycle's activities)."""

    def changed(aid: int, minutes: int) -> str | None:
        status = statuses.get(aid)
        if status is None or status.state is not ClaimState.CLAIMED:
            return None
        if status.claimed_minutes is None or status.claimed_minutes == minutes:
            return None
        then, now = scheme.amount(status.claimed_minutes), scheme.amount(minutes)
        return f"Claimed as {then}; it counts {now} now."

    found = []
    for item in counted:
        activity = item.line.activity
        text = changed(activity.id, item.counted.minutes)
        if text:
            text += " Correct the claim with the body, then save its status again."
            args = {"cycle_id": cycle_id, "activity_id": activity.id}
            found.append(_finding("claimed_hours", activity.title, text, CLAIM_STATUS, **args))
    gone = sorted(aid for aid in statuses if aid in facts and not facts[aid].in_cycle)
    for aid in gone:
        text = changed(aid, 0)
        if text:
            text += " Its dates no longer fall within this cycle."
            found.append(
                _finding("claimed_hours", facts[aid].title, text, EDIT_DATES, activity_id=aid)
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
        found.append(_finding("reflections", rule.name, text, REFLECT))
    return found


def check(view, facts: dict[int, Facts], statuses: dict, vocabulary: Vocabulary) -> list[Finding]:
    """Every finding of a cycle (a schemes.progress.CycleView with its lines), in KINDS order."""
    counted = counting(view.scheme, view.lines)
    cycle = view.cycle
    return [
        *missing_certificates(counted, facts, vocabulary),
        *over_limit(view.scheme, counted),
        *outside_cycle(cycle.start, cycle.end, counted, facts),
        *claimed_hours(view.scheme, cycle.id, counted, statuses, facts),
        *few_reflections(view.scheme, view.progress),
    ]
