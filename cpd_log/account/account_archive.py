"""The account backup: a ZIP written while it streams to the browser, so its size is unbounded.

    account.json     the account document (transfer.py, format version transfer.VERSION)
    evidence/<sha>   each evidence file as itself, stored once per content (not base64)
    MANIFEST.json    format and app version, counts, size and SHA-256 of every member, the files
                     that were missing from disk at export, and what a backup leaves out (LEFT_OUT)

Memory: the document (one JSON string, proportional to the account's records, not its files)
and one chunk of one file at a time; the ZIP goes out through a generator that yields what
zipfile has written so far (zipfile writes data descriptors when its output cannot seek).
"""

import hashlib
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from cpd_log.account import transfer
from cpd_log.account.account_format import record
from cpd_log.account.codec import write
from cpd_log.evidence.storage import blob_path

DOCUMENT = "account.json"
MANIFEST = "MANIFEST.json"
MANIFEST_FORMAT = "cpd-log-account-backup"
CHUNK = 1024 * 1024
# Decided, and said in the MANIFEST and the README: what a backup deliberately does not hold.
LEFT_OUT = (
    "share links (their tokens are credentials; make new links after a restore)",
    "which share link a review came through (the review itself is kept)",
    "sessions, password, email address, display name, time zone and two-factor sign-in (its key"
    " and recovery codes: a restore keeps the target account's own)",
    "portfolio PDF/ZIP files being prepared, and account imports in progress",
    "spreadsheet and calendar uploads waiting for their preview",
    "shipped frameworks and CPD schemes (named by slug and version, not copied)",
    "scheme cycles (recomputed from each enrolment's start date)",
    "the trash: deleted activities and reflections and their files (restore what you want kept"
    " before backing up)",
    "reminder digest settings and the calendar feed address (its token is a credential; make a"
    " new one after a restore)",
)


def app_version() -> str:
    try:
        return version("cpd-log")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def evidence_files(user_id: int, document: dict) -> list[tuple[str, Path]]:
    """(member, path) of every file account.json names, once per content."""
    members = {}
    for _, item in _evidence_entries(document):
        if item.get("file"):
            members[item["file"]] = blob_path(user_id, item["sha256"])
    return sorted(members.items())


def _evidence_entries(document: dict) -> Iterator[tuple[str, dict]]:
    for kind, label in (("activities", "Activity"), ("reflections", "Reflection")):
        for n, entry in enumerate(document[kind], start=1):
            for item in entry["evidence"]:
                yield f"{label} {n}", item


def missing_files(document: dict) -> list[dict]:
    """The files listed in account.json as missing at export: the original name and its owner."""
    return [
        {"file": item["original_name"], "sha256": item["sha256"], "attached_to": where}
        for where, item in _evidence_entries(document)
        if item.get("missing")
    ]


def stream(user_id: int, document: dict) -> Iterator[bytes]:
    """The archive's bytes, member by member; MANIFEST.json last, with every member's digest.
    The files' paths are found now: the generator runs after the request, outside the app."""
    return _stream(document, evidence_files(user_id, document))


def _stream(document: dict, files: list[tuple[str, Path]]) -> Iterator[bytes]:
    out = _Pipe()
    listed: dict[str, dict] = {}
    missing = missing_files(document)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        data = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
        archive.writestr(DOCUMENT, data)
        listed[DOCUMENT] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        yield out.take()
        for member, path in files:
            try:
                source = path.open("rb")
            except FileNotFoundError:  # deleted since account.json was written
                missing.append({"file": member, "sha256": path.name, "attached_to": ""})
                continue
            with source, archive.open(_stored(member), "w", force_zip64=True) as target:
                digest, size = hashlib.sha256(), 0
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    yield out.take()
            listed[member] = {"size": size, "sha256": digest.hexdigest()}
        archive.writestr(MANIFEST, _manifest(document, listed, missing))
    yield out.take()


def _stored(member: str) -> zipfile.ZipInfo:
    """Evidence goes in as stored: PDFs and images do not compress, and it costs CPU."""
    info = zipfile.ZipInfo(member, datetime.now(UTC).timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED
    return info


def _manifest(document: dict, listed: dict, missing: list) -> bytes:
    counts = {
        kind: len(document.get(kind, []))
        for kind in ("activities", "reflections", "portfolios", "frameworks", "schemes")
    }
    counts |= {
        "enrolments": len(document.get("enrolments", [])),
        "self-assessments": len(document.get("self_assessments", [])),
        "goals": len(document.get("goals", [])),
        "claim statuses": len(document.get("claim_statuses", [])),
        "evidence files": len(listed) - 1,
    }
    manifest = write(
        record("manifest"),
        format=MANIFEST_FORMAT,
        version=transfer.VERSION,
        app_version=app_version(),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        counts=counts,
        members=listed,
        missing=missing,
        left_out=list(LEFT_OUT),
    )
    return json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")


class _Pipe:
    """A write-only file for zipfile: what is written is handed on by take()."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data
