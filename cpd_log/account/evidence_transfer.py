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
from pathlib import Path

from cpd_log.account.codec import Reader
from cpd_log.account.transfer import BadFile, evidence_member
from cpd_log.common.web_urls import is_web_url
from cpd_log.evidence import services as evidence_services
from cpd_log.evidence.sniffing import Refused
from cpd_log.models import Evidence

SHA256 = re.compile(r"[0-9a-f]{64}")


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


def import_evidence(user, target, item, where: str, files: EvidenceFiles, reader: Reader):
    """One evidence entry of `target` (an activity or reflection). A link that is not http(s)
    is dropped, a file missing at export is skipped: both are noted, neither fails the import."""
    notes = reader.notes
    values = reader.read("evidence", item, where)
    if values["content"] is None and values["sha256"] is None:
        if not is_web_url(values["url"]):
            notes.dropped.append(where)
            return
        try:
            evidence = evidence_services.attach_url(user, target, values["url"], values["title"])
        except Refused as refused:
            raise BadFile(f"{where}: {refused}") from None
    elif values["missing"] or values["sha256"] in files.missing:
        notes.missing.append(where)
        return
    else:
        content = _content(values, where, files)
        evidence = _file(user, target, values["original_name"], content, where)
    evidence.title, evidence.created_at = values["title"].strip(), values["created_at"]


def _content(values: dict, where: str, files: EvidenceFiles) -> tuple[str, bytes]:
    """(hash, bytes) from version 1's base64 or version 2's archive member."""
    if values["content"] is not None:
        try:
            data = base64.b64decode(values["content"], validate=True)
        except (binascii.Error, ValueError):
            raise BadFile(f"{where}: the file content is not valid base64.") from None
        return files.stage(data), data
    digest = values["sha256"]
    if not SHA256.fullmatch(digest):
        raise BadFile(f"{where}: “sha256” has an invalid value.")
    if values["file"] != evidence_member(digest):
        raise BadFile(f"{where}: “file” does not name the file's member in the archive.")
    data = files.read(digest)
    if data is None:
        raise BadFile(f"{where}: the archive has no {evidence_member(digest)}.")
    return digest, data


def _file(user, target, name: str, content: tuple[str, bytes], where: str) -> Evidence:
    """The row for a staged file, through the upload's own service: size, type by content,
    pixel budget and PDF copy of a large image, evidence per item and the quota, checked under
    the user's storage lock. A rolled-back import takes the files it stored with it."""
    _digest, data = content
    try:
        return evidence_services.attach_file(user, target, evidence_services.Upload(name, data))
    except Refused as refused:
        raise BadFile(f"{where}: {refused}") from None
