"""Read an uploaded account backup into a job's staging folder, checking it before any import.

Two kinds of upload: the ZIP archive (account_archive.py) and a bare account.json of format
version 1 (the old download, evidence inline in base64) — told apart by their first bytes.

Budgets, applied while reading (STYLE.md rule 15):
- members: at most ACCOUNT_IMPORT_MAX_MEMBERS, each named account.json, MANIFEST.json or
  evidence/<sha256>; nothing else, no duplicates;
- bytes: every member is read in 1 MB chunks and refused the moment it passes its declared size
  (a zip bomb declares little and inflates much); the declared sizes are capped first: evidence
  by the user's remaining quota and EVIDENCE_MAX_BYTES, account.json and a bare JSON upload by
  ACCOUNT_IMPORT_JSON_MAX_BYTES;
- integrity: each member's size and SHA-256 must match MANIFEST.json, and an evidence member's
  name is its own SHA-256;
- versions: MANIFEST.json's format name must be ours and its version, when it has one, any from
  1 on; a newer one is read like a newer account.json (account_format.note_manifest).
Memory: one chunk while extracting; then the parsed document (a few times the JSON's size).
"""

import hashlib
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cpd_log import bounded_json
from cpd_log.account.account_archive import DOCUMENT, MANIFEST, MANIFEST_FORMAT
from cpd_log.account.codec import readable_version
from cpd_log.account.transfer import BadFile

CHUNK = 1024 * 1024
EVIDENCE_MEMBER = re.compile(r"evidence/([0-9a-f]{64})")
MANIFEST_MAX_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    quota_left: int  # bytes of evidence the user may still store
    file_max: int  # EVIDENCE_MAX_BYTES
    json_max: int  # ACCOUNT_IMPORT_JSON_MAX_BYTES
    members_max: int  # ACCOUNT_IMPORT_MAX_MEMBERS


def is_zip(path: Path) -> bool:
    with path.open("rb") as upload:
        return upload.read(4) == b"PK\x03\x04"


def read_upload(upload: Path, staging: Path, limits: Limits, progress: Callable) -> tuple:
    """(the account document, hashes MANIFEST.json lists as missing at export, MANIFEST.json or
    None for a bare JSON upload); the archive's evidence files are left in `staging` under their
    hash. Raises BadFile saying what is wrong. `progress(done, total)` counts members."""
    if not is_zip(upload):
        # A version 1 download: evidence inline in base64, so its cap includes the quota.
        cap = limits.json_max + limits.quota_left * 4 // 3
        if upload.stat().st_size > cap:
            raise BadFile("The file is larger than your remaining storage allows.")
        with upload.open("rb") as source:
            return parse_json(source.read()), frozenset(), None
    try:
        with zipfile.ZipFile(upload) as archive:
            return _read_archive(archive, staging, limits, progress)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError):
        raise BadFile("The archive is damaged or not a ZIP file.") from None


# account.json wraps what the account holds (a badge's assertion as received, itself bounded by
# bounded_json.MAX_DEPTH at the badge import) in a few levels of its own.
DOCUMENT_MAX_DEPTH = bounded_json.MAX_DEPTH + 16


def parse_json(data: bytes) -> dict:
    try:
        return bounded_json.loads(data.decode("utf-8-sig"), DOCUMENT_MAX_DEPTH)
    except bounded_json.JsonTooDeep:
        raise BadFile("The file is not valid JSON: it is nested too deeply.") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadFile("The file is not valid JSON.") from None


def _read_archive(archive: zipfile.ZipFile, staging: Path, limits: Limits, progress) -> tuple:
    members = _checked_members(archive, limits)
    manifest = _manifest(archive, members)
    listed = manifest.get("members")
    if not isinstance(listed, dict) or set(listed) != set(members) - {MANIFEST}:
        raise BadFile("MANIFEST.json does not list exactly the files in the archive.")
    document = b""
    for done, (name, info) in enumerate(sorted(members.items()), start=1):
        if name == MANIFEST:
            continue
        match = EVIDENCE_MEMBER.fullmatch(name)
        target = staging / match.group(1) if match else None
        data = _extract(archive, info, target, listed[name])
        if match and listed[name]["sha256"] != match.group(1):
            raise BadFile(f"{name}: its name is not its content's SHA-256.")
        if name == DOCUMENT:
            document = data
        progress(done, len(members))
    if not document:
        raise BadFile("The archive has no account.json.")
    missing = manifest.get("missing") or []
    return (
        parse_json(document),
        frozenset(
            m.get("sha256")
            for m in missing
            if isinstance(m, dict) and isinstance(m.get("sha256"), str)
        ),
        manifest,
    )


def _checked_members(archive: zipfile.ZipFile, limits: Limits) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > limits.members_max:
        raise BadFile(f"The archive holds more than {limits.members_max} files.")
    members: dict[str, zipfile.ZipInfo] = {}
    evidence = 0
    for info in infos:
        name = info.filename
        if name in members or not (name in (DOCUMENT, MANIFEST) or EVIDENCE_MEMBER.fullmatch(name)):
            raise BadFile(f"The archive holds an unexpected file: {name[:100]!r}.")
        cap = {DOCUMENT: limits.json_max, MANIFEST: MANIFEST_MAX_BYTES}.get(name, limits.file_max)
        if info.file_size > cap:
            raise BadFile(f"{name}: larger than the {cap // (1024 * 1024)} MB allowed.")
        evidence += info.file_size if name.startswith("evidence/") else 0
        members[name] = info
    if evidence > limits.quota_left:
        raise BadFile(
            f"The evidence files ({evidence // (1024 * 1024)} MB) would take you over your "
            "storage quota. Delete some evidence first."
        )
    if MANIFEST not in members:
        raise BadFile("The archive has no MANIFEST.json.")
    return members


def _manifest(archive: zipfile.ZipFile, members: dict) -> dict:
    manifest = parse_json(_extract(archive, members[MANIFEST], None, None))
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise BadFile("MANIFEST.json is not a CPD Log backup manifest.")
    if "version" in manifest and not readable_version(manifest["version"]):
        raise BadFile(f"MANIFEST.json: its version ({manifest.get('version')!r}) is not supported.")
    for name, entry in (manifest.get("members") or {}).items():
        valid = isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
        if not valid or not isinstance(entry.get("size"), int):
            raise BadFile(f"MANIFEST.json: the entry for {name[:100]!r} is incomplete.")
    return manifest


def _extract(archive, info: zipfile.ZipInfo, target: Path | None, expected: dict | None) -> bytes:
    """Read one member in chunks, never past its declared size; to `target`, or returned."""
    digest, size, kept = hashlib.sha256(), 0, []
    with archive.open(info) as source, target.open("wb") if target else _NoFile() as out:
        while chunk := source.read(CHUNK):
            size += len(chunk)
            if size > info.file_size:
                raise BadFile(f"{info.filename}: larger than the archive declares.")
            digest.update(chunk)
            out.write(chunk) if target else kept.append(chunk)
    if size != info.file_size:
        raise BadFile(f"{info.filename}: shorter than the archive declares.")
    if expected is not None and (expected["size"], expected["sha256"]) != (
        size,
        digest.hexdigest(),
    ):
        raise BadFile(f"{info.filename}: does not match its SHA-256 in MANIFEST.json.")
    return b"".join(kept)


class _NoFile:
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None
