"""What a portfolio adds to its activities: reflections (never drafts) and, for a scheme cycle,
the rules engine's verdict and each activity's split into the cycle's categories.

`gather()` in services.py calls `fill()`; the rules come from the public API of
cpd_log/schemes/progress.py (`compute()` → `CycleView`), never recomputed here.
"""

from collections import defaultdict
from datetime import date

from sqlalchemy import Select, and_, exists
from sqlalchemy.orm import selectinload

from cpd_log.access import owned
from cpd_log.extensions import db
from cpd_log.models import Portfolio, Reflection
from cpd_log.models.reflection import reflection_competency
from cpd_log.models.scheme import Cycle, Enrolment
from cpd_log.reflections.reflective_models import REFLECTIVE_MODELS
from cpd_log.reflections.services import evidence as reflections_as_evidence
from cpd_log.schemes import progress, rules
from cpd_log.templating import hours

NOT_TAGGED = "Not tagged"


def matching_reflections_query(user, criteria: dict) -> Select:
    """Non-draft reflections written in the period and tagged with any chosen competency."""
    query = reflections_as_evidence(user)
    if criteria.get("date_from"):
        query = query.where(Reflection.reflected_on >= criteria["date_from"])
    if criteria.get("date_to"):
        query = query.where(Reflection.reflected_on <= criteria["date_to"])
    if criteria.get("competency_ids"):
        query = query.where(
            exists().where(
                and_(
                    reflection_competency.c.reflection_id == Reflection.id,
                    reflection_competency.c.competency_id.in_(criteria["competency_ids"]),
                )
            )
        )
    return query.order_by(Reflection.reflected_on, Reflection.id)


def matching_reflections(user, criteria: dict) -> list[Reflection]:
    return list(db.session.scalars(matching_reflections_query(user, criteria)))


def chosen_reflections(portfolio: Portfolio, owner, criteria: dict) -> list[Reflection]:
    """The portfolio's reflections with tags, activity and evidence (three queries)."""
    query = matching_reflections_query(owner, criteria).options(
        selectinload(Reflection.competencies),
        selectinload(Reflection.activity),
        selectinload(Reflection.evidence),
    )
    if portfolio.excluded_reflection_ids:
        query = query.where(Reflection.id.not_in(portfolio.excluded_reflection_ids))
    return list(db.session.scalars(query))


def by_competency(reflections: list[Reflection], chosen_ids: list[int]) -> dict[str, list]:
    """Each reflection once, under its first tag (its first chosen one when the portfolio picks
    competencies); competencies in framework order, untagged reflections last."""
    groups: dict[str, list] = defaultdict(list)
    order: dict[str, tuple] = {}
    for reflection in reflections:
        tags = [c for c in reflection.competencies if c.id in chosen_ids] or list(
            reflection.competencies
        )
        key = tags[0].label if tags else NOT_TAGGED
        order.setdefault(key, (tags[0].framework_id, tags[0].sort) if tags else (2**31, 0))
        groups[key].append(reflection)
    return {key: groups[key] for key in sorted(groups, key=lambda k: (order[k], k))}


def model_name(key: str) -> str:
    return REFLECTIVE_MODELS.get(key, REFLECTIVE_MODELS["free"]).name


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
        f"{cycle.enrolment.label} · cycle {cycle.number} · "
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
