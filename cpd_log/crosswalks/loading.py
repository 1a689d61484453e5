"""Reading the crosswalks a page counts with: every version of every crosswalk that joins another
framework to one the page's schemes count in, with the competency names, and the user's overrides
of shipped ones, in two queries. Rows an edit closed come too: a cycle that ended before the edit
counts with them (mapping.held_on)."""

from collections import defaultdict
from datetime import date
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import aliased

from cpd_log.access import member_teams, shipped
from cpd_log.crosswalks.mapping import (
    CrosswalkMap,
    Mapping,
    Override,
    Version,
    framework_key,
    held_on,
    in_force,
    key_parts,
    overridden,
)
from cpd_log.extensions import db
from cpd_log.models import Competency, Crosswalk, CrosswalkMapping, CrosswalkOverride, Framework
from cpd_log.models.team import TeamMembership

FROM_FRAMEWORK, TO_FRAMEWORK = aliased(Framework), aliased(Framework)
FROM_COMPETENCY, TO_COMPETENCY = aliased(Competency), aliased(Competency)


class PageCrosswalks:
    """The crosswalk versions a page may need, and the map each cycle counts with."""

    def __init__(
        self, versions: list[Version], mappings: list[Mapping], overrides: list[Override] = ()
    ):
        self.versions = versions
        self.names: dict[int, str] = {}
        self.mappings: dict[int, list[Mapping]] = defaultdict(list)
        for mapping in mappings:
            self.mappings[mapping.crosswalk].append(mapping)
            self.names[mapping.crosswalk] = mapping.crosswalk_name
        self.overrides = list(overrides)
        # Rows a user's edit made or closed: which of them held is part of a map's identity.
        self.edited = [m for m in mappings if m.since is not None or m.until is not None]
        # The pairs of frameworks any version joins: which tags to read.
        self.joined = {(m.from_framework, m.to_framework) for m in mappings}
        self._maps: dict[tuple, CrosswalkMap] = {}

    def for_cycle(self, ended: date | None) -> CrosswalkMap:
        """The map of the versions in force: the newest, or for a cycle that has `ended`, those
        loaded by its last day, with the user's edits and overrides as they stood on that day.
        Cycles with the same versions, mappings and overrides share one map (and its caches)."""
        ids = in_force(self.versions, ended)
        mine = tuple(o for o in self.overrides if held_on(o.made_on, o.until, ended))
        edited = tuple(m for m in self.edited if held_on(m.since, m.until, ended))
        key = (ids, mine, edited)
        found = self._maps.get(key)
        if found is None:
            found = self._maps[key] = CrosswalkMap(
                m
                for i in sorted(ids)
                for m in self._version_mappings(i, mine)
                if held_on(m.since, m.until, ended)
            )
        return found

    def _version_mappings(self, version: int, overrides: tuple[Override, ...]) -> list[Mapping]:
        found = next(v for v in self.versions if v.id == version)
        if found.owner_id is not None or found.team_id is not None:
            return self.mappings[version]
        own = [o for o in overrides if o.slug == found.slug]
        if not own:
            return self.mappings[version]
        return overridden(version, self.names[version], self.mappings[version], own)

    def frameworks_into(self, frameworks: set[str]) -> set[str]:
        """The frameworks whose tags can reach one of `frameworks` (themselves included)."""
        found = set(frameworks)
        for one, other in self.joined:  # a mapping is read both ways
            if other in frameworks:
                found.add(one)
            if one in frameworks:
                found.add(other)
        return found


def page_crosswalks(user, frameworks: set[str], team_id: int | None = None) -> PageCrosswalks:
    """Every version of the global and the user's crosswalks, and those of the teams the user is
    a member of, that touch `frameworks` (keys, see mapping.framework_key), and the user's
    overrides of shipped ones. Two queries (none without frameworks). A shipped crosswalk joins
    shipped frameworks; the user's joins their own framework of a slug where they have one, else
    the shipped one; a team's, the team's framework of the slug, else the shipped one. Names
    come from those. `team_id`: that team's crosswalks too (the lead dashboard's heat-map)."""
    if not frameworks:
        return PageCrosswalks([], [])
    slugs = sorted({key_parts(key).slug for key in frameworks})
    return _built(_rows(user, slugs, team_id), _overrides(user, slugs))


def members_page_crosswalks(users, frameworks: dict[int, set[str]]) -> dict[int, PageCrosswalks]:
    """{user id: exactly what page_crosswalks(user, frameworks[user id]) reads} for many users
    (a lead's team): three queries at any number of users (none without frameworks), the rows
    of all of them split by whose they are and which frameworks they touch. Users with the same
    rows share one PageCrosswalks (and its maps)."""
    wanted = {user.id: keys for user in users if (keys := frameworks.get(user.id))}
    found = {user.id: PageCrosswalks([], []) for user in users}
    if not wanted:
        return found
    slugs_of = {uid: {key_parts(key).slug for key in keys} for uid, keys in wanted.items()}
    every = sorted(set().union(*slugs_of.values()))
    teams_of: dict[int, set[int]] = defaultdict(set)
    for user_id, team_id in db.session.execute(
        select(TeamMembership.user_id, TeamMembership.team_id).where(
            TeamMembership.user_id.in_(sorted(wanted))
        )
    ):
        teams_of[user_id].add(team_id)
    ids, teams = sorted(wanted), sorted(set().union(*teams_of.values()))
    rows = list(_rows_of(or_(Crosswalk.owner_id.in_(ids), Crosswalk.team_id.in_(teams)), every))
    overrides: dict[int, list] = defaultdict(list)
    for user_id, *row in _override_rows(CrosswalkOverride.user_id.in_(ids), every):
        overrides[user_id].append(row)
    built: dict[tuple, PageCrosswalks] = {}
    for uid, slugs in slugs_of.items():
        theirs = [
            row
            for row in rows
            if (row[10] in slugs or row[16] in slugs)  # the crosswalk's from and to frameworks
            and (row[2] == uid or row[3] in teams_of[uid] or (row[2] is None and row[3] is None))
        ]
        mine = [row for row in overrides[uid] if row[1] in slugs or row[3] in slugs]
        same = (tuple(row[0] for row in theirs), tuple(map(tuple, mine)))  # most: shipped only
        if same not in built:
            built[same] = _built(theirs, [_override(*row) for row in mine])
        found[uid] = built[same]
    return found


def _built(rows, overrides: list[Override]) -> PageCrosswalks:
    versions, ends = {}, {}
    for mid, cid, owner, team, slug, loaded, name, relation, since, until, *both in rows:
        versions[cid] = Version(cid, owner, slug, loaded.date(), team)
        found = ends.setdefault(mid, [(cid, name, relation, since, until), None, None])
        for side, end in ((1, _End.of(*both[:6])), (2, _End.of(*both[6:]))):
            if found[side] is None or end > found[side]:
                found[side] = end
    mappings = [
        Mapping(cid, name, a.key, a.code, b.key, b.code, relation, a.name, b.name, *_days(span))
        for (cid, name, relation, *span), a, b in ends.values()
    ]
    return PageCrosswalks(list(versions.values()), mappings, overrides)


def _rows(user, slugs: list[str], team_id: int | None = None):
    """A row per mapping of a version touching the frameworks `slugs`, and per framework each
    end may name (a user's crosswalk: theirs and a shipped namesake)."""
    whose = or_(
        Crosswalk.owner_id == user.id,
        Crosswalk.team_id.in_(member_teams(user)),
        Crosswalk.team_id == team_id if team_id is not None else false(),
    )
    return _rows_of(whose, slugs)


def _rows_of(whose, slugs: list[str]):
    """_rows of the shipped crosswalks and those `whose` (a condition on Crosswalk) picks."""
    return db.session.connection().execute(
        select(
            CrosswalkMapping.id,
            Crosswalk.id,
            Crosswalk.owner_id,
            Crosswalk.team_id,
            Crosswalk.slug,
            Crosswalk.created_at,
            Crosswalk.name,
            CrosswalkMapping.relation,
            CrosswalkMapping.valid_from,
            CrosswalkMapping.valid_to,
            Crosswalk.from_framework,
            CrosswalkMapping.from_code,
            FROM_FRAMEWORK.id,
            FROM_FRAMEWORK.owner_id,
            FROM_FRAMEWORK.team_id,
            FROM_COMPETENCY.name,
            Crosswalk.to_framework,
            CrosswalkMapping.to_code,
            TO_FRAMEWORK.id,
            TO_FRAMEWORK.owner_id,
            TO_FRAMEWORK.team_id,
            TO_COMPETENCY.name,
        )
        .join(CrosswalkMapping, CrosswalkMapping.crosswalk_id == Crosswalk.id)
        .outerjoin(FROM_FRAMEWORK, _owners(FROM_FRAMEWORK, Crosswalk.from_framework))
        .outerjoin(FROM_COMPETENCY, _named(FROM_COMPETENCY, FROM_FRAMEWORK, "from_code"))
        .outerjoin(TO_FRAMEWORK, _owners(TO_FRAMEWORK, Crosswalk.to_framework))
        .outerjoin(TO_COMPETENCY, _named(TO_COMPETENCY, TO_FRAMEWORK, "to_code"))
        .where(
            or_(shipped(Crosswalk), whose),
            or_(Crosswalk.to_framework.in_(slugs), Crosswalk.from_framework.in_(slugs)),
        )
        .order_by(Crosswalk.id, CrosswalkMapping.id)
    )


class _End(NamedTuple):
    """One end of a mapping as a joined row found it; the greatest is the one that counts: the
    crosswalk owner's (a user's or a team's) own framework, else a shipped one, else none (a
    framework since deleted)."""

    rank: int
    key: str
    code: str
    name: str

    @classmethod
    def of(cls, slug, code, framework_id, owner_id, team_id, name) -> "_End":
        rank = 0 if framework_id is None else 1 if owner_id is None and team_id is None else 2
        return cls(rank, framework_key(slug, owner_id, team_id), code, name or "")


def _overrides(user, names: list[str]) -> list[Override]:
    """The user's overrides of shipped crosswalks touching the frameworks `names`."""
    rows = _override_rows(CrosswalkOverride.user_id == user.id, names)
    return [_override(*row) for _user_id, *row in rows]


def _override(slug, a, b, c, d, relation, made, to, from_name, to_name) -> Override:
    return Override(
        slug, a, b, c, d, relation, made.date(), from_name or "", to_name or "", _day(to)
    )


def _override_rows(whose, names: list[str]):
    """(user id, the columns of an Override) per override `whose` picks touching `names`."""
    return db.session.connection().execute(
        select(
            CrosswalkOverride.user_id,
            CrosswalkOverride.crosswalk_slug,
            CrosswalkOverride.from_framework,
            CrosswalkOverride.from_code,
            CrosswalkOverride.to_framework,
            CrosswalkOverride.to_code,
            CrosswalkOverride.relation,
            CrosswalkOverride.created_at,
            CrosswalkOverride.valid_to,
            FROM_COMPETENCY.name,
            TO_COMPETENCY.name,
        )
        .outerjoin(FROM_FRAMEWORK, _global(FROM_FRAMEWORK, CrosswalkOverride.from_framework))
        .outerjoin(FROM_COMPETENCY, _code(FROM_COMPETENCY, FROM_FRAMEWORK, "from_code"))
        .outerjoin(TO_FRAMEWORK, _global(TO_FRAMEWORK, CrosswalkOverride.to_framework))
        .outerjoin(TO_COMPETENCY, _code(TO_COMPETENCY, TO_FRAMEWORK, "to_code"))
        .where(
            whose,
            or_(
                CrosswalkOverride.to_framework.in_(names),
                CrosswalkOverride.from_framework.in_(names),
            ),
        )
        .order_by(CrosswalkOverride.id)
    )


def _whose(framework, owner: int | None, team: int | None) -> ColumnElement:
    if team is not None:
        return framework.team_id == team
    return shipped(framework) if owner is None else framework.owner_id == owner


def framework_in(framework, keys) -> ColumnElement:
    """SQL: `framework` (Framework or an alias) is one of those the `keys` name."""
    by_owner: dict[tuple, list[str]] = defaultdict(list)
    for key in keys:
        slug, owner, team = key_parts(key)
        by_owner[(owner, team)].append(slug)
    return or_(
        false(),
        *(
            and_(_whose(framework, owner, team), framework.slug.in_(sorted(slugs)))
            for (owner, team), slugs in by_owner.items()
        ),
    )


def own_keys(user, slugs) -> dict[str, str]:
    """{slug: key} of the slugs a user's scheme names: their own framework of the slug where
    they have one, else the shipped one. One query (none without slugs)."""
    slugs = sorted(set(slugs))
    mine = select(Framework.slug).where(Framework.owner_id == user.id, Framework.slug.in_(slugs))
    owned = set(db.session.scalars(mine)) if slugs else set()
    return {slug: framework_key(slug, user.id if slug in owned else None) for slug in slugs}


def team_keys(named: set[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """{(team id, slug): key} of the slugs teams' schemes name: the team's framework of the slug
    where it has one, else the shipped one. One query for every team (none without slugs)."""
    if not named:
        return {}
    teams, slugs = sorted({t for t, _ in named}), sorted({s for _, s in named})
    rows = db.session.execute(
        select(Framework.team_id, Framework.slug).where(
            Framework.team_id.in_(teams), Framework.slug.in_(slugs)
        )
    )
    owned = {(team, slug) for team, slug in rows}
    return {
        (team, slug): framework_key(slug, None, team if (team, slug) in owned else None)
        for team, slug in named
    }


def _days(moments) -> tuple[date | None, ...]:
    return tuple(_day(moment) for moment in moments)


def _day(moment) -> date | None:
    return None if moment is None else moment.date()


def _global(framework, slug):
    return and_(framework.slug == slug, shipped(framework))


def _owners(framework, slug):
    """The framework a crosswalk names: a global one, or one of the crosswalk owner's (a user's
    or a team's)."""
    return and_(
        framework.slug == slug,
        or_(
            shipped(framework),
            framework.owner_id == Crosswalk.owner_id,
            framework.team_id == Crosswalk.team_id,
        ),
    )


def _named(competency, framework, column: str):
    return _code(competency, framework, column, CrosswalkMapping)


def _code(competency, framework, column: str, table=CrosswalkOverride):
    return and_(
        competency.framework_id == framework.id,
        competency.code == getattr(table, column),
    )
