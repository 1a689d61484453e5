"""The team services: membership lookup, invites, consent, leaving and removal."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from cpd_log.auth.services import delete_account
from cpd_log.extensions import db
from cpd_log.models import Portfolio, TeamInvite, TeamMembership, TeamRole, User
from cpd_log.models.portfolio import Audience
from cpd_log.teams import services
from cpd_log.teams.services import TeamError
from tests import factories


def verified(email, name="Member"):
    user = factories.make_user(email=email, display_name=name)
    user.verified_at = datetime.now(UTC)
    db.session.commit()
    return user


@pytest.fixture
def lead(app):
    return verified("lead@example.com", "Lea")


@pytest.fixture
def team(lead):
    membership = services.create_team(lead, "  PMO  ")
    db.session.commit()
    return membership.team


def join(team, lead, user, **roles):
    _, token = services.issue_invite(team, lead, **roles)
    membership = services.accept_invite(user, token)
    db.session.commit()
    return membership


def test_creator_is_lead_and_lookups_answer_none_outside(team, lead):
    assert team.name == "PMO"
    own = services.membership_for(lead, team.id, TeamRole.LEAD)
    assert own is not None and own.roles == {TeamRole.MEMBER, TeamRole.LEAD}
    outsider = verified("out@example.com")
    assert services.membership_for(outsider, team.id) is None
    assert services.membership_for(lead, team.id + 1000) is None
    assert [m.team.name for m in services.teams_of(lead)] == ["PMO"]


def test_invite_is_single_use_and_hashed(team, lead):
    invite, token = services.issue_invite(team, lead, appraiser=True)
    assert invite.token_hash != token and len(invite.token_hash) == 64
    first = verified("m1@example.com")
    membership = services.accept_invite(first, token)
    assert membership.roles == {TeamRole.MEMBER, TeamRole.APPRAISER}
    second = verified("m2@example.com")
    with pytest.raises(TeamError, match="unknown, used"):
        services.accept_invite(second, token)


def test_invite_expires_and_needs_a_confirmed_matching_address(team, lead):
    then = datetime.now(UTC) - timedelta(days=8)
    _, old = services.issue_invite(team, lead, now=then)
    user = verified("m@example.com")
    with pytest.raises(TeamError, match="expired"):
        services.accept_invite(user, old)
    _, mailed = services.issue_invite(team, lead, email="Other@Example.com")
    with pytest.raises(TeamError, match="another email"):
        services.accept_invite(user, mailed)
    unconfirmed = factories.make_user(email="other@example.com")
    with pytest.raises(TeamError, match="Confirm your email"):
        services.accept_invite(unconfirmed, mailed)
    unconfirmed.verified_at = datetime.now(UTC)
    assert services.accept_invite(unconfirmed, mailed).team_id == team.id


def test_revoked_invite_opens_nothing(team, lead):
    invite, token = services.issue_invite(team, lead)
    assert services.revoke_invite(team.id, invite.id)
    assert not services.revoke_invite(team.id, invite.id)
    with pytest.raises(TeamError):
        services.accept_invite(verified("m@example.com"), token)
    assert db.session.get(TeamInvite, invite.id).revoked


def test_consent_keeps_only_own_portfolios_and_goes_with_the_membership(team, lead):
    member = verified("m@example.com")
    membership = join(team, lead, member)
    assert services.consent_of(membership) == services.Consent(False, False, frozenset())
    own = Portfolio(user_id=member.id, title="Mine", audience=Audience.APPRAISAL)
    foreign = Portfolio(user_id=lead.id, title="Not mine", audience=Audience.APPRAISAL)
    db.session.add_all([own, foreign])
    db.session.flush()
    services.set_consent(
        membership, progress=True, competencies=False, portfolio_ids=[own.id, foreign.id]
    )
    assert services.consent_of(membership) == services.Consent(True, False, frozenset({own.id}))
    services.withdraw_consent(membership)
    assert services.consent_of(membership) == services.Consent(False, False, frozenset())
    services.set_consent(membership, progress=True, competencies=True, portfolio_ids=[own.id])
    membership_id = membership.id
    services.leave(membership)
    db.session.commit()
    assert services.shared_portfolio_ids([membership_id]) == {}
    assert services.membership_for(member, team.id) is None


def test_last_lead_cannot_leave_while_others_remain(team, lead):
    member = verified("m@example.com")
    joined = join(team, lead, member)
    own = services.membership_for(lead, team.id)
    with pytest.raises(TeamError, match="needs a lead"):
        services.leave(own)
    with pytest.raises(TeamError, match="needs a lead"):
        services.remove_member(team.id, own.id)
    services.set_roles(joined, lead=True, appraiser=False)
    assert services.leave(own) is False
    assert services.leave(joined) is True  # the last member: the team goes
    db.session.commit()
    assert db.session.scalars(select(TeamMembership)).all() == []


def test_removal_and_account_deletion_end_membership_at_once(team, lead):
    member = verified("m@example.com")
    joined = join(team, lead, member)
    assert services.remove_member(team.id, joined.id)
    assert not services.remove_member(team.id + 1000, joined.id)
    db.session.commit()
    assert services.membership_for(member, team.id) is None
    again = join(team, lead, member).id
    delete_account(member)
    db.session.commit()
    assert db.session.get(TeamMembership, again) is None


def test_flask_demo_makes_a_team_of_five_with_varied_consent(app):
    from cpd_log.teams.demo import TEAM_NAME

    runner = app.test_cli_runner()
    for _ in range(2):  # running it again changes nothing
        result = runner.invoke(args=["demo", "--activities", "20"])
        assert result.exit_code == 0, result.output
    lead = db.session.scalar(select(User).where(User.email == "demo@example.com"))
    (membership,) = services.teams_of(lead)
    assert membership.team.name == TEAM_NAME and membership.is_lead
    members = services.members_of(membership.team_id)
    assert len(members) == 5
    consents = {services.consent_of(m) for m in members if m.user_id != lead.id}
    assert {(c.progress, c.competencies, bool(c.portfolio_ids)) for c in consents} == {
        (True, True, True),
        (True, False, False),
        (False, True, False),
        (False, False, False),
    }
    from cpd_log.common.dates import today_for
    from cpd_log.teams.dashboard import lead_dashboard

    page = lead_dashboard(membership.team, today_for(lead))
    assert sum(1 for row in page.members if row.cycles) == 2
    assert len(page.coverage.members) == 2

    # The team's own appraisal year (Deliver 4), published once, followed by Priya and counted
    # in the shipped PMO framework's Governance area.
    from cpd_log.models.scheme import Enrolment, Scheme
    from cpd_log.schemes import progress
    from cpd_log.teams.demo import APPRAISAL_YEAR, APPRAISAL_YEAR_MEMBER

    (scheme,) = db.session.scalars(select(Scheme).where(Scheme.team_id == membership.team_id))
    assert scheme.slug == APPRAISAL_YEAR["slug"]
    (enrolment,) = db.session.scalars(select(Enrolment).where(Enrolment.scheme_id == scheme.id))
    priya = db.session.get(User, enrolment.user_id)
    assert priya.email == APPRAISAL_YEAR_MEMBER
    counted = progress.dashboard_cycles(priya, today_for(priya))
    (cycle,) = [c for c in counted if c.cycle.scheme_name == APPRAISAL_YEAR["name"]]
    assert cycle.progress.by_category["GOV"] > 0  # her tags in GOV.1–GOV.5 count there
