"""The PDF read back with pypdf: titles, hours, hostile text, bookmarks and merged certificates."""

import io
import unicodedata
from datetime import date

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from cpd_log.documents import pdf, pdf_register, pdf_story
from cpd_log.documents.fonts import MAIN
from cpd_log.documents.pdf_register import label_runs
from cpd_log.models import ActivityKind
from cpd_log.portfolio import services
from tests import factories
from tests.evidence import samples
from tests.portfolio.builders import make_portfolio

HOSTILE = [
    "<script>alert(1)</script>",
    "Tom & Jerry <b>bold?</b> <font name='x'>",
    "Ünïcødé café — naïve",
    "Ελληνικά Кириллица",
    "中文学习 日本語の研修",
    "עברית מרחבא",
    "مرحبا بالعالم",
    "emoji 🎓👩🏽‍💻 ✓",
]


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def _render(portfolio) -> bytes:
    buffer = io.BytesIO()
    pdf.render(services.gather(portfolio, today=date(2026, 11, 23)), buffer)
    return buffer.getvalue()


@pytest.fixture
def framework_leaves(framework):
    return factories.leaves(framework)


def test_pdf_has_cover_contents_summary_register_and_bookmarks(user, framework_leaves):
    factories.make_activity(
        user,
        title="Risk workshop",
        minutes=150,
        provider="APM",
        start_date=date(2025, 6, 1),
        competencies=[framework_leaves[0]],
        description="Learnt Monte Carlo.",
        url="https://example.org/risk",
        kind=ActivityKind.COURSE,
    )
    factories.make_activity(user, title="PMO Flashmob", minutes=60, start_date=date(2026, 2, 3))
    portfolio = make_portfolio(user, title="Appraisal portfolio 2026")
    data = _render(portfolio)
    text = _text(data)
    for expected in [
        "Appraisal portfolio 2026",
        "Ada",
        "Generated on 23 November 2026",
        "Contents",
        "Summary",
        "Activity register",
        "Risk workshop",
        "PMO Flashmob",
        "2.5",
        "3.5 hours",
        "Learnt Monte Carlo.",
        "https://example.org/risk",
        "APM",
        "Area 1",
        "Course",
        "Sign-off",
        "At a glance",
        "Page 3",
    ]:
        assert expected in text, expected
    assert "Evidence index" not in text and "Appendix" not in text  # nothing to show: no page
    reader = PdfReader(io.BytesIO(data))
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline[:4] == ["At a glance", "Summary", "Activity register", "Activity details"]
    nested = [item for item in reader.outline if isinstance(item, list)]
    assert any(child.title == "1. Risk workshop" for group in nested for child in group)


def test_the_learning_objective_is_in_the_register_and_the_details(user):
    factories.make_activity(
        user,
        title="Risk workshop",
        objective="Price schedule risk",
        description="Learnt Monte Carlo.",
        start_date=date(2026, 1, 5),
    )
    aim = " ".join(f"aim{n}" for n in range(60))  # longer than a register cell keeps
    factories.make_activity(user, title="Long aim", objective=aim, start_date=date(2026, 1, 6))
    factories.make_activity(user, title="No aim", start_date=date(2026, 1, 7))
    text = _text(_render(make_portfolio(user)))
    before, details = text.rsplit("Activity details", 1)
    register = " ".join(before.rsplit("Activity register", 1)[1].split())
    assert "Risk workshop Learning objective: Price schedule risk" in register
    assert "aim20 aim21" in register and "aim59" not in register and "…" in register
    assert register.count("Learning objective") == 2
    flat = " ".join(details.split())
    assert "Learning objective: Price schedule risk Learning outcomes: Learnt Monte Carlo." in flat
    assert f"Learning objective: {aim}" in flat
    assert flat.count("Learning objective") == 2


def test_contents_page_numbers_point_at_the_sections(user):
    for n in range(60):
        factories.make_activity(user, title=f"Course number {n}", description="Words. " * 60)
    data = _render(make_portfolio(user))
    reader = PdfReader(io.BytesIO(data))
    contents = reader.pages[1].extract_text()
    for item in reader.outline:
        if isinstance(item, list):
            continue
        page = reader.get_destination_page_number(item) + 1
        assert f"{item.title}" in contents
        assert item.title in reader.pages[page - 1].extract_text()
        assert f"{item.title} {page}" in contents.replace("\n", " ")


def _font_names(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page.get("/Resources", {}).get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_is_escaped_and_legible(user, text):
    factories.make_activity(user, title=text, provider=text, description=text)
    data = _render(make_portfolio(user, title=text))
    extracted = unicodedata.normalize("NFKC", _text(data))
    letters = {c for c in text if c.isalpha() and ord(c) < 0x10000}
    assert letters <= set(extracted), letters - set(extracted)
    if all(ord(c) < 0x0590 for c in text):  # left-to-right text comes back verbatim
        assert text in extracted
    assert "\ufffd" not in extracted


def test_each_script_is_set_in_a_font_that_has_it(user):
    factories.make_activity(user, title=" ".join(HOSTILE))
    names = " ".join(_font_names(_render(make_portfolio(user))))
    for family in ["NotoSans-", "NotoSansArabic", "NotoSansHebrew", "WenQuanYi", "NotoEmoji"]:
        assert family in names, (family, names)


def test_every_font_used_is_embedded(user):
    factories.make_activity(user, title=" ".join(HOSTILE))
    reader = PdfReader(io.BytesIO(_render(make_portfolio(user))))
    for page in reader.pages[:4]:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            assert font.get("/Subtype") != "/Type1", font.get("/BaseFont")
            if font.get("/Subtype") == "/Type0":
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            else:
                descriptor = font["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object(), font.get("/BaseFont")


def test_certificates_are_merged_and_images_placed(user):
    activity = factories.make_activity(user, title="Scrum course")
    samples.make_evidence(user, activity, samples.pdf_bytes("CERTIFICATE OF SCRUM", pages=2))
    samples.make_evidence(user, activity, samples.png_bytes(), name="badge.png")
    data = _render(make_portfolio(user))
    reader = PdfReader(io.BytesIO(data))
    texts = [page.extract_text() for page in reader.pages]
    assert texts[-2].startswith("CERTIFICATE OF SCRUM — page 1")
    assert texts[-1].startswith("CERTIFICATE OF SCRUM — page 2")
    assert any("E2 badge.png" in t for t in texts)
    assert any(page.images for page in reader.pages), "the PNG is placed on a page"
    assert "E1 certificate.pdf" in texts[1]  # listed in the contents


def _outline(reader, items=None, level=0) -> list[tuple[int, str, int]]:
    """(level, title, 1-based page) of every bookmark, depth first."""
    found = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            found += _outline(reader, item, level + 1)
        else:
            found.append((level, item.title, reader.get_destination_page_number(item) + 1))
    return found


def test_certificates_are_bookmarked_under_the_appendix_and_in_the_contents(user):
    activity = factories.make_activity(user, title="Scrum course")
    samples.make_evidence(user, activity, samples.pdf_bytes("FIRST CERT", pages=2), name="a.pdf")
    samples.make_evidence(user, activity, samples.pdf_bytes("SECOND CERT"), name="b.pdf")
    reader = PdfReader(io.BytesIO(_render(make_portfolio(user, title="Audit 2026"))))
    total = len(reader.pages)
    assert reader.pages[total - 3].extract_text().startswith("FIRST CERT — page 1")
    assert reader.pages[total - 1].extract_text().startswith("SECOND CERT — page 1")
    marks = _outline(reader)
    assert marks[-3:] == [  # no page of its own: the appendix starts at the first certificate
        (0, "Appendix: attached evidence", total - 2),
        (1, "E1 a.pdf", total - 2),
        (1, "E2 b.pdf", total),
    ]
    contents = " ".join(reader.pages[1].extract_text().split())
    assert f"E1 a.pdf {total - 2}" in contents and f"E2 b.pdf {total}" in contents
    assert reader.metadata.title == "Audit 2026" and reader.metadata.author == "Ada"


def test_every_heading_is_a_bookmark_at_its_page(user, framework_leaves):
    factories.make_activity(user, title="Workshop 中文", competencies=[framework_leaves[0]])
    factories.make_reflection(user, title="What I learnt", competencies=[framework_leaves[0]])
    reader = PdfReader(io.BytesIO(_render(make_portfolio(user, title="Review"))))
    marks = _outline(reader)
    assert [(level, title) for level, title, _ in marks] == [
        (0, "At a glance"),
        (0, "Summary"),
        (0, "Activity register"),
        (0, "Activity details"),
        (1, "1. Workshop 中文"),
        (0, "Reflections by competency"),
        (1, framework_leaves[0].label),
        (2, "What I learnt"),
    ]
    for _, title, page in marks:
        assert title.split()[-1] in reader.pages[page - 1].extract_text(), title
    assert reader.metadata.title == "Review"


def test_without_evidence_option_nothing_is_merged(user):
    activity = factories.make_activity(user)
    samples.make_evidence(user, activity, samples.pdf_bytes("CERTIFICATE X"))
    data = _render(make_portfolio(user, include_evidence=False))
    assert "CERTIFICATE X" not in _text(data)


def test_only_chosen_activities_of_the_owner_appear(user, other_user):
    factories.make_activity(user, title="Mine in range", start_date=date(2026, 3, 1))
    factories.make_activity(user, title="Mine too early", start_date=date(2024, 3, 1))
    factories.make_activity(other_user, title="Someone else's", start_date=date(2026, 3, 1))
    portfolio = make_portfolio(user, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31))
    text = _text(_render(portfolio))
    assert "Mine in range" in text
    assert "Mine too early" not in text and "Someone else" not in text


def test_damaged_certificate_and_image_are_listed_not_merged(user):
    activity = factories.make_activity(user, title="Damaged evidence")
    samples.make_evidence(user, activity, b"%PDF-1.4\n1 0 obj garbage", name="broken.pdf")
    samples.make_evidence(user, activity, samples.png_bytes()[:40], name="cut.png")
    samples.make_evidence(user, activity, samples.pdf_bytes("GOOD CERT"), name="good.pdf")
    data = _render(make_portfolio(user))
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "broken.pdf" in text and "cut.png" in text
    assert reader.pages[-1].extract_text().startswith("GOOD CERT")
    assert not any(page.images for page in reader.pages)


def test_register_cells_wrap_long_titles_and_words(user):
    long_title = "Programme assurance and benefits realisation deep dive " * 3
    unbroken = "https://example.org/" + "x" * 120
    factories.make_activity(user, title=long_title.strip(), provider=unbroken)
    text = _text(_render(make_portfolio(user)))
    squashed = text.replace("\n", " ").replace("  ", " ")
    assert "Programme assurance and benefits" in squashed
    assert "x" * 30 in text  # the unbroken word is set (split over lines), not dropped


def test_an_activity_with_many_evidence_files_still_renders(user):
    """Each label on a line of its own made a register row taller than a page (a layout error)."""
    activity = factories.make_activity(user, title="Conference with many handouts")
    for number in range(1, 91):
        samples.make_evidence(user, activity, f"handout {number}".encode(), f"handout-{number}.txt")
    factories.make_activity(user, title="Later course", start_date=date(2026, 6, 1))
    text = _text(_render(make_portfolio(user)))
    assert "E1–E90" in text  # one run in the register's evidence cell
    assert "E90 handout-90.txt" in text  # the details and the evidence index keep every file
    assert "Later course" in text


def test_evidence_labels_are_set_as_runs_that_fit_the_column():
    assert label_runs(["E1", "E2", "E3", "E7"], 100, 8) == "E1–E3\nE7"
    assert label_runs(["E5"], 100, 8) == "E5"
    narrow = stringWidth("E100", MAIN, 8) + 1
    assert label_runs([f"E{n}" for n in range(100, 191)], narrow, 8) == "E100–\nE190"


def test_a_register_row_taller_than_a_page_is_split_across_pages(user):
    """An activity tagged in 240 areas: its category cell alone is longer than a page."""
    wide = factories.make_framework(areas=240, per_area=1)
    factories.make_activity(user, factories.leaves(wide), title="Tagged everywhere")
    factories.make_activity(user, title="Next in the register", start_date=date(2026, 6, 1))
    reader = PdfReader(io.BytesIO(_render(make_portfolio(user))))
    header = "#\nDates\nTitle\nCategory"
    register = [page.extract_text() for page in reader.pages if header in page.extract_text()]
    assert len(register) >= 2  # the row goes on under the repeated header on the next page
    text = "\n".join(register)
    assert "Tagged everywhere" in register[0]
    assert all(f"Area {n}," in text for n in (1, 120, 239)) and "Area 99" in text
    assert "Next in the register" in text


def _placed_text(page) -> list[tuple[str, float]]:
    """Each piece of text on the page with the x where it starts (pypdf's text visitor)."""
    placed = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            placed.append((text.strip(), tm[4] * cm[0] + cm[4]))

    page.extract_text(visitor_text=visit)
    return placed


def test_the_register_ends_in_a_totals_row_with_the_hours_right_aligned(user):
    """Issue 14, defect 10: a totals row; hours right-aligned; every header fits its column."""
    factories.make_activity(user, title="Long course", minutes=750, start_date=date(2026, 3, 1))
    factories.make_activity(user, title="Short talk", minutes=45, start_date=date(2026, 4, 1))
    reader = PdfReader(io.BytesIO(_render(make_portfolio(user, title="Audit"))))
    page = next(p for p in reader.pages if "Hours\nEvidence\n" in p.extract_text())
    text = " ".join(page.extract_text().split())
    assert "Total: 2 activities 13.25" in text
    placed = dict(_placed_text(page))
    ends = [placed[v] + stringWidth(v, MAIN, 8) for v in ("12.5", "0.75", "13.25")]
    assert max(ends) - min(ends) < 0.5, ends  # right edges line up
    for column, width in pdf_register.REGISTER.items():
        room = width * mm - pdf_story.CELL_PADDING
        assert stringWidth(column, MAIN, 8) <= room, column
