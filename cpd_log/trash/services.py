"""The trash as the user sees it: the list, Undo of one delete, restore, delete forever, and the
purge after TRASH_DAYS. Services flush; the view (or the housekeeping sweep) commits."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from cpd_log.access import owned
from cpd_log.evidence import storage
from cpd_log.extensions import db
from cpd_log.models import TrashFile, TrashItem
from cpd_log.trash.restoring import Restored, restore

TRASH_DAYS = 30  # what the Trash page keeps; the housekeeping sweep purges older items
UNDO_SECONDS = 30  # how long the "Undo" button of a delete's message restores its batch


def items(user) -> list[TrashItem]:
    """The user's trash, newest first (the snapshots are deferred to nothing: the page needs
    only title, kind and time)."""
    return list(
        db.session.scalars(
            owned(TrashItem, user)
            .where(TrashItem.deleted_at >= _cutoff(datetime.now(UTC)))
            .order_by(TrashItem.deleted_at.desc(), TrashItem.id.desc())
        )
    )


def undo(user, batch: str, now: datetime | None = None) -> Restored | None:
    """Restore the items of one delete, while it is at most UNDO_SECONDS old; None when there is
    nothing to undo (too late, already restored, or not the user's)."""
    now = now or datetime.now(UTC)
    batch_items = list(
        db.session.scalars(
            owned(TrashItem, user).where(
                TrashItem.batch == batch,
                TrashItem.deleted_at >= now - timedelta(seconds=UNDO_SECONDS),
            )
        )
    )
    return restore(user, batch_items) if batch_items else None


def restore_item(user, item: TrashItem) -> Restored:
    return restore(user, [item])


def delete_forever(user, trashed: list[TrashItem]) -> int:
    """Remove items for good; their evidence files go after the commit unless a row names them."""
    return _purge(user.id, [i.id for i in trashed])


def purge_expired(now: datetime) -> int:
    """Housekeeping step: every user's items older than TRASH_DAYS, with their files."""
    expired = db.session.execute(
        select(TrashItem.user_id, TrashItem.id).where(TrashItem.deleted_at < _cutoff(now))
    ).all()
    by_user: dict[int, list[int]] = {}
    for user_id, item_id in expired:
        by_user.setdefault(user_id, []).append(item_id)
    return sum(_purge(user_id, ids) for user_id, ids in by_user.items())


def _purge(user_id: int, ids: list[int]) -> int:
    if not ids:
        return 0
    digests = db.session.scalars(select(TrashFile.sha256).where(TrashFile.trash_item_id.in_(ids)))
    storage.schedule_release(user_id, list(digests))
    removed = db.session.execute(
        delete(TrashItem).where(TrashItem.user_id == user_id, TrashItem.id.in_(ids)),
        execution_options={"synchronize_session": False},
    ).rowcount
    db.session.flush()
    return removed


def _cutoff(now: datetime) -> datetime:
    return now - timedelta(days=TRASH_DAYS)
