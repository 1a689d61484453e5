"""Crosswalks in the database: loading the shipped files as global crosswalks. Services flush."""

from collections import defaultdict

from sqlalchemy import select

from cpd_log.access import shipped
from cpd_log.crosswalks.checking import CrosswalkError, read_crosswalk_file, shipped_crosswalk_files
from cpd_log.extensions import db
from cpd_log.models import Competency, Crosswalk, CrosswalkMapping, Framework


def framework_codes(owner_id: int | None = None, team_id: int | None = None) -> dict[str, set[str]]:
    """{framework slug: codes of its areas and competencies} for the global frameworks and the
    owner's own (a user's, or with `team_id` a team's), the owner's framework in place of a
    shipped one of the same slug (what a slug in the owner's crosswalk names,
    crosswalks/loading.py). One query."""
    owners = shipped(Framework)
    if owner_id is not None:
        owners = owners | (Framework.owner_id == owner_id)
    if team_id is not None:
        owners = owners | (Framework.team_id == team_id)
    found: dict[tuple, set[str]] = defaultdict(set)
    rows = db.session.execute(
        select(Framework.slug, Framework.owner_id, Framework.team_id, Competency.code)
        .join(Competency, Competency.framework_id == Framework.id)
        .where(owners)
    )
    for slug, owner, team, code in rows:
        found[(slug, owner is None and team is None)].add(code)
    first = {slug: codes for (slug, is_shipped), codes in found.items() if is_shipped}
    return first | {slug: codes for (slug, is_shipped), codes in found.items() if not is_shipped}


def _rows(data: dict) -> list[tuple[str, str, str, str]]:
    return [(m["from"], m["to"], m["relation"], m["reason"]) for m in data["mappings"]]


def load_crosswalk(
    data: dict, owner_id: int | None = None, team_id: int | None = None
) -> tuple[Crosswalk, bool]:
    """Store a checked crosswalk file as one version; (row, created). The same slug and version
    again changes nothing; a new version adds a row beside the old ones, which cycles that ended
    before it keep (cpd_log/crosswalks/mapping.py, in_force). The same version with other
    mappings is refused: it would change what ended cycles counted."""
    if team_id is not None:
        owner = Crosswalk.team_id == team_id
    else:
        owner = shipped(Crosswalk) if owner_id is None else Crosswalk.owner_id == owner_id
    row = db.session.scalar(
        select(Crosswalk).where(
            owner, Crosswalk.slug == data["slug"], Crosswalk.version == data["version"]
        )
    )
    if row is not None:
        stored = [(m.from_code, m.to_code, m.relation, m.reason) for m in row.mappings]
        if stored != _rows(data) or (row.from_framework, row.to_framework) != (
            data["from"],
            data["to"],
        ):
            raise CrosswalkError(
                [
                    f"Crosswalk {data['slug']} changed but its version {data['version']} did not: "
                    "give it a new version so cycles that have ended keep the old mappings."
                ]
            )
        return row, False
    row = Crosswalk(
        slug=data["slug"],
        version=data["version"],
        name=data["name"],
        source=data["source"],
        licence=data["licence"],
        description=data.get("description", ""),
        from_framework=data["from"],
        to_framework=data["to"],
        owner_id=owner_id,
        team_id=team_id,
        mappings=[
            CrosswalkMapping(from_code=a, to_code=b, relation=relation, reason=reason)
            for a, b, relation, reason in _rows(data)
        ],
    )
    db.session.add(row)
    db.session.flush()
    return row, True


def seed_crosswalks() -> list[tuple[Crosswalk, bool]]:
    """Load every shipped crosswalk file as a global crosswalk (safe to run again). Run after the
    frameworks are seeded: each code is checked against the framework it names."""
    codes = framework_codes()
    return [load_crosswalk(read_crosswalk_file(path, codes)) for path in shipped_crosswalk_files()]
