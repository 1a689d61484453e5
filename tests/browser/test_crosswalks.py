"""Log once, count everywhere, in a real browser (issue 12): a course tagged only with the PMO
framework's "Influencing and negotiation" counts toward PMI Power Skills through the crosswalk."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.browser.test_log_activity import assert_clean, register

pytestmark = pytest.mark.browser


def test_a_pmo_tagged_course_counts_as_power_skills_and_the_cycle_page_says_why(open_tab):
    tab = open_tab()
    page = tab.page
    register(page, display_name="Sam")

    page.get_by_role("link", name="Schemes", exact=True).click()
    page.get_by_label("Scheme", exact=True).select_option(label="PMI PMP, PgMP, PfMP, PMI-PBA")
    page.get_by_label("Cycle start date").fill("2025-03-14")
    page.get_by_label("Name on your dashboard").fill("PMP")
    page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_text("Enrolled in PMP.")).to_be_visible()

    page.get_by_role("link", name="+ Log an activity", exact=True).click()
    page.get_by_label("Title").fill("Negotiating with sponsors")
    page.get_by_label("Kind").select_option(label="Course")
    page.get_by_label("Start date").fill(datetime.now(UTC).date().isoformat())
    page.get_by_label("Hours").fill("4")
    page.locator("#competencies").select_option(label="STK.3 Influencing and negotiation")
    page.get_by_role("button", name="Save activity").click()
    expect(page).to_have_url(re.compile(r"/activities/\d+$"))

    page.get_by_role("link", name="Dashboard", exact=True).click()
    card = page.get_by_test_id("cycle-card")
    expect(card.get_by_test_id("rule-min:EDU.PS").get_by_test_id("figures")).to_have_text(
        "4/8 PDUs"
    )
    expect(card.get_by_test_id("rule-min:EDU.BA").get_by_test_id("figures")).to_have_text(
        "0/8 PDUs"
    )

    card.get_by_role("link", name="PMP").click()
    line = page.get_by_test_id("line").filter(has_text="Negotiating with sponsors")
    expect(line).to_contain_text("Power Skills: 4 PDUs")
    expect(line).to_contain_text(
        "STK.3 Influencing and negotiation → Power Skills (PMO framework crosswalk)"
    )
    assert_clean(tab)
