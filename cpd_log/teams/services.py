"""Team operations. Every team page starts with `membership_for`: None means 404.

Nothing here is cached: a removal, a withdrawn consent or a deleted account is seen by the very
next query. Services flush; the view commits.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from cpd_log.access import shipped
from cpd_log.auth.sessions import token_hash
from cpd_log.extensions import db
from cpd_log.models.competency import Framework
from cpd_log.models.portfolio import Portfolio
from cpd_log.models.team import (
    Team,
    TeamInvite,
    TeamMembership,
    TeamRole,
    TeamSharedPortfolio,
)
from cpd_log.models.user import User

INVITE_VALID_FOR = timedelta(days=7)
# A token is 43 characters; anything much longer is not one of ours.
MAX_TOKEN_CHARS = 100


class TeamError(ValueError):
    """A team change refused for a reason the user can act on (the message says which)."""


@dataclass(frozen=True)
class Consent:
    progress: bool
    competencies: bool
    portfolio_ids: frozenset[int]


def membership_for(user: User, team_id: int, role: TeamRole | None = None):
    """The user's membership of team `team_id` holding `role` (any role when None), or None:
    the caller answers 404 whether the team is missing, foreign or the role lacking."""
    if user is None or not getattr(user, "id", None):
        return None
    membership = db.session.scalar(
        select(TeamMembership)
        .where(TeamMembership.team_id == team_id, TeamMembership.user_id == user.id)
        .options(joinedload(TeamMembership.team))  # one row: one query with its team
    )
    if membership is None or not membership.has_role(role):
        return None
    return membership


def teams_of(user: User) -> list[TeamMembership]:
    """The user's memberships, each with its team, by team name."""
    return list(
        db.session.scalars(
            select(TeamMembership)
            .join(Team)
            .where(TeamMembership.user_id == user.id)
            .options(selectinload(TeamMembership.team))
            .order_by(Team.name, Team.id)
        )
    )


def members_of(team_id: int) -> list[TeamMembership]:
    """Every membership of the team with its user, by display name (one query for the users)."""
    return list(
        db.session.scalars(
            select(TeamMembership)
            .join(User, User.id == TeamMembership.user_id)
            .where(TeamMembership.team_id == team_id)
            .options(selectinload(TeamMembership.user))
            .order_by(func.lower(User.display_name), TeamMembership.id)
        )
    )


def appraisers_of(team_id: int) -> list[TeamMembership]:
    return [m for m in members_of(team_id) if m.is_appraiser]


def create_team(user: User, name: str, framework_id: int | None = None) -> TeamMembership:
    """A new team with its creator as lead (and member); returns the creator's membership."""
    team = Team(name=name.strip(), framework_id=framework_id)
    db.session.add(team)
    db.session.flush()
    membership = TeamMembership(team_id=team.id, user_id=user.id, is_lead=True)
    db.session.add(membership)
    db.session.flush()
    return membership


# --- consent -------------------------------------------------------------------------------


def consent_of(membership: TeamMembership) -> Consent:
    return Consent(
        progress=membership.shares_progress,
        competencies=membership.shares_competencies,
        portfolio_ids=frozenset(shared_portfolio_ids([membership.id]).get(membership.id, ())),
    )


def shared_portfolio_ids(membership_ids) -> dict[int, set[int]]:
    """membership id -> ids of the portfolios it shares (one query for any number of members)."""
    ids = list(membership_ids)
    found: dict[int, set[int]] = {}
    if not ids:
        return found
    rows = db.session.execute(
        select(TeamSharedPortfolio.membership_id, TeamSharedPortfolio.portfolio_id).where(
            TeamSharedPortfolio.membership_id.in_(ids)
        )
    )
    for membership_id, portfolio_id in rows:
        found.setdefault(membership_id, set()).add(portfolio_id)
    return found


def set_consent(
    membership: TeamMembership,
    *,
    progress: bool,
    competencies: bool,
    portfolio_ids=(),
    now: datetime | None = None,
) -> None:
    """Replace what the member shares with this team. Only the member's own portfolios count;
    an id of anyone else's is ignored (the form never offers one)."""
    now = now or datetime.now(UTC)
    own = set(
        db.session.scalars(
            select(Portfolio.id).where(
                Portfolio.user_id == membership.user_id, Portfolio.id.in_(list(portfolio_ids or ()))
            )
        )
    )
    membership.shares_progress = bool(progress)
    membership.shares_competencies = bool(competencies)
    membership.consent_changed_at = now
    db.session.execute(
        delete(TeamSharedPortfolio).where(TeamSharedPortfolio.membership_id == membership.id)
    )
    for portfolio_id in sorted(own):
        db.session.add(
            TeamSharedPortfolio(
                membership_id=membership.id, portfolio_id=portfolio_id, shared_at=now
            )
        )
    db.session.flush()


def withdraw_consent(membership: TeamMembership, now: datetime | None = None) -> None:
    set_consent(membership, progress=False, competencies=False, portfolio_ids=(), now=now)


# --- invites ---------------------------------------------------------------------------------


def issue_invite(
    team: Team,
    by: User,
    *,
    email: str | None = None,
    lead: bool = False,
    appraiser: bool = False,
    valid_for: timedelta = INVITE_VALID_FOR,
    now: datetime | None = None,
) -> tuple[TeamInvite, str]:
    """A new single-use invite; returns it and the token for the link (never stored)."""
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    invite = TeamInvite(
        team_id=team.id,
        token_hash=token_hash(token),
        email=User.normalise_email(email) if email else None,
        is_lead=lead,
        is_appraiser=appraiser,
        created_by_id=by.id,
        created_at=now,
        expires_at=now + valid_for,
        revoked=False,
    )
    db.session.add(invite)
    db.session.flush()
    return invite, token


def find_invite(token: str, now: datetime | None = None) -> TeamInvite | None:
    """The live (unused, unrevoked, unexpired) invite for this token, without using it."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    now = now or datetime.now(UTC)
    return db.session.scalar(
        select(TeamInvite)
        .where(
            TeamInvite.token_hash == token_hash(token),
            TeamInvite.used_at.is_(None),
            TeamInvite.expires_at > now,
        )
        .options(selectinload(TeamInvite.team))
    )


def accept_invite(user: User, token: str, now: datetime | None = None) -> TeamMembership:
    """Join the invite's team with its roles. Raises TeamError saying why not. Using the invite
    is one conditional UPDATE, so two clicks at once cannot both join."""
    now = now or datetime.now(UTC)
    invite = find_invite(token, now)
    if invite is None:
        raise TeamError("This invitation is unknown, used, withdrawn or expired.")
    if user.verified_at is None:
        raise TeamError("Confirm your email address first, then open the invitation again.")
    if invite.email and invite.email != user.email:
        raise TeamError("This invitation was sent to another email address.")
    if membership_for(user, invite.team_id) is not None:
        raise TeamError("You are already a member of this team.")
    used = db.session.execute(
        update(TeamInvite)
        .where(TeamInvite.id == invite.id, TeamInvite.used_at.is_(None))
        .values(used_at=now, used_by_id=user.id),
        execution_options={"synchronize_session": False},
    )
    if used.rowcount != 1:
        raise TeamError("This invitation is unknown, used, withdrawn or expired.")
    membership = TeamMembership(
        team_id=invite.team_id,
        user_id=user.id,
        is_lead=invite.is_lead,
        is_appraiser=invite.is_appraiser,
        joined_at=now,
    )
    db.session.add(membership)
    db.session.flush()
    return membership


def revoke_invite(team_id: int, invite_id: int, now: datetime | None = None) -> bool:
    """Withdraw an unused invite of this team; False when there is none (the caller 404s)."""
    now = now or datetime.now(UTC)
    gone = db.session.execute(
        update(TeamInvite)
        .where(
            TeamInvite.id == invite_id,
            TeamInvite.team_id == team_id,
            TeamInvite.used_at.is_(None),
        )
        .values(used_at=now, revoked=True),
        execution_options={"synchronize_session": False},
    )
    db.session.flush()
    return gone.rowcount == 1


def open_invites(team_id: int, now: datetime | None = None) -> list[TeamInvite]:
    now = now or datetime.now(UTC)
    return list(
        db.session.scalars(
            select(TeamInvite)
            .where(
                TeamInvite.team_id == team_id,
                TeamInvite.used_at.is_(None),
                TeamInvite.expires_at > now,
            )
            .order_by(TeamInvite.id.desc())
        )
    )


# --- leaving, removing, roles ----------------------------------------------------------------


def _other_leads(membership: TeamMembership) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(TeamMembership)
        .where(
            TeamMembership.team_id == membership.team_id,
            TeamMembership.is_lead.is_(True),
            TeamMembership.id != membership.id,
        )
    )


def _member_count(team_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(TeamMembership).where(TeamMembership.team_id == team_id)
    )


def leave(membership: TeamMembership) -> bool:
    """The member leaves; their consent goes with the membership. The last member leaving
    deletes the team; the last lead cannot leave while others remain. Returns True when the team
    was deleted."""
    if _member_count(membership.team_id) == 1:
        db.session.execute(delete(Team).where(Team.id == membership.team_id))
        db.session.flush()
        db.session.expunge(membership)
        return True
    if membership.is_lead and not _other_leads(membership):
        raise TeamError("Make another member a lead before you leave: a team needs a lead.")
    db.session.execute(delete(TeamMembership).where(TeamMembership.id == membership.id))
    db.session.flush()
    db.session.expunge(membership)
    return False


def remove_member(team_id: int, membership_id: int) -> bool:
    """A lead removes a member (not themselves: that is leaving). False: no such member."""
    membership = db.session.scalar(
        select(TeamMembership).where(
            TeamMembership.id == membership_id, TeamMembership.team_id == team_id
        )
    )
    if membership is None:
        return False
    if membership.is_lead and not _other_leads(membership):
        raise TeamError("A team needs a lead: make someone else a lead first.")
    db.session.execute(delete(TeamMembership).where(TeamMembership.id == membership.id))
    db.session.flush()
    db.session.expunge(membership)
    return True


def set_roles(membership: TeamMembership, *, lead: bool, appraiser: bool) -> None:
    if membership.is_lead and not lead and not _other_leads(membership):
        raise TeamError("A team needs a lead: make someone else a lead first.")
    membership.is_lead = lead
    membership.is_appraiser = appraiser
    db.session.flush()


def member_of_team(team_id: int, membership_id: int) -> TeamMembership | None:
    """A membership of this team by its id (a lead's action on it), or None."""
    return db.session.scalar(
        select(TeamMembership)
        .where(TeamMembership.id == membership_id, TeamMembership.team_id == team_id)
        .options(selectinload(TeamMembership.user))
    )


def own_portfolio_choices(user: User) -> list[tuple[int, str]]:
    """(id, title) of the user's saved portfolios, for the consent form."""
    rows = db.session.execute(
        select(Portfolio.id, Portfolio.title)
        .where(Portfolio.user_id == user.id)
        .order_by(Portfolio.title, Portfolio.id)
    )
    return [(pid, title) for pid, title in rows]


def framework_choices(team_id: int) -> list[tuple[int, str]]:
    """(id, name) of the frameworks a team may draw its coverage against: those the app ships
    and the team's own (cpd_log/team_library/); never another team's (a team's framework has no
    owner either: access.shipped says what shipped means)."""
    rows = db.session.execute(
        select(Framework.id, Framework.name)
        .where(or_(shipped(Framework), Framework.team_id == team_id))
        .order_by(Framework.name, Framework.id)
    )
    return [(fid, name) for fid, name in rows]


def hand_over(user: User) -> None:
    """Before an account is deleted (its memberships go by ON DELETE CASCADE): a team it was the
    only member of is deleted; a team it was the only lead of gets its longest-standing other
    member as lead, so no team is left that nobody can manage."""
    for membership in teams_of(user):
        others = [m for m in members_of(membership.team_id) if m.user_id != user.id]
        if not others:
            db.session.execute(delete(Team).where(Team.id == membership.team_id))
        elif membership.is_lead and not any(m.is_lead for m in others):
            min(others, key=lambda m: (m.joined_at, m.id)).is_lead = True
    db.session.flush()
