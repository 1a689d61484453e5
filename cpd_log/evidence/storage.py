"""Stored blobs: where a file lives, the lock that serialises one user's file changes, and the one
place that decides a file may be unlinked.

A user's files live in UPLOAD_DIR/<user id>/<sha256>. One file serves every row of that user that
names its hash, as the original (`Evidence.sha256`) or as the PDF's smaller copy
(`Evidence.rendition_sha256`). Rows and files cannot change in one atomic step, so every change
to a user's files happens while the transaction that changes the rows holds the user's storage
lock:

- store (upload): lock, check quota and caps, write the file unless it is there, add the row;
  the commit releases the lock.
- release (after a delete commits, or an upload rolls back): a new short transaction takes the
  lock, asks which of the hashes no row names any more, unlinks those, commits.
- sweep: the same, for files no row names that are older than a grace period.

Without the lock, a delete counted "no row names it" just before another tab's upload found the
file already there and reused it; the delete then unlinked the file the new row used.

The lock is the user's row: SELECT … FOR NO KEY UPDATE on PostgreSQL (it does not block inserts
that merely reference the user); on SQLite a write transaction (BEGIN IMMEDIATE), since SQLite
has one writer at a time anyway.
"""

import contextlib
import os
import secrets
import time
from pathlib import Path

from flask import current_app
from sqlalchemy import Connection, event, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from cpd_log.extensions import db
from cpd_log.models import Evidence, TrashFile, User

_WRITTEN = "evidence_blobs_written"  # (user id, hash) this transaction wrote
_RELEASE = "evidence_blobs_to_release"  # (user id, hash) rows of this transaction stopped naming
_FOLDERS = "evidence_folders_to_remove"  # user ids whose account this transaction deletes
_USED = "evidence_bytes_used"  # user id -> bytes on disk, counted once while the lock is held
TEMPORARY_SUFFIX = ".part"


def user_folder(user_id: int) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / str(int(user_id))


def blob_path(user_id: int, digest: str) -> Path:
    """The content hash names the file; the original name never does."""
    return user_folder(user_id) / digest


def lock(connection: Connection, user_id: int) -> None:
    """Hold the user's storage lock until `connection`'s transaction ends (see the docstring)."""
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        # pysqlite opens its transaction lazily, at the first write; until then begin one that
        # takes the write lock now. Once a write has happened the lock is held already.
        if not driver.in_transaction:
            driver.execute("BEGIN IMMEDIATE")
        return
    connection.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))


def used_bytes(user_id: int) -> int:
    """Bytes on disk in the user's folder: every blob once, renditions, and leftovers a killed
    upload may have written (so orphans count against the quota until they are swept)."""
    total = 0
    try:
        entries = list(os.scandir(user_folder(user_id)))
    except FileNotFoundError:
        return 0
    for entry in entries:
        try:
            total += entry.stat(follow_symlinks=False).st_size
        except FileNotFoundError:
            continue
    return total


def used_bytes_locked(user_id: int) -> int:
    """used_bytes, for a transaction that holds the user's lock: counted once, then kept up to
    date by store(), so an import of thousands of files does not rescan the folder each time."""
    used = db.session().info.setdefault(_USED, {})
    if user_id not in used:
        used[user_id] = used_bytes(user_id)
    return used[user_id]


def store(user_id: int, digest: str, data: bytes) -> None:
    """Put `data` in place under its hash, unless it is there. Call with the lock held: then no
    release can unlink the file before this transaction's row naming it commits."""
    path = blob_path(user_id, digest)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # A kill mid-write leaves only a dot-file with TEMPORARY_SUFFIX, which the sweep removes.
    temporary = path.with_name(f".{digest}.{secrets.token_hex(4)}{TEMPORARY_SUFFIX}")
    temporary.write_bytes(data)
    temporary.replace(path)
    info = db.session().info
    info.setdefault(_WRITTEN, set()).add((user_id, digest))
    if user_id in info.get(_USED, {}):
        info[_USED][user_id] += len(data)


def schedule_release(user_id: int, digests) -> None:
    """After this transaction commits, unlink those of `digests` no row names any more."""
    pending = db.session().info.setdefault(_RELEASE, set())
    pending.update((user_id, d) for d in digests if d)


def schedule_folder_removal(user_id: int) -> None:
    """The account is being deleted: its whole folder goes after the commit."""
    db.session().info.setdefault(_FOLDERS, set()).add(user_id)


def release(user_id: int, names) -> tuple[int, int]:
    """Unlink each of `names` (files in the user's folder) that no row of the user names, under
    the user's storage lock, in a transaction of its own. The one place that decides a stored
    file may go (besides the folder of a deleted account). Returns (files, bytes) removed."""
    names = set(names)
    if not names:
        return 0, 0
    files = freed = 0
    with db.engine.begin() as connection:
        lock(connection, user_id)
        for name in names - names_in_use(connection, user_id, names):
            size = _unlink(blob_path(user_id, name))
            files, freed = files + (size is not None), freed + (size or 0)
    return files, freed


def names_in_use(connection: Connection, user_id: int, names) -> set[str]:
    """Those of `names` a row of the user names, as original or rendition, or an item in the
    user's trash still names (its files stay until it is purged)."""
    names = list(names)
    used: set[str] = set()
    for start in range(0, len(names), 500):  # stay under bind-parameter limits
        chunk = names[start : start + 500]
        query = select(Evidence.sha256, Evidence.rendition_sha256).where(
            Evidence.user_id == user_id,
            or_(Evidence.sha256.in_(chunk), Evidence.rendition_sha256.in_(chunk)),
        )
        for row in connection.execute(query):
            used.update(row)
        trashed = select(TrashFile.sha256).where(
            TrashFile.user_id == user_id, TrashFile.sha256.in_(chunk)
        )
        used.update(connection.scalars(trashed))
    return used


def _unlink(path: Path) -> int | None:
    """The size of the file removed, None when there was none."""
    try:
        size = path.stat().st_size
        path.unlink()
    except FileNotFoundError:
        return None
    return size


def sweep(older_than_seconds: float) -> tuple[int, int]:
    """Remove files in the users' folders that no row names and that were last written more than
    `older_than_seconds` ago: blobs of killed uploads, stale temporary files, leftovers of deleted
    accounts. Other folders under UPLOAD_DIR (e.g. `.exports`) are not touched.
    Returns (files removed, bytes freed)."""
    root = Path(current_app.config["UPLOAD_DIR"])
    if not root.is_dir():
        return 0, 0
    cutoff = time.time() - older_than_seconds
    files = freed = 0
    for folder in root.iterdir():
        if not (folder.name.isdigit() and folder.is_dir()):
            continue
        removed = release(int(folder.name), [n for n, mtime in _files(folder) if mtime < cutoff])
        files, freed = files + removed[0], freed + removed[1]
    return files, freed


def _files(folder: Path) -> list[tuple[str, float]]:
    """(name, last written) of the regular files in `folder`; one vanishing meanwhile is skipped."""
    found = []
    for entry in os.scandir(folder):
        try:
            if entry.is_file(follow_symlinks=False):
                found.append((entry.name, entry.stat(follow_symlinks=False).st_mtime))
        except FileNotFoundError:
            continue
    return found


@event.listens_for(Session, "after_begin")
def _forget_counts(session: Session, transaction, connection) -> None:
    """A count made under an earlier transaction's lock is stale (a session may be closed
    without a rollback event)."""
    session.info.pop(_USED, None)


@event.listens_for(Session, "after_commit")
def _release_committed(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    session.info.pop(_USED, None)
    pending = session.info.pop(_RELEASE, set())
    folders = session.info.pop(_FOLDERS, set())
    by_user: dict[int, set[str]] = {}
    for user_id, digest in pending:
        by_user.setdefault(user_id, set()).add(digest)
    for user_id, digests in by_user.items():
        if user_id not in folders:
            _release_quietly(user_id, digests)
    for user_id in folders:
        _remove_folder(user_folder(user_id))


@event.listens_for(Session, "after_rollback")
def _release_rolled_back(session: Session) -> None:
    """A rolled-back upload leaves no file behind (unless another row uses the same content);
    a rolled-back delete removes nothing."""
    written = session.info.pop(_WRITTEN, set())
    session.info.pop(_USED, None)
    session.info.pop(_RELEASE, None)
    session.info.pop(_FOLDERS, None)
    by_user: dict[int, set[str]] = {}
    for user_id, digest in written:
        by_user.setdefault(user_id, set()).add(digest)
    for user_id, digests in by_user.items():
        _release_quietly(user_id, digests)


def _release_quietly(user_id: int, digests: set[str]) -> None:
    """The rows are committed (or rolled back) already: a failure to tidy up must not turn the
    request into an error. What is left is an orphan, which counts in the quota until swept."""
    try:
        release(user_id, digests)
    except (SQLAlchemyError, OSError):
        current_app.logger.exception("evidence files of user %s left for the sweep", user_id)


def _remove_folder(folder: Path) -> None:
    """The deleted account's files. Its rows are gone, so no upload can name them any more."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        _unlink(path)
    with contextlib.suppress(OSError):  # something appeared meanwhile: the sweep takes it later
        folder.rmdir()
