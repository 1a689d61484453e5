"""Moving activities and reflections into the trash: a snapshot per row, then the live rows go.

The snapshot of a row is its record in the account backup's format (account_export.py writes it
with the codec, account_format.py declares it), so restoring is the account import's own code:
tags by framework slug and code, badge, quick-capture mark, dismissed prompts, evidence metadata
and, for a reflection, the activity it is about. Besides the record, the snapshot keeps what points
at the row from elsewhere: the reflections about an activity (set to standalone by the delete)
and the goals it is linked to. Evidence files stay on disk, named by `trash_file`, until the item
is purged (services.purge). Services flush; the view commits.
"""

import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from cpd_log.access import owned
from cpd_log.account.account_export import activity_record, reflection_record
from cpd_log.account.account_format import record
from cpd_log.account.activity_state_transfer import state_exporter
from cpd_log.account.codec import write
from cpd_log.evidence import storage
from cpd_log.extensions import db
from cpd_log.models import Activity, ClaimStatus, Competency, Reflection, TrashFile, TrashItem
from cpd_log.models.development import goal_activity
from cpd_log.models.scheme import Allocation, Cycle
from cpd_log.models.types import utcnow

ACTIVITY, REFLECTION = "activity", "reflection"


def new_batch() -> str:
    """The name of one delete: "Undo" restores exactly the items that carry it."""
    return secrets.token_hex(16)


def activity_key(activity_id: int | None) -> str | None:
    """How a snapshot names an activity (the backup's `key`): by the id it had."""
    return None if activity_id is None else f"a{activity_id}"


def trash_activities(user, ids, batch: str) -> int:
    """Move the user's activities among `ids` to the trash (other users' ids are ignored);
    returns how many. A fixed number of queries however many: rows and tags, state, links,
    one INSERT of the items and their files, one DELETE (tags and evidence rows by cascade).
    Under the user's storage lock, so two tabs deleting the same rows never trash them twice."""
    storage.lock(db.session.connection(), user.id)
    activities = list(
        db.session.scalars(
            owned(Activity, user)
            .where(Activity.id.in_(list(ids)))
            .options(
                selectinload(Activity.competencies).selectinload(Competency.framework),
                selectinload(Activity.evidence),
            )
        )
    )
    if not activities:
        return 0
    found = [a.id for a in activities]
    extra, links = state_exporter(user), _links(user, found)
    items = [
        (
            _item(
                user,
                batch,
                ACTIVITY,
                a.title,
                record=activity_record(a, activity_key(a.id), extra(a)),
                **{name: grouped.get(a.id, []) for name, grouped in links.items()},
            ),
            a.evidence,
        )
        for a in activities
    ]
    _store(user, items)
    db.session.execute(
        delete(Activity).where(Activity.id.in_(found)),
        execution_options={"synchronize_session": False},
    )
    for activity in activities:  # gone from the database: gone from the session too
        for evidence in activity.evidence:
            db.session.expunge(evidence)
        db.session.expunge(activity)
    return len(found)


def _links(user, found: list[int]) -> dict[str, dict[int, list]]:
    """What points at the activities from elsewhere, by activity id: the reflections about them,
    the goals they serve, their claim statuses (the backup's record, with the cycle's id) and
    their own splits per cycle. Four queries."""
    claims: dict[int, list] = {}
    for row, number in db.session.execute(
        select(ClaimStatus, Cycle.number)
        .join(Cycle, ClaimStatus.cycle_id == Cycle.id)
        .where(ClaimStatus.user_id == user.id, ClaimStatus.activity_id.in_(found))
    ):
        status = write(record("claim_status"), row, enrolment=None, cycle=number, activity=None)
        claims.setdefault(row.activity_id, []).append({"cycle_id": row.cycle_id, **status})
    splits: dict[int, list] = {}
    for row in db.session.execute(
        select(
            Allocation.activity_id, Allocation.cycle_id, Allocation.category, Allocation.minutes
        ).where(Allocation.user_id == user.id, Allocation.activity_id.in_(found))
    ):
        splits.setdefault(row.activity_id, []).append(
            {"cycle_id": row.cycle_id, "category": row.category, "minutes": row.minutes}
        )
    return {
        "reflections": _group(
            select(Reflection.activity_id, Reflection.id).where(
                Reflection.user_id == user.id, Reflection.activity_id.in_(found)
            )
        ),
        "goals": _group(
            select(goal_activity.c.activity_id, goal_activity.c.goal_id).where(
                goal_activity.c.activity_id.in_(found)
            )
        ),
        "claims": claims,
        "splits": splits,
    }


def trash_reflection(user, reflection: Reflection, batch: str) -> None:
    """Move one of the user's reflections to the trash (its tags and evidence with it); nothing
    when another tab deleted it meanwhile (checked under the user's storage lock)."""
    storage.lock(db.session.connection(), user.id)
    if db.session.scalar(select(Reflection.id).where(Reflection.id == reflection.id)) is None:
        return
    record = reflection_record(
        reflection,
        f"r{reflection.id}",
        {reflection.activity_id: activity_key(reflection.activity_id)},
    )
    item = _item(user, batch, REFLECTION, reflection.title, record=record)
    _store(user, [(item, reflection.evidence)])
    db.session.delete(reflection)
    db.session.flush()


def _item(user, batch: str, kind: str, title: str, **snapshot) -> dict:
    return {
        "user_id": user.id,
        "batch": batch,
        "kind": kind,
        "origin": snapshot["record"]["key"],
        "title": title,
        "deleted_at": utcnow(),
        "snapshot": snapshot,
    }


def _store(user, items: list[tuple[dict, list]]) -> None:
    """INSERT the items in one statement, read their ids back by their origin (the ORM would
    insert row by row on SQLite to learn each id), then the files each names (originals and PDF
    copies) in one INSERT."""
    db.session.execute(TrashItem.__table__.insert(), [item for item, _ in items])
    ids = dict(
        db.session.execute(
            select(TrashItem.origin, TrashItem.id).where(
                TrashItem.user_id == user.id, TrashItem.batch == items[0][0]["batch"]
            )
        ).all()
    )
    files = {
        (ids[item["origin"]], digest)
        for item, evidence in items
        for e in evidence
        for digest in (e.sha256, e.rendition_sha256)
        if digest
    }
    if files:
        db.session.execute(
            TrashFile.__table__.insert(),
            [{"trash_item_id": i, "sha256": d, "user_id": user.id} for i, d in sorted(files)],
        )


def _group(query) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for key, value in db.session.execute(query):
        grouped.setdefault(key, []).append(value)
    return grouped
