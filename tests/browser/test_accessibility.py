"""axe-core on every main page, for a new user and the demo user, at desktop and 390 px
(issue 14, Deliver 5): no critical and no serious violation.

Each test has one browser context and one page. The context bypasses the CSP only so that axe's
script can be injected; every other browser test keeps the CSP on (and fails on its violations).
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, TIMEOUT_MS
from tests.browser.test_log_activity import register

pytestmark = pytest.mark.browser

BLOCKING = ("critical", "serious")
MEETUP = Path(__file__).parent.parent / "imports" / "fixtures" / "meetup_weekly.ics"

# Pages every account has, anonymous ones first.
ANONYMOUS_PAGES = ["/account/login", "/account/register", "/account/forgot"]
MAIN_PAGES = [
    "/dashboard",
    "/activities/",
    "/activities/new",
    "/log/",
    "/schemes/",
    "/schemes/new",
    "/reflections/",
    "/reflections/new",
    "/competencies/",
    "/crosswalks/",
    "/imports/",
    "/portfolios/",
    "/portfolios/new",
    "/export/",
    "/account/password",
    "/account/email",
    "/account/sessions",
    "/account/two-factor",
    "/account/two-factor/setup",
    "/trash/",
    "/reminders/settings",
    "/account/delete",
]
# Pages reached through a record: (the page linking to it, "" for the page visited just before;
# the record page's address pattern).
RECORD_PAGES = [
    ("/activities/", r"/activities/\d+$"),
    ("", r"/activities/\d+/edit$"),
    ("/reflections/", r"/reflections/\d+$"),
    ("", r"/reflections/\d+/edit$"),
    ("/dashboard", r"/schemes/cycles/\d+$"),
    ("", r"/claims/cycles/\d+$"),
    ("/competencies/", r"/competencies/frameworks/\d+$"),
    ("/competencies/", r"/competencies/frameworks/\d+/gap$"),
    ("/competencies/", r"/competencies/frameworks/\d+/coverage$"),
    ("", r"/competencies/\d+$"),
    ("/crosswalks/", r"/crosswalks/\d+$"),
]

LINKS = (
    "(pattern) => [...document.querySelectorAll('a[href]')].map((a) => a.pathname)"
    ".filter((path) => new RegExp(pattern).test(path))"
)


@pytest.fixture
def axe_page(browser, live_server) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server, viewport=DESKTOP, bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


class Audit:
    """Runs axe on each page at both widths and keeps what blocks, to report it all at once."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.axe = Axe()
        self.problems: list[str] = []
        self.checked: list[str] = []

    def visit(self, path: str, who: str) -> None:
        response = self.page.goto(path)
        assert response is not None and response.ok, (
            f"{path} answered {response and response.status}"
        )
        self.check(who)

    def check(self, who: str) -> None:
        page = self.page
        for name, viewport in (("desktop", DESKTOP), ("390 px", PHONE)):
            page.set_viewport_size(viewport)
            results = self.axe.run(page, options={"resultTypes": ["violations"]})
            where = f"{who}, {name}, {urlpath(page.url)}"
            self.checked.append(where)
            for violation in results.response["violations"]:
                if violation["impact"] in BLOCKING:
                    targets = "; ".join(" ".join(n["target"]) for n in violation["nodes"][:6])
                    self.problems.append(
                        f"{where}: {violation['id']} ({violation['impact']}, "
                        f"{len(violation['nodes'])} nodes) {targets}"
                    )
        page.set_viewport_size(DESKTOP)

    def record_pages(self, who: str) -> int:
        """Visit the first record of each kind the account has; how many were found."""
        found = 0
        for listing, pattern in RECORD_PAGES:
            if listing:
                self.page.goto(listing)
            hrefs = self.page.evaluate(LINKS, pattern)
            if hrefs:
                found += 1
                self.visit(hrefs[0], who)
        return found


def urlpath(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def _no_problems(audit: Audit, checks: int) -> None:
    assert len(audit.checked) == 2 * checks  # each check is at both widths
    assert audit.problems == [], "axe found:\n" + "\n".join(audit.problems)


# Four tests rather than one, so that `make test-browser`'s two workers share the ~130 axe runs.


def test_anonymous_and_new_user_pages_have_no_serious_violations(axe_page):
    audit = Audit(axe_page)
    for path in ANONYMOUS_PAGES:
        audit.visit(path, "anonymous")

    register(axe_page)
    for path in MAIN_PAGES:
        audit.visit(path, "new user")
    # A new account still has the shipped frameworks and crosswalks to look at (it has no
    # activity, reflection or cycle).
    assert audit.record_pages("new user") == 5
    _no_problems(audit, len(ANONYMOUS_PAGES) + len(MAIN_PAGES) + 5)


def test_demo_main_pages_have_no_serious_violations(axe_page, demo_login):
    audit = Audit(axe_page)
    demo_login(axe_page)
    for path in MAIN_PAGES:
        audit.visit(path, "demo")
    _no_problems(audit, len(MAIN_PAGES))


def test_demo_record_pages_have_no_serious_violations(axe_page, demo_login):
    audit = Audit(axe_page)
    demo_login(axe_page)
    # Every kind of record page: an activity, a reflection, a cycle, its claim list, …
    assert audit.record_pages("demo") == len(RECORD_PAGES)
    _no_problems(audit, len(RECORD_PAGES))


def test_share_link_reviewer_calendar_preview_and_failed_save_have_no_serious_violations(
    axe_page, demo_login
):
    audit = Audit(axe_page)
    demo_login(axe_page)
    # A portfolio of the demo's year, and a calendar file's preview.
    axe_page.goto("/portfolios/new")
    axe_page.get_by_label("Title").fill("Appraisal 2026")
    axe_page.get_by_role("button", name="Save portfolio").click()
    expect(axe_page).to_have_url(re.compile(r"/portfolios/\d+$"))
    axe_page.get_by_test_id("create-share-link").click()
    audit.check("demo")  # with the new share link and the links table
    shared = axe_page.get_by_label("Share link").input_value()
    audit.visit(urlpath(shared), "reviewer")
    axe_page.goto("/imports/")
    axe_page.get_by_label("Calendar file (.ics)").set_input_files(MEETUP)
    axe_page.get_by_role("button", name="Preview events").click()
    expect(axe_page).to_have_url(re.compile(r"/imports/\d+$"))
    audit.check("demo")

    # A form after a failed save (the error summary and the invalid fields).
    axe_page.goto("/activities/new")
    axe_page.get_by_label("Hours").fill("")
    axe_page.get_by_role("button", name="Save activity").click()
    expect(axe_page.get_by_test_id("error-summary")).to_be_visible()
    audit.check("demo, failed save")
    _no_problems(audit, 4)
