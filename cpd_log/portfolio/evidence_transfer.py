"""Evidence in an account import: files staged outside the user's folder until the import commits.

A file of the archive (version 2) or a version 1 base64 `content` is first written to the job's
staging folder under its SHA-256. The import adds the Evidence rows in its one transaction; only
after the commit are the staged files moved into the user's folder (`move_into`). So a killed
import leaves no file the quota does not count: staged files are in the job's folder, which the
sweep removes (import_jobs.py), and a commit whose moves did not happen is finished by the sweep.
"""

import base64
import binascii
import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import current_app

from cpd_log.evidence import services as evidence_services
from cpd_log.evidence.sniffing import Refused, sniff
from cpd_log.extensions import db
from cpd_log.models import Evidence
from cpd_log.portfolio.links import safe_url
from cpd_log.portfolio.transfer import BadFile, evidence_member

SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass
class Notes:
    """What the import left out on purpose, by where it was in the file."""

    dropped: list[str] = field(default_factory=list)  # javascript:/data: and other unsafe links
    missing: list[str] = field(default_factory=list)  # files missing when the backup was made

    def summary(self, limit: int = 20) -> str:
        """Where, for the job's page: the first `limit` places of each kind."""
        parts = []
        for what, places in (
            ("Links left out (only http and https addresses are imported)", self.dropped),
            ("Files that were already missing when the backup was made", self.missing),
        ):
            if places:
                more = f" and {len(places) - limit} more" if len(places) > limit else ""
                parts.append(f"{what}: {'; '.join(places[:limit])}{more}.")
        return " ".join(parts)

    def counts(self) -> dict[str, int]:
        return {
            "unsafe links dropped": len(self.dropped),
            "evidence files that were missing from the backup": len(self.missing),
        }


class EvidenceFiles:
    """The files one import may use, staged in `folder` (None: a document without files)."""

    def __init__(self, folder: Path | None, quota_left: int | None = None, missing=frozenset()):
        self.folder = folder
        self.quota_left = quota_left
        self.missing = missing  # hashes MANIFEST.json lists as deleted while the backup streamed
        self.used: set[str] = set()

    def stage(self, data: bytes) -> str:
        """Write version 1 content under its hash; returns the hash."""
        if self.folder is None:
            raise BadFile("Evidence files can only be imported from an uploaded file.")
        digest = hashlib.sha256(data).hexdigest()
        (self.folder / digest).write_bytes(data)
        return digest

    def read(self, digest: str) -> bytes | None:
        path = self.folder / digest if self.folder is not None else None
        return path.read_bytes() if path is not None and path.is_file() else None

    def move_into(self, user_id: int) -> None:
        """After the commit: put each used file where the user's evidence lives."""
        move_staged(self.folder, user_id, self.used)


def move_staged(folder: Path, user_id: int, digests) -> None:
    target = evidence_services.user_folder(user_id)
    target.mkdir(parents=True, exist_ok=True)
    for digest in digests:
        staged = folder / digest
        if staged.is_file() and not (target / digest).exists():
            os.replace(staged, target / digest)


def import_evidence(user, target, item, where_read: tuple, files: EvidenceFiles, notes: Notes):
    """One evidence entry of `target` (an activity or reflection). `where_read` is (reader,
    where). A link that is not http(s) is dropped, a file missing at export is skipped: both are
    noted, neither fails the import."""
    read, where = where_read
    title = read.value(item, "title", str, where)
    created_at = read.value(item, "created_at", datetime, where)
    if item.get("content") is None and item.get("sha256") is None:
        url = read.value(item, "url", str, where)
        if not safe_url(url):
            notes.dropped.append(where)
            return
        evidence = evidence_services.attach_url(user, target, url, title)
    elif item.get("missing") is True or item.get("sha256") in files.missing:
        notes.missing.append(where)
        return
    else:
        name = read.value(item, "original_name", str, where)
        evidence = _file(user, target, name, _content(item, read, where, files), where, files)
    evidence.title, evidence.created_at = title.strip(), created_at


def _content(item: dict, read, where: str, files: EvidenceFiles) -> tuple[str, bytes]:
    """(hash, bytes) from version 1's base64 or version 2's archive member."""
    if item.get("content") is not None:
        try:
            data = base64.b64decode(read.value(item, "content", str, where), validate=True)
        except (binascii.Error, ValueError):
            raise BadFile(f"{where}: the file content is not valid base64.") from None
        return files.stage(data), data
    digest = item.get("sha256")
    if not isinstance(digest, str) or not SHA256.fullmatch(digest):
        raise BadFile(f"{where}: “sha256” has an invalid value.")
    if item.get("file") != evidence_member(digest):
        raise BadFile(f"{where}: “file” does not name the file's member in the archive.")
    data = files.read(digest)
    if data is None:
        raise BadFile(f"{where}: the archive has no {evidence_member(digest)}.")
    return digest, data


def _file(user, target, name: str, content: tuple[str, bytes], where: str, files) -> Evidence:
    """The row for a staged file: the upload's checks (size, quota, type by content)."""
    digest, data = content
    limit = current_app.config["EVIDENCE_MAX_BYTES"]
    if len(data) > limit:
        raise BadFile(f"{where}: the file is larger than the {limit // (1024 * 1024)} MB limit.")
    if files.quota_left is not None:
        files.quota_left -= len(data)
        if files.quota_left < 0:
            raise BadFile(f"{where}: this file would take you over your storage quota.")
    try:
        sniffed = sniff(data, name)
    except Refused as refused:
        raise BadFile(f"{where}: {refused}") from None
    evidence = Evidence(
        user_id=user.id,
        **evidence_services.owner_of(target),
        sha256=digest,
        original_name=name.replace("\\", "/").rsplit("/", 1)[-1][:255] or "file",
        mime_type=sniffed.mime_type,
        size_bytes=len(data),
    )
    db.session.add(evidence)
    files.used.add(digest)
    return evidence
