"""The claim list of one cycle as plain values: a card per counted activity with the body's fields
in the body's order, its status, and the totals. Pure Python (no Flask, no SQLAlchemy): services.py
reads the rows, this decides what each field says.

Values are what a person pastes into the body's form: dates as YYYY-MM-DD (no day/month
ambiguity), hours and units as plain numbers in the scheme's unit, empty when CPD Log holds nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from cpd_log.activities.choices import KIND_LABELS, Delivery
from cpd_log.claims.choices import ClaimState
from cpd_log.claims.vocabulary import Vocabulary
from cpd_log.schemes.rules import SchemeRules


@dataclass(frozen=True)
class ActivityDetails:
    """The activity's values a claim may ask for (competencies, evidence titles and the
    "how did you apply it?" note are read only when the vocabulary asks for them)."""

    id: int
    title: str
    kind: str
    delivery: str
    provider: str
    start_date: date
    end_date: date | None
    minutes: int
    participatory: bool
    description: str
    objective: str | None
    url: str
    competencies: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    applied: str = ""

    @property
    def completed_on(self) -> date:
        return self.end_date or self.start_date


@dataclass(frozen=True)
class Status:
    """The user's record of one activity's claim in one cycle (no row: to claim, the
    scheme's type)."""

    state: ClaimState = ClaimState.TO_CLAIM
    claimed_on: date | None = None
    reference: str = ""
    reason: str = ""
    body_type: str | None = None  # the user's choice of the body's type
    claimed_minutes: int | None = None  # what the activity counted when it was marked claimed


@dataclass(frozen=True)
class Value:
    label: str
    text: str  # "" when CPD Log holds nothing for it (the card says so)


@dataclass(frozen=True)
class Card:
    activity: ActivityDetails
    shares: tuple[tuple[str, int], ...]  # (category code, minutes counted)
    body_type: str
    type_overridden: bool
    status: Status
    values: tuple[Value, ...] = field(default=())

    @property
    def minutes(self) -> int:
        return sum(minutes for _, minutes in self.shares)


class _Context(NamedTuple):
    activity: ActivityDetails
    scheme: SchemeRules
    shares: tuple[tuple[str, int], ...]
    body_type: str


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _hours(minutes: int) -> str:
    return f"{Decimal(minutes) / 60:.2f}".rstrip("0").rstrip(".")


def _dates(a: ActivityDetails) -> str:
    if a.end_date is None or a.end_date == a.start_date:
        return _iso(a.start_date)
    return f"{_iso(a.start_date)} – {_iso(a.end_date)}"


def _top_names(c: _Context) -> str:
    names = []
    for code, _ in c.shares:
        category = c.scheme.category(code)
        top = c.scheme.category(category.parent) if category and category.parent else category
        name = top.name if top else code
        if name not in names:
            names.append(name)
    return ", ".join(names)


def _units(c: _Context) -> tuple[tuple[str, str], ...]:
    """One value per category: the body's form asks for each area's figure on its own."""
    found = []
    for code, minutes in c.shares:
        category = c.scheme.category(code)
        found.append((category.name if category else code, c.scheme.figure(minutes)))
    return tuple(found)


# Each source a scheme file's claim field may name (scheme.schema.json's claims/fields/from
# lists the same names; tests/claims/test_vocabulary.py checks they agree).
SOURCES: dict[str, Callable[[_Context], str | tuple]] = {
    "title": lambda c: c.activity.title,
    "provider": lambda c: c.activity.provider,
    "start_date": lambda c: _iso(c.activity.start_date),
    "completed_on": lambda c: _iso(c.activity.completed_on),
    "dates": lambda c: _dates(c.activity),
    "description": lambda c: c.activity.description,
    "objective": lambda c: c.activity.objective or "",
    "url": lambda c: c.activity.url,
    "kind": lambda c: KIND_LABELS.get(c.activity.kind, c.activity.kind),
    "delivery": lambda c: Delivery(c.activity.delivery).label,
    "hours": lambda c: _hours(c.activity.minutes),
    "participatory_hours": lambda c: _hours(c.activity.minutes if c.activity.participatory else 0),
    "type": lambda c: c.body_type,
    "category": _top_names,
    "units": _units,
    "units_total": lambda c: c.scheme.figure(sum(m for _, m in c.shares)),
    "competencies": lambda c: "; ".join(c.activity.competencies),
    "evidence": lambda c: "; ".join(c.activity.evidence),
    "applied": lambda c: c.activity.applied,
    "not_recorded": lambda c: "",
}
NEEDS_LOADING = {"competencies", "evidence", "applied"}  # read from other tables when used


def values(vocabulary: Vocabulary, context: _Context) -> tuple[Value, ...]:
    """The body's fields in the body's order; a field with a figure per category becomes one
    value per category ("PDUs per Talent Triangle area: Power Skills")."""
    found = []
    for claim_field in vocabulary.fields:
        value = SOURCES[claim_field.source](context)
        if isinstance(value, tuple):
            found += [Value(f"{claim_field.label}: {name}", text) for name, text in value]
        else:
            found.append(Value(claim_field.label, value))
    return tuple(found)


def card(
    vocabulary: Vocabulary,
    scheme: SchemeRules,
    activity: ActivityDetails,
    shares: tuple[tuple[str, int], ...],
    status: Status,
) -> Card:
    """One counted activity's card; the user's type wins while it is still one of the body's."""
    own = status.body_type if status.body_type in vocabulary.choices else None
    body_type = own or vocabulary.body_type(activity.kind, activity.delivery)
    context = _Context(activity, scheme, shares, body_type)
    return Card(activity, shares, body_type, own is not None, status, values(vocabulary, context))


@dataclass(frozen=True)
class Totals:
    """Minutes counted by the cards, by status, and what the cycle still needs (its progress)."""

    claimed: int
    to_claim: int
    rejected: int
    still_needed: int


def totals(cards: list[Card], still_needed: int) -> Totals:
    by_state = dict.fromkeys(ClaimState, 0)
    for item in cards:
        by_state[item.status.state] += item.minutes
    return Totals(
        by_state[ClaimState.CLAIMED],
        by_state[ClaimState.TO_CLAIM],
        by_state[ClaimState.REJECTED],
        still_needed,
    )
