"""The ZIP bundle: the PDF, evidence files in a folder per activity (and one per reflection, under
evidence/reflections/), activities.csv, portfolio.json
and a MANIFEST listing the SHA-256 of every other file, so a reviewer can check nothing changed.
An evidence file missing from storage is left out and named in MISSING.txt (in the MANIFEST too).
"""

import hashlib
import json
import re
import tempfile
import zipfile
from typing import BinaryIO

from cpd_log.account.activity_csv import activities_csv
from cpd_log.documents import pdf
from cpd_log.documents.portfolio_json import portfolio_json
from cpd_log.evidence.services import MissingFile, open_file
from cpd_log.portfolio.services import Content

_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_name(name: str, limit: int = 60) -> str:
    """A file or folder name without separators, dots-only names or control characters."""
    cleaned = re.sub(r"\.{2,}", ".", _UNSAFE.sub("_", name)).strip(" ._")[:limit]
    return cleaned or "item"


def write_zip(content: Content, out: BinaryIO) -> list[str]:
    """Write the bundle to `out`; returns the member names (MANIFEST last)."""
    digests: list[tuple[str, str]] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(name: str, data: bytes) -> None:
            archive.writestr(name, data)
            digests.append((hashlib.sha256(data).hexdigest(), name))

        with tempfile.TemporaryFile() as rendered:
            pdf.render(content, rendered)
            rendered.seek(0)
            add("portfolio.pdf", rendered.read())
        missing = _add_evidence(archive, _evidence_folders(content), digests)
        if missing:
            add("MISSING.txt", "".join(missing).encode("utf-8"))
        add("activities.csv", activities_csv(content.activities))
        document = json.dumps(portfolio_json(content), ensure_ascii=False, indent=2)
        add("portfolio.json", document.encode("utf-8"))
        manifest = "".join(f"{digest}  {name}\n" for digest, name in digests)
        archive.writestr("MANIFEST", manifest.encode("utf-8"))
    return [name for _, name in digests] + ["MANIFEST"]


def _evidence_folders(content: Content) -> list[tuple[str, list]]:
    """(folder, evidence entries): one folder per activity, one per reflection."""
    folders = [
        (f"evidence/{n:03d}-{safe_name(a.title)}", content.evidence_of(a))
        for n, a in enumerate(content.activities, start=1)
    ]
    folders += [
        (f"evidence/reflections/{n:03d}-{safe_name(r.title)}", content.evidence_of_reflection(r))
        for n, r in enumerate(content.reflection_list, start=1)
    ]
    return folders


def _add_evidence(archive: zipfile.ZipFile, folders, digests: list) -> list[str]:
    """Copy each stored file in; a line for MISSING.txt for each one missing from storage."""
    missing: list[str] = []
    for folder, entries in folders:
        for entry in entries:
            if entry.evidence.is_file:
                name = f"{folder}/{entry.label}-{safe_name(entry.evidence.original_name)}"
                try:
                    digests.append((copy_in(archive, name, entry.evidence), name))
                except MissingFile as lost:
                    missing.append(f"{entry.label}  {name}: {lost}\n")
    return missing


def copy_in(archive: zipfile.ZipFile, name: str, evidence) -> str:
    """Stream a stored file into the archive (never whole in memory); its SHA-256."""
    digest = hashlib.sha256()
    with open_file(evidence) as source, archive.open(name, "w") as target:
        while chunk := source.read(1024 * 1024):
            digest.update(chunk)
            target.write(chunk)
    return digest.hexdigest()
