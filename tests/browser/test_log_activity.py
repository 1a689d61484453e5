"""The first minutes of a new user, in a real browser: register, log an activity, see the hours."""

import re
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, Tab

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
PMO_OPTIONS = '#competencies optgroup[label^="PMO Practitioner Framework"] option'


def register(page: Page, display_name: str = "Ada") -> None:
    """Create a fresh account through the form; the app logs it in and shows the dashboard."""
    page.goto("/account/register")
    page.get_by_label("Email").fill(f"{uuid4().hex[:12]}@example.com")
    page.get_by_label("Display name").fill(display_name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", name=f"Hello, {display_name}")).to_be_visible()


def assert_clean(tab: Tab) -> None:
    """Nothing fetched from another origin; no console error (CSP violations are reported there)."""
    assert tab.requests, "no request was recorded: the recorder is not wired up"
    assert tab.foreign_requests() == []
    assert tab.errors == []


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


def test_register_log_an_activity_and_see_the_hours(open_tab):
    tab = open_tab()
    page = tab.page
    register(page)
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    for testid in ("hours-year", "hours-12m", "hours-all"):
        expect(page.get_by_test_id(testid)).to_have_text("0 h")

    # At desktop width the full navbar button shows; the phone one is hidden.
    expect(page.get_by_role("link", name="+ Log", exact=True)).to_be_hidden()
    page.get_by_role("link", name="+ Log an activity", exact=True).click()
    expect(page).to_have_url(re.compile(r"/activities/new$"))
    expect(page.get_by_role("heading", name="Log an activity")).to_be_visible()

    today = datetime.now(UTC).date()  # the new account's time zone is UTC
    page.get_by_label("Title").fill("Risk-based planning webinar")
    page.get_by_label("Kind").select_option(label="Webinar")
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_label("Hours").fill("1.5")
    # Logging is mostly after the fact: a new entry starts as completed, so it counts at once.
    expect(page.get_by_label("Status"), "a new activity should default to Completed").to_have_value(
        "completed"
    )
    options = page.locator(PMO_OPTIONS)
    assert options.count() >= 2, "the PMO Practitioner framework was not seeded"
    picked = [options.nth(i).get_attribute("value") for i in range(2)]
    names = [options.nth(i).inner_text().strip() for i in range(2)]
    page.locator("#competencies").select_option(value=picked)
    page.get_by_role("button", name="Save activity").click()

    expect(page).to_have_url(re.compile(r"/activities/\d+$"))
    expect(page.get_by_role("heading", name="Risk-based planning webinar")).to_be_visible()
    expect(page.get_by_test_id("hours")).to_have_text("1.5")
    for name in names:
        expect(page.locator(".badge", has_text=name)).to_be_visible()

    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_test_id("empty-state")).to_have_count(0)
    for testid in ("hours-year", "hours-12m", "hours-all"):
        expect(page.get_by_test_id(testid)).to_have_text("1.5 h")
    expect(page.get_by_role("link", name="Risk-based planning webinar")).to_be_visible()

    assert_clean(tab)


def test_phone_log_button_and_form_fit_the_screen(open_tab):
    tab = open_tab(viewport=PHONE)
    page = tab.page
    register(page, display_name="Grace")
    assert horizontal_overflow(page) == 0

    # The menu stays collapsed, yet logging is one tap away.
    expect(page.get_by_role("button", name="Show menu")).to_be_visible()
    expect(page.get_by_role("link", name="+ Log an activity", exact=True)).to_be_hidden()
    log = page.get_by_role("link", name="+ Log", exact=True)
    expect(log).to_be_visible()
    log.click()

    # On a phone "+ Log" opens quick capture; the full form is one link further.
    expect(page).to_have_url(re.compile(r"/log/$"))
    expect(page.get_by_label("What did you do?")).to_be_visible()
    assert horizontal_overflow(page) == 0

    # Still fits with every error message shown.
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Enter the hours, e.g. 1.5.", exact=True)).to_be_visible()
    assert horizontal_overflow(page) == 0

    assert_clean(tab)


def test_harness_reports_a_csp_violation(open_tab):
    """The console recorder does catch what the CSP blocks, so assert_clean can fail."""
    tab = open_tab()
    tab.page.goto("/account/login")
    tab.page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.inlineRan = true";
            document.body.append(script);
        }"""
    )
    expect(tab.page.get_by_role("heading", name="Log in")).to_be_visible()
    assert tab.page.evaluate("() => window.inlineRan === undefined")
    assert any("Content Security Policy" in error for error in tab.errors), tab.errors
