"""Which reflections a portfolio holds: non-draft reflections of its period and competencies,
minus those taken out, grouped by competency for the preview and the PDF.
"""

from collections import defaultdict

from sqlalchemy import Select, and_, exists
from sqlalchemy.orm import selectinload

from cpd_log.extensions import db
from cpd_log.models import Portfolio, Reflection
from cpd_log.models.reflection import reflection_competency
from cpd_log.reflections.reflective_models import REFLECTIVE_MODELS
from cpd_log.reflections.services import evidence as reflections_as_evidence

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
