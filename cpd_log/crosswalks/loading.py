"""Reading the crosswalks a page counts with: every version of every crosswalk that joins another
framework to one the page's schemes count in, with the competency names, in one query."""

from collections import defaultdict
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from cpd_log.crosswalks.mapping import CrosswalkMap, Mapping, Version, in_force
from cpd_log.extensions import db
from cpd_log.models import Competency, Crosswalk, CrosswalkMapping, Framework

FROM_FRAMEWORK, TO_FRAMEWORK = aliased(Framework), aliased(Framework)
FROM_COMPETENCY, TO_COMPETENCY = aliased(Competency), aliased(Competency)


class PageCrosswalks:
    """The crosswalk versions a page may need, and the map each cycle counts with."""

    def __init__(self, versions: list[Version], mappings: list[Mapping]):
        self.versions = versions
        self.mappings: dict[int, list[Mapping]] = defaultdict(list)
        for mapping in mappings:
            self.mappings[mapping.crosswalk].append(mapping)
        self.every = CrosswalkMap(mappings)  # all versions: which tags to read, and signatures
        self._maps: dict[frozenset[int], CrosswalkMap] = {}

    def for_cycle(self, ended: date | None) -> CrosswalkMap:
        """The map of the versions in force: the newest, or for a cycle that has `ended`, those
        loaded by its last day. Cycles with the same versions share one map (and its caches)."""
        ids = in_force(self.versions, ended)
        found = self._maps.get(ids)
        if found is None:
            found = self._maps[ids] = CrosswalkMap(m for i in sorted(ids) for m in self.mappings[i])
        return found

    def frameworks_into(self, frameworks: set[str]) -> set[str]:
        """The frameworks whose tags can reach one of `frameworks` (themselves included)."""
        found = set(frameworks)
        for framework in frameworks:
            found |= self.every.frameworks_into(framework)
        return found


def page_crosswalks(user, frameworks: set[str]) -> PageCrosswalks:
    """Every version of the global and the user's crosswalks that touch `frameworks`. One query
    (none without frameworks); names come from the global frameworks."""
    if not frameworks:
        return PageCrosswalks([], [])
    names = sorted(frameworks)
    rows = db.session.connection().execute(
        select(
            Crosswalk.id,
            Crosswalk.owner_id,
            Crosswalk.slug,
            Crosswalk.created_at,
            Crosswalk.name,
            Crosswalk.from_framework,
            CrosswalkMapping.from_code,
            Crosswalk.to_framework,
            CrosswalkMapping.to_code,
            CrosswalkMapping.relation,
            FROM_COMPETENCY.name,
            TO_COMPETENCY.name,
        )
        .join(CrosswalkMapping, CrosswalkMapping.crosswalk_id == Crosswalk.id)
        .outerjoin(FROM_FRAMEWORK, _global(FROM_FRAMEWORK, Crosswalk.from_framework))
        .outerjoin(FROM_COMPETENCY, _named(FROM_COMPETENCY, FROM_FRAMEWORK, "from_code"))
        .outerjoin(TO_FRAMEWORK, _global(TO_FRAMEWORK, Crosswalk.to_framework))
        .outerjoin(TO_COMPETENCY, _named(TO_COMPETENCY, TO_FRAMEWORK, "to_code"))
        .where(
            or_(Crosswalk.owner_id.is_(None), Crosswalk.owner_id == user.id),
            or_(Crosswalk.to_framework.in_(names), Crosswalk.from_framework.in_(names)),
        )
        .order_by(Crosswalk.id, CrosswalkMapping.id)
    )
    versions, mappings = {}, []
    for cid, owner, slug, loaded, name, *mapping, from_name, to_name in rows:
        versions[cid] = Version(cid, owner, slug, loaded.date())
        mappings.append(Mapping(cid, name, *mapping, from_name or "", to_name or ""))
    return PageCrosswalks(list(versions.values()), mappings)


def _global(framework, slug):
    return and_(framework.slug == slug, framework.owner_id.is_(None))


def _named(competency, framework, column: str):
    return and_(
        competency.framework_id == framework.id,
        competency.code == getattr(CrosswalkMapping, column),
    )
