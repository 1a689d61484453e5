"""Plain-text lines in the PDF: broken like a Paragraph, split across pages, read back whole."""

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from cpd_log.documents import fonts, pdf, pdf_story
from cpd_log.documents.pdf_flowables import Lines, plain_text
from cpd_log.portfolio import services
from tests import factories
from tests.portfolio.builders import make_portfolio


@pytest.fixture(scope="module")
def body():
    fonts.register()
    return pdf_story.styles()["body"]


def test_main_face_text_is_lines_and_other_text_a_paragraph(body):
    assert isinstance(plain_text("Risk <b>workshop</b> & café\nline two", body), Lines)
    for needs_paragraph in [
        "مرحبا بالعالم",
        "中文学习",
        "10\u00a0hours",
        "tab\there",
        "soft\xadhyphen",
    ]:
        assert isinstance(plain_text(needs_paragraph, body), Paragraph), needs_paragraph


def test_lines_fit_the_width_and_keep_line_breaks_and_blank_lines(body):
    text = "alpha beta gamma delta " * 20 + "\n\nafter a blank line " + "x" * 200
    lines = Lines(text, body)
    width, height = lines.wrap(200, 1000)
    assert all(stringWidth(line, body.fontName, body.fontSize) <= 200 for line in lines.lines)
    assert "" in lines.lines and lines.lines[lines.lines.index("") + 1].startswith("after")
    assert "".join(lines.lines).replace(" ", "") == text.replace(" ", "").replace("\n", "")
    assert height == len(lines.lines) * body.leading


def test_lines_split_between_lines_and_never_leave_one_orphan(body):
    lines = Lines("word " * 400, body)
    lines.wrap(300, 10_000)
    assert lines.split(300, body.leading * 1.5) == []  # room for one line only: move on
    first, rest = lines.split(300, body.leading * 5.2)
    assert len(first.lines) == 5 and first.lines + rest.lines == lines.lines
    assert first.wrap(300, 100)[1] == 5 * body.leading


def _render(portfolio) -> str:
    buffer = io.BytesIO()
    pdf.render(services.gather(portfolio, today=date(2026, 11, 23)), buffer)
    return "\n".join(page.extract_text() for page in PdfReader(buffer).pages)


def test_long_learning_outcomes_come_back_whole_and_in_order_across_pages(user):
    words = [f"w{n}" for n in range(1, 1401)]
    factories.make_activity(user, title="Long course", description=" ".join(words))
    text = _render(make_portfolio(user))
    found = [int(n) for n in re.findall(r"\bw(\d+)\b", text)]
    assert found == list(range(1, 1401))
    assert "Learning outcomes: w1 " in text


def test_detail_fields_are_one_a_line_and_not_interpreted(user):
    factories.make_activity(
        user, title="Tom & Jerry", provider="<b>ACME</b> & Sons", url="https://e.org/?a=1&b=2"
    )
    lines = _render(make_portfolio(user)).splitlines()
    assert "Provider: <b>ACME</b> & Sons" in lines
    assert "Web address: https://e.org/?a=1&b=2" in lines
