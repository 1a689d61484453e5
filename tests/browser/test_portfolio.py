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
    expect(page.get_by_text("Share link created")).to_be_visible()
    address = new_share_link(page)
    # Issue 14, defect 4: the link sits in a field of its own, and its Copy button copies it.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy", exact=True).click()
    expect(page.get_by_text("Copied.")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == address
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


def test_large_portfolio_renders_with_progress_and_an_out_of_date_export_is_refused(
    open_tab, live_app, monkeypatch
):
    """The progress page's script (cpd_log/static/export-progress.js) with token URLs; a
    reviewer's export made before the owner changed the portfolio is refused, a new one served."""
    monkeypatch.setitem(live_app.config, "PORTFOLIO_BACKGROUND_AT", 0)  # every portfolio
    owner = open_tab()
    page = owner.page
    register(page, display_name="Ada")
    page.goto("/activities/new")
    page.get_by_label("Title").fill("Governance masterclass")
    page.get_by_label("Start date").fill(datetime.now(UTC).date().isoformat())
    page.get_by_label("Hours").fill("3")
    page.get_by_role("button", name="Save activity").click()
    expect(page).to_have_url(re.compile(r"/activities/\d+$"))
    activity_url = page.url
    page.goto("/portfolios/new")
    page.get_by_label("Title").fill("Background 2026")
    page.get_by_role("button", name="Save portfolio").click()
    expect(page.get_by_role("heading", name="Background 2026")).to_be_visible()

    with page.expect_download() as owner_download:
        page.get_by_test_id("download-pdf").click()
    expect(page).to_have_url(re.compile(r"/portfolios/jobs/[A-Za-z0-9_-]{32}$"))
    expect(page.get_by_test_id("export-status")).to_contain_text("Ready")
    assert _pdf_text(owner_download.value.path()).count("Governance masterclass") >= 1

    page.get_by_role("link", name="Back to the portfolio").click()
    page.get_by_test_id("create-share-link").click()
    address = new_share_link(page)
    assert_clean(owner)

    reviewer = open_tab()
    reviewer.page.goto(address)
    with reviewer.page.expect_download():
        reviewer.page.get_by_test_id("shared-pdf").click()
    job_url = reviewer.page.url
    assert re.search(r"/shared/\S+/jobs/[A-Za-z0-9_-]{32}$", job_url)

    page.goto(f"{activity_url}/edit")
    page.get_by_label("Title").fill("Governance masterclass, renamed")
    page.get_by_role("button", name="Save activity").click()
    expect(page).to_have_url(re.compile(r"/activities/\d+$"))

    reviewer.page.goto(job_url)
    expect(reviewer.page.get_by_test_id("export-out-of-date")).to_be_visible()
    with reviewer.page.expect_download() as fresh:
        reviewer.page.get_by_test_id("export-restart").click()
    assert "renamed" in _pdf_text(fresh.value.path())
    assert reviewer.page.url != job_url
    assert reviewer.foreign_requests() == []


def new_share_link(page) -> str:
    """The address in the new link's read-only field (shown once, right after creating it)."""
    field = page.get_by_label("Share link", exact=True)
    expect(field).to_have_attribute("readonly", "")
    address = field.input_value()
    assert re.fullmatch(r"https?://\S+/shared/\S+", address), address
    return address


def _pdf_text(path) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
