"""Write a Gibbs reflection tagged to two competencies, then find it on a competency page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_log_activity import PMO_OPTIONS, assert_clean, register

pytestmark = pytest.mark.browser


def test_gibbs_reflection_tagged_to_two_competencies_shows_on_the_competency_page(open_tab):
    tab = open_tab()
    page = tab.page
    register(page)

    page.get_by_role("link", name="Reflections", exact=True).click()
    page.get_by_role("link", name="+ Write a reflection").click()
    expect(page).to_have_url(re.compile(r"/reflections/new$"))
    page.get_by_label("Title").fill("Stage-gate review lessons")

    # The free-text stage shows first; choosing Gibbs shows its six stages (reflections.js).
    gibbs = page.locator('fieldset[data-model="gibbs"]')
    expect(gibbs).to_be_hidden()
    page.get_by_label("Reflective model").select_option("gibbs")
    expect(gibbs).to_be_visible()
    expect(page.locator('fieldset[data-model="free"]')).to_be_hidden()
    for label in ("Description", "Feelings", "Evaluation", "Analysis", "Conclusion"):
        page.get_by_label(label, exact=True).fill(f"My {label.lower()}, with **emphasis**")
    page.get_by_label("Action plan", exact=True).fill(
        "Book a gate review <script>alert(1)</script>"
    )

    options = page.locator(PMO_OPTIONS)
    picked = [options.nth(i).get_attribute("value") for i in range(2)]
    names = [options.nth(i).inner_text().strip() for i in range(2)]
    page.locator("#competencies").select_option(value=picked)
    page.get_by_role("button", name="Save reflection").click()

    expect(page).to_have_url(re.compile(r"/reflections/\d+$"))
    expect(page.get_by_role("heading", name="Stage-gate review lessons")).to_be_visible()
    expect(page.get_by_test_id("model")).to_have_text("Gibbs' reflective cycle")
    expect(page.get_by_test_id("stage-gibbs_feelings").locator("strong")).to_have_text("emphasis")
    expect(page.get_by_test_id("stage-gibbs_action_plan")).to_have_text("Book a gate review")

    # Both tags link to their competency page, which lists the reflection.
    for name in names:
        page.get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
        reflections = page.get_by_test_id("competency-reflections")
        expect(reflections.get_by_role("link", name="Stage-gate review lessons")).to_be_visible()
        page.go_back()

    assert_clean(tab)


def test_the_plain_reflection_list_shows_no_filter_errors(open_tab):
    """Issue 14, defect 1: a visit with no filter is not an invalid filter."""
    tab = open_tab()
    page = tab.page
    register(page)
    page.get_by_role("link", name="Reflections", exact=True).click()
    expect(page.get_by_role("heading", name="Reflections", level=1)).to_be_visible()
    expect(page.locator(".is-invalid, .invalid-feedback")).to_have_count(0)
    expect(page.get_by_text("Not a valid choice")).to_have_count(0)
    page.get_by_test_id("drafts-tab").click()
    expect(page.locator(".is-invalid, .invalid-feedback")).to_have_count(0)
    assert_clean(tab)


def test_reflect_on_this_starts_from_the_activity(open_tab):
    """Issue 14, defect 3: "About the activity" picks one activity (a drop-down, not a list box)
    and "Reflect on this" fills in the title and the activity's competencies."""
    tab = open_tab()
    page = tab.page
    register(page)
    page.goto("/activities/new")
    page.get_by_label("Title").fill("Benefits workshop")
    page.get_by_label("Hours").fill("2")
    options = page.locator(PMO_OPTIONS)
    picked = [options.nth(i).get_attribute("value") for i in range(2)]
    page.locator("#competencies").select_option(value=picked)
    page.get_by_role("button", name="Save activity").click()
    expect(page).to_have_url(re.compile(r"/activities/\d+$"))

    page.get_by_role("link", name="Reflect on this").click()
    expect(page).to_have_url(re.compile(r"/reflections/new\?activity=\d+$"))
    about = page.get_by_label("About the activity")
    expect(about).not_to_have_attribute("multiple", "")
    assert about.evaluate("(select) => select.multiple") is False
    expect(about.locator("option:checked")).to_have_text(re.compile(r"Benefits workshop$"))
    expect(page.get_by_label("Title")).to_have_value("Reflection: Benefits workshop")
    chosen = page.locator("#competencies option:checked")
    expect(chosen).to_have_count(2)
    assert sorted(chosen.evaluate_all("(os) => os.map((o) => o.value)")) == sorted(picked)

    page.locator("#stage_text").fill("What I took away.")
    page.get_by_role("button", name="Save reflection").click()
    expect(page).to_have_url(re.compile(r"/reflections/\d+$"))
    expect(page.get_by_role("link", name="Benefits workshop", exact=True)).to_be_visible()
    assert_clean(tab)
