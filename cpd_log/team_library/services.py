"""What a team owns: frameworks, schemes and crosswalks. Its leads publish them through the same
code paths a user's own go through (framework import and editor, scheme checking, crosswalk
checking); its members see them, tag to its frameworks and enrol in its schemes. Services
flush; views commit.

Keys: a team's framework is `slug@team:<id>` to counting (crosswalks/mapping.framework_key), so
a team framework that shares a shipped or a user's framework's slug never counts as it. In a
team's scheme or crosswalk a slug names the team's framework of that slug where the team has
one, else the shipped one (as a user's own scheme names the user's).
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cpd_log.crosswalks.checking import CrosswalkError, check_crosswalk
from cpd_log.crosswalks.editing import OWN_VERSION, unique_slug
from cpd_log.crosswalks.services import framework_codes, load_crosswalk
from cpd_log.extensions import db
from cpd_log.models import Crosswalk, Framework
from cpd_log.models.scheme import Enrolment, Scheme
from cpd_log.models.team import Team
from cpd_log.schemes.services import load_scheme, scheme_line


def team_frameworks(team_id: int) -> list[Framework]:
    """The team's own frameworks, by name. One query."""
    return list(
        db.session.scalars(
            select(Framework)
            .where(Framework.team_id == team_id)
            .order_by(func.lower(Framework.name), Framework.id)
        )
    )


def team_framework(team: Team) -> Framework | None:
    """The framework the team's coverage is drawn against: the one the lead chose for the team
    (team.framework_id), else the team's first own framework, else None. For the lead
    dashboard's heat-map (count with its key: crosswalks/mapping.framework_key(slug,
    owner_id, team_id))."""
    if team.framework_id is not None:
        chosen = db.session.get(Framework, team.framework_id)
        if chosen is not None:
            return chosen
    return db.session.scalar(
        select(Framework).where(Framework.team_id == team.id).order_by(Framework.id).limit(1)
    )


@dataclass(frozen=True)
class TeamScheme:
    newest: Scheme
    versions: list[str]  # oldest first
    enrolment: Enrolment | None  # the viewer's, if enrolled


def team_schemes(team_id: int, user) -> list[TeamScheme]:
    """The team's schemes (newest version of each, with the older versions' numbers) and the
    viewer's enrolment in each. Two queries."""
    rows = list(
        db.session.scalars(select(Scheme).where(Scheme.team_id == team_id).order_by(Scheme.id))
    )
    mine = {
        scheme_line(e.scheme): e
        for e in db.session.scalars(
            select(Enrolment)
            .join(Scheme, Scheme.id == Enrolment.scheme_id)
            .where(Enrolment.user_id == user.id, Scheme.team_id == team_id)
        )
    }
    lines: dict[tuple, list[Scheme]] = {}
    for row in rows:
        lines.setdefault(scheme_line(row), []).append(row)
    found = [
        TeamScheme(versions[-1], [v.version for v in versions], mine.get(line))
        for line, versions in lines.items()
    ]
    return sorted(found, key=lambda s: s.newest.name.lower())


def scheme_version_exists(team_id: int, data: dict) -> bool:
    """Whether the team already published this slug at this version (versions are never
    edited: a change is a new version, which open cycles move to)."""
    found = select(Scheme.id).where(
        Scheme.team_id == team_id, Scheme.slug == data["slug"], Scheme.version == data["version"]
    )
    return db.session.scalar(found) is not None


def publish_scheme(team_id: int, data: dict) -> Scheme:
    """A checked scheme (schemes/checking.py) as a version of the team's scheme of its slug.
    Members' open cycles move to it when next counted; ended ones keep theirs
    (schemes/services.sync_cycles)."""
    return load_scheme(data, team_id=team_id)[0]


def team_crosswalks(team_id: int) -> list[Crosswalk]:
    return list(
        db.session.scalars(
            select(Crosswalk)
            .where(Crosswalk.team_id == team_id)
            .options(selectinload(Crosswalk.mappings))
            .order_by(Crosswalk.id)
        )
    )


def import_crosswalk(team_id: int, data: dict) -> Crosswalk:
    """A parsed crosswalk file as a new crosswalk of the team's (never overwriting: its slug is
    made unique among the team's). One end must be a framework of the team's; every code is
    checked against the framework its slug names for the team. Raises CrosswalkError."""
    own = {fw.slug for fw in team_frameworks(team_id)}
    if not {data["from"], data["to"]} & own:
        raise CrosswalkError(
            [f"from, to: neither {data['from']} nor {data['to']} is one of the team's frameworks."]
        )
    data = {**data, "slug": unique_slug(None, data["name"], team_id), "version": OWN_VERSION}
    data = check_crosswalk(data, framework_codes(None, team_id))
    return load_crosswalk(data, team_id=team_id)[0]
