"""The team loop in a real browser: a lead creates a team and an invitation link, a colleague
joins through it and shares their progress, and the lead's dashboard shows it (issue 18).
The appraisal part of the loop extends this file (tests/browser/test_teams.py)."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.models import User
from cpd_log.schemes.services import available_schemes, enrol
from tests.browser.test_log_activity import assert_clean, register

pytestmark = pytest.mark.browser


def confirm_and_enrol(live_app, display_name: str) -> None:
    """What the mailed confirmation link and the schemes page do (tested in their own browser
    tests): the account's address is confirmed, and it follows the RICS-style year."""
    with live_app.app_context():
        user = db.session.scalars(
            select(User).where(User.display_name == display_name).order_by(User.id.desc())
        ).first()
        user.verified_at = datetime.now(UTC)
        today = date.today()
        rics = next(s for s in available_schemes(user) if s.slug == "rics-style")
        enrol(user, rics, today - timedelta(days=30), "Chartered year", today)
        db.session.commit()
        db.session.remove()


def test_create_invite_consent_and_see_progress(open_tab, live_app):
    lead_tab = open_tab()
    lead = lead_tab.page
    register(lead, display_name="Lea")
    lead.get_by_role("link", name="Teams", exact=True).click()
    lead.get_by_label("Team name").fill("PMO Office")
    lead.get_by_role("button", name="Create team").click()
    expect(lead.get_by_role("heading", name="PMO Office")).to_be_visible()
    lead.get_by_role("button", name="Create invitation").click()
    link = lead.get_by_label("Invitation link").input_value()
    assert re.search(r"/teams/join/[\w-]{40,}$", link)

    member_tab = open_tab()
    member = member_tab.page
    register(member, display_name="Mo")
    confirm_and_enrol(live_app, "Mo")
    member.goto("/activities/new")
    member.get_by_label("Title").fill("Risk workshop")
    member.get_by_label("Start date").fill(date.today().isoformat())
    member.get_by_label("Hours").fill("6")
    member.get_by_role("button", name="Save activity").click()
    expect(member).to_have_url(re.compile(r"/activities/\d+$"))
    member.goto(link)
    expect(member.get_by_text("You are invited to join")).to_contain_text("PMO Office")
    member.get_by_role("button", name="Join the team").click()
    expect(member.get_by_role("heading", name="What I share with PMO Office")).to_be_visible()

    # Before Mo consents, the lead sees nothing of Mo's record.
    lead.get_by_role("link", name="Teams", exact=True).click()
    lead.get_by_role("link", name="Team dashboard").click()
    row = lead.locator("#team-progress tr[data-member='Mo']")
    expect(row).to_contain_text("Not shared")

    member.get_by_label("My hours and scheme progress").check()
    member.get_by_role("button", name="Save what I share").click()
    expect(member.get_by_text("The team sees exactly what is ticked")).to_be_visible()

    lead.reload()
    expect(row).to_contain_text("Chartered year")
    expect(row).to_contain_text("6 hours of 20 hours")
    expect(row.locator(".badge")).to_have_text(re.compile(r"^(on pace|at risk)$"))

    # Withdrawn at once.
    member.get_by_label("My hours and scheme progress").uncheck()
    member.get_by_role("button", name="Save what I share").click()
    lead.reload()
    expect(row).to_contain_text("Not shared")
    assert_clean(lead_tab)
    assert_clean(member_tab)
