"""Competency frameworks: which ones a user sees, and loading the shipped data files."""

import json
from dataclasses import dataclass
from pathlib import Path

from flask import abort
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import aliased

from cpd_log.access import member_teams, shipped
from cpd_log.extensions import db
from cpd_log.models import Competency, Framework
from cpd_log.models.team import TeamRole
from cpd_log.teams.services import membership_for

AREA = aliased(Competency, name="area")  # built once: aliasing per call cost more than the query
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "frameworks"


@dataclass(frozen=True)
class CompetencyOption:
    id: int
    code: str
    name: str
    group: str  # "Framework — Area", for <optgroup>


def seen_by(user, framework=Framework) -> ColumnElement:
    """SQL: a framework the user sees: a global one, their own, or one of a team they are a
    member of (read afresh on every request: leaving a team hides its frameworks at once)."""
    return or_(
        shipped(framework),
        framework.owner_id == user.id,
        framework.team_id.in_(member_teams(user)),
    )


def visible_frameworks(user):
    """Global frameworks, the user's own and those of the user's teams."""
    return select(Framework).where(seen_by(user))


def competency_options(user) -> list[CompetencyOption]:
    """Every taggable competency (inside an area) the user can see, in order. One query."""
    area = AREA
    rows = db.session.execute(
        select(Competency.id, Competency.code, Competency.name, area.name, Framework.name)
        .join(area, Competency.parent_id == area.id)
        .join(Framework, Competency.framework_id == Framework.id)
        .where(seen_by(user))
        .order_by(Framework.name, Framework.id, area.sort, area.id, Competency.sort, Competency.id)
    )
    return [
        CompetencyOption(id=cid, code=code, name=name, group=f"{fw_name} — {area_name}")
        for cid, code, name, area_name, fw_name in rows
    ]


def load_framework(
    data: dict, owner_id: int | None = None, team_id: int | None = None
) -> tuple[Framework, bool]:
    """Create or update a framework from its data-file dict; returns (framework, created): a
    global one, a user's (`owner_id`) or a team's (`team_id`).

    Idempotent: areas and competencies are matched by code, so running it twice changes nothing
    and ids stay stable (activities keep their tags).
    """
    if team_id is not None:
        owner = Framework.team_id == team_id
    else:
        owner = shipped(Framework) if owner_id is None else Framework.owner_id == owner_id
    framework = db.session.scalar(select(Framework).where(Framework.slug == data["slug"], owner))
    created = framework is None
    if created:
        framework = Framework(slug=data["slug"], owner_id=owner_id, team_id=team_id)
        db.session.add(framework)
    for field in ("name", "version", "source", "licence", "description", "levels"):
        setattr(framework, field, data.get(field, getattr(framework, field) or ""))
    db.session.flush()

    existing = {c.code: c for c in framework.competencies}
    for area_sort, area_data in enumerate(data["areas"]):
        area = _upsert(framework, existing, area_data, None, area_sort)
        for sort, item in enumerate(area_data.get("competencies", [])):
            _upsert(framework, existing, item, area, sort)
    db.session.flush()
    return framework, created


def _upsert(framework, existing, item, parent, sort) -> Competency:
    competency = existing.get(item["code"])
    if competency is None:
        competency = Competency(framework=framework, code=item["code"])
        existing[item["code"]] = competency
        db.session.add(competency)
    competency.name = item["name"]
    competency.description = item.get("description", "")
    competency.parent = parent
    competency.sort = sort
    return competency


def shipped_framework_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.json"))


def seed_frameworks() -> list[tuple[Framework, bool]]:
    """Load every shipped framework file as a global framework."""
    return [
        load_framework(json.loads(path.read_text(encoding="utf-8")))
        for path in shipped_framework_files()
    ]


def get_visible_framework_or_404(framework_id: int, user, *options) -> Framework:
    """A global framework or one of the user's own; another user's answers 404."""
    framework = db.session.scalar(
        visible_frameworks(user).where(Framework.id == framework_id).options(*options)
    )
    if framework is None:
        abort(404)
    return framework


def may_edit(framework: Framework, user) -> bool:
    """The user's own framework, or a team's whose lead the user is (one query for a team's)."""
    if framework.team_id is not None:  # read afresh: a lead no longer lead edits nothing
        return membership_for(user, framework.team_id, TeamRole.LEAD) is not None
    return framework.owner_id == user.id


def get_own_framework_or_404(framework_id: int, user, *options) -> Framework:
    """Only the user's own frameworks, and a team's by its leads, can be edited: a global one
    (or a team's, for a member who is not its lead) answers 403, another's 404."""
    framework = get_visible_framework_or_404(framework_id, user, *options)
    if not may_edit(framework, user):
        abort(403)
    return framework


def get_visible_competency_or_404(competency_id: int, user, *options) -> Competency:
    competency = db.session.scalar(
        select(Competency)
        .join(Framework, Competency.framework_id == Framework.id)
        .where(Competency.id == competency_id)
        .where(seen_by(user))
        .options(*options)
    )
    if competency is None:
        abort(404)
    return competency
