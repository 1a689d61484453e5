"""Evidence in an account import: archive members read from the job's staging folder, stored
through the evidence upload's own service.

A file of the archive (version 2) or a version 1 base64 `content` is first written to the job's
staging folder under its SHA-256 (removed with the job's folder). Each file then goes through
`evidence.services.attach_file` inside the import's one transaction — the same checks as an
upload, under the user's storage lock — so a rolled-back import takes its stored files with it,
and a killed one leaves only files no row names, which count in the quota until the sweep.
"""

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cpd_log.account.transfer import BadFile, evidence_member
from cpd_log.common.web_urls import is_web_url
from cpd_log.evidence import services as evidence_services
from cpd_log.evidence.sniffing import Refused
from cpd_log.models import Evidence

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

    def __init__(self, folder: Path | None, missing=frozenset()):
        self.folder = folder
        self.missing = missing  # hashes MANIFEST.json lists as deleted while the backup streamed

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


def import_evidence(user, target, item, where_read: tuple, files: EvidenceFiles, notes: Notes):
    """One evidence entry of `target` (an activity or reflection). `where_read` is (reader,
    where). A link that is not http(s) is dropped, a file missing at export is skipped: both are
    noted, neither fails the import."""
    read, where = where_read
    title = read.value(item, "title", str, where)
    created_at = read.value(item, "created_at", datetime, where)
    if item.get("content") is None and item.get("sha256") is None:
        url = read.value(item, "url", str, where)
        if not is_web_url(url):
            notes.dropped.append(where)
            return
        try:
            evidence = evidence_services.attach_url(user, target, url, title)
        except Refused as refused:
            raise BadFile(f"{where}: {refused}") from None
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
    """The row for a staged file, through the upload's own service: size, type by content,
    pixel budget and PDF copy of a large image, evidence per item and the quota, checked under
    the user's storage lock. A rolled-back import takes the files it stored with it."""
    _digest, data = content
    try:
        return evidence_services.attach_file(user, target, evidence_services.Upload(name, data))
    except Refused as refused:
        raise BadFile(f"{where}: {refused}") from None
