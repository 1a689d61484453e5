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
from collections.abc import Callable
from typing import BinaryIO

from cpd_log.account.activity_csv import activities_csv
from cpd_log.documents.portfolio_json import portfolio_json
from cpd_log.evidence.services import MissingFile, open_file
from cpd_log.portfolio.services import Content

_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_name(name: str, limit: int = 60) -> str:
    """A file or folder name without separators, dots-only names or control characters."""
    cleaned = re.sub(r"\.{2,}", ".", _UNSAFE.sub("_", name)).strip(" ._")[:limit]
    return cleaned or "item"


class ManifestZip:
    """A ZIP whose members are listed with their SHA-256 in a MANIFEST written last, so a reviewer
    can check nothing changed; evidence files are streamed in, and one missing from storage is left
    out and named in MISSING.txt (`add_missing_list`). The portfolio bundle and the claims' audit
    pack are both written through it."""

    def __init__(self, out: BinaryIO):
        self.archive = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED)
        self.digests: list[tuple[str, str]] = []
        self.missing: list[str] = []

    def __enter__(self) -> "ManifestZip":
        return self

    def __exit__(self, kind, *_) -> None:
        if kind is None:
            manifest = "".join(f"{digest}  {name}\n" for digest, name in self.digests)
            self.archive.writestr("MANIFEST", manifest.encode("utf-8"))
        self.archive.close()

    @property
    def names(self) -> list[str]:
        """The member names, MANIFEST last."""
        return [name for _, name in self.digests] + ["MANIFEST"]

    def add(self, name: str, data: bytes) -> None:
        self.archive.writestr(name, data)
        self.digests.append((hashlib.sha256(data).hexdigest(), name))

    def add_rendered(self, name: str, render: Callable[[BinaryIO], None]) -> None:
        """A document that renders to a file (ReportLab's PDFs), through a temporary file."""
        with tempfile.TemporaryFile() as rendered:
            render(rendered)
            rendered.seek(0)
            self.add(name, rendered.read())

    def add_evidence(self, name: str, evidence, note: str = "") -> None:
        """A stored evidence file, streamed; missing from storage, a line for MISSING.txt."""
        try:
            self.digests.append((_copy_in(self.archive, name, evidence), name))
        except MissingFile as lost:
            self.missing.append(f"{note}{name}: {lost}\n")

    def add_missing_list(self) -> None:
        if self.missing:
            self.add("MISSING.txt", "".join(self.missing).encode("utf-8"))


def write_zip(content: Content, out: BinaryIO) -> list[str]:
    """Write the bundle to `out`; returns the member names (MANIFEST last)."""
    from cpd_log.documents import pdf  # ReportLab loads on first use, not at start-up

    with ManifestZip(out) as bundle:
        bundle.add_rendered("portfolio.pdf", lambda rendered: pdf.render(content, rendered))
        for folder, entries in _evidence_folders(content):
            for entry in entries:
                if entry.evidence.is_file:
                    name = f"{folder}/{entry.label}-{safe_name(entry.evidence.original_name)}"
                    bundle.add_evidence(name, entry.evidence, note=f"{entry.label}  ")
        bundle.add_missing_list()
        bundle.add("activities.csv", activities_csv(content.activities))
        document = json.dumps(portfolio_json(content), ensure_ascii=False, indent=2)
        bundle.add("portfolio.json", document.encode("utf-8"))
    return bundle.names


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


def _copy_in(archive: zipfile.ZipFile, name: str, evidence) -> str:
    """Stream a stored file into the archive (never whole in memory); its SHA-256."""
    digest = hashlib.sha256()
    with open_file(evidence) as source, archive.open(name, "w") as target:
        while chunk := source.read(1024 * 1024):
            digest.update(chunk)
            target.write(chunk)
    return digest.hexdigest()
