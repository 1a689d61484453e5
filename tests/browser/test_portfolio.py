"""A practitioner builds a portfolio, downloads its PDF and shares it; a reviewer opens the link."""

import io
import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.test_log_activity import assert_clean, register

pytestmark = pytest.mark.browser


def test_build_download_and_share_a_portfolio(open_tab):
    owner = open_tab()
    page = owner.page
    register(page, display_name="Ada")
    page.goto("/activities/new")
    page.get_by_label("Title").fill("Benefits workshop — Ünïcødé 中文")
    page.get_by_label("Start date").fill(datetime.now(UTC).date().isoformat())
    page.get_by_label("Hours").fill("2.5")
    page.get_by_role("button", name="Save activity").click()
    expect(page).to_have_url(re.compile(r"/activities/\d+$"))

    page.get_by_role("link", name="Portfolios", exact=True).click()
    page.get_by_role("link", name="+ Build a portfolio").click()
    page.get_by_label("Title").fill("Appraisal 2026")
    page.get_by_label("Audience").select_option(label="Appraisal")
    page.get_by_role("button", name="Save portfolio").click()
    expect(page.get_by_role("heading", name="Appraisal 2026")).to_be_visible()
    expect(page.get_by_test_id("total")).to_have_text("1 activities, 2.5 hours")

    with page.expect_download() as download_info:
        page.get_by_test_id("download-pdf").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    reader = PdfReader(io.BytesIO(download.path().read_bytes()))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Appraisal 2026" in text and "Benefits workshop — Ünïcødé 中文" in text

    page.get_by_test_id("create-share-link").click()
    notice = page.get_by_text("Share link created")
    expect(notice).to_be_visible()
    address = re.search(r"https?://\S+/shared/\S+", notice.inner_text()).group(0)
    assert_clean(owner)

    reviewer = open_tab()  # a fresh browser context: no session, no cookies
    reviewer.page.goto(address)
    expect(reviewer.page.get_by_role("heading", name="Appraisal 2026")).to_be_visible()
    expect(reviewer.page.get_by_text("Benefits workshop — Ünïcødé 中文")).to_be_visible()
    expect(reviewer.page.get_by_role("link", name="Edit")).to_have_count(0)
    with reviewer.page.expect_download() as shared_download:
        reviewer.page.get_by_test_id("shared-pdf").click()
    data = shared_download.value.path().read_bytes()
    assert "Appraisal 2026" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
    reviewer.page.get_by_label("Your name").fill("Grace")
    reviewer.page.get_by_label("Your role").fill("Line manager")
    reviewer.page.get_by_label("I have reviewed this portfolio (sign-off)").check()
    reviewer.page.get_by_role("button", name="Send").click()
    expect(reviewer.page.get_by_text("your review is recorded")).to_be_visible()
    assert_clean(reviewer)

    page.reload()
    expect(page.get_by_text("Reviewed by Grace, Line manager")).to_be_visible()
