"""Every team route × every kind of visitor: a lead of team X never reaches team Y, a lead never
reaches a member's unshared data, a removed member is out at once, and nobody outside learns
that a team exists (404)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.models import TeamInvite, TeamMembership
from cpd_log.teams import services
from tests.portfolio.builders import make_portfolio
from tests.teams.helpers import join, make_team, share_all, verified

LEAD, MEMBER = "lead", "member"
# endpoint: (methods, who may use it)
TEAM_ROUTES = {
    "teams.detail": (("GET",), MEMBER),
    "teams.consent": (("GET", "POST"), MEMBER),
    "teams.leave": (("POST",), MEMBER),
    "teams.invite": (("POST",), LEAD),
    "teams.revoke_invite": (("POST",), LEAD),
    "teams.remove": (("POST",), LEAD),
    "teams.roles": (("POST",), LEAD),
    "team_lead.dashboard": (("GET",), LEAD),
    "team_lead.dashboard_export": (("GET",), LEAD),
    "team_lead.framework": (("POST",), LEAD),
    "team_lead.portfolio": (("GET",), LEAD),
}
VISITORS = ("lead", "member", "appraiser", "outsider", "other_lead", "removed")
ALLOWED = {LEAD: {"lead"}, MEMBER: {"lead", "member", "appraiser"}}


@pytest.fixture
def world(app):
    lead = verified("lead@example.com", "Lea")
    team = make_team(lead)
    member = verified("member@example.com", "Mo")
    membership = join(team, lead, member)
    portfolio = make_portfolio(member, "Mo's year")
    share_all(membership, portfolio_ids=[portfolio.id])
    appraiser = verified("appraiser@example.com", "Ann")
    join(team, lead, appraiser, appraiser=True)
    removed = verified("removed@example.com", "Rem")
    gone = join(team, lead, removed)
    services.remove_member(team.id, gone.id)
    other_lead = verified("other@example.com", "Otto")
    make_team(other_lead, "Another team")
    invite, _ = services.issue_invite(team, lead)
    db.session.commit()
    people = {
        "lead": lead,
        "member": member,
        "appraiser": appraiser,
        "outsider": verified("out@example.com", "Out"),
        "other_lead": other_lead,
        "removed": removed,
    }
    ids = {
        "team_id": team.id,
        "membership_id": membership.id,
        "invite_id": invite.id,
        "portfolio_id": portfolio.id,
    }
    return people, ids


def test_the_table_names_every_team_route(app):
    found = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("teams.", "team_lead."))
    }
    assert found - {"teams.index", "teams.join"} == set(TEAM_ROUTES)


def _url(app, endpoint, ids):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{k: v for k, v in ids.items() if k in rule.arguments})


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("endpoint", sorted(TEAM_ROUTES))
def test_team_route_by_visitor(app, client, login_as, world, endpoint, visitor):
    people, ids = world
    methods, needs = TEAM_ROUTES[endpoint]
    url = _url(app, endpoint, ids)
    login_as(client, people[visitor])
    for method in methods:
        response = client.open(url, method=method, data={})
        allowed = visitor in ALLOWED[needs]
        if allowed:
            assert response.status_code in (200, 302), f"{visitor} {method} {url}"
        else:
            assert response.status_code == 404, f"{visitor} {method} {url}"
            db.session.expire_all()
            # nothing changed: the member is still in, the invite still open
            assert db.session.get(TeamMembership, ids["membership_id"]) is not None
            assert db.session.get(TeamInvite, ids["invite_id"]).used_at is None


def test_a_lead_never_opens_an_unshared_portfolio(client, login_as, world):
    people, ids = world
    unshared = make_portfolio(people["member"], "Private")
    login_as(client, people["lead"])
    team = ids["team_id"]
    assert client.get(f"/teams/{team}/portfolios/{unshared.id}").status_code == 404
    assert client.get(f"/teams/{team}/portfolios/{ids['portfolio_id']}").status_code == 200
    # the lead's own portfolio, not shared with the team either
    own = make_portfolio(people["lead"], "Lea's")
    assert client.get(f"/teams/{team}/portfolios/{own.id}").status_code == 404


def test_withdrawn_or_removed_data_is_gone_on_the_next_request(client, login_as, world):
    people, ids = world
    team, url = ids["team_id"], f"/teams/{ids['team_id']}/portfolios/{ids['portfolio_id']}"
    login_as(client, people["lead"])
    assert client.get(url).status_code == 200
    membership = db.session.get(TeamMembership, ids["membership_id"])
    services.withdraw_consent(membership)
    db.session.commit()
    assert client.get(url).status_code == 404
    share_all(membership, portfolio_ids=[ids["portfolio_id"]])
    assert client.get(url).status_code == 200
    assert client.post(f"/teams/{team}/members/{membership.id}/remove").status_code == 302
    assert client.get(url).status_code == 404
    assert "Mo" not in client.get(f"/teams/{team}/dashboard").get_data(as_text=True)


def test_join_link_needs_a_login_and_works_once(app, client, login_as, world):
    people, ids = world
    team = db.session.get(TeamMembership, ids["membership_id"]).team
    _, token = services.issue_invite(team, people["lead"])
    db.session.commit()
    anonymous = client.get(f"/teams/join/{token}")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/account/login")
    login_as(client, people["outsider"])
    page = client.get(f"/teams/join/{token}")
    assert page.status_code == 200 and "PMO team" in page.get_data(as_text=True)
    assert client.post(f"/teams/join/{token}").status_code == 302
    assert services.membership_for(people["outsider"], team.id) is not None
    client.post("/account/logout")
    login_as(client, people["other_lead"])
    assert client.get(f"/teams/join/{token}").status_code == 404
    assert client.post(f"/teams/join/{token}").status_code == 404
    assert client.get("/teams/join/" + "x" * 500).status_code == 404


def test_expired_invitation_opens_nothing(client, login_as, world):
    people, ids = world
    team = db.session.get(TeamMembership, ids["membership_id"]).team
    then = datetime.now(UTC) - timedelta(days=30)
    _, token = services.issue_invite(team, people["lead"], now=then)
    db.session.commit()
    login_as(client, people["outsider"])
    assert client.post(f"/teams/join/{token}").status_code == 404
    assert services.membership_for(people["outsider"], team.id) is None


def test_deleting_an_account_removes_its_memberships_and_keeps_a_lead(client, login_as, world):
    from cpd_log.auth.services import delete_account

    people, ids = world
    team_id = ids["team_id"]
    member_id = people["member"].id
    delete_account(people["lead"])
    db.session.commit()
    left = db.session.scalars(select(TeamMembership).where(TeamMembership.team_id == team_id)).all()
    assert {m.user_id for m in left} == {member_id, people["appraiser"].id}
    assert [m.user_id for m in left if m.is_lead] == [member_id]  # the longest-standing member
