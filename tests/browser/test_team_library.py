"""A team's frameworks and schemes in a real browser (issue 18, Deliver 4): the lead builds a team
framework in the framework editor and publishes a scheme in it ("30 hours, at least 10 in our
Governance area"); a member finds both from the team's page, enrols and counts an activity tagged
in the team's framework; the lead publishes a new version, and only the member's open cycle moves
to it. Then axe on the team library's pages, as the lead and as a member.

The accounts are made through the service with their email confirmed, as in test_team_loop.py;
every other step is clicked.
"""

import json
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, TIMEOUT_MS
from tests.browser.test_accessibility import Audit, urlpath
from tests.browser.test_log_activity import assert_clean
from tests.browser.test_team_loop import _account, _login

pytestmark = pytest.mark.browser
TODAY = date.today()


def appraisal_year(framework_slug: str, version: str, total: int) -> str:
    """The team's appraisal year: `total` hours, at least 10 in the Governance area."""
    return json.dumps({
        "slug": "appraisal-year", "name": "Appraisal year", "version": version,
        "source": "Our PMO's appraisal policy",
        "period": {"type": "cycle", "months": 12},
        "unit": {"name": "hour", "plural": "hours", "minutes": 60},
        "total_min": total,
        "categories": [{"code": "ALL", "name": "Learning", "subcategories": [
            {"code": "GOV", "name": "Governance", "min": 10},
            {"code": "OTHER", "name": "Other areas"},
        ]}],
        "allocation": {"default": "OTHER", "competencies": {
            "framework": framework_slug, "parent": "ALL", "map": {"GOV.1": "GOV"},
        }},
    }, indent=2)  # fmt: skip


def _team_with_member(lead: Page, member: Page) -> str:
    """The lead creates PMO Office and invites the member, who joins; the team page's URL."""
    lead.goto("/teams/")
    lead.get_by_label("Team name").fill("PMO Office")
    lead.get_by_role("button", name="Create team").click()
    expect(lead.get_by_role("heading", name="PMO Office")).to_be_visible()
    team_url = lead.url
    lead.get_by_role("button", name="Create invitation").click()
    member.goto(lead.get_by_label("Invitation link").input_value())
    member.get_by_role("button", name="Join the team").click()
    expect(member.get_by_role("heading", name="What I share with PMO Office")).to_be_visible()
    return team_url


def _build_framework(lead: Page, team_url: str) -> str:
    """The lead's team framework, made and edited in the framework editor; its slug."""
    lead.goto(team_url)
    lead.get_by_role("link", name="Frameworks and schemes").click()
    expect(lead.get_by_text("The team has no framework of its own yet.")).to_be_visible()
    lead.get_by_role("link", name="New framework").click()
    expect(lead.get_by_role("heading", name="New framework for PMO Office")).to_be_visible()
    lead.get_by_label("Name", exact=True).fill("Our PMO framework")
    lead.get_by_role("button", name="Save framework").click()
    expect(lead.get_by_role("heading", name="Our PMO framework")).to_be_visible()
    lead.get_by_role("link", name="+ Add an area").click()
    lead.get_by_label("Code").fill("GOV")
    lead.get_by_label("Name").fill("Governance")
    lead.get_by_role("button", name="Save").click()
    expect(lead.get_by_text("Added GOV.")).to_be_visible()
    lead.get_by_role("link", name="add a competency").click()
    lead.get_by_label("Code").fill("GOV.1")
    lead.get_by_label("Name").fill("Assurance")
    expect(lead.get_by_label("Area").locator("option:checked")).to_contain_text("Governance")
    lead.get_by_role("button", name="Save").click()
    lead.get_by_role("listitem").filter(has_text="GOV.1 Assurance").get_by_role(
        "link", name="edit"
    ).click()
    lead.get_by_label("Name").fill("Assurance and audit")
    lead.get_by_role("button", name="Save").click()
    expect(lead.get_by_role("link", name="GOV.1 Assurance and audit")).to_be_visible()
    lead.get_by_role("link", name="Edit", exact=True).click()
    lead.get_by_label("Version").fill("1.1")
    lead.get_by_role("button", name="Save framework").click()
    expect(lead.get_by_text("Framework saved.")).to_be_visible()

    lead.goto(team_url)
    lead.get_by_role("link", name="Frameworks and schemes").click()
    entry = lead.get_by_role("listitem").filter(has_text="Our PMO framework")
    expect(entry).to_contain_text("version 1.1")
    return entry.locator("code").inner_text()


def _publish(lead: Page, link: str, content: str) -> None:
    lead.get_by_role("link", name=link).click()
    expect(lead.get_by_role("heading", name="Publish a scheme for PMO Office")).to_be_visible()
    lead.get_by_label("Scheme (JSON)").fill(content)
    lead.get_by_role("button", name="Save scheme").click()


def _cycles(page: Page) -> dict[str, str]:
    """{"closed" / "current": that cycle's line} of the member's appraisal enrolment."""
    page.goto("/schemes/")
    enrolment = page.get_by_test_id("enrolment").filter(has_text="Appraisal")
    lines = enrolment.get_by_role("listitem")
    expect(lines).to_have_count(2)
    found = {}
    for text in lines.all_inner_texts():
        found["closed" if "closed" in text else "current"] = text
    return found


def test_lead_publishes_a_framework_and_a_scheme_and_a_member_enrols(open_tab, live_app):
    lead_tab, member_tab = open_tab(), open_tab()
    lead, member = lead_tab.page, member_tab.page
    _login(lead, _account(live_app, "Lee Lead"))
    _login(member, _account(live_app, "Mia Member"))
    team_url = _team_with_member(lead, member)
    slug = _build_framework(lead, team_url)

    _publish(lead, "Publish a scheme", appraisal_year(slug, "1", 30))
    expect(lead.get_by_text("Published Appraisal year (version 1) to PMO Office.")).to_be_visible()
    expect(lead.get_by_role("listitem").filter(has_text="Appraisal year")).to_contain_text(
        "version 1"
    )

    # The member finds both on the team's page, cannot publish, and enrols a year and more ago:
    # one ended cycle and an open one.
    member.goto(team_url)
    member.get_by_role("link", name="Frameworks and schemes").click()
    expect(member.get_by_role("link", name="Our PMO framework")).to_be_visible()
    for lead_only in ("New framework", "Publish a scheme", "Publish a new version"):
        expect(member.get_by_role("link", name=lead_only)).to_have_count(0)
    library_url = member.url
    # (Through the context's request API, with the member's cookies: a 404 page would be logged
    # as a console error.)
    assert member.request.get(library_url.replace("/library", "/schemes/new")).status == 404
    member.get_by_role("link", name="Enrol").click()
    expect(member.get_by_label("Scheme", exact=True)).to_have_value(re.compile(r"\d+"))
    assert "Appraisal year (PMO Office)" in member.get_by_label("Scheme", exact=True).inner_text()
    member.get_by_label("Cycle start date").fill((TODAY - timedelta(days=400)).isoformat())
    member.get_by_label("Name on your dashboard").fill("Appraisal")
    member.get_by_role("button", name="Enrol").click()
    cycles = _cycles(member)
    assert "version 1" in cycles["closed"] and "version 1" in cycles["current"]

    # The team's framework is among the member's, read-only, and tags count in the scheme.
    member.goto("/competencies/")
    expect(member.get_by_text("Team: PMO Office")).to_be_visible()
    member.get_by_role("link", name="Our PMO framework").click()
    expect(member.get_by_role("link", name="GOV.1 Assurance and audit")).to_be_visible()
    expect(member.get_by_role("link", name="+ Add an area")).to_have_count(0)
    member.goto("/activities/new")
    member.get_by_label("Title").fill("Assurance review course")
    member.get_by_label("Start date").fill(TODAY.isoformat())
    member.get_by_label("Hours").fill("4")
    option = member.locator(
        '#competencies optgroup[label^="Our PMO framework"] option', has_text="GOV.1"
    )
    member.locator("#competencies").select_option(value=option.get_attribute("value"))
    member.get_by_role("button", name="Save activity").click()
    expect(member).to_have_url(re.compile(r"/activities/\d+$"))
    member.goto("/schemes/")
    member.get_by_role("link", name=re.compile(r"^Cycle 2:")).click()
    expect(member.get_by_text("4/10 hours")).to_be_visible()  # Governance
    expect(member.get_by_text("4/30 hours")).to_be_visible()  # the total

    # Publishing the same version again is refused and says why; a new version is published.
    lead.goto(library_url)
    _publish(lead, "Publish a new version", appraisal_year(slug, "1", 35))
    expect(lead.locator("#content-errors")).to_contain_text(
        "already has “appraisal-year” version 1: change the version to publish a new one"
    )
    lead.goto(library_url)
    lead.get_by_role("link", name="Publish a new version").click()
    text = lead.get_by_label("Scheme (JSON)").input_value()
    assert json.loads(text)["total_min"] == 30  # the newest version, to edit
    lead.get_by_label("Scheme (JSON)").fill(appraisal_year(slug, "2", 35))
    lead.get_by_role("button", name="Save scheme").click()
    expect(lead.get_by_text("Published Appraisal year (version 2) to PMO Office.")).to_be_visible()
    expect(lead.get_by_role("listitem").filter(has_text="Appraisal year")).to_contain_text(
        "version 2 (earlier: 1)"
    )

    # Only the open cycle moves to version 2; the ended one keeps the version it was counted by.
    cycles = _cycles(member)
    assert "version 1" in cycles["closed"] and "version 2" in cycles["current"]
    member.get_by_role("link", name=re.compile(r"^Cycle 2:")).click()
    expect(member.get_by_text("4/35 hours")).to_be_visible()
    member.goto("/schemes/")
    member.get_by_role("link", name=re.compile(r"^Cycle 1:")).click()
    expect(member.get_by_text("0/30 hours")).to_be_visible()
    assert_clean(lead_tab)
    assert_clean(member_tab)


def test_team_library_pages_have_no_serious_violations(open_tab, browser, live_server, live_app):
    # The CSP is bypassed only in this context, so that axe's script can be injected (as in
    # test_accessibility.py); the member's tab keeps it.
    context = browser.new_context(base_url=live_server, viewport=DESKTOP, bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    axe_page = context.new_page()
    lead_email, member_email = _account(live_app, "Lee Lead"), _account(live_app, "Mia Member")
    member_tab = open_tab()
    _login(member_tab.page, member_email)
    audit = Audit(axe_page)
    _login(axe_page, lead_email)
    team_url = _team_with_member(axe_page, member_tab.page)
    audit.visit(urlpath(team_url), "lead")  # the team's page, with its library link
    slug = _build_framework(axe_page, team_url)
    library_url = urlpath(axe_page.url)
    audit.check("lead")  # the library with a framework
    _publish(axe_page, "Publish a scheme", appraisal_year(slug, "1", 30))
    audit.check("lead")  # the library with its scheme
    axe_page.get_by_role("link", name="Publish a new version").click()
    audit.check("lead")  # the scheme editor
    axe_page.goto(library_url)
    axe_page.get_by_role("link", name="New framework").click()
    audit.check("lead")  # the framework form
    axe_page.goto(library_url)
    axe_page.get_by_role("link", name="Our PMO framework").click()
    audit.check("lead")  # the framework editor on a team framework

    axe_page.context.clear_cookies()
    _login(axe_page, member_email)
    audit.visit(library_url, "member")
    context.close()
    assert len(audit.checked) == 2 * 7  # each check at desktop width and at 390 px
    assert audit.problems == [], "axe found:\n" + "\n".join(audit.problems)
    assert_clean(member_tab)
