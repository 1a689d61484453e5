"""CPD schemes in the account export: the user's own schemes, enrolments and split overrides.

Cycles are derived (schemes.services.enrol creates them from the start date), so they are not
in the file; an override names its cycle by enrolment key and cycle number, its activity by the
activity's key in the same file. A shipped scheme is referenced by slug and version; when the
target instance lacks that version, the newest shipped version of the slug is used and counted.
Import skips what is already there (enrolment: same creation time and label; override: same
cycle, activity and category), so re-importing changes nothing.
"""

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cpd_log.access import member_teams, owned, shipped
from cpd_log.account.account_format import record
from cpd_log.account.codec import Reader, Seen, write
from cpd_log.account.transfer import BadFile
from cpd_log.extensions import db
from cpd_log.models.scheme import Allocation, Cycle, Enrolment, Scheme
from cpd_log.schemes import services
from cpd_log.schemes.checking import SchemeError, check_scheme
from cpd_log.schemes.forms import EARLIEST_START_YEARS


def _enrolments(user) -> list[Enrolment]:
    return list(
        db.session.scalars(
            owned(Enrolment, user)
            .options(selectinload(Enrolment.scheme))
            .order_by(Enrolment.created_at, Enrolment.id)
        )
    )


def enrolment_keys(user) -> dict[int, str]:
    """Enrolment id → its key in the file ("e1", …); a portfolio names its cycle with it."""
    return {e.id: f"e{n}" for n, e in enumerate(_enrolments(user), start=1)}


def export_schemes(user, activity_keys: dict[int, str]) -> dict:
    enrolments = _enrolments(user)
    keys = {e.id: f"e{n}" for n, e in enumerate(enrolments, start=1)}
    rows = db.session.execute(
        select(Allocation, Cycle.enrolment_id, Cycle.number)
        .join(Cycle, Allocation.cycle_id == Cycle.id)
        .where(Allocation.user_id == user.id)
    )
    overrides = sorted(
        (
            write(
                record("split_override"),
                row,
                enrolment=keys[enrolment_id],
                cycle=number,
                activity=activity_keys[row.activity_id],
            )
            for row, enrolment_id, number in rows
        ),
        key=lambda o: (o["enrolment"], o["cycle"], o["activity"], o["category"]),
    )
    return {
        "schemes": [
            write(record("scheme"), s, content=s.content)
            for s in db.session.scalars(
                select(Scheme).where(Scheme.owner_id == user.id).order_by(Scheme.id)
            )
        ],
        "enrolments": [
            write(
                record("enrolment"),
                e,
                key=keys[e.id],
                scheme=[e.scheme.slug, e.scheme.version, _owner(e.scheme)],
            )
            for e in enrolments
        ],
        "split_overrides": overrides,
    }


def _owner(scheme: Scheme) -> str:
    """ "global", "own", or "team": a team's scheme is not in the file; a restore finds it while
    the user is still in a team that has it."""
    if scheme.team_id is not None:
        return "team"
    return "global" if scheme.owner_id is None else "own"


def import_schemes(user, document: dict, activity_ids: dict, reader: Reader, today: date) -> dict:
    """Own schemes, then enrolments (cycles made by the enrol service), then overrides
    (`document`: its values as `reader` read them). Returns counts of what was added."""
    schemes = 0
    for where, _, values in reader.each("scheme", document["schemes"], "Scheme"):
        schemes += _import_scheme(user, values, where)
    enrolment_ids, enrolments, moved = _import_enrolments(user, document, reader, today)
    overrides = _import_overrides(user, document, (enrolment_ids, activity_ids), reader)
    return {
        "schemes": schemes,
        "enrolments": enrolments,
        "enrolments moved to the newest version of their scheme": moved,
        "split overrides": overrides,
    }


def _import_scheme(user, values: dict, where: str) -> int:
    content = values["content"]
    try:
        check_scheme(content)
    except SchemeError as error:
        raise BadFile(f"{where}: “content” is not a valid scheme ({error}).") from None
    for name in ("slug", "version"):
        if values[name] != content[name]:
            raise BadFile(f"{where}: “{name}” does not match the scheme's content.")
    return int(services.load_scheme(content, owner_id=user.id)[1])


def _scheme_finder(user):
    rows = db.session.scalars(
        select(Scheme)
        .where(
            shipped(Scheme) | (Scheme.owner_id == user.id) | Scheme.team_id.in_(member_teams(user))
        )
        .order_by(Scheme.id)
    )
    exact, newest = {}, {}
    for row in rows:
        exact[(row.slug, row.version, _owner(row))] = row
        newest[(row.slug, _owner(row))] = row

    def find(reference, where: str) -> tuple[Scheme, bool]:
        """(scheme, moved): moved when a shipped version is missing and the newest stands in."""
        valid = isinstance(reference, list) and len(reference) == 3
        key = tuple(reference) if valid and all(isinstance(p, str) for p in reference) else None
        if key in exact:
            return exact[key], False
        if key is not None and key[2] == "global" and (key[0], "global") in newest:
            return newest[(key[0], "global")], True
        raise BadFile(f"{where}: “scheme” {reference!r} is not a scheme on this instance.")

    return find


def _import_enrolments(user, document: dict, reader: Reader, today: date) -> tuple[dict, int, int]:
    seen = Seen(record("enrolment"), db.session.scalars(owned(Enrolment, user)))
    find = _scheme_finder(user)
    ids: dict[str, int] = {}
    added = moved = 0
    for where, _, values in reader.each("enrolment", document["enrolments"], "Enrolment"):
        _check_enrolment(values, today, where)
        scheme, substituted = find(values["scheme"], where)
        if seen.get(values) is None:
            enrolment = services.enrol(user, scheme, values["start_date"], values["label"], today)
            enrolment.created_at = values["created_at"]
            seen.add(values, enrolment.id)
            added += 1
            moved += int(substituted)
        ids[str(values["key"])] = seen.get(values)
    return ids, added, moved


def portfolio_cycle_finder(user, document: dict, reader: Reader):
    """A function: a portfolio's "cycle" ([enrolment key, cycle number] or null) → cycle id.
    Runs after the enrolments are imported; they are found as _import_enrolments finds them."""
    seen = Seen(record("enrolment"), db.session.scalars(owned(Enrolment, user)))
    keys = {
        str(values["key"]): seen.get(values)
        for _, _, values in reader.each("enrolment", document["enrolments"], "Enrolment")
    }
    cycles = {(c.enrolment_id, c.number): c.id for c in db.session.scalars(owned(Cycle, user))}

    def find(reference, where: str) -> int | None:
        if reference is None:
            return None
        valid = isinstance(reference, list) and len(reference) == 2
        key = (keys.get(str(reference[0])), reference[1]) if valid else None
        if key not in cycles:
            raise BadFile(f"{where}: “cycle” names no cycle in this file.")
        return cycles[key]

    return find


def _check_enrolment(values: dict, today: date, where: str) -> None:
    """The enrol form's limits: every cycle since the start is stored."""
    if not values["label"].strip() or len(values["label"]) > 100:
        raise BadFile(f"{where}: “label” has an invalid value.")
    earliest = today - timedelta(days=EARLIEST_START_YEARS * 365)
    if not earliest <= values["start_date"] <= date(2100, 12, 31):
        raise BadFile(f"{where}: “start_date” has an invalid value.")


def _import_overrides(user, document: dict, keyed: tuple[dict, dict], reader: Reader) -> int:
    enrolment_ids, activity_ids = keyed
    cycles = {
        (c.enrolment_id, c.number): c
        for c in db.session.scalars(owned(Cycle, user).options(selectinload(Cycle.scheme)))
    }
    seen = Seen(record("split_override"), db.session.scalars(owned(Allocation, user)))
    added = 0
    overrides = document["split_overrides"]
    for where, _, values in reader.each("split_override", overrides, "Split override"):
        cycle = cycles.get((enrolment_ids.get(str(values["enrolment"])), values["cycle"]))
        if cycle is None:
            raise BadFile(f"{where}: “enrolment” and “cycle” name no cycle in this file.")
        activity_id = activity_ids.get(str(values["activity"]))
        if activity_id is None:
            raise BadFile(f"{where}: “activity” names no activity in this file.")
        if values["category"] not in leaf_codes(cycle.scheme):
            raise BadFile(f"{where}: “category” is not a category of {cycle.scheme.name}.")
        same = {"cycle_id": cycle.id, "activity_id": activity_id, "category": values["category"]}
        if seen.get(same) is None:
            db.session.add(Allocation(user_id=user.id, minutes=values["minutes"], **same))
            seen.add(same, True)
            added += 1
    return added


def leaf_codes(scheme: Scheme) -> set[str]:
    """Codes a split may use: categories without sub-categories (as splits.split_errors)."""
    categories = scheme.content["categories"]
    return {c["code"] for top in categories for c in (top.get("subcategories") or [top])}
