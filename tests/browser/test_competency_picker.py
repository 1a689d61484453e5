"""The native competency picker, made to work on a phone (issue 14, defect 2; the searchable
picker is issue 14's Deliver item 1), and competency names on the activity list."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_log_activity import PMO_OPTIONS, assert_clean, horizontal_overflow, register

pytestmark = pytest.mark.browser

# Groups and options of the competency list box whose text is wider than the box (cut off).
CUT = """(select) => Array.from(select.querySelectorAll("optgroup, option"))
  .filter((el) => el.scrollWidth > el.clientWidth + 1)
  .map((el) => el.label || el.textContent)"""


def test_on_a_phone_the_picker_wraps_long_names_and_says_nothing_of_ctrl(open_tab):
    # The native list box, as it is without JavaScript (test_searchable_picker.py has the rest).
    tab = open_tab(viewport=PHONE, javascript=False)
    page = tab.page
    register(page)
    page.goto("/activities/new")
    picker = page.locator("#competencies")
    expect(picker).to_be_visible()
    assert picker.locator("optgroup").count() > 10
    assert picker.evaluate(CUT) == []
    expect(page.get_by_test_id("ctrl-hint")).to_be_hidden()
    assert horizontal_overflow(page) == 0
    page.goto("/reflections/new")
    assert page.locator("#competencies").evaluate(CUT) == []
    expect(page.get_by_test_id("ctrl-hint")).to_be_hidden()

    # At desktop width, with a mouse, the hint is there.
    page.set_viewport_size({"width": 1280, "height": 720})
    expect(page.get_by_test_id("ctrl-hint")).to_be_visible()
    assert_clean(tab)


def test_the_activity_list_names_the_competencies(open_tab):
    tab = open_tab()
    page = tab.page
    register(page)
    page.goto("/activities/new")
    page.get_by_label("Title").fill("Assurance clinic")
    page.get_by_label("Hours").fill("1")
    option = page.locator(PMO_OPTIONS).first
    label = option.inner_text().strip()  # "CODE Name"
    page.locator("#competencies").select_option(value=option.get_attribute("value"))
    page.get_by_role("button", name="Save activity").click()
    expect(page).to_have_url(re.compile(r"/activities/\d+$"))

    page.get_by_role("link", name="Activities", exact=True).click()
    expect(page.get_by_test_id("competency-tag")).to_have_text(label)
    assert " " in label and not label.endswith(" ")
    assert_clean(tab)
