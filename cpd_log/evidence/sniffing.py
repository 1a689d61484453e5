"""Decide a file's type from its bytes, never from its name. No Flask here, so it is tested alone.

puremagic reads the magic numbers; two types need more than magic: a .docx is a ZIP that must hold
[Content_Types].xml and word/document.xml (any other ZIP is an archive and refused), and plain text
is valid UTF-8 without NUL bytes that does not look like markup a browser would run (SVG, HTML).
"""

import io
import zipfile
from dataclasses import dataclass

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPTED = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "txt": "text/plain",
    "docx": DOCX_MIME,
}
EXTENSIONS = {
    "pdf": "pdf",
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "gif": "gif",
    "webp": "webp",
    "txt": "txt",
    "text": "txt",
    "docx": "docx",
}
# The accepted binary types, by the MIME type of puremagic's matches.
MAGIC = {mime: kind for kind, mime in ACCEPTED.items() if kind not in {"txt", "docx"}}
ARCHIVES = {".gz", ".tar", ".7z", ".rar", ".bz2", ".xz", ".zst", ".cab", ".iso"}
PROGRAMS = {".exe", ".dll", ".elf", ".msi", ".com", ".so", ".dylib", ".class", ".jar"}
MARKUP = (b"<svg", b"<?xml", b"<!doctype", b"<html", b"<script", b"<head", b"<body", b"<iframe")
ACCEPTED_TEXT = "PDF, PNG, JPEG, GIF, WebP, plain text (.txt) or Word (.docx)"


class Refused(ValueError):
    """The file is not accepted; the message says why, in words for the user."""


@dataclass(frozen=True)
class Sniffed:
    kind: str  # a key of ACCEPTED
    mime_type: str


def sniff(data: bytes, filename: str) -> Sniffed:
    """The accepted type of `data`, or Refused. The name's extension must agree with the content."""
    if not data:
        raise Refused("The file is empty.")
    kind = _content_kind(data)
    claimed = EXTENSIONS.get(filename.rsplit(".", 1)[-1].lower()) if "." in filename else None
    if claimed is None:
        raise Refused(f"Only {ACCEPTED_TEXT} files are accepted.")
    if claimed != kind:
        raise Refused(
            f"The file is named as {claimed.upper()} but its content is {kind.upper()}. "
            "Rename it or upload the right file."
        )
    return Sniffed(kind, ACCEPTED[kind])


def _content_kind(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    matches = _magic(data)
    for _extension, mime in matches:
        if mime in MAGIC:
            return MAGIC[mime]
    extensions = {extension for extension, _ in matches}
    native = data[:2] == b"MZ" or data[:4] in (b"\x7fELF", b"\xcf\xfa\xed\xfe")
    if extensions & PROGRAMS or native:
        raise Refused("Programs are not accepted as evidence.")
    if extensions & ARCHIVES:
        raise Refused("Archives are not accepted; upload the files inside one by one.")
    return _text_kind(data)


def _magic(data: bytes) -> list[tuple[str, str]]:
    """puremagic's matches, best first, as (extension, MIME type)."""
    import puremagic  # its signature tables load with the first upload, not at start-up

    try:
        return [(m.extension.lower(), m.mime_type) for m in puremagic.magic_string(data)]
    except (puremagic.PureError, ValueError):
        return []


def _zip_kind(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise Refused("The file looks like a damaged archive and is not accepted.") from None
    if {"[Content_Types].xml", "word/document.xml"} <= names:
        return "docx"
    raise Refused("Archives (ZIP) are not accepted; upload the files inside one by one.")


def _text_kind(data: bytes) -> str:
    if b"\x00" in data:
        raise Refused(f"That file type is not accepted. Upload {ACCEPTED_TEXT}.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(f"That file type is not accepted. Upload {ACCEPTED_TEXT}.") from None
    head = text.lstrip("\ufeff \t\r\n")[:512].lower().encode()
    if head.startswith(MARKUP) or b"<svg" in head or b"<script" in head:
        raise Refused("SVG and HTML files are not accepted: they can carry scripts.")
    return "txt"
