"""Evidence files in the portfolio PDF: PDF certificates merged after the last page, images placed
in the appendix, and files missing from storage named instead of failing the render.

Every file is read through evidence.services.open_file, and only for as long as it is needed: a
certificate is opened to count its pages and again to merge it, an image when its page is drawn.
Images are placed from their rendition when they have one (a JPEG of at most
images.RENDITION_SIDE px that ReportLab embeds without decoding) and otherwise only when the
original is that small, so no image costs more than a 2000 × 2000 decode here
(images.RENDER_BUDGET_MB, measured by tests/evidence/test_image_budget.py).
"""

import warnings
from dataclasses import dataclass, field

from PIL import Image
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable

from cpd_log.evidence.images import RENDITION_SIDE
from cpd_log.evidence.services import MissingFile, open_file
from cpd_log.models import Evidence
from cpd_log.portfolio.services import Content

MISSING = "missing from storage"
APPENDIX = "Appendix: attached evidence"  # the section's title, here and in pdf_story


@dataclass
class EvidenceFiles:
    # (label, name, pages, evidence) of each PDF certificate to merge
    certificates: list[tuple[str, str, int, Evidence]] = field(default_factory=list)
    # (label, name, evidence, pixel size) of each image to place
    images: list[tuple[str, str, Evidence, tuple[int, int]]] = field(default_factory=list)
    # label -> what the index and the appendix say of a file missing from storage
    missing: dict[str, str] = field(default_factory=dict)

    @property
    def any(self) -> bool:
        """Whether the appendix has anything to show."""
        return bool(self.certificates or self.images or self.missing)


def collect(content: Content) -> EvidenceFiles:
    """Sort file evidence into certificates, images and missing files. Damaged or encrypted
    PDFs and images that cannot be placed are only listed in the index."""
    found = EvidenceFiles()
    for entry in content.evidence:
        item = entry.evidence
        if not item.is_file:
            continue
        try:
            if item.mime_type == "application/pdf":
                with open_file(item) as stream:
                    pages = _pdf_pages(stream)
                if pages:
                    found.certificates.append((entry.label, item.label, pages, item))
            elif item.mime_type.startswith("image/") and (size := _image_size(item)):
                found.images.append((entry.label, item.label, item, size))
        except MissingFile as missing:
            found.missing[entry.label] = str(missing)
    return found


def _pdf_pages(stream) -> int:
    """Pages of a PDF pypdf can read in full, else 0."""
    try:
        reader = PdfReader(stream)
        if reader.is_encrypted:
            return 0
        for page in reader.pages:
            page.get_contents()
        return len(reader.pages)
    except Exception:  # noqa: BLE001 - any failure to parse means "do not merge"
        return 0


def _image_size(item: Evidence) -> tuple[int, int] | None:
    """The pixel size of what the appendix places, or None when nothing can be placed.

    A rendition is our own JPEG: its header is enough. An original is placed only when it is no
    larger than a rendition would be, and decoded once here to be sure ReportLab can draw it (a
    truncated file would abort the whole document). Raises MissingFile."""
    with open_file(item, rendition=True) as stream:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(stream) as image:
                    if item.rendition_sha256:
                        return image.size
                    if max(image.size) > RENDITION_SIDE:
                        return None  # an old upload without a rendition: listed, not placed
                    image.load()
                    return image.size
        except Exception:  # noqa: BLE001 - truncated, bomb, unsupported: place nothing
            return None


class StoredImage(Flowable):
    """An evidence image scaled to fit the box, read from storage only when drawn (so one image at
    a time is in memory). If the file has gone since it was measured, says so instead."""

    def __init__(self, evidence: Evidence, size: tuple[int, int], width: float, height: float):
        super().__init__()
        self.evidence = evidence
        scale = min(width / size[0], height / size[1], 1)
        self.draw_width, self.draw_height = size[0] * scale, size[1] * scale

    def wrap(self, available_width, available_height):
        return self.draw_width, self.draw_height

    def draw(self) -> None:
        try:
            with open_file(self.evidence, rendition=True) as stream:
                picture = ImageReader(stream)
                self.canv.drawImage(picture, 0, 0, self.draw_width, self.draw_height)
        except MissingFile as missing:
            self.canv.drawString(0, self.draw_height - 12, str(missing))


def append_certificates(out, laid_out, certificates, appendix_laid_out: bool = True) -> int:
    """The PDF certificates after the last page, bookmarked under the appendix (the last
    top-level bookmark; without a laid-out appendix page, one made at the first certificate).
    One gone since its pages were counted becomes blank pages, so the contents' page numbers
    stay true."""
    reader = PdfReader(laid_out)
    writer = PdfWriter()
    writer.append(reader)  # its bookmarks come along as pypdf outline items
    writer.add_metadata(reader.metadata)
    appendix = None
    if appendix_laid_out:
        *_, appendix = writer.get_outline_root().children()
    for label, name, pages, item in certificates:
        start = len(writer.pages)
        try:
            with open_file(item) as stream:
                writer.append(PdfReader(stream), import_outline=False)
        except MissingFile:
            for _ in range(pages):
                writer.add_blank_page(*A4)
        if appendix is None:
            appendix = writer.add_outline_item(title=APPENDIX, page_number=start)
        writer.add_outline_item(title=f"{label} {name}", page_number=start, parent=appendix)
    writer.write(out)
    return len(writer.pages)


def insert_certificates(out, laid_out, inserts: list[tuple[int, str, Evidence]]) -> int:
    """Each PDF certificate of `inserts` (after, bookmark title, evidence) placed right after page
    `after` (1-based) of the laid-out document, those after the same page in the given order, each
    bookmarked with its title. The laid-out pages are copied in runs, so the document is written
    once however many certificates there are. A file missing from storage or one pypdf cannot read
    in full is left out (the document names it), and each file is open only while it is appended.
    Returns the number of pages written."""
    reader = PdfReader(laid_out)
    writer = PdfWriter()
    copied = 0
    for after, title, item in sorted(inserts, key=lambda insert: insert[0]):  # stable: keeps order
        if after > copied:
            writer.append(reader, pages=(copied, after))
            copied = after
        try:
            with open_file(item) as stream:
                if not _pdf_pages(stream):
                    continue
                stream.seek(0)
                start = len(writer.pages)
                writer.append(PdfReader(stream), import_outline=False)
        except MissingFile:
            continue
        writer.add_outline_item(title=title, page_number=start)
    if copied < len(reader.pages):
        writer.append(reader, pages=(copied, len(reader.pages)))
    writer.add_metadata(reader.metadata)
    writer.write(out)
    return len(writer.pages)
