"""The trend charts laid out in plain numbers for SVG templates (pure Python, like
competencies/heatmap.py): a stacked bar per month coloured by kind, and a cycle's burn-up.

Kinds take Paul Tol's "muted" qualitative scheme (nine colours told apart in every common
colour-vision deficiency) in the kinds' own order; when more than nine kinds have hours in the
window, the chart folds the smallest into one pale grey "Other kinds" band (the table beside it
keeps every kind apart). Every bar and point carries its figures in a <title>, and the page shows
the same figures in a table.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache

from cpd_log.trends.burnup import BurnUp
from cpd_log.trends.series import MonthlySeries

MUTED = (
    "#332288",
    "#88ccee",
    "#44aa99",
    "#117733",
    "#999933",
    "#ddcc77",
    "#cc6677",
    "#882255",
    "#aa4499",
)
FOLDED = "#dddddd"
AXIS, BAR, GAP, PLOT_HEIGHT, FOOT, TOP = 44, 22, 6, 180, 36, 10
BURN_WIDTH, BURN_HEIGHT, BURN_LEFT = 440, 180, 44


@dataclass(frozen=True)
class Band:
    label: str
    fill: str


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    height: float
    fill: str
    title: str


def nice_step(peak: float, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten) so `ticks` steps cover `peak`."""
    if peak <= 0:
        return 1
    rough = peak / ticks
    power = 10 ** math.floor(math.log10(rough))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= rough)


def bands(series: MonthlySeries) -> tuple[list[Band], list[list[int]]]:
    """The chart's bands (label, colour) and each band's minutes per month: the dashboard's chart
    and the portfolio PDF's (documents/pdf_chart.py) colour and fold kinds alike."""
    rows = list(series.kinds)
    kept = rows
    if len(rows) > len(MUTED):
        biggest = sorted(rows, key=lambda row: -row.total)[: len(MUTED) - 1]
        kept = [row for row in rows if row in biggest]
    bands = [Band(row.kind.label, MUTED[i]) for i, row in enumerate(kept)]
    figures = [list(row.minutes) for row in kept]
    if len(kept) < len(rows):
        folded = [row for row in rows if row not in kept]
        bands.append(Band("Other kinds", FOLDED))
        figures.append([sum(row.minutes[i] for row in folded) for i in range(len(series.months))])
    return bands, figures


def monthly_chart(series: MonthlySeries, hours: Callable[[int], str]) -> dict:
    """Coordinates of the stacked bar chart; `hours` formats minutes (the app's filter)."""
    hours = cache(hours)  # a few hundred cells, mostly the same few figures
    layers, figures = bands(series)
    step = nice_step(series.peak / 60) * 60
    top = max(step * -(-series.peak // step), step)
    scale = PLOT_HEIGHT / top
    segments, labels = [], []
    names = [f"{month:%b %Y}" for month in series.months]
    for i, month in enumerate(series.months):
        x = AXIS + i * (BAR + GAP)
        base = TOP + PLOT_HEIGHT
        for band, per_month in zip(layers, figures, strict=True):
            minutes = per_month[i]
            if minutes:
                height = minutes * scale
                base -= height
                title = f"{names[i]} · {band.label}: {hours(minutes)} h"
                segments.append(Segment(x, round(base, 2), round(height, 2), band.fill, title))
        labels.append((x + BAR / 2, f"{month:%b}", _year_label(month, i)))
    ticks = [(TOP + PLOT_HEIGHT - v * scale, hours(int(v))) for v in _range(top, step)]
    return {
        "bands": layers,
        "segments": segments,
        "labels": labels,
        "ticks": ticks,
        "table": _table(series, names, hours),
        "width": AXIS + len(series.months) * (BAR + GAP),
        "height": TOP + PLOT_HEIGHT + FOOT,
        "bar": BAR,
        "axis": AXIS,
        "base": TOP + PLOT_HEIGHT,
    }


def _table(series: MonthlySeries, names: list[str], hours) -> list[tuple[str, list, str]]:
    """(month, hours per kind, month's hours) per month, oldest first: the table's cells."""
    totals = series.month_totals
    return [
        (name, [hours(row.minutes[i]) for row in series.kinds], hours(totals[i]))
        for i, name in enumerate(names)
    ]


def _year_label(month: date, index: int) -> str:
    """The year under the first bar and under each January."""
    return f"{month:%Y}" if month.month == 1 or not index else ""


def _range(top: float, step: float) -> list[float]:
    return [step * n for n in range(int(top // step) + 1)]


def burnup_chart(burn: BurnUp) -> dict:
    """Coordinates of one cycle's burn-up: the counted line with a dot per checkpoint, the pace
    line from the first day to the last, y ticks in the scheme's unit."""
    span = max((burn.end - burn.start).days, 1)
    highest = max(burn.target, burn.counted, 1)
    unit = burn.scheme.unit_minutes
    step = nice_step(highest / unit) * unit
    top = step * -(-highest // step)
    width, height = BURN_WIDTH - BURN_LEFT - 8, BURN_HEIGHT - TOP - 24

    def x(day: date) -> float:
        return round(BURN_LEFT + (day - burn.start).days / span * width, 1)

    def y(minutes: int) -> float:
        return round(TOP + height - minutes / top * height, 1)

    dots = [
        (x(p.day), y(p.counted), f"{p.day:%-d %b %Y}: {burn.scheme.amount(p.counted)} counted, "
         f"pace {burn.scheme.amount(p.pace)}")
        for p in burn.points
    ]  # fmt: skip
    figure = burn.scheme.figure
    return {
        # the first point is the first day's start: what was carried in, and no pace yet
        "table": [
            (f"{p.day:%-d %b %Y}{'' if i else ' (start)'}", figure(p.counted), figure(p.pace))
            for i, p in enumerate(burn.points)
        ],
        "dots": dots,
        "line": " ".join(f"{dx},{dy}" for dx, dy, _ in dots),
        "pace": (x(burn.start), y(0), x(burn.end), y(burn.target)),
        "ticks": [(y(int(v)), burn.scheme.figure(int(v))) for v in _range(top, step)],
        "start_label": (x(burn.start), f"{burn.start:%b %Y}"),
        "end_label": (x(burn.end), f"{burn.end:%b %Y}"),
        "width": BURN_WIDTH,
        "height": BURN_HEIGHT,
        "left": BURN_LEFT,
        "base": TOP + height,
    }
