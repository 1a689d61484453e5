"""The claim list in a real browser: enrol in PMP, log two activities, mark both claimed on the
claim list, see both claimed and the totals move; the copy buttons copy the body's values."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_log_activity import assert_clean, horizontal_overflow, register

pytestmark = pytest.mark.browser


def _log(page, title: str, kind: str, day: str, hours: str) -> None:
    page.get_by_role("link", name="+ Log an activity", exact=True).click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Kind").select_option(label=kind)
    page.get_by_label("Start date").fill(day)
    page.get_by_label("Provider or organiser").fill("PMI Chapter")
    page.get_by_label("Hours").fill(hours)
    page.get_by_role("button", name="Save activity").click()
    expect(page).to_have_url(re.compile(r"/activities/\d+$"))


def _mark_claimed(page, title: str, day: str, reference: str) -> None:
    card = page.get_by_test_id("claim-card").filter(has_text=title)
    card.get_by_role("link", name="Record the claim or change its type").click()
    page.get_by_label("Status").select_option(label="Claimed")
    page.get_by_label("Claimed on").fill(day)
    page.get_by_label("The body's reference").fill(reference)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"Saved the claim status of “{title}”.")).to_be_visible()


def test_mark_two_activities_claimed_and_see_them_claimed_on_the_claim_list(open_tab):
    tab = open_tab()
    page = tab.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    register(page, display_name="Cai")
    page.get_by_role("link", name="Schemes", exact=True).click()
    page.get_by_label("Scheme", exact=True).select_option(label="PMI PMP, PgMP, PfMP, PMI-PBA")
    today = datetime.now(UTC).date()
    page.get_by_label("Cycle start date").fill((today - timedelta(days=200)).isoformat())
    page.get_by_label("Name on your dashboard").fill("PMP")
    page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_text("Enrolled in PMP.")).to_be_visible()

    yesterday = (today - timedelta(days=1)).isoformat()
    _log(page, "Risk management course", "Course", yesterday, "3")
    _log(page, "Agile webinar", "Webinar", yesterday, "1.5")

    page.goto("/schemes/")
    page.get_by_role("link", name=re.compile(r"^Cycle 1:")).click()
    page.get_by_role("link", name="Claim list").click()
    expect(page.get_by_role("heading", name=re.compile("Claim list: PMP"))).to_be_visible()
    expect(page.get_by_test_id("claim-card")).to_have_count(2)
    expect(page.get_by_test_id("total-to-claim")).to_have_text("4.5 PDUs")

    course = page.get_by_test_id("claim-card").filter(has_text="Risk management course")
    expect(course).to_contain_text("Course or Training")
    course.get_by_role("button", name="Copy Activity type").click()
    assert page.evaluate("navigator.clipboard.readText()") == "Course or Training"

    _mark_claimed(page, "Risk management course", today.isoformat(), "CCR-101")
    _mark_claimed(page, "Agile webinar", today.isoformat(), "CCR-102")

    statuses = page.get_by_test_id("claim-status")
    expect(statuses).to_have_count(2)
    for status, reference in zip(statuses.all(), ("CCR-101", "CCR-102"), strict=True):
        expect(status).to_contain_text("Claimed")
        expect(status).to_contain_text(f"reference {reference}")
    expect(page.get_by_test_id("total-claimed")).to_have_text("4.5 PDUs")
    expect(page.get_by_test_id("total-to-claim")).to_have_text("0 PDUs")
    expect(page.get_by_test_id("total-needed")).to_have_text("55.5 PDUs")

    page.set_viewport_size(PHONE)
    assert horizontal_overflow(page) == 0
    assert_clean(tab)


def test_mark_two_activities_claimed_and_find_both_claimed_in_the_pmi_pack(open_tab):
    from pypdf import PdfReader

    tab = open_tab()
    page = tab.page
    register(page, display_name="Dee")
    page.get_by_role("link", name="Schemes", exact=True).click()
    page.get_by_label("Scheme", exact=True).select_option(label="PMI PMP, PgMP, PfMP, PMI-PBA")
    today = datetime.now(UTC).date()
    page.get_by_label("Cycle start date").fill((today - timedelta(days=200)).isoformat())
    page.get_by_label("Name on your dashboard").fill("PMP")
    page.get_by_role("button", name="Enrol").click()
    yesterday = (today - timedelta(days=1)).isoformat()
    _log(page, "Scheduling course", "Course", yesterday, "2")
    _log(page, "Earned value webinar", "Webinar", yesterday, "1")
    page.goto("/schemes/")
    page.get_by_role("link", name=re.compile(r"^Cycle 1:")).click()
    page.get_by_role("link", name="Claim list").click()
    _mark_claimed(page, "Scheduling course", today.isoformat(), "CCR-201")
    _mark_claimed(page, "Earned value webinar", today.isoformat(), "CCR-202")

    with page.expect_download() as download:
        page.get_by_test_id("audit-pack").get_by_role("link", name="PDF").click()
    reader = PdfReader(download.value.path())
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for reference in ("CCR-201", "CCR-202"):
        assert f"Claimed on {today.isoformat()} (reference {reference})" in text
    assert "Scheduling course" in text and "Earned value webinar" in text
    assert_clean(tab)
