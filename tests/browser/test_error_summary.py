"""Every form, whatever name its view gives it, answers a failed save with "Error: " in the title
and an error summary that takes the focus and links to each field (issue 14, defect 6)."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_log_activity import assert_clean, register

pytestmark = pytest.mark.browser


def assert_summary_leads_to(page: Page, title: str, link: str, field: str) -> None:
    """The title starts with "Error: ", the summary has the focus, and its link to the field
    moves the focus there."""
    expect(page).to_have_title(re.compile(rf"^Error: {re.escape(title)} · CPD Log$"))
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_count(1)
    summary.get_by_role("link", name=re.compile(rf"^{re.escape(link)}: ")).click()
    expect(page.get_by_label(field, exact=True)).to_be_focused()


def test_error_summary_on_forms_of_any_name(open_tab):
    tab = open_tab()
    page = tab.page
    register(page)

    # `form`: quick capture with nothing typed.
    page.goto("/log/")
    page.get_by_role("button", name="Save", exact=True).click()
    assert_summary_leads_to(page, "Log it now", "What did you do?", "What did you do?")

    # `calendar_form`: the import page has three upload forms; the calendar one sent no file.
    page.goto("/imports/")
    expect(page).to_have_title("Import · CPD Log")
    page.get_by_role("button", name="Preview events").click()
    assert_summary_leads_to(page, "Import", "Calendar file (.ics)", "Calendar file (.ics)")
    expect(page.get_by_test_id("error-summary").get_by_role("link")).to_have_count(1)

    # `assess`: a competency's self-assessment without a date, beside the page's goal form.
    page.goto("/competencies/")
    page.get_by_role("link", name=re.compile(r"PMO Practitioner")).first.click()
    page.locator("main li a[href*='/competencies/']").first.click()
    heading = page.get_by_role("heading", level=1).inner_text()
    competency_page = page.url
    page.get_by_label("Date", exact=True).fill("")
    page.get_by_role("button", name="Record self-assessment").click()
    assert_summary_leads_to(page, heading, "Date", "Date")

    # A page loaded afresh has neither.
    page.goto(competency_page)
    expect(page.get_by_test_id("error-summary")).to_have_count(0)
    assert not page.title().startswith("Error: ")
    # The refused self-assessment answers 400, which Chromium logs; nothing else may be there.
    refused = f"status of 400 (BAD REQUEST) ({competency_page}/assess)"
    tab.errors = [error for error in tab.errors if not error.endswith(refused)]
    assert_clean(tab)
