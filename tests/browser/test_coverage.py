"""The coverage heat-map on a phone (issue 12, item 5): a course tagged only in the PMO framework
shows under the Talent Triangle's Power Skills as hours via a crosswalk, and the page never
scrolls sideways: the heat-map scrolls in its own box."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_log_activity import assert_clean, horizontal_overflow, register

pytestmark = pytest.mark.browser


def test_a_pmo_tagged_course_shows_on_the_talent_triangle_heat_map_on_a_phone(open_tab):
    tab = open_tab(viewport=PHONE)
    page = tab.page
    register(page, display_name="Lin")

    page.goto("/activities/new")
    page.get_by_label("Title").fill("Negotiating with sponsors")
    page.get_by_label("Kind").select_option(label="Course")
    page.get_by_label("Start date").fill(datetime.now(UTC).date().isoformat())
    page.get_by_label("Hours").fill("4")
    page.locator("#competencies").select_option(label="STK.3 Influencing and negotiation")
    page.get_by_role("button", name="Save activity").click()
    expect(page).to_have_url(re.compile(r"/activities/\d+$"))

    page.goto("/competencies/")
    page.get_by_role("listitem").filter(has_text="PMI Talent Triangle").get_by_role(
        "link", name="Coverage"
    ).click()
    expect(page.get_by_role("heading", name="Coverage: PMI Talent Triangle")).to_be_visible()
    expect(page.get_by_test_id("heatmap-chart")).to_be_visible()
    expect(page.get_by_test_id("heatmap-legend")).to_contain_text("32 h or more")
    row = page.get_by_test_id("heatmap-table").get_by_role("row").filter(has_text="TT.PS")
    cells = row.get_by_role("cell")
    expect(cells).to_have_count(16)
    expect(cells.nth(14)).to_have_text("0")  # this quarter, tagged here
    expect(cells.nth(15)).to_have_text("4")  # this quarter, via the PMO crosswalk
    assert horizontal_overflow(page) == 0
    box = page.get_by_role("region", name="Heat-map (scrolls sideways)")
    assert box.evaluate("(el) => el.scrollWidth > el.clientWidth"), "the heat-map box scrolls"

    page.get_by_role("link", name="By framework tagged in").click()
    head = page.get_by_test_id("heatmap-table").get_by_role("columnheader")
    expect(head.filter(has_text="PMO Practitioner Framework (via crosswalk)")).to_have_count(1)
    row = page.get_by_test_id("heatmap-table").get_by_role("row").filter(has_text="TT.PS")
    expect(row.get_by_role("cell").filter(has_text=re.compile(r"^4$"))).to_have_count(1)
    assert horizontal_overflow(page) == 0

    page.get_by_role("link", name="PMO Practitioner Framework", exact=True).click()
    expect(page.get_by_role("heading", name="Coverage: PMO Practitioner Framework")).to_be_visible()
    row = page.get_by_test_id("heatmap-table").get_by_role("row").filter(has_text="STK.3")
    expect(row.get_by_role("cell").first).to_have_text("4")  # tagged here
    assert horizontal_overflow(page) == 0
    assert_clean(tab)
