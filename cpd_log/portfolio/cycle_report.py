"""A scheme cycle in a portfolio: the rules engine's verdict and each activity's split into the
cycle's categories, in the scheme's unit; and the user's cycles the portfolio form offers.

`gather()` in services.py asks here; the rules come from the public API of
cpd_log/schemes/progress.py (`compute()` → `CycleView`), never recomputed here.
"""

from datetime import date

from sqlalchemy.orm import selectinload

from cpd_log.access import owned
from cpd_log.extensions import db
from cpd_log.models.scheme import Cycle, Enrolment
from cpd_log.schemes import progress, rules
from cpd_log.templating import hours


def user_cycles(user) -> list[Cycle]:
    """The user's own cycles, for the portfolio form: enrolment, scheme and dates."""
    query = (
        owned(Cycle, user)
        .join(Cycle.enrolment)
        .options(selectinload(Cycle.enrolment), selectinload(Cycle.scheme))
        .order_by(Enrolment.label, Cycle.number)
    )
    return list(db.session.scalars(query))


def cycle_label(cycle: Cycle) -> str:
    return (
        f"{cycle.enrolment.label} · Cycle {cycle.number + 1} · "
        f"{cycle.start_date:%-d %b %Y} – {cycle.end_date:%-d %b %Y}"
    )


def cycle_view(cycle: Cycle, owner, today: date) -> progress.CycleView:
    """The rules engine's view of the cycle (its predecessor included for carry-over)."""
    # Per-activity lines are built only on request (the dashboard needs none); the register does.
    views = progress.compute(owner, progress.with_predecessors([cycle]), today, lines_of={cycle.id})
    return views[cycle.id]


def rule_rows(view: progress.CycleView) -> list[dict]:
    """One row per rule: name, met or not, the engine's explanation."""
    return [
        {
            "name": rule.label,
            "met": rule.status in (rules.MET, rules.INFO),
            "status": rule.status,
            "detail": rule.explanation,
        }
        for rule in view.progress.rules
    ]


def counted_note(start: date, end: date, not_listed: int) -> str:
    """What the cycle's tables count: the whole cycle, not only the activities listed."""
    note = f"Counted over every completed activity in the cycle {start:%-d %b %Y} – {end:%-d %b %Y}"
    return (
        f"{note}, including {not_listed} not listed in this portfolio."
        if not_listed
        else f"{note}."
    )


def in_units(minutes: int, scheme) -> str:
    """Minutes in the scheme's unit: '1.5 PDUs'."""
    amount = hours(round(minutes * 60 / scheme.unit_minutes)) if scheme.unit_minutes else "0"
    return f"{amount} {scheme.unit if amount == '1' else scheme.unit_plural}"


def category_splits(view: progress.CycleView) -> dict[int, list[tuple[str, str]]]:
    """Activity id → [(category name, amount in the scheme's unit)], as the cycle counts it."""
    names = {c.code: c.name for c in view.scheme.categories}
    found: dict[int, list[tuple[str, str]]] = {}
    for line in view.lines:
        parts = [
            (names.get(code, code), in_units(minutes, view.scheme))
            for code, minutes in line.split.items()
            if minutes
        ]
        found[line.activity.id] = parts
    return found
