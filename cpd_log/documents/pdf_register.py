"""The activities in the PDF: the register (one row each, laid out a page at a time) and
the details (a section each). Which of the activity's fields fill a register column, and which long
texts the details show, come from the field table (cpd_log/activities/fields.py).
"""

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, PageBreak, TableStyle

from cpd_log.activities.fields import FIELDS, LONG_TEXTS, Value
from cpd_log.documents.fonts import MAIN
from cpd_log.documents.pdf_flowables import Facts, heading
from cpd_log.documents.pdf_story import CELL_PADDING, GRID, cell, para
from cpd_log.documents.pdf_table import PagedTable
from cpd_log.portfolio.services import Content
from cpd_log.templating import hours

# The register's columns and their widths in mm; the field table says which of the activity's
# fields fill a column (`register`), the others are the portfolio's.
REGISTER = {
    "#": 8,
    "Dates": 20,
    "Title": 40,
    "Category": 30,
    "Type": 23,
    "Provider": 23,
    "Hours": 13,  # wide enough for its header at 8 pt, as Evidence is
    "Evidence": 17,
}
REGISTER_NUMBERS = ("#", "Hours")  # right-aligned, so the digits line up as an auditor adds them
REGISTER_FIELDS = {
    column: [field for field in FIELDS if field.register == column] for column in REGISTER
}
REGISTER_TEXT = 160  # characters of a further field in a cell; the details have all of it


def register(content: Content, s) -> list:
    """The register: app-made cells (numbers, dates, labels) stay plain strings, which are far
    cheaper to lay out than Paragraphs; user text is a Paragraph so it wraps and can fall back."""
    story = [PageBreak(), heading("Activity register", s["h1"], 0, "register")]
    header = list(REGISTER)
    widths = [width * mm for width in REGISTER.values()]
    small = s["small"]
    rows = []
    for number, activity in enumerate(content.activities, start=1):
        labels = [e.label for e in content.evidence_of(activity)]
        cells = {
            "#": str(number),
            "Dates": _dates(activity).replace(" – ", " –\n"),
            "Category": cell(", ".join(content.categories_of(activity)) or "—", widths[3], small),
            "Evidence": label_runs(labels, widths[7] - CELL_PADDING, small.fontSize) or "—",
        }
        for (column, fields), width in zip(REGISTER_FIELDS.items(), widths, strict=True):
            if fields:
                cells[column] = _register_cell(activity, fields, width, small)
        rows.append([cells[column] for column in header])
    if not rows:
        return [*story, para("No activities are in this portfolio.", s["body"])]
    total = dict.fromkeys(header, "")
    count = f"{len(rows)} activit{'y' if len(rows) == 1 else 'ies'}"
    total.update(Title=f"Total: {count}", Hours=hours(content.total_minutes))
    totals = TableStyle(
        [
            ("LINEABOVE", (0, -1), (-1, -1), 1, colors.black),
            ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f1f3f5")),
        ]
    )
    aligned = TableStyle(
        [
            ("ALIGN", (header.index(column), 0), (header.index(column), -1), "RIGHT")
            for column in REGISTER_NUMBERS
        ]
    )
    total_row = [total[column] for column in header]
    story.append(PagedTable(header, rows, widths, [GRID, aligned], total_row, totals))
    return story


def _register_cell(activity, fields, width: float, style):
    """The first field as shown, any further one that has a value under it, labelled and cut
    short; hours stay a plain string."""
    first, *more = fields
    if first.value is Value.HOURS:
        return shown(first, activity)
    lines = [shown(first, activity)]
    for field in more:
        if text := field.of(activity):
            lines.append(f"{field.pdf}: {_cut(text)}")
    return cell("\n".join(lines), width, style)


def _cut(text: str) -> str:
    """`text` on one line, at most REGISTER_TEXT characters, ended at a word where it can be."""
    text = " ".join(text.split())
    if len(text) <= REGISTER_TEXT:
        return text
    head = text[: REGISTER_TEXT + 1]
    return (head.rsplit(" ", 1)[0] if " " in head else head[:REGISTER_TEXT]) + "…"


def shown(field, activity) -> str:
    """A field's value as the PDF shows it."""
    value = field.of(activity)
    if field.value is Value.CHOICE:
        return value.label
    if field.value is Value.HOURS:
        return hours(value)
    return value or "—"


def label_runs(labels: list[str], room: float, size: float) -> str:
    """Evidence labels as runs, one a line: ["E1", "E2", "E3", "E7"] -> "E1–E3\nE7"; a run wider
    than `room` points breaks after its dash. An activity's files have consecutive labels, so its
    cell stays one or two lines however many it has (a line per label once made a row taller
    than a page)."""
    runs: list[list[int]] = []
    for number in (int(label[1:]) for label in labels):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    lines = []
    for run in runs:
        text = f"E{run[0]}" if len(run) == 1 else f"E{run[0]}–E{run[-1]}"
        if stringWidth(text, MAIN, size) > room:
            text = text.replace("–", "–\n")
        lines.append(text)
    return "\n".join(lines)


def _dates(activity) -> str:
    start, end = activity.start_date, activity.end_date
    if end and end != start:
        return f"{start:%-d %b %Y} – {end:%-d %b %Y}"
    return f"{start:%-d %b %Y}"


def details(content: Content, s) -> list:
    """One section per activity, with every field an auditor asks for, one field a line."""
    story = [PageBreak(), heading("Activity details", s["h1"], 0, "details")]
    for number, activity in enumerate(content.activities, start=1):
        story.append(CondPageBreak(40 * mm))
        story.append(heading(f"{number}. {activity.title}", s["h2"], 1, f"activity-{activity.id}"))
        areas = content.categories_of(activity)
        evidence = ", ".join(f"{e.label} {e.evidence.label}" for e in content.evidence_of(activity))
        delivery = activity.delivery.label + (", participatory" if activity.participatory else "")
        fields = [
            ("Dates", _dates(activity)),
            ("Category", ", ".join(areas) or "—"),
            ("Activity type", activity.kind.label),
            ("Provider", activity.provider or "—"),
            ("Delivery", delivery),
            ("Hours", hours(activity.minutes)),
            ("Status", activity.status.label),
            ("Web address", activity.url or "—"),
            ("Competencies", "; ".join(c.label for c in activity.competencies) or "—"),
            ("Evidence", evidence or "—"),
        ]
        fields += [(text.pdf, value) for text in LONG_TEXTS if (value := text.of(activity))]
        story.append(Facts(fields, s["body"], wide={text.pdf for text in LONG_TEXTS}))
    return story
