"""The team pages through HTTP: create, invite by link and by mail, join, consent, roles, leave;
bad input answered at the field; CSRF on."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.mail.sending import wait_for_sends
from cpd_log.models import Team, TeamInvite, TeamMembership
from cpd_log.teams import services
from tests.mail.smtp import text_of
from tests.portfolio.builders import make_portfolio
from tests.teams.helpers import join, make_team, share_all, verified

LINK = re.compile(r"https?://[^\s\"<]+/teams/join/[A-Za-z0-9_\-]+")


def test_create_invite_by_link_join_and_consent(app, client, login_as):
    lead, member = verified("lead@example.com", "Lea"), verified("mo@example.com", "Mo")
    login_as(client, lead)
    response = client.post("/teams/", data={"name": "Portfolio Office"})
    team = db.session.scalar(select(Team))
    assert response.headers["Location"] == f"/teams/{team.id}"
    page = client.post(f"/teams/{team.id}/invites", data={"appraiser": "y"})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    link = LINK.search(page.get_data(as_text=True)).group(0)
    token = link.rsplit("/", 1)[1]
    assert token not in {i.token_hash for i in db.session.scalars(select(TeamInvite))}
    client.post("/account/logout")
    login_as(client, member)
    assert "Portfolio Office" in client.get(f"/teams/join/{token}").get_data(as_text=True)
    joined = client.post(f"/teams/join/{token}")
    assert joined.headers["Location"] == f"/teams/{team.id}/consent"
    membership = services.membership_for(member, team.id)
    assert membership.is_appraiser and not membership.is_lead
    assert not (membership.shares_progress or membership.shares_competencies)
    portfolio = make_portfolio(member, "Mo's year")
    form = client.get(f"/teams/{team.id}/consent").get_data(as_text=True)
    assert "Mo&#39;s year" in form
    client.post(
        f"/teams/{team.id}/consent", data={"progress": "y", "portfolios": str(portfolio.id)}
    )
    db.session.expire_all()
    assert services.consent_of(membership) == services.Consent(
        True, False, frozenset({portfolio.id})
    )
    assert "What I share" in client.get("/teams/").get_data(as_text=True)
    client.post("/account/logout")
    login_as(client, lead)
    dashboard = client.get(f"/teams/{team.id}/dashboard").get_data(as_text=True)
    assert "Mo&#39;s year" in dashboard and "No active cycle" in dashboard


def test_invite_by_mail_reaches_only_that_address(mail_app, smtp, login_as):
    client = mail_app.test_client()
    lead = verified("lead@example.com", "Lea")
    team = make_team(lead, "Mailed team")
    login_as(client, lead)
    answer = client.post(f"/teams/{team.id}/invites", data={"email": "New@Example.com"})
    assert answer.status_code == 302
    assert wait_for_sends()
    (message,) = smtp.wait_for(1)
    assert smtp.recipients == [["New@Example.com"]]
    assert "Mailed team" in text_of(message)
    token = LINK.search(text_of(message)).group(0).rsplit("/", 1)[1]
    client.post("/account/logout")
    stranger = verified("stranger@example.com", "Str")
    login_as(client, stranger)
    refused = client.post(f"/teams/join/{token}")
    assert refused.status_code == 400
    assert "another email address" in refused.get_data(as_text=True)
    client.post("/account/logout")
    invited = verified("new@example.com", "New")
    login_as(client, invited)
    assert client.post(f"/teams/join/{token}").status_code == 302
    assert services.membership_for(invited, team.id) is not None


def test_bad_input_is_answered_at_the_field(client, login_as):
    lead = verified("lead@example.com", "Lea")
    login_as(client, lead)
    empty = client.post("/teams/", data={"name": "  "})
    assert empty.status_code == 200 and "Give the team a name." in empty.get_data(as_text=True)
    long = client.post("/teams/", data={"name": "x" * 101})
    assert "At most 100 characters." in long.get_data(as_text=True)
    assert db.session.scalar(select(Team)) is None
    team = make_team(lead)
    bad = client.post(f"/teams/{team.id}/invites", data={"email": "not an address", "lead": "y"})
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "Enter a valid email address." in text and 'value="not an address"' in text
    assert db.session.scalar(select(TeamInvite)) is None


def test_roles_leave_and_the_last_lead(client, login_as):
    lead, member = verified("lead@example.com", "Lea"), verified("mo@example.com", "Mo")
    team = make_team(lead)
    joined = join(team, lead, member)
    own = services.membership_for(lead, team.id).id
    login_as(client, lead)
    refused = client.post(f"/teams/{team.id}/leave", follow_redirects=True)
    assert "a team needs a lead" in refused.get_data(as_text=True)
    client.post(f"/teams/{team.id}/members/{joined.id}/roles", data={"lead": "y"})
    assert client.post(f"/teams/{team.id}/leave").headers["Location"] == "/teams/"
    assert db.session.get(TeamMembership, own) is None
    assert client.get(f"/teams/{team.id}").status_code == 404


def test_team_forms_need_csrf(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        lead = verified("lead@example.com", "Lea")
        team = make_team(lead)
        client = app.test_client()
        page = client.get("/account/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/account/login",
            data={"email": lead.email, "password": "correct horse battery", "csrf_token": csrf},
        )
        assert client.post("/teams/", data={"name": "X"}).status_code == 400
        assert client.post(f"/teams/{team.id}/invites", data={}).status_code == 400
        assert client.post(f"/teams/{team.id}/leave").status_code == 400
        assert db.session.scalars(select(Team)).all() == [team]
        assert db.session.scalar(select(TeamInvite)) is None


JUNK = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        ["", "0", "-1", "1e309", "\x00", "<script>", "{{7*7}}", "𝕏" * 50, "99999999999"]
    ),
)


def test_generated_input_never_answers_500(client, login_as):
    lead = verified("lead@example.com", "Lea")
    team = make_team(lead)
    login_as(client, lead)
    forms = {
        "/teams/": ["name"],
        f"/teams/{team.id}/invites": ["email", "lead", "appraiser"],
        f"/teams/{team.id}/consent": ["progress", "competencies", "portfolios"],
        f"/teams/{team.id}/framework": ["framework"],
    }

    @settings(
        max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.sampled_from(sorted(forms)), st.data())
    def check(path, data):
        values = data.draw(st.fixed_dictionaries(dict.fromkeys(forms[path], JUNK)))
        assert client.post(path, data=values).status_code < 500

    check()


@pytest.mark.parametrize("page", ["/teams/", "/teams/{id}", "/teams/{id}/consent",
                                  "/teams/{id}/library", "/teams/{id}/dashboard.csv"])  # fmt: skip
def test_team_pages_take_the_same_queries_at_any_team_size(
    client, login_as, count_queries, uncached, page
):
    """Issue 18: no team page's queries grow with the team (the dashboard's own test is in
    test_dashboard.py). Every member shares everything, a portfolio too, and has an open
    invitation beside them."""
    lead = verified("lead@example.com", "Lea")
    login_as(client, lead)
    counts = {}
    for size in (2, 10):
        team = make_team(lead, f"Team of {size}")
        for n in range(size):
            member = verified(f"m{size}-{n}@example.com", f"Member {n}")
            portfolio = make_portfolio(member, f"Year {n}")
            share_all(join(team, lead, member, appraiser=n % 2 == 0), portfolio_ids=[portfolio.id])
            services.issue_invite(team, lead)
        db.session.commit()
        path = page.format(id=team.id)
        assert client.get(path).status_code == 200
        with count_queries() as statements:
            response = client.get(path)
        assert response.status_code == 200
        marker = {"/teams/{id}": 'data-member="Member ', "/teams/{id}/dashboard.csv": "\nMember "}
        if page in marker:  # a line per member
            assert response.get_data(as_text=True).count(marker[page]) == size
        counts[size] = len(statements)
    assert counts[2] == counts[10], counts
