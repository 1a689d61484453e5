"""A reflection gets its own evidence, and a new portfolio carries the reflection into its
preview and PDF."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.test_log_activity import assert_clean, register

pytestmark = pytest.mark.browser


def test_reflection_evidence_and_the_portfolio_that_includes_it(open_tab):
    tab = open_tab()
    page = tab.page
    register(page)

    page.goto("/reflections/new")
    page.get_by_label("Title").fill("Retrospective lessons")
    page.get_by_label("Reflection", exact=True).fill("We *learned* to timebox.")
    page.get_by_role("button", name="Save reflection").click()
    expect(page).to_have_url(re.compile(r"/reflections/\d+$"))

    page.get_by_role("link", name="Attach evidence").click()
    page.get_by_label("Title (optional)").fill("Retro board")
    page.get_by_label("…or a web address").fill("https://example.org/retro")
    page.get_by_role("button", name="Attach").click()
    expect(page).to_have_url(re.compile(r"/reflections/\d+$"))
    expect(page.get_by_role("link", name="Retro board")).to_be_visible()

    page.goto("/portfolios/new")
    page.get_by_label("Title").fill("Appraisal with reflections")
    page.get_by_role("button", name="Save portfolio").click()
    reflection = page.get_by_test_id("portfolio-reflection")
    expect(reflection.get_by_role("heading", name="Retrospective lessons")).to_be_visible()
    expect(reflection.locator("em")).to_have_text("learned")
    expect(page.get_by_text("E1 — Retro board")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_test_id("download-pdf").click()
    reader = PdfReader(io.BytesIO(download_info.value.path().read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Retrospective lessons" in text and "We learned to timebox." in text
    assert_clean(tab)
