"""Crosswalks in the account export (version 5 on): the user's own crosswalks with their mappings,
and the user's overrides of shipped ones.

Both name frameworks by slug and competencies by code, as the rows do, so they import whatever
the frameworks' ids are. Only the mappings and overrides in force go out: the history of the
user's edits (what a cycle that ended before an edit counted) is not carried; an imported mapping
holds from its crosswalk's creation, an override from its own. A crosswalk already there (same
slug and version) is skipped with its mappings, an override of a pair already overridden too:
importing twice changes nothing. Codes are not checked against the frameworks: a crosswalk may
outlive an edit of its framework, and counting ignores a code no activity can carry.
"""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cpd_log.account.account_format import record
from cpd_log.account.codec import Reader, Seen, write
from cpd_log.account.transfer import BadFile
from cpd_log.crosswalks.editing import current_overrides
from cpd_log.extensions import db
from cpd_log.models import Crosswalk, CrosswalkMapping, CrosswalkOverride
from cpd_log.models.crosswalk import RELATIONS

LIMITS = {"slug": 64, "version": 32, "name": 200, "from_framework": 64, "to_framework": 64}
LIMITS |= {"crosswalk_slug": 64, "from_code": 32, "to_code": 32}


def export_crosswalks(user) -> dict:
    crosswalks = db.session.scalars(
        select(Crosswalk)
        .where(Crosswalk.owner_id == user.id)
        .options(selectinload(Crosswalk.mappings))
        .order_by(Crosswalk.id)
    )
    overrides = db.session.scalars(current_overrides(user).order_by(CrosswalkOverride.id))
    return {
        "crosswalks": [
            write(
                record("crosswalk"),
                row,
                mappings=[write(record("crosswalk_mapping"), m) for m in row.mappings],
            )
            for row in crosswalks
        ],
        "crosswalk_overrides": [write(record("crosswalk_override"), row) for row in overrides],
    }


def import_crosswalks(user, document: dict, reader: Reader) -> int:
    """Add the crosswalks and overrides the account lacks; how many of both."""
    mine = select(Crosswalk).where(Crosswalk.owner_id == user.id)
    seen = Seen(record("crosswalk"), db.session.scalars(mine))
    added = 0
    for where, _, values in reader.each("crosswalk", document["crosswalks"], "Crosswalk"):
        _check(values, where)
        if seen.get(values) is not None:
            continue
        mappings = []
        for n, raw in enumerate(values["mappings"], start=1):
            mapping = reader.read("crosswalk_mapping", raw, f"{where}, mapping {n}")
            _check(mapping, f"{where}, mapping {n}")
            mappings.append(CrosswalkMapping(**record("crosswalk_mapping").columns(mapping)))
        columns = record("crosswalk").columns(values)
        db.session.add(Crosswalk(owner_id=user.id, mappings=mappings, **columns))
        seen.add(values, True)
        added += 1
    overridden = Seen(record("crosswalk_override"), db.session.scalars(current_overrides(user)))
    items = document["crosswalk_overrides"]
    for where, _, values in reader.each("crosswalk_override", items, "Crosswalk override"):
        _check(values, where)
        if overridden.get(values) is None:
            columns = record("crosswalk_override").columns(values)
            db.session.add(CrosswalkOverride(user_id=user.id, **columns))
            overridden.add(values, True)
            added += 1
    db.session.flush()
    return added


def _check(values: dict, where: str) -> None:
    """What the tables insist on: a known relation (an override's may be null) and lengths."""
    relation = values.get("relation", "exact")
    if relation is not None and relation not in RELATIONS:
        raise BadFile(f"{where}: “relation” is one of {', '.join(RELATIONS)}.")
    for name, limit in LIMITS.items():
        if len(values.get(name) or "") > limit:
            raise BadFile(f"{where}: “{name}” is longer than {limit} characters.")
        if name in values and not values[name]:
            raise BadFile(f"{where}: “{name}” is empty.")
