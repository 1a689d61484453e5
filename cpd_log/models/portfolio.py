"""Portfolios: a saved selection of the log for one audience, and the links that share it."""

import secrets
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cpd_log.extensions import db
from cpd_log.models.scheme import Cycle
from cpd_log.models.types import utcnow


class Audience(StrEnum):
    APPRAISAL = "appraisal"
    AUDIT = "audit"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"appraisal": "Appraisal", "audit": "Certification audit", "other": "Other"}[self]


class Portfolio(db.Model):
    __tablename__ = "portfolio"
    __table_args__ = (
        CheckConstraint(
            "date_to IS NULL OR date_from IS NULL OR date_to >= date_from", name="range_in_order"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    audience: Mapped[Audience] = mapped_column(
        Enum(
            Audience,
            native_enum=False,
            create_constraint=True,
            name="audience",
            length=24,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    date_from: Mapped[date | None] = mapped_column(Date)
    date_to: Mapped[date | None] = mapped_column(Date)
    # Ids, not rows: a deleted activity or competency simply drops out of the portfolio.
    competency_ids: Mapped[list] = mapped_column(JSON, default=list)
    # Every matching activity is in, except those the owner took out.
    excluded_activity_ids: Mapped[list] = mapped_column(JSON, default=list)
    # Every non-draft reflection of the period is in, except those the owner took out.
    excluded_reflection_ids: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    # A scheme cycle: its dates are the period, and its rules and categories are reported.
    # SET NULL: deleting the enrolment leaves the portfolio with the cycle's dates.
    cycle_id: Mapped[int | None] = mapped_column(
        ForeignKey("cycle.id", ondelete="SET NULL"), index=True
    )
    include_evidence: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    cycle: Mapped[Cycle | None] = relationship()
    share_links: Mapped[list["ShareLink"]] = relationship(
        back_populates="portfolio", passive_deletes=True, order_by="ShareLink.id.desc()"
    )
    reviews: Mapped[list["Review"]] = relationship(
        passive_deletes=True, order_by="Review.created_at"
    )


class ShareLink(db.Model):
    """A read-only link for a reviewer. Only the token's SHA-256 is stored."""

    __tablename__ = "share_link"
    __table_args__ = (CheckConstraint("views >= 0", name="views_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    views: Mapped[int] = mapped_column(Integer, default=0)
    last_viewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    portfolio: Mapped[Portfolio] = relationship(back_populates="share_links")


class Review(db.Model):
    """A reviewer's comment or sign-off, left through a share link; the owner sees it."""

    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio.id", ondelete="CASCADE"), index=True
    )
    share_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("share_link.id", ondelete="SET NULL")
    )
    reviewer_name: Mapped[str] = mapped_column(String(100))
    reviewer_role: Mapped[str] = mapped_column(String(100), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    signed_off: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def new_job_token() -> str:
    """192 random bits: a job's address for its owner and for a reviewer (never the row id)."""
    return secrets.token_urlsafe(24)


class ExportJob(db.Model):
    """A large PDF/ZIP rendered in the background, so the page can show progress meanwhile.

    `token` is the only way to address a job from outside. A job started through a share link
    records it and is served through that link only. `fingerprint` is the portfolio's content
    version when the job started (cpd_log/documents/jobs.py): a file whose content has since
    changed is never served. The file is removed with the job, the portfolio and the account,
    and by the housekeeping sweep once `expires_at` has passed.
    """

    __tablename__ = "export_job"
    __table_args__ = (CheckConstraint("pages >= 0", name="pages_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True, default=new_job_token)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio.id", ondelete="CASCADE"), index=True
    )
    share_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("share_link.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))  # "pdf" or "zip"
    # queued, running (a worker has it), done, failed
    state: Mapped[str] = mapped_column(String(16), default="queued")
    # Why it failed, for the user (a render error, or the worker stopped).
    message: Mapped[str] = mapped_column(Text, default="", server_default="")
    pages: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)  # activities, for the progress bar
    file_name: Mapped[str] = mapped_column(String(64), default="")
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
