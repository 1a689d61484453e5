"""Log once, count everywhere, in a real browser (issue 12): a course tagged only with the PMO
framework's "Influencing and negotiation" counts toward PMI Power Skills through the crosswalk,
the user's override of that mapping shows in the cycle page's reason, and the dashboard suggests
PMO competencies that close Power Skills."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_log_activity import assert_clean, register

pytestmark = pytest.mark.browser

STK3 = "STK.3 Influencing and negotiation"
SHIPPED_REASON = f"{STK3} → Power Skills (PMO framework crosswalk)"


def enrol_in_pmp(page: Page) -> None:
    page.get_by_role("link", name="Schemes", exact=True).click()
    page.get_by_label("Scheme", exact=True).select_option(label="PMI PMP, PgMP, PfMP, PMI-PBA")
    page.get_by_label("Cycle start date").fill("2025-03-14")
    page.get_by_label("Name on your dashboard").fill("PMP")
    page.get_by_role("button", name="Enrol").click()
    expect(page.get_by_text("Enrolled in PMP.")).to_be_visible()


def log_stk3_course(page: Page, title: str) -> None:
    """Log a 4 h course today tagged only with the PMO framework's STK.3."""
    page.get_by_role("link", name="+ Log an activity", exact=True).click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Kind").select_option(label="Course")
    page.get_by_label("Start date").fill(datetime.now(UTC).date().isoformat())
    page.get_by_label("Hours").fill("4")
    page.locator("#competencies").select_option(label=STK3)
    page.get_by_role("button", name="Save activity").click()
    expect(page).to_have_url(re.compile(r"/activities/\d+$"))


def open_pmp_cycle(page: Page) -> None:
    page.get_by_role("link", name="Dashboard", exact=True).click()
    page.get_by_test_id("cycle-card").get_by_role("link", name="PMP").click()


def test_a_pmo_tagged_course_counts_as_power_skills_and_the_cycle_page_says_why(open_tab):
    tab = open_tab()
    page = tab.page
    register(page, display_name="Sam")
    enrol_in_pmp(page)
    log_stk3_course(page, "Negotiating with sponsors")

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
    expect(line).to_contain_text(SHIPPED_REASON)
    assert_clean(tab)


def test_the_dashboard_suggests_a_pmo_competency_that_closes_power_skills(open_tab):
    tab = open_tab()
    page = tab.page
    register(page, display_name="Noor")
    enrol_in_pmp(page)
    log_stk3_course(page, "Stakeholder workshop")

    page.get_by_role("link", name="Dashboard", exact=True).click()
    panel = page.get_by_test_id("next-best")
    expect(panel.get_by_role("heading", name="Next best learning")).to_be_visible()
    # 4 of the 8 Power Skills PDUs are left; a PMO code (not the Talent Triangle's own TT.PS)
    # reaches Power Skills only through the PMO framework crosswalk.
    pmo_power_skills = re.compile(r"^4 h on (?!TT\.)[A-Z]+\.\d+ .+ closes Power Skills for PMP")
    suggestion = panel.get_by_test_id("next-best-item").filter(has_text=pmo_power_skills).first
    expect(suggestion).to_be_visible()
    code = suggestion.get_by_role("link").inner_text()
    suggestion.get_by_role("link").click()
    expect(page.get_by_role("heading", name=re.compile(re.escape(code)))).to_be_visible()
    expect(page.get_by_text("PMO Practitioner Framework").first).to_be_visible()
    assert_clean(tab)


def test_overriding_a_shipped_mapping_changes_the_cycle_pages_reason(open_tab):
    tab = open_tab()
    page = tab.page
    register(page, display_name="Kit")
    enrol_in_pmp(page)
    log_stk3_course(page, "Negotiation clinic")
    open_pmp_cycle(page)
    line = page.get_by_test_id("line").filter(has_text="Negotiation clinic")
    expect(line).to_contain_text(SHIPPED_REASON)

    page.get_by_role("link", name="Competencies", exact=True).click()
    page.get_by_role("link", name="Crosswalks", exact=True).click()
    page.get_by_test_id("crosswalks").get_by_role(
        "link", name="PMO framework crosswalk", exact=True
    ).click()
    row = page.get_by_test_id("mappings").get_by_role("row").filter(has_text=STK3)
    row.get_by_role("link", name="Change for me").click()
    expect(page.get_by_role("heading", name=re.compile("^Your override"))).to_be_visible()
    expect(page.get_by_label("From")).to_have_value("STK.3")
    expect(page.get_by_label("To")).to_have_value("TT.PS")
    page.get_by_label("Relation").select_option("exact")
    page.get_by_label("Reason (one line)").fill("In our PMO, negotiating is the power skill.")
    page.get_by_role("button", name="Save my override").click()
    expect(page.get_by_text("Your override is saved.")).to_be_visible()
    row = page.get_by_test_id("mappings").get_by_role("row").filter(has_text=STK3)
    expect(row.get_by_test_id("override")).to_have_text("exact")

    open_pmp_cycle(page)
    line = page.get_by_test_id("line").filter(has_text="Negotiation clinic")
    expect(line).to_contain_text("Power Skills: 4 PDUs")
    expect(line).to_contain_text(
        f"{STK3} → Power Skills (PMO framework crosswalk, as you changed it)"
    )
    assert_clean(tab)
