"""The portfolio PDF, rendered with ReportLab platypus in one layout pass.

The first page (cover, sign-off, "At a glance": pdf_glance.py), contents and body are one
document; the evidence index and the appendix are there only when there is evidence. The
contents' rows are known before layout (the sections present and the certificates counted);
only their page numbers are not, so each is drawn as a PDF form that is filled in once the last
page is laid out. Bookmarks are written by ReportLab as headings land on their pages. Only
attached PDF certificates need pypdf: they are appended, with their bookmarks, after the document
is written (pdf_evidence.py, which also says which evidence files are missing from storage).
"""

import tempfile
from collections.abc import Callable
from typing import BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageBreak, PageTemplate

from cpd_log.documents import fonts, pdf_evidence, pdf_glance, pdf_register, pdf_story
from cpd_log.documents.pdf_flowables import ContentsRow
from cpd_log.documents.pdf_table import MARGIN
from cpd_log.portfolio.services import Content

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


class _Canvas(Canvas):
    """Runs `before_save` (filling in the contents' page numbers) once every page is laid out."""

    before_save: Callable | None = None

    def save(self) -> None:
        if self.before_save:
            self.before_save(self)
        super().save()


class _Document(BaseDocTemplate):
    """Cover and contents on the "front" template, the body (with page footers) after them.
    Every flowable that carries `outline` becomes a bookmark at the page it landed on."""

    def __init__(self, target, content: Content, contents: list, progress: Callable | None):
        self.footer = _plain_footer(content.portfolio.title)
        super().__init__(
            target, **PAGE, title=self.footer, author=_plain_footer(content.owner.display_name)
        )
        self.contents, self.progress = contents, progress
        self.section_pages: dict[str, int] = {}
        self.marks = 0
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="page")
        self.addPageTemplates(
            [
                PageTemplate("front", [frame]),
                PageTemplate("body", [frame], onPage=self._decorate),
            ]
        )

    def _decorate(self, canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(fonts.MAIN, 8)
        canvas.drawString(MARGIN, 10 * mm, self.footer[:90])
        canvas.drawRightString(A4[0] - MARGIN, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()
        if self.progress and doc.page % 10 == 0:
            self.progress(doc.page)

    def afterFlowable(self, flowable) -> None:
        outline = getattr(flowable, "outline", None)
        if outline:
            title, level = outline[0], outline[1]
            self.marks += 1
            key = f"mark{self.marks}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level)
            if level == 0:
                self.section_pages.setdefault(title, self.page)

    def _make_canvas(self, *args, **kwargs) -> Canvas:
        canvas = _Canvas(*args, **kwargs)
        canvas.before_save = self._fill_contents
        return canvas

    def _fill_contents(self, canvas) -> None:
        """The contents' page numbers: sections where they landed, certificates after the end
        (an appendix of certificates only starts at the first of them)."""
        page = self.page + 1
        for row in self.contents:
            if row.certificate_pages:
                row.fill(canvas, page)
                page += row.certificate_pages
            else:
                row.fill(canvas, self.section_pages.get(row.title, page))

    def render(self, story: list) -> int:
        self.build(story, canvasmaker=self._make_canvas)
        return self.page


def _plain_footer(title: str) -> str:
    return "".join(c for c in title if fonts.font_for(c) == fonts.MAIN)


def render(content: Content, out: BinaryIO, progress: Callable | None = None) -> int:
    """Write the PDF to `out`; returns its page count. `progress(pages)` is called as it grows."""
    fonts.register()
    s = pdf_story.styles()
    files = pdf_evidence.collect(content)
    certificates = files.certificates
    notes = {label: f" ({pages} pages, appendix)" for label, _, pages, _ in certificates}
    notes |= dict.fromkeys(files.missing, f" — {pdf_evidence.MISSING}")
    present = {pdf_story.EVIDENCE: bool(content.evidence), pdf_story.APPENDIX: bool(files.any)}
    rows = [ContentsRow(title, 0) for title in pdf_story.SECTIONS if present.get(title, True)]
    rows += [ContentsRow(f"{label} {name}", 1, pages) for label, name, pages, _ in certificates]
    story = [
        *pdf_glance.cover(content, s),
        *pdf_glance.at_a_glance(content, s),
        *pdf_story.contents(rows, s),
        NextPageTemplate("body"),
        PageBreak(),
        *pdf_story.summary(content, s),
        *pdf_register.register(content, s),
        *pdf_register.details(content, s),
        *pdf_story.reflections(content, s),
        *pdf_story.evidence_index(content, s, notes),
        *pdf_story.appendix_images(s, files.images, files.missing),
    ]
    if not certificates:
        return _Document(out, content, rows, progress).render(story)
    with tempfile.TemporaryFile() as laid_out:
        _Document(laid_out, content, rows, progress).render(story)
        laid_out.seek(0)
        appendix = bool(files.images or files.missing)
        return pdf_evidence.append_certificates(out, laid_out, certificates, appendix)
