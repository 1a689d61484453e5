"""The dashboard's trends in Chromium (issue 14, Deliver 2): the 24-month chart with its table,
a burn-up per open cycle, the activity list's totals; on a phone nothing scrolls sideways."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_log_activity import assert_clean, horizontal_overflow

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_chart_its_table_and_the_burn_ups_appear(open_tab, demo_login, viewport):
    tab = open_tab(viewport=viewport)
    page = tab.page
    demo_login(page)

    trends = page.get_by_test_id("trends")
    expect(trends.get_by_role("heading", name=re.compile("^Hours per month"))).to_be_visible()
    chart = page.get_by_test_id("trend-chart")
    expect(chart).to_be_visible()
    width = chart.evaluate("(el) => el.getBoundingClientRect().width")
    assert 0 < width <= viewport["width"], "the chart shrinks to the page"
    assert chart.locator("rect.trend-bar").count() >= 12  # a year of the demo's activities
    expect(chart.locator("rect.trend-bar title").first).to_have_text(
        re.compile(r"^[A-Z][a-z]{2} \d{4} · .+: [\d.,]+ h$")
    )

    table = page.get_by_test_id("trend-table")
    expect(table).to_be_hidden()
    page.get_by_text("Hours per month as a table").click()
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(24)
    expect(page.get_by_test_id("trend-total")).to_have_text(re.compile(r"^[\d.,]+$"))

    cards = page.get_by_test_id("burnup-card")
    expect(cards).to_have_count(2)  # the demo's PMP and APM cycles
    for index in range(2):
        expect(cards.nth(index).get_by_test_id("burnup-chart")).to_be_visible()
        expect(cards.nth(index).get_by_test_id("burnup-summary")).to_contain_text(" counted of ")
    expect(cards.filter(has_text="PDUs").first).to_be_visible()
    assert horizontal_overflow(page) == 0

    page.goto("/activities/?kind=course")
    expect(page.get_by_test_id("list-totals")).to_have_text(
        re.compile(r"^\d+ activit(y|ies) · [\d.,]+ h matching the filters$")
    )
    assert horizontal_overflow(page) == 0
    assert_clean(tab)
