"""Import and export dispatch: a Crosswalk row ↔ the crosswalk dict ↔ a CSV or CASE file."""

import json
from collections import defaultdict

from cpd_log.access import visible
from cpd_log.competencies import importers
from cpd_log.crosswalks import case, table
from cpd_log.crosswalks.checking import CrosswalkError
from cpd_log.crosswalks.services import framework_codes
from cpd_log.extensions import db
from cpd_log.models import Competency, Crosswalk, Framework

FORMATS = {"csv": "CSV", "case": "1EdTech CASE JSON"}
EXTENSIONS = {"csv": "csv", "case": "case.json"}
MIMETYPES = {"csv": "text/csv", "case": "application/json"}
READ_LIMIT = max(table.MAX_BYTES, importers.MAX_BYTES)  # each parser applies its own
# A CSV file says nothing about the crosswalk itself: what the import form leaves empty.
CSV_DEFAULTS = {"name": "Imported crosswalk", "source": "An imported file", "licence": "Not stated"}


def crosswalk_dict(crosswalk: Crosswalk) -> dict:
    """A Crosswalk row (mappings loaded) in the shape of the shipped files."""
    return {
        "slug": crosswalk.slug,
        "name": crosswalk.name,
        "version": crosswalk.version,
        "source": crosswalk.source,
        "licence": crosswalk.licence,
        "description": crosswalk.description,
        "from": crosswalk.from_framework,
        "to": crosswalk.to_framework,
        "mappings": [
            {"from": m.from_code, "to": m.to_code, "relation": m.relation, "reason": m.reason}
            for m in crosswalk.mappings
        ],
    }


def frameworks(user, slugs=None, shipped: bool = False) -> dict[str, case.Framework]:
    """{slug: {"slug", "version", "names": {code: name}}} of the frameworks the user sees (all,
    or those of `slugs`); the user's own wins over a shipped one of the same slug, unless
    `shipped` (what a shipped crosswalk names: the shipped ones only). One query."""
    query = (
        visible(Framework, user)
        .with_only_columns(
            Framework.slug, Framework.version, Framework.owner_id, Competency.code, Competency.name
        )
        .join(Competency, Competency.framework_id == Framework.id)
        .order_by(Framework.owner_id.is_(None).desc())
    )
    if slugs is not None:
        query = query.where(Framework.slug.in_(sorted(slugs)))
    if shipped:
        query = query.where(Framework.owner_id.is_(None))
    found: dict[tuple, dict] = defaultdict(dict)
    versions = {}
    for slug, version, owner, code, name in db.session.execute(query):
        versions[slug] = (owner, version)  # ordered shipped first: the user's own comes last
        found[(slug, owner)][code] = name
    return {
        slug: {"slug": slug, "version": version, "names": found[(slug, owner)]}
        for slug, (owner, version) in versions.items()
    }


def end_names(user, crosswalk: Crosswalk) -> dict[str, dict[str, str]]:
    """{"from": {code: name}, "to": {code: name}} of the crosswalk's two frameworks."""
    slugs = {crosswalk.from_framework, crosswalk.to_framework}
    ends = frameworks(user, slugs, shipped=crosswalk.owner_id is None)
    return {
        side: ends.get(slug, {}).get("names", {})
        for side, slug in (("from", crosswalk.from_framework), ("to", crosswalk.to_framework))
    }


def export(fmt: str, crosswalk: Crosswalk, user) -> str:
    data = crosswalk_dict(crosswalk)
    if fmt == "csv":
        return table.export_csv(data)
    ends = frameworks(user, {data["from"], data["to"]}, shipped=crosswalk.owner_id is None)
    return json.dumps(case.export_case(data, ends), ensure_ascii=False, indent=2)


def parse(fmt: str, raw: bytes, meta: dict, user, team_id: int | None = None) -> dict:
    """The crosswalk dict from a file; CrosswalkError naming each line or field when invalid.
    With `team_id`, slugs name the team's frameworks (else shipped ones), and only CSV is read:
    a CASE file's items are matched against the user's frameworks."""
    if fmt == "csv":
        meta = {key: meta.get(key) or default for key, default in CSV_DEFAULTS.items()}
        owner = user.id if team_id is None else None
        return table.parse_csv(raw, meta, framework_codes(owner, team_id))
    if team_id is not None:
        raise CrosswalkError(["A team's crosswalk is imported from CSV."])
    if fmt == "case":
        return case.parse_case(raw, meta, case.item_index(frameworks(user)))
    raise CrosswalkError([f"Choose one of: {', '.join(FORMATS.values())}."])
