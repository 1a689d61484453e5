"""The PDF's flowables: summary, activity register and details, reflections, evidence, appendix.

Every piece of user text goes through `fonts.markup()` (escaped, then split into covering fonts)
before it reaches a Paragraph, or is set as plain lines in the main face (register cells,
`pdf_flowables.plain_text`), where no markup is parsed. Flowables that start a section carry
`outline = (title, level, key)`, which the document template turns into PDF bookmarks; the
contents list the sections and certificates with the pages the bookmarks landed on.
"""

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, PageBreak, Paragraph, Spacer, Table, TableStyle

from cpd_log.activities.fields import FIELDS, LONG_TEXTS, Value
from cpd_log.documents import fonts, pdf_reflections
from cpd_log.documents.fonts import MAIN, markup
from cpd_log.documents.pdf_evidence import StoredImage
from cpd_log.documents.pdf_flowables import ContentsRow, PageNumber, heading, plain_text
from cpd_log.portfolio.cycle_report import in_units
from cpd_log.portfolio.services import Content
from cpd_log.templating import hours

SECTIONS = [
    "Summary",
    "Activity register",
    "Activity details",
    "Reflections by competency",
    "Evidence index",
    "Appendix: attached evidence",
]
REGISTER_CHUNK = 20  # rows per table: about a page, so tables rarely need splitting
GRID = TableStyle(
    [
        ("FONTNAME", (0, 0), (-1, -1), MAIN),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#adb5bd")),
    ]
)


def styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=MAIN, fontSize=9.5, leading=12.5, spaceAfter=4)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10, spaceAfter=0),
        "h1": ParagraphStyle("h1", parent=base, fontSize=17, leading=21, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12.5, leading=16, spaceBefore=8),
        "title": ParagraphStyle(
            "title", parent=base, fontSize=26, leading=32, alignment=TA_CENTER, spaceAfter=18
        ),
        "centre": ParagraphStyle(
            "centre", parent=base, fontSize=12, leading=16, alignment=TA_CENTER
        ),
    }


def _p(text, style) -> Paragraph:
    return Paragraph(markup(text), style)


CELL_PADDING = 12  # Table's default left + right padding, in points
# Tables break between rows; a row is split inside only when it cannot fit on a page of its own
# (an activity tagged in dozens of areas, say), and then only with this many points on each side.
ROW_SPLIT_MIN = 36


def _cell(text: str, width: float, style):
    """A register cell: text the main face covers is pre-broken into lines and drawn as a plain
    string (no markup is parsed, so nothing needs escaping, and it lays out many times faster);
    anything else becomes a Paragraph with font fallback."""
    room = width - CELL_PADDING
    if fonts.main_font_only(text) and "\n" not in text:
        lines = simpleSplit(text, MAIN, style.fontSize, room)
        # A word longer than the column stays whole in simpleSplit; Paragraph splits it.
        if all(stringWidth(line, MAIN, style.fontSize) <= room for line in lines):
            return "\n".join(lines) or " "
    return _p(text, style)


def _table(rows: list[list], widths: list[float], s) -> Table:
    cells = [[c if isinstance(c, Paragraph) else _p(c, s["small"]) for c in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1, splitInRow=ROW_SPLIT_MIN)
    table.setStyle(GRID)
    return table


def summary(content: Content, s) -> list:
    story = [heading("Summary", s["h1"], 0, "summary")]
    story.append(
        _p(
            f"{len(content.activities)} activities, {hours(content.total_minutes)} hours.",
            s["body"],
        )
    )
    for title, rows in (
        ("Hours per year", [(str(y), m) for y, m in content.minutes_by_year]),
        ("Hours per kind of activity", content.minutes_by_kind),
        ("Hours per competency area", content.minutes_by_area),
    ):
        story.append(_p(title, s["h2"]))
        body = [[label, hours(m)] for label, m in rows] or [["—", "0"]]
        story.append(_table([["", "Hours"], *body], [120 * mm, 30 * mm], s))
    if content.scheme is not None:
        story.extend(_cycle_summary(content, s))
    story.extend(_reviews(content, s))
    return story


STATUS = {"met": "Met", "not_met": "Not met", "unmeasured": "Not measured", "info": "Info"}


def _cycle_summary(content: Content, s) -> list:
    """The rules engine's verdict on the cycle: counted per category, and each rule met or not.
    The engine counts every activity logged in the cycle, as the scheme's rules do, and the note
    under the tables says so (with how many of those activities this portfolio leaves out)."""
    scheme = content.scheme
    unit = scheme.unit_plural
    story = [_p(f"{scheme.name}: {unit} counted per category in the cycle", s["h2"])]
    body = [[name, in_units(m, scheme)] for name, m in content.minutes_by_category] or [["—", ""]]
    story.append(_table([["Category", unit], *body], [120 * mm, 30 * mm], s))
    story.append(_p("Scheme requirements", s["h2"]))
    rules = [
        [r["name"], STATUS.get(r.get("status"), "Met" if r["met"] else "Not met"), r["detail"]]
        for r in content.rules
    ]
    story.append(_table([["Rule", "Status", "Detail"], *rules], [70 * mm, 25 * mm, 75 * mm], s))
    story.append(_p(content.cycle_note, ParagraphStyle("note", parent=s["small"], spaceBefore=3)))
    return story


def _reviews(content: Content, s) -> list:
    if not content.reviews:
        return []
    story = [_p("Reviews and sign-offs", s["h2"])]
    for review in content.reviews:
        who = (
            f"{review.reviewer_name}, {review.reviewer_role}"
            if review.reviewer_role
            else review.reviewer_name
        )
        line = f"Reviewed by {who}, on {review.created_at:%-d %b %Y}"
        story.append(_p(line + (" — signed off." if review.signed_off else "."), s["body"]))
        if review.comment:
            story.append(_p(review.comment, s["small"]))
    return story


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
            "Category": _cell(", ".join(content.categories_of(activity)) or "—", widths[3], small),
            "Evidence": label_runs(labels, widths[7] - CELL_PADDING, small.fontSize) or "—",
        }
        for (column, fields), width in zip(REGISTER_FIELDS.items(), widths, strict=True):
            if fields:
                cells[column] = _register_cell(activity, fields, width, small)
        rows.append([cells[column] for column in header])
    if not rows:
        return [*story, _p("No activities are in this portfolio.", s["body"])]
    total = dict.fromkeys(header, "")
    count = f"{len(rows)} activit{'y' if len(rows) == 1 else 'ies'}"
    total.update(Title=f"Total: {count}", Hours=hours(content.total_minutes))
    chunks = [rows[start : start + REGISTER_CHUNK] for start in range(0, len(rows), REGISTER_CHUNK)]
    chunks[-1].append([total[column] for column in header])
    for chunk in chunks:
        table = Table([header, *chunk], widths, repeatRows=1, splitInRow=ROW_SPLIT_MIN)
        table.setStyle(GRID)
        table.setStyle(_register_style(header, last=chunk is chunks[-1]))
        story.append(table)
    return story


def _register_style(header: list[str], last: bool) -> TableStyle:
    """Numbers right-aligned; the last table ends in the totals row, set off by a rule."""
    commands = [
        ("ALIGN", (header.index(column), 0), (header.index(column), -1), "RIGHT")
        for column in REGISTER_NUMBERS
    ]
    if last:
        commands += [
            ("LINEABOVE", (0, -1), (-1, -1), 1, colors.black),
            ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f1f3f5")),
        ]
    return TableStyle(commands)


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
    return _cell("\n".join(lines), width, style)


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
        story.append(plain_text("\n".join(f"{k}: {v}" for k, v in fields), s["body"]))
        for section in LONG_TEXTS:  # each its own paragraph
            if text := section.of(activity):
                story.append(plain_text(f"{section.pdf}: {text}", s["body"]))
    return story


def reflections(content: Content, s) -> list:
    return pdf_reflections.reflections(content, s)


def evidence_index(content: Content, s, notes: dict[str, str]) -> list:
    """`notes`: evidence label -> what follows its type (pages merged in the appendix, or that
    the file is missing from storage)."""
    story = [PageBreak(), heading("Evidence index", s["h1"], 0, "evidence")]
    if not content.evidence:
        return [*story, _p("No evidence is attached.", s["body"])]
    rows = [["Ref.", "Activity or reflection", "Evidence", "Type", "SHA-256 / address"]]
    for entry in content.evidence:
        item = entry.evidence
        where = item.sha256[:16] + "…" if item.is_file else item.url
        kind = (item.mime_type or "web address") + notes.get(entry.label, "")
        rows.append([entry.label, entry.owner_title, item.label, kind, where])
    story.append(_table(rows, [12 * mm, 50 * mm, 45 * mm, 32 * mm, 35 * mm], s))
    return story


def appendix_images(s, images: list, missing: dict[str, str]) -> list:
    """(label, name, evidence, pixel size) of each image: one page each, scaled to fit; then a
    line for each evidence file missing from storage."""
    story = [PageBreak(), heading("Appendix: attached evidence", s["h1"], 0, "appendix")]
    if not images:
        story.append(_p("Attached PDF certificates follow as pages, if any.", s["body"]))
    for label, message in missing.items():
        story.append(_p(f"{label}: {message}", s["body"]))
    for label, name, evidence, size in images:
        story.append(heading(f"{label} {name}", s["h2"], 1, f"evidence-{label}"))
        story.append(StoredImage(evidence, size, 170 * mm, 220 * mm))
        story.append(PageBreak())
    return story


def cover(content: Content, s) -> list:
    portfolio = content.portfolio
    return [
        Spacer(1, 60 * mm),
        _p(portfolio.title, s["title"]),
        _p(content.owner.display_name, s["centre"]),
        Spacer(1, 6 * mm),
        _p(f"Period: {content.period}", s["centre"]),
        _p(f"Audience: {portfolio.audience.label}", s["centre"]),
        _p(f"Generated on {content.generated:%-d %B %Y}", s["centre"]),
        PageBreak(),
    ]


def contents(rows: list[ContentsRow], s) -> list:
    """The table of contents; page numbers are filled in after layout (ContentsRow)."""
    cells = []
    for row in rows:
        row.style = s["body"]
        style = ParagraphStyle("contents", parent=s["body"], leftIndent=12 * row.level)
        cells.append([_p(row.title, style), PageNumber(row)])
    story = [Paragraph("Contents", s["h1"])]
    table = Table(cells, colWidths=[150 * mm, 20 * mm], splitInRow=ROW_SPLIT_MIN)
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), MAIN)])
    )
    return [*story, table]
