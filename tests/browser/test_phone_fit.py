"""Pages the issue found too wide fit a 390 px phone: no sideways scroll (issue 14, defect 7)."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE
from tests.browser.test_log_activity import assert_clean

pytestmark = pytest.mark.browser

# The elements that stick out past the window's right edge, to name the culprit when one does.
WIDE = """() => Array.from(document.querySelectorAll("body *"))
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(0, 5).map((el) => el.tagName + "." + el.className + " " + el.textContent.slice(0, 40))"""


def assert_fits(page: Page) -> None:
    fits = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, f"{page.url} scrolls sideways: {page.evaluate(WIDE)}"


def assert_box_fits(page: Page, selector: str) -> None:
    """The box does not scroll sideways inside itself either (a .table-responsive would)."""
    extra = page.locator(selector).evaluate("(box) => box.scrollWidth - box.clientWidth")
    assert extra <= 0, f"{selector} scrolls {extra} px sideways"


def test_reflections_portfolio_share_links_and_cycle_fit_a_phone(open_tab, demo_login):
    tab = open_tab(viewport=PHONE)
    page = tab.page
    demo_login(page)

    page.goto("/reflections/")
    expect(page.get_by_test_id("reflection-list")).to_be_visible()
    assert_fits(page)

    page.goto("/portfolios/new")
    page.get_by_label("Title").fill("Appraisal 2026")
    page.get_by_role("button", name="Save portfolio").click()
    expect(page.get_by_role("heading", name="Appraisal 2026")).to_be_visible()
    page.get_by_test_id("create-share-link").click()
    expect(page.get_by_test_id("new-share-link")).to_be_visible()
    assert_fits(page)
    page.get_by_test_id("create-share-link").click()
    links = page.locator("section[aria-labelledby=share-heading] .table-responsive")
    expect(links.locator("tbody tr")).to_have_count(2)
    assert_fits(page)
    assert_box_fits(page, "section[aria-labelledby=share-heading] .table-responsive")

    page.goto("/dashboard")
    page.get_by_test_id("cycle-card").first.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/schemes/cycles/\d+$"))
    assert_fits(page)
    assert_clean(tab)
