"""Which competencies of a framework an activity's tags reach through crosswalks. Pure Python (no
Flask, no SQLAlchemy), like the rules engine that uses it.

A mapping joins a competency of one framework to one of another with a relation that says how the
first relates to the second (exact, narrower: a part of it, broader: it includes it, related: they
overlap). It is read both ways: A narrower than B is B broader than A. A tag reaches a code in one
step only (a PMO tag reaches the Talent Triangle through the PMO crosswalk, never through APM).
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

COUNTING = frozenset({"exact", "broader", "narrower"})  # "related" counts only where a scheme says
INVERSE = {"exact": "exact", "broader": "narrower", "narrower": "broader", "related": "related"}

Tag = tuple[str, str]  # (framework key, competency code)
OWNED = "@"  # a user's own framework's key: slug@owner id
TEAM = "team:"  # a team's framework's key: slug@team:team id


def framework_key(slug: str, owner_id: int | None = None, team_id: int | None = None) -> str:
    """A framework as counting names it: a shipped one by its slug, a user's own by slug@owner,
    a team's by slug@team:id, so a framework that shares another's slug is never taken for it.
    (Slugs are [a-z0-9-]: the shipped files' schema and unique_slug say so.)"""
    if team_id is not None:
        return f"{slug}{OWNED}{TEAM}{team_id}"
    return slug if owner_id is None else f"{slug}{OWNED}{owner_id}"


class KeyParts(NamedTuple):
    slug: str
    owner_id: int | None = None
    team_id: int | None = None


def key_parts(key: str) -> KeyParts:
    """(slug, owner id or None, team id or None) of a framework key."""
    slug, mark, owner = key.rpartition(OWNED)
    if mark and owner.startswith(TEAM) and owner[len(TEAM) :].isdigit():
        return KeyParts(slug, None, int(owner[len(TEAM) :]))
    return KeyParts(slug, int(owner)) if mark and owner.isdigit() else KeyParts(key)


class Mapping(NamedTuple):
    """One row of a crosswalk version, with the names the cycle page words its reasons with."""

    crosswalk: int  # the crosswalk version's id
    crosswalk_name: str
    from_framework: str
    from_code: str
    to_framework: str
    to_code: str
    relation: str
    from_name: str = ""
    to_name: str = ""
    since: date | None = None  # made by an edit on that day (None: with its version)
    until: date | None = None  # changed or removed by an edit on that day (None: in force)


def held_on(since: date | None, until: date | None, ended: date | None) -> bool:
    """Whether a row made on `since` (None: with its crosswalk version) and closed by an edit on
    `until` (None: still in force) counts for a cycle that ended on `ended` (None: one still
    open, which counts with the rows in force). The last edit of a day is what held that day."""
    if ended is None:
        return until is None
    return (since is None or since <= ended) and (until is None or until > ended)


class Step(NamedTuple):
    """How one tag reaches one code of another framework: one mapping, read from the tag's side."""

    tag: Tag
    tag_name: str
    code: str  # the code reached
    crosswalk: int
    crosswalk_name: str
    related: bool  # only "related": counts where the scheme asks for it


class Version(NamedTuple):
    """A crosswalk version as far as choosing one goes."""

    id: int
    owner_id: int | None
    slug: str
    loaded_on: date
    team_id: int | None = None  # a team's crosswalk (its namesakes are other crosswalks)


def in_force(versions: Iterable[Version], ended: date | None = None) -> frozenset[int]:
    """The ids of the version of each crosswalk that counts: the newest one, or for a cycle that
    `ended` on that day, the newest loaded by then (none if the crosswalk came later)."""
    chosen: dict[tuple, Version] = {}
    for version in versions:
        if ended is not None and version.loaded_on > ended:
            continue
        key = (version.owner_id, version.team_id, version.slug)
        if key not in chosen or version.id > chosen[key].id:
            chosen[key] = version
    return frozenset(version.id for version in chosen.values())


class Override(NamedTuple):
    """A user's own relation for one pair of a shipped crosswalk; None: the pair does not count."""

    slug: str  # the shipped crosswalk's
    from_framework: str
    from_code: str
    to_framework: str
    to_code: str
    relation: str | None
    made_on: date
    from_name: str = ""
    to_name: str = ""
    until: date | None = None  # changed or dropped by the user on that day (None: in force)


def overridden(
    version: int, name: str, mappings: list[Mapping], overrides: Iterable[Override]
) -> list[Mapping]:
    """A shipped crosswalk version's mappings as the user judges them: each pair the user has
    overridden is dropped, then the overrides that keep a relation are added, named as the
    user's so the cycle page says whose judgement counted."""
    overrides = list(overrides)
    pairs = {(o.from_code, o.to_code) for o in overrides}
    kept = [m for m in mappings if (m.from_code, m.to_code) not in pairs]
    own = f"{name}, as you changed it"
    return kept + [
        Mapping(version, own, *o[1:5], o.relation, o.from_name, o.to_name)
        for o in overrides
        if o.relation is not None
    ]


class CrosswalkMap:
    """The steps of a set of mappings, indexed by the tag they start from."""

    def __init__(self, mappings: Iterable[Mapping] = ()):
        self.steps: dict[Tag, dict[str, list[Step]]] = defaultdict(lambda: defaultdict(list))
        for m in mappings:
            ahead = Step(
                (m.from_framework, m.from_code),
                m.from_name,
                m.to_code,
                m.crosswalk,
                m.crosswalk_name,
                m.relation not in COUNTING,
            )
            back = Step(
                (m.to_framework, m.to_code),
                m.to_name,
                m.from_code,
                m.crosswalk,
                m.crosswalk_name,
                INVERSE[m.relation] not in COUNTING,
            )
            self.steps[ahead.tag][m.to_framework].append(ahead)
            self.steps[back.tag][m.from_framework].append(back)
        self.steps = {tag: dict(targets) for tag, targets in self.steps.items()}

    def frameworks_into(self, framework: str) -> set[str]:
        """The frameworks whose tags can reach `framework`."""
        return {tag[0] for tag, targets in self.steps.items() if framework in targets}

    def reached(
        self, tags: Iterable[Tag], framework: str, related: bool = False
    ) -> dict[str, list[Step | None]]:
        """{code of `framework`: how it is reached} from the tags: None for a tag in `framework`
        itself, else each step. A code reached several ways is one key: it counts once."""
        found: dict[str, list[Step | None]] = defaultdict(list)
        for tag in sorted(tags):
            if tag[0] == framework:
                found[tag[1]].insert(0, None)
                continue
            for step in self.steps.get(tag, {}).get(framework, ()):
                if related or not step.related:
                    found[step.code].append(step)
        return dict(found)
