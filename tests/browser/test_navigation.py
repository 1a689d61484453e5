"""The top menu in a real browser: readable, its focus visible, the current page marked."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_log_activity import assert_clean, register

pytestmark = pytest.mark.browser

# WCAG 2.x relative luminance and contrast ratio, from the browser's computed colours; a
# translucent foreground is blended over the background first, as axe-core does.
CONTRAST = """([selector, backgroundSelector]) => {
  const parse = (c) => c.match(/[\\d.]+/g).map(Number);
  const channel = (v) => {
    v /= 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const back = parse(getComputedStyle(document.querySelector(backgroundSelector)).backgroundColor);
  return Array.from(document.querySelectorAll(selector)).map((el) => {
    const [r, g, b, a = 1] = parse(getComputedStyle(el).color);
    const fore = [r, g, b].map((v, i) => v * a + back[i] * (1 - a));
    const [hi, lo] = [luminance(fore), luminance(back)].sort((x, y) => y - x);
    return [el.textContent.trim(), (hi + 0.05) / (lo + 0.05)];
  });
}"""


def menu_contrast(page: Page) -> dict[str, float]:
    pairs = page.evaluate(
        CONTRAST, ["nav.navbar .nav-link, nav.navbar .navbar-brand", "nav.navbar"]
    )
    return dict(pairs)


def test_menu_links_are_readable_focusable_and_mark_the_current_page(open_tab):
    """Issue 14, defect 5: contrast >= 4.5:1, a visible focus ring, aria-current on the section."""
    tab = open_tab()
    page = tab.page
    page.goto("/account/login")
    assert menu_contrast(page) and min(menu_contrast(page).values()) >= 4.5, menu_contrast(page)
    register(page)
    contrast = menu_contrast(page)
    assert {"Dashboard", "Activities", "Portfolios"} <= set(contrast)
    assert min(contrast.values()) >= 4.5, contrast

    page.get_by_role("link", name="Activities", exact=True).click()
    current = page.locator('nav.navbar [aria-current="page"]')
    expect(current).to_have_count(1)
    expect(current).to_have_text("Activities")
    dashboard = page.get_by_role("link", name="Dashboard", exact=True)
    assert _style(page, current, "textDecorationLine") != _style(
        page, dashboard, "textDecorationLine"
    )
    page.goto("/portfolios/new")
    expect(page.locator('nav.navbar [aria-current="page"]')).to_have_text("Portfolios")

    # Keyboard focus on a menu link draws a ring at least 2 px wide in a colour that stands out.
    page.locator("nav.navbar .navbar-brand").focus()
    page.keyboard.press("Tab")
    focused = page.locator("nav.navbar .nav-link:focus")
    expect(focused).to_have_text("Dashboard")
    assert _style(page, focused, "outlineStyle") != "none"
    assert float(_style(page, focused, "outlineWidth").removesuffix("px")) >= 2
    ring = _style(page, focused, "outlineColor")
    assert ring != page.evaluate(
        "() => getComputedStyle(document.querySelector('nav.navbar')).backgroundColor"
    )
    assert_clean(tab)


def _style(page: Page, locator, name: str) -> str:
    return locator.evaluate(f"(el) => getComputedStyle(el).{name}")


def test_a_failed_save_shows_an_error_summary_that_takes_the_focus(open_tab):
    """Issue 14, defect 6: the title says Error, a summary lists each error as a link to its
    field, and the focus lands on the summary, not the page body."""
    tab = open_tab()
    page = tab.page
    register(page)
    page.goto("/activities/new")
    page.get_by_label("Hours").fill("")
    page.get_by_role("button", name="Save activity").click()

    expect(page).to_have_title(re.compile(r"^Error: Log an activity"))
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    title_link = summary.get_by_role("link", name=re.compile(r"^Title: "))
    expect(title_link).to_be_visible()
    title_link.click()
    expect(page.get_by_label("Title")).to_be_focused()

    page.goto("/reflections/new")
    page.get_by_role("button", name="Save reflection").click()
    expect(page).to_have_title(re.compile(r"^Error: Write a reflection"))
    expect(page.get_by_test_id("error-summary")).to_be_focused()
    page.goto("/activities/new")
    expect(page).to_have_title(re.compile(r"^Log an activity"))
    expect(page.get_by_test_id("error-summary")).to_have_count(0)
    assert_clean(tab)
