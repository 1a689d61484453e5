"""A user's own crosswalks and their overrides of shipped ones. Services flush; the view commits.

A user's crosswalk is one version ("1"), edited mapping by mapping: a change of a pair's relation
or its removal closes the pair's row and adds a new one, so a cycle that ended before the edit
keeps counting as it did (models/crosswalk.py; a new reason alone changes nothing counted and is
written in place). It maps from one of the user's own frameworks to one of theirs or a shipped one.
An override names a pair of a shipped crosswalk by the crosswalk's slug, so it holds across the
shipped versions; it is edited the same way: a cycle that ended before it was made counts
without it, one that ended before it was changed or dropped keeps it (loading.py).
"""

import re

from sqlalchemy import select

from cpd_log.access import owned, shipped, visible
from cpd_log.crosswalks.checking import CrosswalkError, check_crosswalk
from cpd_log.crosswalks.services import framework_codes, load_crosswalk
from cpd_log.extensions import db
from cpd_log.models import Crosswalk, CrosswalkMapping, CrosswalkOverride, Framework
from cpd_log.models.types import utcnow

OWN_VERSION = "1"
NOT_COUNTED = "none"  # the form's word for an override that takes a shipped pair out


class MappingError(ValueError):
    """A mapping that cannot be saved; the message says why."""


def framework_choices(user) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(slug, name) of the frameworks a crosswalk may map from (the user's own) and to (own or
    shipped, but for a shipped namesake of their own). One query."""
    rows = db.session.execute(
        visible(Framework, user)
        .with_only_columns(Framework.slug, Framework.name, Framework.owner_id)
        .order_by(Framework.name)
    )
    both = [(slug, name, owner) for slug, name, owner in rows]
    own = [(slug, name) for slug, name, owner in both if owner is not None]
    # In the user's crosswalk a slug names their own framework where they have one of it, so a
    # shipped namesake cannot be mapped to (crosswalks/loading.py): it is not offered.
    mine = {slug for slug, _ in own}
    return own, [
        (slug, name) for slug, name, owner in both if owner is not None or slug not in mine
    ]


def newest_shipped(user) -> list[Crosswalk]:
    """The newest version of each shipped crosswalk, and every crosswalk of the user's."""
    rows = db.session.scalars(visible(Crosswalk, user).order_by(Crosswalk.name, Crosswalk.id))
    newest: dict[tuple, Crosswalk] = {}
    for row in rows:
        newest[(row.owner_id, row.slug)] = row  # ordered by id: the last one is the newest
    return sorted(newest.values(), key=lambda row: (row.owner_id is None, row.name.lower()))


def unique_slug(owner_id: int | None, name: str, team_id: int | None = None) -> str:
    """A slug from the name, numbered when the user (or the team) already has a crosswalk
    with it."""
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:56] or "crosswalk"
    whose = Crosswalk.owner_id == owner_id if team_id is None else Crosswalk.team_id == team_id
    taken = set(
        db.session.scalars(select(Crosswalk.slug).where(whose, Crosswalk.slug.startswith(base)))
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def create_crosswalk(user, data: dict) -> Crosswalk:
    """A new, empty crosswalk of the user's; `data` as CrosswalkForm.crosswalk_data() gives it."""
    row = Crosswalk(
        owner_id=user.id, slug=unique_slug(user.id, data["name"]), version=OWN_VERSION, **data
    )
    db.session.add(row)
    db.session.flush()
    return row


def update_crosswalk(crosswalk: Crosswalk, data: dict) -> Crosswalk:
    for key in ("name", "source", "licence", "description"):
        setattr(crosswalk, key, data[key])
    db.session.flush()
    return crosswalk


def delete_crosswalk(crosswalk: Crosswalk) -> None:
    db.session.delete(crosswalk)
    db.session.flush()


def _check_codes(user, crosswalk: Crosswalk, pair: tuple[str, str]) -> None:
    """A shipped crosswalk's codes are the shipped frameworks'; the user's, their own first."""
    codes = framework_codes(None if crosswalk.owner_id is None else user.id)
    from_framework, to_framework = crosswalk.from_framework, crosswalk.to_framework
    for framework, code in zip((from_framework, to_framework), pair, strict=True):
        if code not in codes.get(framework, set()):
            raise MappingError(f"{code} is not a competency of {framework}.")


def save_mapping(user, crosswalk: Crosswalk, data: dict) -> CrosswalkMapping:
    """Map a pair in the user's crosswalk (`data`: from_code, to_code, relation, reason): a new
    mapping, or the pair's mapping changed (its old row closed, see the module docstring).
    Raises MappingError for an unknown code."""
    pair = (data["from_code"], data["to_code"])
    _check_codes(user, crosswalk, pair)
    mapping = db.session.scalar(
        select(CrosswalkMapping).where(
            CrosswalkMapping.crosswalk_id == crosswalk.id,
            CrosswalkMapping.from_code == pair[0],
            CrosswalkMapping.to_code == pair[1],
            CrosswalkMapping.valid_to.is_(None),
        )
    )
    if mapping is None or mapping.relation != data["relation"]:
        now = utcnow()
        if mapping is not None:
            mapping.valid_to = now
        mapping = CrosswalkMapping(crosswalk_id=crosswalk.id, valid_from=now)
        db.session.add(mapping)
    for key, value in data.items():
        setattr(mapping, key, value)
    db.session.flush()
    db.session.expire(crosswalk, ["mappings"])
    return mapping


def delete_mapping(mapping: CrosswalkMapping) -> None:
    """The pair no longer maps from now on; cycles that ended before keep it."""
    mapping.valid_to = utcnow()
    db.session.flush()


def import_crosswalk(user, data: dict) -> Crosswalk:
    """A checked crosswalk dict (the shape of the shipped files) as a new crosswalk of the
    user's, never overwriting one: its slug is made unique among the user's. The mapped-from
    framework must be one of the user's own. Raises CrosswalkError."""
    own, _ = framework_choices(user)
    if data["from"] not in {slug for slug, _ in own}:
        raise CrosswalkError([f"from: {data['from']} is not one of your own frameworks."])
    data = {**data, "slug": unique_slug(user.id, data["name"]), "version": OWN_VERSION}
    data = check_crosswalk(data, framework_codes(user.id))
    row, _created = load_crosswalk(data, owner_id=user.id)
    return row


def user_overrides(user, slug: str) -> dict[tuple[str, str], CrosswalkOverride]:
    """The user's overrides of the shipped crosswalk `slug`, by (from code, to code)."""
    rows = db.session.scalars(
        current_overrides(user).where(CrosswalkOverride.crosswalk_slug == slug)
    )
    return {(row.from_code, row.to_code): row for row in rows}


def current_overrides(user):
    """A select of the user's overrides in force (not closed by a later edit)."""
    return owned(CrosswalkOverride, user).where(CrosswalkOverride.valid_to.is_(None))


def set_override(user, shipped: Crosswalk, data: dict) -> CrosswalkOverride:
    """The user's relation for a pair of a shipped crosswalk (None: it does not count for them),
    replacing an earlier override of the pair from now on (its row closed; a new reason alone is
    written in place). Raises MappingError for an unknown code."""
    pair = (data["from_code"], data["to_code"])
    _check_codes(user, shipped, pair)
    row = user_overrides(user, shipped.slug).get(pair)
    if row is None or row.relation != data["relation"]:
        now = utcnow()
        if row is not None:
            row.valid_to = now
        row = CrosswalkOverride(
            user_id=user.id,
            crosswalk_slug=shipped.slug,
            from_framework=shipped.from_framework,
            to_framework=shipped.to_framework,
            created_at=now,  # a changed judgement counts from today
        )
        db.session.add(row)
    for key, value in data.items():
        setattr(row, key, value)
    db.session.flush()
    return row


def delete_override(override: CrosswalkOverride) -> None:
    """Back to the shipped mapping (or none) for this pair, from now on."""
    override.valid_to = utcnow()
    db.session.flush()


def newest_version(slug: str) -> Crosswalk | None:
    """The newest version of the shipped crosswalk `slug`."""
    return db.session.scalar(
        select(Crosswalk)
        .where(shipped(Crosswalk), Crosswalk.slug == slug)
        .order_by(Crosswalk.id.desc())
        .limit(1)
    )


def current_mapping(user, crosswalk: Crosswalk, pair: dict) -> dict:
    """The form's starting values for the pair `pair` ({"from", "to"} codes, from the query
    string): the user's override, else the crosswalk's mapping, else nothing chosen."""
    key = (pair.get("from", ""), pair.get("to", ""))
    if crosswalk.owner_id is None:
        override = user_overrides(user, crosswalk.slug).get(key)
        if override is not None:
            relation = override.relation or NOT_COUNTED
            return {
                "from_code": key[0],
                "to_code": key[1],
                "relation": relation,
                "reason": override.reason,
            }
    for mapping in crosswalk.mappings:
        if (mapping.from_code, mapping.to_code) == key:
            return {
                "from_code": key[0],
                "to_code": key[1],
                "relation": mapping.relation,
                "reason": mapping.reason,
            }
    return {"from_code": key[0] or None, "to_code": key[1] or None}
