"""A table laid out a page at a time, without orphan rows.

ReportLab's Table splits wherever a page ends: a page could end with one or two rows of a table
or begin with them (the register once left four rows and its totals alone on a page), and
splitting a long Table re-creates the whole remainder on every page. `PagedTable` measures every
row once (one Table), then gives each page a Table of just its rows, the header repeated, with
the measured heights: no page ends or begins with fewer than KEEP_ROWS of its rows when the
table has more, and the last page holds at least LAST_PAGE_ROWS (moved from the page before) so
a long table never ends on a near-empty page. An optional totals row always stays with the rows
above it. A row too tall for a page of its own is split inside, as Table does (ROW_SPLIT_MIN).
"""

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Table

MARGIN = 18 * mm
# The room on a page: pdf.py lays pages out with MARGIN, and a Frame pads 6 points top and bottom.
FRAME_HEIGHT = A4[1] - 2 * MARGIN - 12
KEEP_ROWS = 3
LAST_PAGE_ROWS = 6
# A row is split inside only when it cannot fit on a page of its own (an activity tagged in
# dozens of areas, say), and then only with this many points on each side.
ROW_SPLIT_MIN = 36
_FUZZ = 1e-6


class PagedTable(Flowable):
    """`header` and `rows` (lists of cells) in columns of `widths`, styled by `styles`;
    `total` (a row) and `total_style` end the table."""

    def __init__(self, header, rows, widths, styles, total=None, total_style=None, heights=None):
        super().__init__()
        self.hAlign = "CENTER"  # as a Table, and as its pages are
        self.header, self.rows, self.widths = header, rows, widths
        self.styles, self.total, self.total_style = styles, total, total_style
        self.heights = heights  # [header, *rows, total?] once measured

    def _measure(self) -> list[float]:
        if self.heights is None:
            table = self._table(0, len(self.rows), measured=False)
            table.wrap(sum(self.widths), 1e9)
            self.heights = list(table._rowHeights)  # noqa: SLF001 - Table's measured heights
        return self.heights

    def _table(self, start: int, end: int, measured: bool = True) -> Table:
        """Rows [start:end] under the header; the totals row too when `end` is the last row."""
        with_total = self.total is not None and end == len(self.rows)
        data = [self.header, *self.rows[start:end], *([self.total] if with_total else [])]
        heights = None
        if measured:
            body = self.heights[1 + start : 1 + end]
            heights = [self.heights[0], *body, *([self.heights[-1]] if with_total else [])]
        table = Table(data, colWidths=self.widths, rowHeights=heights, repeatRows=1)
        table.splitInRow = ROW_SPLIT_MIN
        for style in self.styles:
            table.setStyle(style)
        if with_total and self.total_style is not None:
            table.setStyle(self.total_style)
        return table

    def wrap(self, available_width, available_height):
        self.width, self.height = sum(self.widths), sum(self._measure())
        return self.width, self.height

    def split(self, available_width, available_height):
        heights, count = self._measure(), len(self.rows)
        room = available_height - heights[0]
        fit = 0
        while fit < count and heights[1 + fit] <= room + _FUZZ:
            room -= heights[1 + fit]
            fit += 1
        if fit == count and (self.total is None or heights[-1] <= room + _FUZZ):
            return [self]
        here = self._kept(fit, heights)
        if here >= KEEP_ROWS:  # rows held back for the next page must not start on this one
            held = [PageBreak()] if here < fit else []
            return [self._table(0, here), *held, self._rest(here)]
        if available_height < FRAME_HEIGHT - _FUZZ:
            return []  # on to the next page, whole
        if fit:  # a whole page holds fewer rows than the rules ask: as many as fit
            fit = min(fit, count - 1)
            return [self._table(0, fit), self._rest(fit)]
        # The first row alone is taller than a page: Table splits it inside.
        parts = self._table(0, 1).split(available_width, available_height)
        return parts + ([self._rest(1)] if count > 1 else [])

    def _kept(self, fit: int, heights: list[float]) -> int:
        """How many of the `fit` rows that fit stay on this page: at least KEEP_ROWS go on to the
        next page, and the last page gets LAST_PAGE_ROWS when the rest fits on it."""
        count = len(self.rows)
        rest = count - fit
        if rest < KEEP_ROWS:
            fit = count - KEEP_ROWS
        rest = count - fit
        rest_height = sum(heights[1 + fit :]) + heights[0]
        if rest < LAST_PAGE_ROWS and rest_height <= FRAME_HEIGHT:
            fit = min(fit, max(count - LAST_PAGE_ROWS, KEEP_ROWS))
        return max(fit, 0)

    def _rest(self, start: int) -> "PagedTable":
        heights = [self.heights[0], *self.heights[1 + start :]]
        return PagedTable(
            self.header,
            self.rows[start:],
            self.widths,
            self.styles,
            self.total,
            self.total_style,
            heights,
        )

    def draw(self) -> None:
        table = self._table(0, len(self.rows))
        table.wrapOn(self.canv, self.width, self.height)
        table.drawOn(self.canv, 0, 0)
