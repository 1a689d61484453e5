"""Builders for team tests: verified accounts, a team with its lead, members joined through
real invitations."""

from datetime import UTC, datetime

from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.models import Portfolio, TeamInvite, TeamMembership
from cpd_log.teams import services
from tests import factories


def verified(email: str | None = None, name: str = "Member"):
    user = factories.make_user(email=email, display_name=name)
    user.verified_at = datetime.now(UTC)
    db.session.commit()
    return user


def make_team(lead, name: str = "PMO team"):
    membership = services.create_team(lead, name)
    db.session.commit()
    return membership.team


def join(team, lead, user, **roles) -> TeamMembership:
    """`user` joins `team` through a link invitation `lead` made."""
    _, token = services.issue_invite(team, lead, **roles)
    membership = services.accept_invite(user, token)
    db.session.commit()
    return membership


def share_all(membership, progress=True, competencies=True, portfolio_ids=()):
    services.set_consent(
        membership, progress=progress, competencies=competencies, portfolio_ids=portfolio_ids
    )
    db.session.commit()


# --- the route audit's factories (tests/test_route_audit.py): rows "owned" by a team's lead ---


def team_led_by(owner):
    """The first team `owner` leads, made on first use; `owner` shares every portfolio they
    have with it (so the lead's portfolio page opens for them)."""
    found = db.session.scalar(
        select(TeamMembership).where(
            TeamMembership.user_id == owner.id, TeamMembership.is_lead.is_(True)
        )
    )
    if found is None:
        found = services.create_team(owner, "Audit team")
    ids = db.session.scalars(select(Portfolio.id).where(Portfolio.user_id == owner.id)).all()
    services.set_consent(found, progress=True, competencies=True, portfolio_ids=ids)
    db.session.commit()
    return found.team


def member_of_team_led_by(owner) -> TeamMembership:
    team = team_led_by(owner)
    return join(team, owner, verified(name="Audited member"))


def invite_of_team_led_by(owner) -> TeamInvite:
    invite, _ = services.issue_invite(team_led_by(owner), owner)
    db.session.commit()
    return invite
