"""The searchable competency picker (issue 14, Deliver 1): type part of a name, pick by keyboard,
see a chip with the name, save; suggestions and recent ones first; the native select without
JavaScript. At a desktop width (1366 px) and a phone's (390 px)."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE
from tests.browser.test_log_activity import assert_clean, horizontal_overflow, register

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 768}
STK3 = "STK.3 Influencing and negotiation"
WIDTHS = pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366px", "390px"])


def pick_by_keyboard(page: Page, typed: str, wanted: str) -> None:
    """Type into the picker, arrow down to the option starting with `wanted`, press Enter."""
    page.locator("#competencies-ts-control").focus()
    page.keyboard.type(typed)
    # Tom Select filters a moment after the last key: wait until every option shown matches.
    expect(page.locator(f".ts-dropdown .option:not(:has-text('{typed}'))")).to_have_count(0)
    active = page.locator(".ts-dropdown .option.active")
    for _ in range(15):
        if active.count() and active.inner_text().startswith(wanted):
            break
        page.keyboard.press("ArrowDown")
    expect(active).to_contain_text(wanted)
    page.keyboard.press("Enter")


def log_with_stk3(page: Page, title: str) -> None:
    page.goto("/activities/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Hours").fill("1")
    pick_by_keyboard(page, "influ", "STK.3")
    chip = page.locator(".ts-control .item")
    expect(chip).to_have_count(1)
    expect(chip).to_contain_text(STK3)
    # By keyboard to the end (the open list covers the button below it).
    page.get_by_role("button", name="Save activity").press("Enter")
    expect(page).to_have_url(re.compile(r"/activities/\d+$"))
    expect(page.locator(".badge", has_text=STK3)).to_be_visible()


@WIDTHS
def test_type_influ_pick_stk3_by_keyboard_and_save(open_tab, viewport):
    tab = open_tab(viewport=viewport)
    page = tab.page
    register(page)
    page.goto("/activities/new")
    expect(page.locator("#competencies-ts-control")).to_be_visible()
    expect(page.get_by_test_id("ctrl-hint")).to_have_count(0)  # no Ctrl-click any more
    log_with_stk3(page, "Stakeholder negotiation clinic")
    page.goto("/activities/")
    expect(page.get_by_test_id("competency-tag")).to_have_text(STK3)

    # The next activity with a word of that title gets STK.3 suggested, and it is recent too.
    page.goto("/activities/new")
    page.get_by_label("Title").fill("Negotiation role play")
    page.locator("#competencies-ts-control").click()
    suggested = page.locator(".ts-dropdown .optgroup").first
    expect(suggested.locator(".optgroup-header")).to_have_text("Suggested for this title")
    expect(suggested.locator(".option")).to_contain_text([STK3])
    recent = page.locator(".ts-dropdown .optgroup").nth(1)
    expect(recent.locator(".optgroup-header")).to_have_text("Recently used")
    expect(recent.locator(".option")).to_have_text([STK3])
    assert horizontal_overflow(page) == 0
    assert_clean(tab)


@WIDTHS
def test_without_javascript_the_native_select_still_saves(open_tab, viewport):
    tab = open_tab(viewport=viewport, javascript=False)
    page = tab.page
    register(page)
    page.goto("/activities/new")
    expect(page.locator("#competencies-ts-control")).to_have_count(0)
    picker = page.locator("#competencies")
    expect(picker).to_be_visible()
    page.get_by_label("Title").fill("Negotiation clinic")
    page.get_by_label("Hours").fill("1")
    value = picker.locator("option", has_text=STK3).get_attribute("value")
    picker.select_option(value=value)
    page.get_by_role("button", name="Save activity").click()
    expect(page).to_have_url(re.compile(r"/activities/\d+$"))
    expect(page.locator(".badge", has_text=STK3)).to_be_visible()
    assert horizontal_overflow(page) == 0
    assert_clean(tab)


@pytest.mark.parametrize("path", ["/reflections/new", "/portfolios/new"])
def test_the_reflection_and_portfolio_pickers_are_searchable_too(open_tab, path):
    tab = open_tab(viewport=PHONE)
    page = tab.page
    register(page)
    page.goto(path)
    pick_by_keyboard(page, "influ", "STK.3")
    expect(page.locator(".ts-control .item")).to_contain_text([STK3])
    assert horizontal_overflow(page) == 0
    assert_clean(tab)
