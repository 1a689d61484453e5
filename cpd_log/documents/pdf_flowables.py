"""The PDF's own flowables: section headings, pre-broken lines of plain text, the contents' page
numbers.

`plain_text()` is how the details and reflections sections set user text. Most of it is in the
main face, and for that a Paragraph does work the text does not need: it parses markup (so the
text must be escaped first), builds fragments per word and, with line breaks, takes its slowest
drawing path. `Lines` breaks the text once and draws each line as a string, at about half the
cost, with nothing to escape. Text that needs another face or right-to-left reordering, or that
has spaces a Paragraph treats specially (no-break, soft hyphen, tabs), stays a Paragraph with
per-glyph font fallback (fonts.markup).
"""

import re
from functools import cache

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from cpd_log.documents import fonts

# Whitespace other than space and line break (no-break, thin, tab…) and the soft hyphen.
_SPECIAL_SPACE = re.compile(r"[^\S \n]|\xad")


def heading(text: str, style: ParagraphStyle, level: int, key: str | None = None) -> Paragraph:
    """A section heading; `outline` becomes its PDF bookmark and its line in the contents."""
    paragraph = Paragraph(fonts.markup(text), style)
    paragraph.outline = (text, level, key)
    return paragraph


def plain_text(value: str, style: ParagraphStyle) -> Flowable:
    """User text as a flowable: Lines when the main face sets all of it, else a Paragraph."""
    value = value.replace("\r\n", "\n")
    if not _SPECIAL_SPACE.search(value) and fonts.main_font_only(value.replace("\n", " ")):
        return Lines(value, style)
    return Paragraph(fonts.markup(value), style)


class Lines(Flowable):
    """Plain text in the style's font, broken at spaces like a left-aligned Paragraph ("\\n"
    starts a new line, a word wider than the column is cut) and drawn line by line. It splits
    across pages between lines, never leaving a single line at the foot of a page.
    `first_indent`: room kept free at the start of the first line, where Facts draws a label
    (Facts draws such lines itself)."""

    def __init__(self, value: str, style, lines: list[str] | None = None, first_indent=0.0):
        super().__init__()
        self.value, self.style, self.lines = value, style, lines
        self.first_indent = first_indent
        self.full_width = False  # set by Facts for a long text, and kept by both parts of a split
        self._broken_for = None if lines is None else "split"  # the width the lines fit

    def _break(self, available_width: float) -> None:
        if self._broken_for in (available_width, "split"):
            return
        name, size = self.style.fontName, self.style.fontSize
        width = available_width - self.style.leftIndent - self.style.rightIndent
        self.lines = []
        sources = self.value.split("\n")
        if self.first_indent:  # the first line's words that fit beside the label, the rest after
            head = (simpleSplit(sources[0], name, size, width - self.first_indent) or [""])[0]
            if stringWidth(head, name, size) > width - self.first_indent:
                head = ""  # one word too long for the room: it starts on the next line
            self.lines.append(head)
            sources[0] = " ".join(sources[0].split()[len(head.split()) :])
            if not sources[0]:
                sources = sources[1:]
        for line in sources:
            if stringWidth(line, name, size) <= width:  # most field values: one short line
                self.lines.append(line.strip())
                continue
            for part in simpleSplit(line, name, size, width) or [""]:
                self.lines.extend(_cut(part, name, size, width))
        self._broken_for = available_width

    def wrap(self, available_width, available_height):
        self._break(available_width)
        self.width, self.height = available_width, len(self.lines) * self.style.leading
        return self.width, self.height

    def split(self, available_width, available_height):
        self._break(available_width)
        fit = int(available_height / self.style.leading)  # as Paragraph.split counts
        if fit <= 1:  # no room, or room for an orphan line only
            return []
        if fit >= len(self.lines):
            return [self]
        head = Lines("", self.style, self.lines[:fit], self.first_indent)
        rest = Lines("", self.style, self.lines[fit:])
        head.full_width = rest.full_width = self.full_width
        return [head, rest]

    def draw(self) -> None:
        style = self.style
        self.canv.setFillColor(style.textColor)
        lines = self.canv.beginText(style.leftIndent, self.height - style.fontSize)
        lines.setFont(style.fontName, style.fontSize, style.leading)
        for line in self.lines:
            lines.textLine(line)
        self.canv.drawText(lines)


def _cut(line: str, name: str, size: float, width: float) -> list[str]:
    """A line wider than the column (one long word, as simpleSplit leaves it) cut into pieces.
    simpleSplit only adds a word to a line when it fits, so a line with a space fits already."""
    if " " in line or stringWidth(line, name, size) <= width:
        return [line]
    pieces, current = [], ""
    for char in line:
        if current and stringWidth(current + char, name, size) > width:
            pieces.append(current)
            current = char
        else:
            current += char
    return [*pieces, current]


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


LABEL_GAP = 6  # points between a label and its value
LABEL_MAX = 110  # points: a longer label wraps in its column


class Facts(Flowable):
    """Rows of "Label: value": each label (and its colon) in the main face's bold, in a column of
    its own, and its value beside it (`plain_text`, so it wraps and falls back like any user
    text). Splits between rows, or inside a value that would not fit on a page with its label.
    Values of the labels in `wide` (long texts) start beside their label and go on under it, at
    the block's full width."""

    def __init__(self, rows: list[tuple[str, str | Flowable]], style, label_width=None, wide=()):
        super().__init__()
        fonts.register(fonts.BOLD)
        self.style = style
        widest = max((self._label_width(label) for label, _ in rows), default=0)
        self.label_width = label_width or min(widest, LABEL_MAX) + LABEL_GAP
        self.rows = [(label, self._value(value, label in wide)) for label, value in rows]
        self.heights: list[float] = []

    def _value(self, value, wide: bool):
        if not isinstance(value, str):
            return value
        flowable = plain_text(value, self.style)
        if wide and isinstance(flowable, Lines):
            flowable.first_indent, flowable.full_width = self.label_width, True
        return flowable

    def _room(self, value, available_width: float) -> float:
        """The width a value is broken to: the full width for a long text, else its column."""
        if isinstance(value, Lines) and value.full_width:
            return available_width
        return available_width - self.label_width

    def _label_width(self, label: str) -> float:
        return _label_width(label, self.style.fontSize)

    def _label_lines(self, label: str) -> list[str]:
        room = self.label_width - LABEL_GAP + 0.5  # the widest label fits its own width
        return _label_lines(label, self.style.fontSize, room)

    def wrap(self, available_width, available_height):
        self.heights = [
            max(
                len(self._label_lines(label)) * self.style.leading,
                value.wrap(self._room(value, available_width), 1e6)[1],
            )
            for label, value in self.rows
        ]
        self.width, self.height = available_width, sum(self.heights)
        return self.width, self.height

    def split(self, available_width, available_height):
        self.wrap(available_width, available_height)
        used, index = 0.0, 0
        while index < len(self.rows) and used + self.heights[index] <= available_height:
            used += self.heights[index]
            index += 1
        if index == len(self.rows):
            return [self]
        label, value = self.rows[index]
        room, left = self._room(value, available_width), available_height - used
        label_height = len(self._label_lines(label)) * self.style.leading
        parts = value.split(room, left) if left >= label_height else []
        head, rest = self.rows[:index], self.rows[index:]
        if len(parts) == 2:
            head, rest = [*head, (label, parts[0])], [("", parts[1]), *rest[1:]]
        if not head:
            return []
        return [
            Facts(head, self.style, self.label_width),
            Facts(rest, self.style, self.label_width),
        ]

    def draw(self) -> None:
        """Label and value on one baseline, in one text object for the whole block, so a copy or
        text extraction reads "Label: value" on one line; a value that is a Paragraph is drawn
        after it."""
        style, y = self.style, self.height
        self.canv.setFillColor(style.textColor)
        text = self.canv.beginText(0, y)
        others = []
        for (label, value), height in zip(self.rows, self.heights, strict=True):
            labels = self._label_lines(label)
            first = y - style.fontSize  # the baseline of the label's first line, then the value's
            text.setTextOrigin(0, first)
            text.setFont(fonts.BOLD, style.fontSize, style.leading)
            if labels:
                text.textOut(labels[0] + " ")
            if isinstance(value, Lines):
                text.setFont(style.fontName, style.fontSize, style.leading)
                beside = not value.full_width or value.first_indent
                text.setTextOrigin(self.label_width if beside else 0, first)
                for number, line in enumerate(value.lines):
                    if number == 1 and value.full_width and beside:  # on under its label
                        text.setTextOrigin(0, first - style.leading)
                    text.textLine(line)
                text.setFont(fonts.BOLD, style.fontSize, style.leading)
            else:
                others.append((value, y))
            for index, line in enumerate(labels[1:], start=1):  # a long label's further lines
                text.setTextOrigin(0, first - index * style.leading)
                text.textOut(line)
            y -= height
        self.canv.drawText(text)
        for value, top in others:
            value.drawOn(self.canv, self.label_width, top - value.height)


@cache
def _label_width(label: str, size: float) -> float:
    return stringWidth(f"{label}:", fonts.BOLD, size)


@cache
def _label_lines(label: str, size: float, room: float) -> list[str]:
    """A label and its colon broken to its column (the same few labels on every activity)."""
    return simpleSplit(f"{label}:", fonts.BOLD, size, room) if label else []
