"""The type comes from the content; the name must agree; risky types are refused with a reason."""

import pytest

from cpd_log.evidence.sniffing import DOCX_MIME, Refused, sniff
from tests.evidence import samples


@pytest.mark.parametrize(
    ("data", "name", "mime"),
    [
        (samples.pdf_bytes(), "cert.pdf", "application/pdf"),
        (samples.png_bytes(), "photo.PNG", "image/png"),
        (samples.docx_bytes(), "notes.docx", DOCX_MIME),
        ("Notes: café 中文\n".encode(), "notes.txt", "text/plain"),
    ],
)
def test_accepted_types(data, name, mime):
    assert sniff(data, name).mime_type == mime


def test_jpeg_gif_webp_are_recognised():
    import io

    from PIL import Image

    for fmt, ext, mime in [
        ("JPEG", "jpg", "image/jpeg"),
        ("GIF", "gif", "image/gif"),
        ("WEBP", "webp", "image/webp"),
    ]:
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8)).save(buffer, fmt)
        assert sniff(buffer.getvalue(), f"x.{ext}").mime_type == mime


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (samples.pdf_bytes(), "photo.png", "content is PDF"),
        (samples.png_bytes(), "cert.pdf", "content is PNG"),
        (samples.SVG_WITH_SCRIPT, "drawing.svg", "SVG and HTML"),
        (samples.SVG_WITH_SCRIPT, "innocent.txt", "SVG and HTML"),
        (samples.HTML, "page.txt", "SVG and HTML"),
        (samples.ELF, "tool.pdf", "Programs"),
        (b"MZ\x90\x00\x03" + b"\x00" * 64, "setup.exe", "Programs"),
        (samples.zip_bytes(), "bundle.docx", "Archives"),
        (samples.zip_bytes(), "bundle.zip", "Archives"),
        (b"\xff\xfe\x00\x00binary", "x.txt", "not accepted"),
        (b"plain words", "notes.md", "Only"),
        (b"", "empty.txt", "empty"),
    ],
)
def test_refused_with_a_reason(data, name, words):
    with pytest.raises(Refused, match=words):
        sniff(data, name)
