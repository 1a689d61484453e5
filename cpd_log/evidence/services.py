"""Evidence operations. Services flush; views commit.

Files are content-addressed blobs; cpd_log/evidence/storage.py holds their rules (one storage
lock per user, one place that unlinks). An upload takes the user's lock, checks the quota against
the bytes on disk and the cap per activity or reflection, writes its blobs and adds the row; the
view's commit releases the lock, a rollback releases the blobs it wrote. A delete schedules its
blobs, which go after the commit if no row names them any more.

Anything that reads a stored file goes through `open_file`, which says when the file is missing
from storage instead of failing with an error page.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import func, select

from cpd_log.evidence import images, storage
from cpd_log.evidence.sniffing import Refused, sniff
from cpd_log.extensions import db
from cpd_log.models import Evidence, Reflection


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


class MissingFile(LookupError):
    """A row names a stored file that is not on disk (deleted or lost behind the app's back)."""

    def __init__(self, evidence: Evidence):
        self.evidence = evidence
        super().__init__(f"The file “{evidence.original_name}” is missing from storage.")


@dataclass(frozen=True)
class Swept:
    files: int
    bytes: int


def open_file(evidence: Evidence, rendition: bool = False) -> BinaryIO:
    """The stored file of `evidence`, open for reading in binary; the caller closes it.

    With `rendition`, the smaller copy made for the PDF when the evidence has one (an image over
    images.RENDITION_SIDE), else the original. Raises MissingFile when the file is not on disk:
    every export, download and render uses this, so a lost file is named, never a 500. Once
    open, the file stays readable even if it is deleted meanwhile.
    """
    if not evidence.is_file:
        raise ValueError(f"evidence {evidence.id} is a web address, not a stored file")
    digest = (rendition and evidence.rendition_sha256) or evidence.sha256
    try:
        return storage.blob_path(evidence.user_id, digest).open("rb")
    except FileNotFoundError:
        raise MissingFile(evidence) from None


def file_path(evidence: Evidence) -> Path:
    """Where the original lives. Prefer `open_file`, which handles a missing file."""
    return storage.blob_path(evidence.user_id, evidence.sha256)


def used_bytes(user) -> int:
    """Bytes the user's files take on disk, as the quota counts them."""
    return storage.used_bytes(user.id)


def owner_of(target) -> dict:
    """The foreign key that attaches evidence to `target`: a reflection or an activity."""
    if isinstance(target, Reflection):
        return {"reflection_id": target.id}
    return {"activity_id": target.id}


def attach_file(user, target, upload: Upload, title: str = "") -> Evidence:
    """Check the size, content type and pixels, store the bytes and add the row. Raises Refused.

    `target` is the activity or the reflection the file belongs to. The expensive work (sniffing,
    the image rendition) happens before the user's storage lock is taken; under the lock only
    the checks that count (quota, files per target) and the writes.
    """
    limit = current_app.config["EVIDENCE_MAX_BYTES"]
    if len(upload.data) > limit:
        raise Refused(f"The file is larger than the {limit // (1024 * 1024)} MB limit.")
    sniffed = sniff(upload.data, upload.filename)
    digest = hashlib.sha256(upload.data).hexdigest()
    blobs, copy_digest = {digest: upload.data}, None
    if sniffed.mime_type in images.IMAGE_TYPES:
        copy = images.rendition(upload.data, current_app.config["EVIDENCE_MAX_PIXELS"])
        if copy is not None:
            copy_digest = hashlib.sha256(copy).hexdigest()
            blobs[copy_digest] = copy

    storage.lock(db.session.connection(), user.id)
    new = [d for d in blobs if not storage.blob_path(user.id, d).exists()]
    _check_room(user, target, sum(len(blobs[d]) for d in new))
    for name in new:
        storage.store(user.id, name, blobs[name])
    evidence = Evidence(
        user_id=user.id,
        **owner_of(target),
        title=title.strip(),
        sha256=digest,
        rendition_sha256=copy_digest,
        original_name=_display_name(upload.filename),
        mime_type=sniffed.mime_type,
        size_bytes=len(upload.data),
    )
    db.session.add(evidence)
    db.session.flush()
    return evidence


def attach_url(user, target, url: str, title: str = "") -> Evidence:
    storage.lock(db.session.connection(), user.id)
    _check_room(user, target, 0)
    evidence = Evidence(user_id=user.id, **owner_of(target), url=url, title=title.strip())
    db.session.add(evidence)
    db.session.flush()
    return evidence


def _check_room(user, target, new_bytes: int) -> None:
    """The cap on evidence per activity or reflection, and the quota; with the lock held, so
    parallel uploads cannot each see room for themselves and together exceed either."""
    cap = current_app.config["EVIDENCE_MAX_FILES"]
    (column, target_id), *_ = owner_of(target).items()
    count = db.session.scalar(
        select(func.count(Evidence.id)).where(getattr(Evidence, column) == target_id)
    )
    if count >= cap:
        kind = "reflection" if isinstance(target, Reflection) else "activity"
        raise Refused(
            f"This {kind} already has {cap} pieces of evidence, the most allowed. "
            "Delete one or attach the file to another activity or reflection."
        )
    quota = current_app.config["EVIDENCE_QUOTA_BYTES"]
    if new_bytes and storage.used_bytes_locked(user.id) + new_bytes > quota:
        raise Refused(
            f"This file would take you over your {quota // (1024 * 1024)} MB storage quota. "
            "Delete some evidence first."
        )


def _display_name(filename: str) -> str:
    """The last path component, as metadata only (it is never used to build a path)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].replace("\x00", "").strip()
    return name[:255] or "file"


def delete_evidence(evidence: Evidence) -> None:
    if evidence.is_file:
        storage.schedule_release(evidence.user_id, [evidence.sha256, evidence.rendition_sha256])
    db.session.delete(evidence)
    db.session.flush()


def forget_files_of(
    user_id: int, activity_id: int | None = None, reflection_id: int | None = None
) -> None:
    """Call before deleting an activity, a reflection (or, with neither, the account): the
    files go on commit (the rows go by ON DELETE CASCADE)."""
    if activity_id is None and reflection_id is None:
        storage.schedule_folder_removal(user_id)
        return
    query = select(Evidence.sha256, Evidence.rendition_sha256).where(
        Evidence.user_id == user_id, Evidence.sha256.is_not(None)
    )
    if activity_id is not None:
        query = query.where(Evidence.activity_id == activity_id)
    if reflection_id is not None:
        query = query.where(Evidence.reflection_id == reflection_id)
    storage.schedule_release(user_id, [d for row in db.session.execute(query) for d in row])


def sweep_orphan_files(older_than: timedelta) -> Swept:
    """Remove stored files no evidence row names (left by a killed upload or import, or by a
    deleted account) and stale temporary files, when last written more than `older_than` ago.
    Files are checked under each user's storage lock, so an upload in progress is never hit;
    the grace period also spares writers that do not take it."""
    files, freed = storage.sweep(older_than.total_seconds())
    return Swept(files, freed)
