"""The coverage heat-map laid out in plain numbers for an SVG template (pure Python, like gap.py's
chart): a colour per cell from a sequential scale that reads for colour-blind people, and where
each rectangle and figure goes.

The scale is viridis in seven steps, light for few hours and dark for many (viridis keeps its
order of lightness in every common colour-vision deficiency and in greyscale). Its steps are fixed
hours, doubling, so one colour means the same on every page and in every quarter.
"""

import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from cpd_log.competencies.coverage import Cell, Coverage, Line

# (fewest minutes, colour, figure colour): from 1 minute, 1 h, 2 h, 4 h, … on viridis, reversed.
STEPS = (
    (1, "#fde725", "#000000"),
    (60, "#8fd744", "#000000"),
    (120, "#35b779", "#000000"),
    (240, "#21918c", "#ffffff"),
    (480, "#31688e", "#ffffff"),
    (960, "#443983", "#ffffff"),
    (1920, "#440154", "#ffffff"),
)
NONE_FILL, NONE_TEXT = "#f1f3f5", "#495057"  # no hours: a pale grey, distinct from the first step

ROW_HEIGHT, LABEL_WIDTH, HEAD_HEIGHT = 24, 260, 40
QUARTER_WIDTH, FRAMEWORK_WIDTH = 76, 120
LABEL_CHARS, HEAD_CHARS, INDENT = 36, 18, 12
COLUMN_GAP = 4  # between columns, wider than the line between a quarter's two halves


def colour(minutes: int) -> tuple[str, str]:
    """(fill, figure colour) for a number of minutes."""
    found = (NONE_FILL, NONE_TEXT)
    for fewest, fill, text in STEPS:
        if minutes >= fewest:
            found = (fill, text)
    return found


@dataclass(frozen=True)
class LegendStep:
    fill: str
    label: str


def legend(hours: Callable[[int], str]) -> list[LegendStep]:
    """The scale's steps in words: "None", "Under 1 h", "1–2 h", …, "32 h or more"."""
    steps = [LegendStep(NONE_FILL, "None")]
    for index, (fewest, fill, _) in enumerate(STEPS):
        if index + 1 < len(STEPS):
            upto = STEPS[index + 1][0]
            label = f"Under {hours(upto)} h" if index == 0 else f"{hours(fewest)}–{hours(upto)} h"
        else:
            label = f"{hours(fewest)} h or more"
        steps.append(LegendStep(fill, label))
    return steps


@dataclass(frozen=True)
class Rect:
    x: float
    width: float
    fill: str
    text_fill: str
    text: str  # the hours, "" for none
    title: str  # what a pointer hovering over it reads


@dataclass(frozen=True)
class ChartRow:
    y: int
    indent: int  # a competency sits a step in from its area
    label: str
    title: str
    area: bool
    rects: list[Rect]


@dataclass(frozen=True)
class Heading:
    x: float  # the middle of its column
    lines: list[str]
    title: str


def _label(line: Line) -> str:
    text = f"{line.code} {line.name}"
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _rects(line: Line, cells: list[Cell], columns: list[str], split: bool, hours) -> list[Rect]:
    width = QUARTER_WIDTH if split else FRAMEWORK_WIDTH
    found = []
    for index, (cell, heading) in enumerate(zip(cells, columns, strict=True)):
        x = LABEL_WIDTH + index * width
        halves = [("tagged here", cell.direct), ("via a crosswalk", cell.via)] if split else []
        if not split:
            halves = [("tagged here" if index == 0 else "via a crosswalk", cell.total)]
        part = (width - COLUMN_GAP) / len(halves)
        for offset, (how, minutes) in enumerate(halves):
            fill, text_fill = colour(minutes)
            figure = hours(minutes) if minutes else ""
            title = f"{line.code} {line.name}, {heading}, {how}: {hours(minutes)} h"
            found.append(Rect(x + offset * part, part, fill, text_fill, figure, title))
    return found


def chart(coverage: Coverage, hours: Callable[[int], str], split: bool) -> dict:
    """Coordinates for the SVG. `split`: each cell is two halves, hours tagged here on the left
    and via a crosswalk on the right (the quarters view); else one figure per cell (the
    frameworks view, whose first column is tagged here and the others via). `hours` formats
    minutes (the app's `hours` filter)."""
    width = QUARTER_WIDTH if split else FRAMEWORK_WIDTH
    rows = [
        ChartRow(
            y=HEAD_HEIGHT + index * ROW_HEIGHT,
            indent=0 if line.area is None else INDENT,
            label=_label(line),
            title=f"{line.code} {line.name}",
            area=line.area is None,
            rects=_rects(line, coverage.row(line), coverage.columns, split, hours),
        )
        for index, line in enumerate(coverage.lines)
    ]
    headings = [
        Heading(
            LABEL_WIDTH + (index + 0.5) * width - COLUMN_GAP / 2,
            textwrap.wrap(name, HEAD_CHARS, max_lines=2, placeholder="…") or [""],
            name,
        )
        for index, name in enumerate(coverage.columns)
    ]
    return {
        "rows": rows,
        "headings": headings,
        "split": split,
        "width": LABEL_WIDTH + len(coverage.columns) * width,
        "height": HEAD_HEIGHT + max(len(rows), 1) * ROW_HEIGHT,
        "row_height": ROW_HEIGHT,
        "head_height": HEAD_HEIGHT,
        "label_width": LABEL_WIDTH,
        "legend": legend(hours),
    }
