"""Restoring trash items: the snapshots go back through the account import (new ids), their links
are made again where what they pointed at still exists, and what could not come back is said.

A competency (or a whole framework of the user's) deleted since is left out of the tags and
named; a reflection the activity was about, a goal it was linked to, or the activity a reflection
was about that no longer exists is skipped and counted. Evidence files are read back from the
user's folder through the upload's own service (type, caps and quota checked again; the bytes are
there already, so they add nothing to the quota).
"""

from dataclasses import dataclass, field

from sqlalchemy import insert, inspect, select, update

from cpd_log.access import owned
from cpd_log.account.account_format import RECORDS
from cpd_log.account.account_format import record as declared
from cpd_log.account.account_import import import_reflections
from cpd_log.account.activity_state_transfer import import_state
from cpd_log.account.codec import Notes, Reader
from cpd_log.account.evidence_transfer import EvidenceFiles, import_evidence
from cpd_log.account.transfer import BadFile, competency_resolver
from cpd_log.activities.tags import insert_tags
from cpd_log.evidence import storage
from cpd_log.extensions import db
from cpd_log.models import Activity, ClaimStatus, Goal, Reflection, TrashFile, TrashItem
from cpd_log.models.development import goal_activity
from cpd_log.models.scheme import Allocation, Cycle
from cpd_log.trash.moving import ACTIVITY, REFLECTION


@dataclass
class Restored:
    activities: int = 0
    reflections: int = 0
    unknown_competencies: list[str] = field(default_factory=list)
    links_lost: int = 0  # reflections, goals or activities pointed at that are gone
    imported_again: int = 0  # a calendar event or spreadsheet row imported again since
    missing_files: int = 0

    def message(self) -> str:
        counts = []
        if self.activities:
            counts.append(f"{self.activities} activit{'y' if self.activities == 1 else 'ies'}")
        if self.reflections:
            counts.append(f"{self.reflections} reflection{'s' * (self.reflections != 1)}")
        parts = [f"Restored {' and '.join(counts) or 'nothing'}."]
        if self.unknown_competencies:
            names = ", ".join(sorted(set(self.unknown_competencies)))
            parts.append(f"Tags no longer available were left out: {names}.")
        if self.links_lost:
            parts.append(f"{self.links_lost} link(s) to deleted items could not be made again.")
        if self.imported_again:
            parts.append(
                f"{self.imported_again} had been imported again since the delete: "
                "both copies are kept."
            )
        if self.missing_files:
            parts.append(f"{self.missing_files} evidence file(s) were missing from storage.")
        return " ".join(parts)


def restore(user, items: list[TrashItem]) -> Restored:
    """Put the user's `items` back and remove them from the trash. Raises BadFile (nothing
    written by the caller's rollback) when a snapshot cannot be read, or when the items were
    restored meanwhile (a second click, another tab): the user's storage lock serialises
    restores, and the items are read again under it."""
    storage.lock(db.session.connection(), user.id)
    wanted = [inspect(i).identity[0] for i in items]  # never a refresh of a stale item
    items = list(
        db.session.scalars(
            owned(TrashItem, user)
            .where(TrashItem.id.in_(wanted))
            .execution_options(populate_existing=True)
        )
    )
    if len(items) != len(wanted):
        raise BadFile("it was restored already (in another tab, or by a second click).")
    result, notes = Restored(), Notes()
    reader = Reader(RECORDS, notes)
    resolve = competency_resolver(user)
    files = EvidenceFiles(storage.user_folder(user.id))
    context = (resolve, files, reader, lambda n: None)
    activities = [i.snapshot for i in items if i.kind == ACTIVITY]
    reflections = [i.snapshot for i in items if i.kind == REFLECTION]
    records = [s["record"] for s in activities + reflections]
    for record in records:
        _prepare(user, record, resolve, result)
    result.imported_again = _release_import_ids(user, [s["record"] for s in activities])
    ids = _insert_activities(user, [s["record"] for s in activities], context)
    result.activities = len(ids)
    live = _live_activities(user, [s["record"]["activity"] for s in reflections])
    result.links_lost += sum(
        1
        for s in reflections
        if s["record"]["activity"]
        and s["record"]["activity"] not in ids
        and s["record"]["activity"] not in live
    )
    _, result.reflections = import_reflections(
        user, [s["record"] for s in reflections], {**live, **ids}, context
    )
    result.links_lost += _relink(user, ids, activities)
    result.links_lost += _restore_cycle_rows(user, ids, activities, reader)
    result.missing_files = len(notes.missing)
    _forget(user, items)
    return result


def _prepare(user, record: dict, resolve, result: Restored) -> None:
    """Leave out tags whose competency is gone (named in the result) and mark evidence whose
    file is no longer on disk as missing (the import then skips and counts it)."""
    kept = []
    for reference in record.get("competencies", []):
        try:
            resolve(reference, "")
            kept.append(reference)
        except BadFile:
            result.unknown_competencies.append(" ".join(str(part) for part in reference[::2]))
    record["competencies"] = kept
    for evidence in record.get("evidence", []):
        digest = evidence.get("sha256")
        if (
            digest
            and not evidence.get("missing")
            and not storage.blob_path(user.id, digest).is_file()
        ):
            evidence["missing"], evidence["file"] = True, None


def _insert_activities(user, records: list[dict], context) -> dict[str, int]:
    """The activities back in one INSERT (ids returned in order), their tags in one more, then
    badge, quick-capture mark, dismissals and evidence through the account import's own code.
    Not the account import's activity step: it skips a record whose creation time and title an
    activity already has, and rows imported together share both."""
    resolve, files, reader, _ = context
    read = [
        (values, f"Activity {n}")
        for n, (_, _, values) in enumerate(reader.each("activity", records, "Activity"), start=1)
    ]
    if not read:
        return {}
    rows = [{"user_id": user.id, **declared("activity").columns(v)} for v, _ in read]
    new_ids = list(
        db.session.scalars(
            insert(Activity).returning(Activity.id, sort_by_parameter_order=True), rows
        )
    )
    insert_tags(
        [
            {"activity_id": new_id, "competency_id": resolve(reference, where)}
            for new_id, (values, where) in zip(new_ids, read, strict=True)
            for reference in values["competencies"]
        ]
    )
    for new_id, (values, where) in zip(new_ids, read, strict=True):
        import_state(user, new_id, values, reader, where)
        if values["evidence"]:
            activity = db.session.get(Activity, new_id)
            for m, item in enumerate(values["evidence"], start=1):
                import_evidence(user, activity, item, f"{where}, evidence {m}", files, reader)
    return {str(v["key"]): new_id for new_id, (v, _) in zip(new_ids, read, strict=True)}


def _release_import_ids(user, records: list[dict]) -> int:
    """An activity imported from a calendar or spreadsheet keeps the event's id, which says
    "already imported" to a re-import. When the same event was imported again after the delete,
    the restored copy gives its id up (one activity per source and id); returns how many."""
    uids = {r["external_uid"] for r in records if r.get("external_uid")}
    if not uids:
        return 0
    taken = {
        (source.value, uid)
        for source, uid in db.session.execute(
            owned(Activity, user)
            .with_only_columns(Activity.source, Activity.external_uid)
            .where(Activity.external_uid.in_(uids))
        )
    }
    clashing = [r for r in records if (r.get("source"), r.get("external_uid")) in taken]
    for record in clashing:
        record["external_uid"] = None
    return len(clashing)


def _live_activities(user, keys) -> dict[str, int]:
    """The user's activities named by reflection snapshots that still exist, by key."""
    wanted = {int(k[1:]): k for k in keys if isinstance(k, str) and k[1:].isdigit()}
    if not wanted:
        return {}
    found = db.session.scalars(
        owned(Activity, user).with_only_columns(Activity.id).where(Activity.id.in_(wanted))
    )
    return {wanted[i]: i for i in found}


def _relink(user, ids: dict[str, int], snapshots: list[dict]) -> int:
    """Make the restored activities' reflections and goals point at them again (an UPDATE per
    activity that had reflections, one query and one INSERT for every goal link); returns how
    many links could not be made (the reflection or goal is gone, or a reflection was given
    another activity meanwhile)."""
    lost = 0
    for snapshot in snapshots:
        reflections = snapshot.get("reflections", [])
        if reflections:
            lost += (
                len(reflections)
                - db.session.execute(
                    update(Reflection)
                    .where(
                        Reflection.user_id == user.id,
                        Reflection.id.in_(reflections),
                        Reflection.activity_id.is_(None),
                    )
                    .values(activity_id=ids[str(snapshot["record"]["key"])]),
                    execution_options={"synchronize_session": False},
                ).rowcount
            )
    wanted = [
        (goal_id, ids[str(snapshot["record"]["key"])])
        for snapshot in snapshots
        for goal_id in snapshot.get("goals", [])
    ]
    live = set(
        db.session.scalars(
            owned(Goal, user)
            .with_only_columns(Goal.id)
            .where(Goal.id.in_({goal_id for goal_id, _ in wanted}))
        )
        if wanted
        else ()
    )
    insert_tags([{"goal_id": g, "activity_id": a} for g, a in wanted if g in live], goal_activity)
    return lost + sum(1 for goal_id, _ in wanted if goal_id not in live)


def _restore_cycle_rows(user, ids: dict[str, int], snapshots: list[dict], reader) -> int:
    """The activities' claim statuses and own splits, in the cycles that still exist (a cycle
    goes when its enrolment does); one INSERT each. Returns how many could not come back."""
    wanted = {
        row["cycle_id"]
        for snapshot in snapshots
        for row in snapshot.get("claims", []) + snapshot.get("splits", [])
    }
    if not wanted:
        return 0
    live = set(
        db.session.scalars(
            owned(Cycle, user).with_only_columns(Cycle.id).where(Cycle.id.in_(wanted))
        )
    )
    claims, splits, lost = [], [], 0
    for snapshot in snapshots:
        same = {"user_id": user.id, "activity_id": ids[str(snapshot["record"]["key"])]}
        for n, raw in enumerate(snapshot.get("claims", []), start=1):
            if raw["cycle_id"] not in live:
                lost += 1
                continue
            values = reader.read("claim_status", raw, f"Claim status {n}")
            columns = declared("claim_status").columns(values)
            claims.append({**same, "cycle_id": raw["cycle_id"], **columns})
        for split in snapshot.get("splits", []):
            if split["cycle_id"] in live:
                splits.append({**same, **split})
            else:
                lost += 1
    if claims:
        db.session.execute(insert(ClaimStatus), claims)
    if splits:
        db.session.execute(insert(Allocation), splits)
    return lost


def _forget(user, items: list[TrashItem]) -> None:
    """Remove the items; their files go after the commit unless a restored row names them."""
    ids = [i.id for i in items]
    digests = db.session.scalars(select(TrashFile.sha256).where(TrashFile.trash_item_id.in_(ids)))
    storage.schedule_release(user.id, list(digests))
    for item in items:
        db.session.delete(item)
    db.session.flush()
