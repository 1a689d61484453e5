"""The PDF's flowables: contents, summary, reflections, evidence, appendix (the activity
register and details are in pdf_register.py; both share the cell helpers here).

Every piece of user text goes through `fonts.markup()` (escaped, then split into covering fonts)
before it reaches a Paragraph, or is set as plain lines in the main face (register cells,
`pdf_flowables.plain_text`), where no markup is parsed. Flowables that start a section carry
`outline = (title, level, key)`, which the document template turns into PDF bookmarks; the
contents list the sections and certificates with the pages the bookmarks landed on.
"""

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import PageBreak, Paragraph, Table, TableStyle

from cpd_log.documents import fonts, pdf_reflections
from cpd_log.documents.fonts import MAIN, markup
from cpd_log.documents.pdf_chart import month_rows, months_label, portfolio_series
from cpd_log.documents.pdf_evidence import APPENDIX, StoredImage
from cpd_log.documents.pdf_flowables import ContentsRow, PageNumber, heading
from cpd_log.documents.pdf_table import ROW_SPLIT_MIN, PagedTable
from cpd_log.portfolio.cycle_report import in_units
from cpd_log.portfolio.services import Content
from cpd_log.templating import hours

EVIDENCE = "Evidence index"
GLANCE = "At a glance"
SECTIONS = [
    GLANCE,
    "Summary",
    "Activity register",
    "Activity details",
    "Reflections by competency",
    EVIDENCE,
    APPENDIX,
]
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


def para(text, style) -> Paragraph:
    """User text as a Paragraph, escaped and split into covering fonts."""
    return Paragraph(markup(text), style)


CELL_PADDING = 12  # Table's default left + right padding, in points


def cell(text: str, width: float, style):
    """A register cell: text the main face covers is pre-broken into lines and drawn as a plain
    string (no markup is parsed, so nothing needs escaping, and it lays out many times faster);
    anything else becomes a Paragraph with font fallback."""
    room = width - CELL_PADDING
    if fonts.main_font_only(text) and "\n" not in text:
        lines = simpleSplit(text, MAIN, style.fontSize, room)
        # A word longer than the column stays whole in simpleSplit; Paragraph splits it.
        if all(stringWidth(line, MAIN, style.fontSize) <= room for line in lines):
            return "\n".join(lines) or " "
    return para(text, style)


def _table(rows: list[list], widths: list[float], s, numbers: int | None = None) -> PagedTable:
    """A summary table; column `numbers` (an index) is right-aligned, as figures are added up."""
    right = ParagraphStyle("right", parent=s["small"], alignment=TA_RIGHT)
    styles = [right if i == numbers else s["small"] for i in range(len(widths))]
    cells = [
        [
            c if isinstance(c, Paragraph) else para(c, style)
            for c, style in zip(row, styles, strict=True)
        ]
        for row in rows
    ]
    return PagedTable(cells[0], cells[1:], widths, [GRID])


def summary(content: Content, s) -> list:
    story = [heading("Summary", s["h1"], 0, "summary")]
    story.append(
        para(
            f"{len(content.activities)} activities, {hours(content.total_minutes)} hours.",
            s["body"],
        )
    )
    for title, rows in (
        ("Hours per year", [(str(y), m) for y, m in content.minutes_by_year]),
        ("Hours per kind of activity", content.minutes_by_kind),
        ("Hours per competency area", content.minutes_by_area),
    ):
        story.append(para(title, s["h2"]))
        body = [[label, hours(m)] for label, m in rows] or [["—", "0"]]
        story.append(_table([["", "Hours"], *body], [120 * mm, 30 * mm], s, numbers=1))
    series = portfolio_series(content)
    story.append(para(f"Hours per month, {months_label(series)} (the first page's chart)", s["h2"]))
    rows = [["Month", "Hours", "By kind"], *month_rows(series)]
    story.append(_table(rows, [25 * mm, 18 * mm, 127 * mm], s, numbers=1))
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
    story = [para(f"{scheme.name}: {unit} counted per category in the cycle", s["h2"])]
    body = [[name, in_units(m, scheme)] for name, m in content.minutes_by_category] or [["—", ""]]
    story.append(_table([["Category", unit], *body], [120 * mm, 30 * mm], s, numbers=1))
    story.append(para("Scheme requirements", s["h2"]))
    rules = [
        [r["name"], STATUS.get(r.get("status"), "Met" if r["met"] else "Not met"), r["detail"]]
        for r in content.rules
    ]
    story.append(_table([["Rule", "Status", "Detail"], *rules], [70 * mm, 25 * mm, 75 * mm], s))
    story.append(para(content.cycle_note, ParagraphStyle("note", parent=s["small"], spaceBefore=3)))
    return story


def _reviews(content: Content, s) -> list:
    if not content.reviews:
        return []
    story = [para("Reviews and sign-offs", s["h2"])]
    for review in content.reviews:
        who = (
            f"{review.reviewer_name}, {review.reviewer_role}"
            if review.reviewer_role
            else review.reviewer_name
        )
        line = f"Reviewed by {who}, on {review.created_at:%-d %b %Y}"
        story.append(para(line + (" — signed off." if review.signed_off else "."), s["body"]))
        if review.comment:
            story.append(para(review.comment, s["body"]))
    return story


def reflections(content: Content, s) -> list:
    return pdf_reflections.reflections(content, s)


def evidence_index(content: Content, s, notes: dict[str, str]) -> list:
    """`notes`: evidence label -> what follows its type (pages merged in the appendix, or that
    the file is missing from storage)."""
    if not content.evidence:  # no page saying so: the first page counts the evidence
        return []
    story = [PageBreak(), heading(EVIDENCE, s["h1"], 0, "evidence")]
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
    line for each evidence file missing from storage. Nothing when there is neither: appended
    certificates then get the appendix's bookmark on their first page (pdf_evidence.py)."""
    if not images and not missing:
        return []
    story = [PageBreak(), heading(APPENDIX, s["h1"], 0, "appendix")]
    for label, message in missing.items():
        story.append(para(f"{label}: {message}", s["body"]))
    for label, name, evidence, size in images:
        story.append(heading(f"{label} {name}", s["h2"], 1, f"evidence-{label}"))
        story.append(StoredImage(evidence, size, 170 * mm, 220 * mm))
        story.append(PageBreak())
    return story


def contents(rows: list[ContentsRow], s) -> list:
    """The table of contents; page numbers are filled in after layout (ContentsRow)."""
    cells = []
    for row in rows:
        row.style = s["body"]
        style = ParagraphStyle("contents", parent=s["body"], leftIndent=12 * row.level)
        cells.append([para(row.title, style), PageNumber(row)])
    story = [PageBreak(), Paragraph("Contents", s["h1"])]
    table = Table(cells, colWidths=[150 * mm, 20 * mm], splitInRow=ROW_SPLIT_MIN)
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), MAIN)])
    )
    return [*story, table]
