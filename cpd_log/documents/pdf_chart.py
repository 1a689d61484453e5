"""Hours per month stacked by kind, drawn as vectors (reportlab.graphics), with every figure also
set as text: each bar's total above it and each kind's total in the legend; the summary's
"Hours per month" table (pdf_story.py) lists every month by kind.

The figures are the portfolio's own completed activities per month of the portfolio's period (or
the 24 months up to the day it was generated, when the period is open), bucketed by
`trends.series.zero_filled`, the trend chart's own arithmetic; the activities are already loaded,
so no query is needed here.
"""

from datetime import date

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from cpd_log.activities.choices import ActivityStatus
from cpd_log.documents.fonts import MAIN
from cpd_log.portfolio.services import Content
from cpd_log.templating import hours
from cpd_log.trends.chart import Band, bands, nice_step
from cpd_log.trends.series import DEFAULT_MONTHS, MonthlySeries, zero_filled

MAX_MONTHS = 60  # a longer period shows its last five years
WIDTH, PLOT, AXIS, LABEL = 170 * mm, 58 * mm, 26, 6


def portfolio_series(content: Content) -> MonthlySeries:
    """The portfolio's completed minutes per month and kind over its period's months."""
    start, end = content.portfolio.date_from, content.portfolio.date_to
    until = min(end, content.generated) if end else content.generated
    months = DEFAULT_MONTHS
    if start and start <= until:
        months = min((until.year - start.year) * 12 + until.month - start.month + 1, MAX_MONTHS)
    rows = [
        (a.start_date.year, a.start_date.month, a.kind, a.minutes)
        for a in content.activities
        if a.status == ActivityStatus.COMPLETED and a.start_date <= until
    ]
    return zero_filled(rows, until, months)


def monthly_chart(series: MonthlySeries) -> Drawing:
    layers, figures = bands(series)  # colours and folding as on the dashboard's chart
    legend = _legend(layers, figures)
    height = PLOT + 3 * LABEL + 10 + len(legend) * 11
    drawing = Drawing(WIDTH, height, initialFontName=MAIN)  # no Helvetica, which is not embedded
    base = height - PLOT - 8  # the plot's bottom; totals are written above the bars
    peak = series.peak / 60 or 1
    step = nice_step(peak, ticks=5)
    top = max(peak, step)
    scale = (PLOT - 10) / top
    value = 0.0
    while value <= top + 1e-9:
        y = base + value * scale
        drawing.add(
            Line(AXIS, y, WIDTH, y, strokeColor=colors.HexColor("#dee2e6"), strokeWidth=0.4)
        )
        label = hours(round(value * 60))
        drawing.add(String(AXIS - 3, y - 2, label, fontName=MAIN, fontSize=LABEL, textAnchor="end"))
        value += step
    _bars(drawing, series, _fills(layers, figures), base, scale)
    if not series.total:
        text = "No completed activities in this period."
        drawing.add(
            String(WIDTH / 2, base + PLOT / 2, text, fontName=MAIN, fontSize=9, textAnchor="middle")
        )
    for row, entries in enumerate(legend):
        y = base - 3 * LABEL - 12 - row * 11
        for x, band, text in entries:
            drawing.add(Rect(x, y, 7, 7, fillColor=colors.HexColor(band.fill), strokeColor=None))
            drawing.add(String(x + 10, y + 1, text, fontName=MAIN, fontSize=7.5))
    return drawing


def _fills(layers: list[Band], figures: list[list[int]]) -> list[tuple[object, list[int]]]:
    """Each band's reportlab colour beside its minutes per month."""
    return [
        (colors.HexColor(band.fill), minutes) for band, minutes in zip(layers, figures, strict=True)
    ]


def _bars(drawing: Drawing, series: MonthlySeries, layers, base: float, scale: float) -> None:
    slot = (WIDTH - AXIS) / len(series.months)
    every = 1 if slot >= 11 else 2  # month names that fit
    for index, month in enumerate(series.months):
        x = AXIS + index * slot + slot * 0.15
        y = base
        for fill, per_month in layers:
            if per_month[index]:
                height = per_month[index] / 60 * scale
                drawing.add(Rect(x, y, slot * 0.7, height, fillColor=fill, strokeColor=None))
                y += height
        centre = x + slot * 0.35
        total = series.month_totals[index]
        if total:
            drawing.add(
                String(
                    centre, y + 2, hours(total), fontName=MAIN, fontSize=5.5, textAnchor="middle"
                )
            )
        if index % every == 0:
            drawing.add(_label(centre, base - LABEL - 2, f"{month:%b}"))
        if index == 0 or month.month == 1:
            drawing.add(_label(centre, base - 2 * LABEL - 4, f"{month:%Y}"))


def _label(x: float, y: float, text: str) -> String:
    return String(x, y, text, fontName=MAIN, fontSize=LABEL, textAnchor="middle")


def _legend(layers: list[Band], figures: list[list[int]]) -> list[list[tuple[float, Band, str]]]:
    """Each band's swatch and "Course 36 h", laid out in rows that fit the width."""
    rows: list[list] = [[]]
    x = AXIS
    for band, per_month in zip(layers, figures, strict=True):
        text = f"{band.label} {hours(sum(per_month))} h"
        width = 10 + stringWidth(text, MAIN, 7.5) + 12
        if rows[-1] and x + width > WIDTH:
            rows.append([])
            x = AXIS
        rows[-1].append((x, band, text))
        x += width
    return rows if rows[0] else []


def month_rows(series: MonthlySeries) -> list[list[str]]:
    """The chart's figures as table rows: month, hours, and the hours of each kind in it."""
    found = []
    for index, month in enumerate(series.months):
        kinds = [
            f"{row.kind.label} {hours(row.minutes[index])}"
            for row in series.kinds
            if row.minutes[index]
        ]
        found.append([f"{month:%b %Y}", hours(series.month_totals[index]), ", ".join(kinds) or "—"])
    return found


def months_label(series: MonthlySeries) -> str:
    first: date = series.months[0]
    return f"{first:%b %Y} – {series.months[-1]:%b %Y}"
