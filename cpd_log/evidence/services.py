"""Evidence operations. Services flush; views commit.

Files are written before the row is flushed and removed again if anything fails, so a failed upload
leaves neither. Files of deleted rows are removed only after the transaction commits (a rolled-back
delete keeps them), and only when no other row of the same user still points at the same content.
"""

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from cpd_log.evidence.sniffing import Refused, sniff
from cpd_log.extensions import db
from cpd_log.models import Evidence, Reflection

_PENDING = "evidence_files_to_remove"
_FOLDERS = "evidence_folders_to_remove"
_CREATED = "evidence_files_written"


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def user_folder(user_id: int) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / str(int(user_id))


def file_path(evidence: Evidence) -> Path:
    """Where the content lives: the user's folder and the content hash; never the original name."""
    return user_folder(evidence.user_id) / evidence.sha256


def used_bytes(user) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(Evidence.size_bytes), 0)).where(Evidence.user_id == user.id)
    )


def owner_of(target) -> dict:
    """The foreign key that attaches evidence to `target`: a reflection or an activity."""
    if isinstance(target, Reflection):
        return {"reflection_id": target.id}
    return {"activity_id": target.id}


def attach_file(user, target, upload: Upload, title: str = "") -> Evidence:
    """Check the size, quota and content type, store the bytes and add the row. Raises Refused.

    `target` is the activity or the reflection the file belongs to.
    """
    limit = current_app.config["EVIDENCE_MAX_BYTES"]
    if len(upload.data) > limit:
        raise Refused(f"The file is larger than the {limit // (1024 * 1024)} MB limit.")
    quota = current_app.config["EVIDENCE_QUOTA_BYTES"]
    if used_bytes(user) + len(upload.data) > quota:
        raise Refused(
            f"This file would take you over your {quota // (1024 * 1024)} MB storage quota. "
            "Delete some evidence first."
        )
    sniffed = sniff(upload.data, upload.filename)
    digest = hashlib.sha256(upload.data).hexdigest()
    evidence = Evidence(
        user_id=user.id,
        **owner_of(target),
        title=title.strip(),
        sha256=digest,
        original_name=_display_name(upload.filename),
        mime_type=sniffed.mime_type,
        size_bytes=len(upload.data),
    )
    created = _write(file_path(evidence), upload.data)
    try:
        db.session.add(evidence)
        db.session.flush()
    except Exception:
        if created:
            file_path(evidence).unlink(missing_ok=True)
        raise
    if created:
        _remove_on_rollback(evidence)
    return evidence


def attach_url(user, target, url: str, title: str = "") -> Evidence:
    evidence = Evidence(user_id=user.id, **owner_of(target), url=url, title=title.strip())
    db.session.add(evidence)
    db.session.flush()
    return evidence


def _display_name(filename: str) -> str:
    """The last path component, as metadata only (it is never used to build a path)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].replace("\x00", "").strip()
    return name[:255] or "file"


def _write(path: Path, data: bytes) -> bool:
    """Write atomically; False when the same content is already stored."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    temporary.write_bytes(data)
    temporary.replace(path)
    return True


def _remove_on_rollback(evidence: Evidence) -> None:
    db.session().info.setdefault(_CREATED, []).append(file_path(evidence))


def delete_evidence(evidence: Evidence) -> None:
    if evidence.is_file:
        _schedule_removal(evidence.user_id, [evidence.sha256])
    db.session.delete(evidence)
    db.session.flush()


def forget_files_of(
    user_id: int, activity_id: int | None = None, reflection_id: int | None = None
) -> None:
    """Call before deleting an activity, a reflection (or, with neither, the account): the
    files go on commit (the rows go by ON DELETE CASCADE)."""
    query = select(Evidence.sha256).where(Evidence.user_id == user_id, Evidence.sha256.is_not(None))
    if activity_id is not None:
        query = query.where(Evidence.activity_id == activity_id)
    if reflection_id is not None:
        query = query.where(Evidence.reflection_id == reflection_id)
    hashes = list(db.session.scalars(query))
    if activity_id is None and reflection_id is None:
        db.session().info.setdefault(_FOLDERS, []).append(user_id)
    _schedule_removal(user_id, hashes)


def _schedule_removal(user_id: int, hashes: list[str]) -> None:
    db.session().info.setdefault(_PENDING, []).extend((user_id, h) for h in hashes)


@event.listens_for(Session, "after_commit")
def _remove_committed(session: Session) -> None:
    """After the commit, unlink each scheduled file no remaining row points at."""
    session.info.pop(_CREATED, None)
    pending = session.info.pop(_PENDING, [])
    folders = session.info.pop(_FOLDERS, [])
    if not pending and not folders:
        return
    with db.engine.connect() as connection:
        for user_id, digest in set(pending):
            still_used = connection.scalar(
                select(func.count(Evidence.id)).where(
                    Evidence.user_id == user_id, Evidence.sha256 == digest
                )
            )
            if not still_used:
                (user_folder(user_id) / digest).unlink(missing_ok=True)
    for user_id in folders:
        shutil.rmtree(user_folder(user_id), ignore_errors=True)


@event.listens_for(Session, "after_rollback")
def _undo_uploads(session: Session) -> None:
    """A rolled-back upload leaves no file behind; a rolled-back delete removes nothing."""
    for path in session.info.pop(_CREATED, []):
        path.unlink(missing_ok=True)
    session.info.pop(_PENDING, None)
    session.info.pop(_FOLDERS, None)
