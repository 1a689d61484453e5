"""Teams: people who agreed to show a lead part of their record (issue 18).

A membership is always a member; `is_lead` and `is_appraiser` add roles (a lead may also be an
appraiser). What the team sees of a member is the member's consent, held on the membership
(`shares_progress`, `shares_competencies`) and in `team_shared_portfolio`: deleting the
membership (leave, removal, account deletion) deletes the consent with it, so nothing of the
member stays visible to the team. Nothing is cached: every page reads the membership afresh.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cpd_log.extensions import db
from cpd_log.models.types import utcnow

TEAM_NAME_MAX = 100


class TeamRole(StrEnum):
    MEMBER = "member"
    APPRAISER = "appraiser"
    LEAD = "lead"

    @property
    def label(self) -> str:
        return {"member": "Member", "appraiser": "Appraiser", "lead": "Lead"}[self]


class Team(db.Model):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(TEAM_NAME_MAX))
    # The framework the lead's coverage heat-map is drawn against; members tagging in other
    # frameworks are carried onto it by crosswalks. SET NULL: deleting it leaves the team.
    framework_id: Mapped[int | None] = mapped_column(
        ForeignKey("framework.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    memberships: Mapped[list["TeamMembership"]] = relationship(
        back_populates="team", passive_deletes=True, order_by="TeamMembership.id"
    )


class TeamMembership(db.Model):
    __tablename__ = "team_membership"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    is_appraiser: Mapped[bool] = mapped_column(Boolean, default=False)
    # Consent: off until the member turns it on, and withdrawn by turning it off.
    shares_progress: Mapped[bool] = mapped_column(Boolean, default=False)  # hours, scheme cycles
    shares_competencies: Mapped[bool] = mapped_column(Boolean, default=False)  # coverage
    consent_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    team: Mapped[Team] = relationship(back_populates="memberships")
    user = relationship("User")

    @property
    def roles(self) -> frozenset[TeamRole]:
        roles = {TeamRole.MEMBER}
        if self.is_lead:
            roles.add(TeamRole.LEAD)
        if self.is_appraiser:
            roles.add(TeamRole.APPRAISER)
        return frozenset(roles)

    def has_role(self, role: TeamRole | None) -> bool:
        return role is None or role in self.roles


class TeamSharedPortfolio(db.Model):
    """One of the member's saved portfolios the member chose to show this team."""

    __tablename__ = "team_shared_portfolio"

    membership_id: Mapped[int] = mapped_column(
        ForeignKey("team_membership.id", ondelete="CASCADE"), primary_key=True
    )
    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    shared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TeamInvite(db.Model):
    """A single-use, expiring invitation. Only the token's SHA-256 is stored (the hash of
    cpd_log/auth/sessions.py, as for account tokens); the link carries the token. `email` is
    set when the invite was mailed: only an account with that (confirmed) address accepts it."""

    __tablename__ = "team_invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    is_appraiser: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set when accepted (used_by_id: by whom) or revoked by a lead (revoked): single use.
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    team: Mapped[Team] = relationship()
