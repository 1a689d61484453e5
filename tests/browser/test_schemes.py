"""One log counted toward a scheme, in a real browser: enrol in PMP, log a tagged course, see it."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_log_activity import assert_clean, horizontal_overflow, register

pytestmark = pytest.mark.browser


def test_enrol_in_pmp_log_a_power_skills_course_and_see_progress(open_tab):
    tab = open_tab()
    page = tab.page
    register(page, display_name="Pat")

    page.get_by_role("link", name="Schemes", exact=True).click()
    expect(page).to_have_url(re.compile(r"/schemes/$"))
    page.get_by_label("Scheme", exact=True).select_option(label="PMI PMP, PgMP, PfMP, PMI-PBA")
    page.get_by_label("Cycle start date").fill("2025-03-14")
    page.get_by_label("Name on your dashboard").fill("PMP")
    page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_text("Enrolled in PMP.")).to_be_visible()
    expect(page.get_by_text("14 Mar 2025 – 13 Mar 2028")).to_be_visible()

    page.get_by_role("link", name="+ Log an activity", exact=True).click()
    page.get_by_label("Title").fill("Negotiation skills course")
    page.get_by_label("Kind").select_option(label="Course")
    page.get_by_label("Start date").fill(datetime.now(UTC).date().isoformat())
    page.get_by_label("Hours").fill("3")
    power_skills = page.locator(
        '#competencies optgroup[label="PMI Talent Triangle — Power Skills"] option'
    )
    page.locator("#competencies").select_option(value=power_skills.get_attribute("value"))
    page.get_by_role("button", name="Save activity").click()
    expect(page).to_have_url(re.compile(r"/activities/\d+$"))

    page.get_by_role("link", name="Dashboard", exact=True).click()
    card = page.get_by_test_id("cycle-card")
    expect(card.get_by_role("link", name="PMP")).to_be_visible()
    expect(card.get_by_test_id("rule-min:EDU").get_by_test_id("figures")).to_have_text("3/35 PDUs")
    expect(card.get_by_test_id("rule-min:EDU.PS").get_by_test_id("figures")).to_have_text(
        "3/8 PDUs"
    )
    expect(card.get_by_test_id("rule-min:EDU.WOW").get_by_test_id("figures")).to_have_text(
        "0/8 PDUs"
    )
    expect(card.get_by_test_id("projection")).to_contain_text("You need")

    card.get_by_role("link", name="PMP").click()
    # The activity's row links to it (the pre-audit check names it too: no certificate yet).
    expect(page.get_by_role("link", name="Negotiation skills course")).to_be_visible()
    expect(page.get_by_text("Power Skills: 3 PDUs")).to_be_visible()

    # The panel, the cycle page and the split form fit a phone.
    page.set_viewport_size(PHONE)
    assert horizontal_overflow(page) == 0
    page.get_by_role("link", name="Change the split").click()
    expect(page.get_by_label("Education › Power Skills")).to_have_value("3")
    assert horizontal_overflow(page) == 0
    page.goto("/dashboard")
    expect(page.get_by_test_id("cycle-card")).to_be_visible()
    assert horizontal_overflow(page) == 0
    assert_clean(tab)
