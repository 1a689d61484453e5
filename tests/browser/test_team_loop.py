"""Issue 18's whole loop in a real browser: create a team → invite → the member consents → the lead
sees progress → the member submits a portfolio → the appraiser signs it off → the member's next
PDF prints the sign-off.

The three accounts are made through the service with their email already confirmed (joining a
team needs a confirmed address; confirming by mail is tested in tests/auth/), and the member's log
is filled like `flask demo` (activities and two scheme enrolments). Every other step is clicked.
"""

import io
import re
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from cpd_log.auth import services as auth_services
from cpd_log.demo import demo_reflections_and_schemes, generate_activities
from cpd_log.extensions import db
from tests.browser.test_log_activity import assert_clean

pytestmark = pytest.mark.browser
PASSWORD = "loop-password-1"  # noqa: S105 - throwaway accounts of the browser test database


def _account(live_app, name: str, log: bool = False) -> str:
    email = f"{uuid4().hex[:10]}@example.com"
    with live_app.app_context():
        user = auth_services.register_user(email, name, PASSWORD)
        user.verified_at = datetime.now(UTC)
        if log:
            generate_activities(user.id, 12, years=1, tags_per_activity=1)
            demo_reflections_and_schemes(user, date.today())
        db.session.commit()
        db.session.remove()
    return email


def _login(page: Page, email: str) -> None:
    page.goto("/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard")


def _invite(page: Page, appraiser: bool) -> str:
    if appraiser:
        page.get_by_label("Appraiser: receives members' portfolios for appraisal").check()
    page.get_by_role("button", name="Create invitation").click()
    link = page.get_by_label("Invitation link")
    expect(link).to_be_visible()
    return link.input_value()


def _join(page: Page, link: str) -> None:
    page.goto(link)
    page.get_by_role("button", name="Join the team").click()
    expect(page.get_by_role("heading", name="PMO Office")).to_be_visible()


def test_team_loop_to_a_signed_off_pdf(open_tab, live_app):
    lead_email = _account(live_app, "Lee Lead")
    appraiser_email = _account(live_app, "Bea Appraiser")
    member_email = _account(live_app, "Mia Member", log=True)

    lead = open_tab()
    _login(lead.page, lead_email)
    lead.page.goto("/teams/")
    lead.page.get_by_label("Team name").fill("PMO Office")
    lead.page.get_by_role("button", name="Create team").click()
    expect(lead.page.get_by_role("heading", name="PMO Office")).to_be_visible()
    appraiser_link = _invite(lead.page, appraiser=True)
    member_link = _invite(lead.page, appraiser=False)
    assert appraiser_link != member_link

    appraiser = open_tab()
    _login(appraiser.page, appraiser_email)
    _join(appraiser.page, appraiser_link)

    member = open_tab()
    page = member.page
    _login(page, member_email)
    _join(page, member_link)
    page.goto("/teams/")
    page.get_by_role("link", name="What I share").click()
    page.get_by_label("My hours and scheme progress").check()
    page.get_by_role("button", name="Save what I share").click()
    expect(page.get_by_text("The team sees exactly what is ticked")).to_be_visible()

    lead.page.goto("/teams/")
    lead.page.get_by_role("link", name="Team dashboard").click()
    rows = lead.page.locator('#team-progress tr[data-member="Mia Member"]')
    expect(rows.first).to_be_visible()
    expect(rows.first).not_to_contain_text("Not shared")
    expect(rows.first.locator("[class*=standing-]")).to_have_text(
        re.compile(r"met|on pace|at risk")
    )

    page.get_by_role("link", name="Portfolios", exact=True).click()
    page.get_by_role("link", name="+ Build a portfolio").click()
    page.get_by_label("Title").fill("Appraisal year")
    page.get_by_label("Audience").select_option(label="Appraisal")
    page.get_by_role("button", name="Save portfolio").click()
    expect(page.get_by_role("heading", name="Appraisal year")).to_be_visible()
    portfolio_url = page.url
    page.get_by_test_id("submit-for-appraisal").click()
    page.get_by_label("Appraiser").select_option(label="Bea Appraiser — PMO Office")
    page.get_by_role("button", name="Submit for appraisal").click()
    expect(page.get_by_test_id("appraisal-state")).to_contain_text("Awaiting the appraiser")

    review = appraiser.page
    review.goto("/appraisals/")
    review.get_by_test_id("to-review").get_by_role("link", name="Appraisal year").click()
    first = review.get_by_test_id("submitted-activity").first
    first.get_by_label("Comment on this activity").fill("Good evidence of learning.")
    first.get_by_role("button", name="Add comment").click()
    expect(review.get_by_text("Good evidence of learning.")).to_be_visible()
    review.get_by_role("button", name="Sign off").click()
    expect(review.get_by_test_id("appraisal-state")).to_contain_text("Signed off")

    page.goto(portfolio_url)
    expect(page.get_by_test_id("appraisal-sign-off")).to_contain_text("Bea Appraiser")
    with page.expect_download() as download:
        page.get_by_test_id("download-pdf").click()
    reader = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    today = datetime.now(UTC).date()
    assert f"Signed off by Bea Appraiser, appraiser for PMO Office, on {today:%-d %b %Y}" in text
    assert "Not signed off yet." not in text
    for tab in (lead, appraiser, member):
        assert_clean(tab)
