"""The portfolio PDF, rendered with ReportLab platypus in one pass over the body.

The body (summary to appendix) is built once, into a temporary file, with its page numbers offset
by the cover and contents pages; section start pages are recorded as it goes. Then the cover and
contents are built with those numbers, and pypdf joins the parts, appends attached PDF certificates
and writes the bookmarks. No second layout pass, and the document is never held twice in memory.
"""

import io
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from cpd_log.evidence.services import file_path
from cpd_log.portfolio import fonts, pdf_story
from cpd_log.portfolio.services import Content

MARGIN = 18 * mm
# Every template starts its canvas in the embedded font, so no unembedded Helvetica is referenced.
PAGE = {
    "pagesize": A4,
    "leftMargin": MARGIN,
    "rightMargin": MARGIN,
    "topMargin": MARGIN,
    "bottomMargin": MARGIN,
    "initialFontName": fonts.MAIN,
    "initialFontSize": 9,
}


@dataclass
class Mark:
    title: str
    level: int
    page: int  # 1-based, in the final document


class _Body(BaseDocTemplate):
    """Records every flowable that carries `outline` as a bookmark at the page it landed on."""

    def __init__(self, target, offset: int, footer: str, progress: Callable | None):
        super().__init__(
            target,
            **PAGE,
            title=footer,
        )
        self.offset, self.footer, self.progress = offset, footer, progress
        self.marks: list[Mark] = []
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate("body", [frame], onPage=self._decorate)])

    def _decorate(self, canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(fonts.MAIN, 8)
        canvas.drawString(MARGIN, 10 * mm, self.footer[:90])
        canvas.drawRightString(A4[0] - MARGIN, 10 * mm, f"Page {doc.page + self.offset}")
        canvas.restoreState()
        if self.progress and doc.page % 10 == 0:
            self.progress(doc.page)

    def afterFlowable(self, flowable) -> None:
        outline = getattr(flowable, "outline", None)
        if outline:
            self.marks.append(Mark(outline[0], outline[1], self.page + self.offset))


def _plain_footer(title: str) -> str:
    return "".join(c for c in title if fonts.font_for(c) == fonts.MAIN)


def render(content: Content, out: BinaryIO, progress: Callable | None = None) -> int:
    """Write the PDF to `out`; returns its page count. `progress(pages)` is called as it grows."""
    fonts.register()
    s = pdf_story.styles()
    certificates, images = _evidence_files(content)
    merged = {label: pages for label, _, pages, _ in certificates}
    # The contents' length is known before the body is laid out: the sections are fixed and the
    # certificates are counted; only the page numbers are unknown (999 takes the widest space).
    guess = [(title, 0, 999) for title in pdf_story.SECTIONS]
    guess += [(f"{label} {name}", 1, 999) for label, name, _, _ in certificates]
    contents_pages = _page_count(pdf_story.contents(guess, s))
    offset = 1 + contents_pages

    with tempfile.TemporaryFile() as body_file:
        body = _Body(body_file, offset, _plain_footer(content.portfolio.title), progress)
        story = [
            *pdf_story.summary(content, s),
            *pdf_story.register(content, s),
            *pdf_story.details(content, s),
            *pdf_story.reflections(content, s),
            *pdf_story.evidence_index(content, s, merged),
            *pdf_story.appendix_images(content, s, images),
        ]
        body.build(story)
        body_pages = body.page
        marks = body.marks
        entries = _contents_entries(marks, certificates, offset + body_pages)
        front = io.BytesIO()
        _build(front, [*pdf_story.cover(content, s), *pdf_story.contents(entries, s)], content)
        return _assemble(out, front, body_file, certificates, marks)


def _contents_entries(marks, certificates, first_free_page: int) -> list[tuple[str, int, int]]:
    entries = [(m.title, 0, m.page) for m in marks if m.level == 0]
    page = first_free_page + 1
    for label, name, pages, _ in certificates:
        entries.append((f"{label} {name}", 1, page))
        page += pages
    return entries


def _evidence_files(content: Content):
    """Split file evidence into PDFs to merge (with page counts) and images to place on pages."""
    certificates, images = [], []
    for entry in content.evidence:
        item = entry.evidence
        if not item.is_file:
            continue
        path = file_path(item)
        if item.mime_type == "application/pdf":
            pages = _pdf_pages(path)
            if pages:  # damaged or encrypted ones are listed in the index, not merged
                certificates.append((entry.label, item.label, pages, path))
        elif item.mime_type.startswith("image/") and _image_ok(path):
            images.append((entry.label, item.label, str(path)))
    return certificates, images


def _pdf_pages(path) -> int:
    """Pages of a PDF pypdf can read in full, else 0."""
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            return 0
        for page in reader.pages:
            page.get_contents()
        return len(reader.pages)
    except Exception:  # noqa: BLE001 - any failure to parse means "do not merge"
        return 0


def _image_ok(path) -> bool:
    """Only images Pillow can decode, of a sane size, reach ReportLab (a bad one would abort)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.load()
                return image.width * image.height <= 50_000_000
    except Exception:  # noqa: BLE001 - truncated, bomb, unsupported: place nothing
        return False


def _build(target, story, content: Content) -> None:
    doc = BaseDocTemplate(
        target,
        **PAGE,
        title=_plain_footer(content.portfolio.title),
        author=_plain_footer(content.owner.display_name),
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="front")
    doc.addPageTemplates([PageTemplate("front", [frame])])
    doc.build(story)


def _page_count(story) -> int:
    doc = BaseDocTemplate(
        io.BytesIO(),
        **PAGE,
    )
    doc.addPageTemplates([PageTemplate("x", [Frame(MARGIN, MARGIN, doc.width, doc.height)])])
    doc.build(story)
    return doc.page


def _assemble(out, front, body_file, certificates, marks) -> int:
    writer = PdfWriter()
    writer.append(PdfReader(front))
    body_file.seek(0)
    writer.append(PdfReader(body_file))
    parents: dict[int, object] = {}
    for mark in marks:
        parent = parents.get(mark.level - 1) if mark.level else None
        parents[mark.level] = writer.add_outline_item(
            title=mark.title, page_number=mark.page - 1, parent=parent
        )
    for label, name, _pages, path in certificates:
        start = len(writer.pages)
        writer.append(PdfReader(str(path)), import_outline=False)
        writer.add_outline_item(title=f"{label} {name}", page_number=start, parent=parents.get(0))
    writer.write(out)
    return len(writer.pages)
