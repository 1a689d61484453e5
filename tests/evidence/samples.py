"""Real files for upload tests, made on the spot: a PDF, a PNG, a docx, hostile look-alikes."""

import io
import zipfile

from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from cpd_log.evidence import services
from cpd_log.extensions import db


def pdf_bytes(text: str = "Certificate of completion", pages: int = 1) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    for page in range(pages):
        canvas.drawString(72, 720, f"{text} — page {page + 1}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def png_bytes(size=(40, 30), colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return buffer.getvalue()


SVG_WITH_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 60


def make_evidence(user, activity, data: bytes | None = None, name: str = "certificate.pdf"):
    """A stored file attached through the real service, committed."""
    evidence = services.attach_file(
        user, activity, services.Upload(name, data if data is not None else pdf_bytes())
    )
    db.session.commit()
    return evidence
