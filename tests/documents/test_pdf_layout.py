"""Issue 14 (defect 10 and Deliver 4): the PDF read back as an auditor reads it — the first page
(cover, sign-off, each cycle's rules, the monthly chart), bold labels, readable sizes, Markdown
emphasis, no orphan register rows, no empty pages."""

import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from cpd_log.documents import pdf, pdf_table
from cpd_log.documents.pdf_story import GRID
from cpd_log.documents.pdf_table import KEEP_ROWS, LAST_PAGE_ROWS, PagedTable
from cpd_log.extensions import db
from cpd_log.models import ActivityKind
from cpd_log.portfolio import services
from cpd_log.sharing import services as sharing
from tests import factories
from tests.evidence import samples
from tests.portfolio.builders import make_link, make_portfolio
from tests.schemes.helpers import make_cycle

TODAY = date(2026, 11, 23)
REGISTER_HEADER = "#\nDates\nTitle\nCategory"


def _reader(portfolio) -> PdfReader:
    buffer = io.BytesIO()
    pdf.render(services.gather(portfolio, today=TODAY), buffer)
    return PdfReader(buffer)


def _runs(page) -> list[tuple[str, str, float]]:
    """(text, font name, size in points) of each piece of text drawn on the page."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip() and font:
            name = str(font.get("/BaseFont", "")).split("+")[-1]
            found.append((text.strip(), name, size * tm[0] * cm[0] if tm[0] and cm[0] else size))

    page.extract_text(visitor_text=visit)
    return found


def _all_runs(reader) -> list[tuple[str, str, float]]:
    return [run for page in reader.pages for run in _runs(page)]


def test_detail_labels_are_bold_and_their_values_regular(user):
    factories.make_activity(user, title="Risk course", provider="APM", description="Monte Carlo.")
    runs = _all_runs(_reader(make_portfolio(user)))
    fonts = {text: font for text, font, _ in runs}
    for label in ("Dates:", "Provider:", "Hours:", "Learning outcomes:"):
        assert fonts.get(label) == "NotoSans-Bold", (label, fonts.get(label))
    assert fonts["APM"] == "NotoSans-Regular" and fonts["Monte Carlo."] == "NotoSans-Regular"
    text = "\n".join(page.extract_text() for page in _reader(make_portfolio(user)).pages)
    assert "Provider: APM" in text  # label and value read as one line


def test_reflection_details_are_bold_labelled_at_body_size(user, framework):
    leaf = factories.leaves(framework)[0]
    factories.make_reflection(user, title="What I learnt", competencies=[leaf])
    runs = _all_runs(_reader(make_portfolio(user)))
    for label in ("Model:", "Date:", "Competencies:"):
        (size,) = {size for text, font, size in runs if text == label and font.endswith("Bold")}
        assert size >= 9.5, (label, size)
    body = [size for text, font, size in runs if text in ("What happened", "How I felt")]
    assert body and min(body) >= 9.5
    smallest = min(size for text, _, size in runs if "Gibbs" in text)
    assert smallest >= 9.5  # the facts were 8 pt


def test_markdown_bold_and_italic_in_reflections_are_kept(user):
    stages = {
        "gibbs_description": "I was **very nervous** at *first*, then ***calm***.",
        "gibbs_feelings": "Plain words & <b>tags</b> stay text.",
    }
    factories.make_reflection(user, title="Emphasis", stages=stages)
    reader = _reader(make_portfolio(user))
    runs = _all_runs(reader)
    fonts = {text: font for text, font, _ in runs}
    assert fonts["very nervous"] == "NotoSans-Bold"
    assert fonts["first"] == "NotoSans-Italic"
    assert fonts["calm"] == "NotoSans-Bold"  # bold italic is set in bold
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "very nervous" in text and "then" in text
    assert "**" not in text and "Plain words & tags stay text." in text  # inline HTML dropped


def _register_pages(reader) -> list[str]:
    """The text of each register page; one header a page, never one mid-page."""
    pages = [page.extract_text() for page in reader.pages]
    pages = [text for text in pages if REGISTER_HEADER in text]
    assert all(text.count(REGISTER_HEADER) == 1 for text in pages)
    return pages


@pytest.mark.parametrize("count", [17, 23, 34, 41])
def test_no_register_page_holds_only_a_few_orphan_rows(user, count):
    for n in range(1, count + 1):  # three-line titles: about twenty rows a page
        title = f"Course {n:02d} on programme assurance and benefits realisation"
        factories.make_activity(user, title=title, start_date=date(2026, 1, 1) + timedelta(n))
    texts = _register_pages(_reader(make_portfolio(user)))
    pages = [[int(n) for n in re.findall(r"Course (\d+)\b", text)] for text in texts]
    assert [n for page in pages for n in page] == list(range(1, count + 1))
    assert len(pages) > 1 or count < 20, len(pages)  # the larger registers run over pages
    assert all(len(page) >= KEEP_ROWS for page in pages), [len(p) for p in pages]
    if len(pages) > 1:
        assert len(pages[-1]) >= LAST_PAGE_ROWS, [len(p) for p in pages]
    assert f"Total: {count} activities" in texts[-1]


def _paged(rows: int) -> PagedTable:
    header = ["#", "Title"]
    body = [[str(n), f"Row {n}"] for n in range(rows)]
    return PagedTable(header, body, [20 * mm, 100 * mm], [GRID], ["", "Total"])


def test_paged_table_moves_rows_rather_than_leave_an_orphan():
    table = _paged(10)
    table.wrap(500, 10_000)
    header, row = table.heights[0], table.heights[1]
    assert table.split(500, header + 2.5 * row) == []  # two rows would be orphans: move on
    first, page_break, rest = table.split(500, header + 8.5 * row)
    # eight fit, but the last page keeps LAST_PAGE_ROWS rows and the totals row
    assert len(first._cellvalues) == 1 + 10 - LAST_PAGE_ROWS
    assert len(rest.rows) == LAST_PAGE_ROWS and type(page_break).__name__ == "PageBreak"
    assert table.split(500, 10_000) == [table]


def test_paged_table_on_a_whole_page_places_what_fits():
    table = _paged(2)
    table.wrap(500, 10_000)
    header, row = table.heights[0], table.heights[1]
    assert table.split(500, header + 1.5 * row) == []  # not a whole page: move on
    table.heights = [header, pdf_table.FRAME_HEIGHT - header - 1, row, row]  # a tall first row
    first, rest = table.split(500, pdf_table.FRAME_HEIGHT)
    assert len(first._cellvalues) == 2 and len(rest.rows) == 1


def test_no_evidence_index_or_appendix_page_without_evidence(user):
    factories.make_activity(user, title="Talk")
    reader = _reader(make_portfolio(user))
    texts = [page.extract_text() for page in reader.pages]
    assert not any("Evidence index" in t or "Appendix" in t for t in texts)
    # first page, contents, summary, register, details, reflections: no page says "none"
    assert len(texts) == 6, [t[:40] for t in texts]
    with_image = factories.make_activity(user, title="Badge day")
    samples.make_evidence(user, with_image, samples.png_bytes(), name="badge.png")
    reader = _reader(make_portfolio(user, title="With evidence"))
    texts = [page.extract_text() for page in reader.pages]
    assert any("Evidence index" in t for t in texts)
    assert any("Appendix: attached evidence" in t for t in texts)


def test_the_cover_holds_the_sign_off(user, client):
    factories.make_activity(user, title="Talk")
    portfolio = make_portfolio(user, title="Appraisal")
    cover = _reader(portfolio).pages[0].extract_text()
    assert "Appraisal" in cover and "Sign-off" in cover and "Not signed off yet." in cover
    assert "Reviewer:" in cover and "Signature:" in cover
    link, _ = make_link(portfolio)
    data = {"reviewer_name": "Grace Hopper", "reviewer_role": "Line manager", "signed_off": True}
    sharing.add_review(link, data)
    db.session.commit()
    cover = _reader(portfolio).pages[0].extract_text()
    assert f"Signed off by Grace Hopper, Line manager on {date.today():%-d %b %Y}." in cover
    assert "Not signed off yet." not in cover


def test_at_a_glance_has_each_cycle_rules_and_the_monthly_chart(user):
    cycle = make_cycle(user, "pmi-pmp", date(2026, 1, 1))
    course = {"kind": ActivityKind.COURSE, "start_date": date(2026, 3, 2)}
    factories.make_activity(user, title="Agile course", minutes=180, **course)
    factories.make_activity(user, title="Scrum course", minutes=90, **course)
    factories.make_activity(
        user, title="Podcast", kind=ActivityKind.PODCAST, minutes=45, start_date=date(2026, 5, 4)
    )
    portfolio = make_portfolio(user, cycle=cycle)
    content = services.gather(portfolio, today=TODAY)
    reader = _reader(portfolio)
    first = reader.pages[0]
    text = " ".join(first.extract_text().split())
    assert "At a glance" in text and "3 activities, 5.25 hours" in text
    (view,) = content.cycles
    for rule in view.progress.rules:
        assert rule.label in text, rule.label
    total = view.progress.rule("total")
    assert f"Total {view.scheme.amount(total.target)} {view.scheme.amount(total.counted)}" in text
    assert f"Short by {view.scheme.amount(total.needed)}" in text
    # the chart: a bar per month with its total above it, the legend with each kind's total
    assert "Hours per month" in text and "4.5" in text and "0.75" in text
    assert "Course 4.5 h" in text and "Podcast 0.75 h" in text
    assert "Jan" in text and "Nov" in text and "2026" in text
    assert not first.images  # drawn as vectors, not a picture
    assert b" re" in first.get_contents().get_data()  # the bars are rectangles
    summary = " ".join("".join(p.extract_text() for p in reader.pages[2:4]).split())
    assert "Mar 2026 4.5 Course 4.5" in summary and "May 2026 0.75 Podcast 0.75" in summary


def test_at_a_glance_without_a_chosen_cycle_shows_the_active_cycles(user):
    make_cycle(user, "pmi-pmp", date(2026, 1, 1))
    factories.make_activity(user, title="Agile course", minutes=120, start_date=date(2026, 3, 2))
    text = " ".join(_reader(make_portfolio(user)).pages[0].extract_text().split())
    assert "Cycle 1 · 1 Jan 2026 – 31 Dec 2028" in text and "Required Counted Status" in text
