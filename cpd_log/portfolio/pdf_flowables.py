"""The PDF's own flowables: the contents' page numbers, drawn before they are known."""

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable


class ContentsRow:
    """A row of the contents. Its page number is known only after layout, so it is drawn as a
    form named after the row and filled in by `fill()` once every page is laid out.
    `certificate_pages`: for an appended PDF certificate, its page count."""

    def __init__(self, title: str, level: int, certificate_pages: int = 0):
        self.title, self.level, self.certificate_pages = title, level, certificate_pages
        self.form = f"contents{id(self)}"
        self.style: ParagraphStyle | None = None  # set by the contents table

    def fill(self, canvas, page: int) -> None:
        canvas.beginForm(self.form)
        canvas.setFont(self.style.fontName, self.style.fontSize)
        canvas.drawString(0, self.style.leading - self.style.fontSize, str(page))
        canvas.endForm()


class PageNumber(Flowable):
    """A contents row's page number: draws the row's form, one line of its style high."""

    def __init__(self, row: ContentsRow):
        super().__init__()
        self.row = row

    def wrap(self, available_width, available_height):
        return available_width, self.row.style.leading

    def draw(self) -> None:
        self.canv.doForm(self.row.form)
