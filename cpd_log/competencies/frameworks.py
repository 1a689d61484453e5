"""A user's own frameworks (and a team's, by its leads): create, import, edit, and delete only
after saying what uses them."""

import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from cpd_log.competencies.services import load_framework
from cpd_log.extensions import db
from cpd_log.models import Activity, Competency, Framework, Goal, Reflection, SelfAssessment
from cpd_log.models.activity import activity_competency
from cpd_log.models.reflection import reflection_competency


class CodeTaken(ValueError):
    """Two competencies of one framework cannot share a code."""


def unique_slug(owner_id: int | None, name: str, team_id: int | None = None) -> str:
    """A slug from the name, numbered when the user (or the team) already has a framework
    with it."""
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:56] or "framework"
    whose = Framework.owner_id == owner_id if team_id is None else Framework.team_id == team_id
    taken = set(
        db.session.scalars(select(Framework.slug).where(whose, Framework.slug.startswith(base)))
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _owners(user, team_id: int | None) -> dict:
    return {"owner_id": user.id, "team_id": None} if team_id is None else {
        "owner_id": None, "team_id": team_id
    }  # fmt: skip


def import_framework(user, data: dict, team_id: int | None = None) -> Framework:
    """Load a validated framework dict as a new framework of the user's, or of the team
    `team_id` (the caller checked the user leads it); never overwriting."""
    owners = _owners(user, team_id)
    data = {**data, "slug": unique_slug(owners["owner_id"], data["name"], team_id)}
    framework, _created = load_framework(data, **owners)
    return framework


def create_framework(user, data: dict, team_id: int | None = None) -> Framework:
    owners = _owners(user, team_id)
    slug = unique_slug(owners["owner_id"], data["name"], team_id)
    framework = Framework(slug=slug, **owners, **data)
    db.session.add(framework)
    db.session.flush()
    return framework


def update_framework(framework: Framework, data: dict) -> Framework:
    for key, value in data.items():
        setattr(framework, key, value)
    db.session.flush()
    return framework


@dataclass(frozen=True)
class Usage:
    activities: int
    reflections: int
    self_assessments: int
    goals: int

    def __bool__(self) -> bool:
        return any((self.activities, self.reflections, self.self_assessments, self.goals))

    def describe(self) -> str:
        parts = [
            (self.activities, "activity tag", "activity tags"),
            (self.reflections, "reflection tag", "reflection tags"),
            (self.self_assessments, "self-assessment", "self-assessments"),
            (self.goals, "development goal", "development goals"),
        ]
        return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in parts if n)


def usage(competency_ids, user=None) -> Usage:
    """What refers to these competencies (a subquery or a list of ids): four counts, one query.
    With `user`, only the user's own rows are counted (a team's framework: its members' tags
    and assessments are theirs, never counted for a lead)."""
    count = func.count()
    tags, notes = activity_competency.c, reflection_competency.c
    whose = [[], [], [], []]
    if user is not None:
        whose = [
            [tags.activity_id.in_(select(Activity.id).where(Activity.user_id == user.id))],
            [notes.reflection_id.in_(select(Reflection.id).where(Reflection.user_id == user.id))],
            [SelfAssessment.user_id == user.id],
            [Goal.user_id == user.id],
        ]
    return Usage(
        *db.session.execute(
            select(
                select(count)
                .select_from(activity_competency)
                .where(tags.competency_id.in_(competency_ids), *whose[0])
                .scalar_subquery(),
                select(count)
                .select_from(reflection_competency)
                .where(notes.competency_id.in_(competency_ids), *whose[1])
                .scalar_subquery(),
                select(count)
                .select_from(SelfAssessment)
                .where(SelfAssessment.competency_id.in_(competency_ids), *whose[2])
                .scalar_subquery(),
                select(count)
                .select_from(Goal)
                .where(Goal.competency_id.in_(competency_ids), *whose[3])
                .scalar_subquery(),
            )
        ).one()
    )


def _counted_for(framework: Framework, user):
    """Whose rows a usage count may show: all of a user's own framework (only theirs use it),
    only the viewer's of a team's."""
    return user if framework.team_id is not None else None


def framework_usage(framework: Framework, user=None) -> Usage:
    ids = select(Competency.id).where(Competency.framework_id == framework.id)
    return usage(ids, _counted_for(framework, user))


def delete_framework(framework: Framework) -> None:
    """Delete with every competency; tags, self-assessments and goals on them go too (CASCADE)."""
    db.session.delete(framework)
    db.session.flush()


def save_competency(framework: Framework, data: dict, competency: Competency | None = None):
    """Add (or edit) an area (no parent) or a competency inside an area. Raises CodeTaken."""
    clash = db.session.scalar(
        select(Competency.id).where(
            Competency.framework_id == framework.id, Competency.code == data["code"]
        )
    )
    if clash is not None and (competency is None or clash != competency.id):
        raise CodeTaken(f"This framework already has a competency with the code {data['code']}.")
    if competency is None:
        siblings = db.session.scalar(
            select(func.count(Competency.id)).where(
                Competency.framework_id == framework.id,
                Competency.parent_id.is_(None)
                if data["parent_id"] is None
                else Competency.parent_id == data["parent_id"],
            )
        )
        competency = Competency(framework_id=framework.id, sort=siblings + 1)
        db.session.add(competency)
    for key, value in data.items():
        setattr(competency, key, value)
    db.session.flush()
    return competency


def competency_usage(competency: Competency, user=None) -> Usage:
    """Usage of the competency and, for an area, of the competencies inside it."""
    return usage(
        select(Competency.id).where(
            or_(Competency.id == competency.id, Competency.parent_id == competency.id)
        ),
        _counted_for(competency.framework, user),
    )


def delete_competency(competency: Competency) -> None:
    db.session.delete(competency)
    db.session.flush()
