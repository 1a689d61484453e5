"""Reminder digests and the calendar feed: the user's choice, the digests sent, the feed's key."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cpd_log.extensions import db
from cpd_log.models.types import utcnow


class Frequency(StrEnum):
    OFF = "off"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class DigestState(StrEnum):
    CLAIMED = "claimed"  # a run took this user and period; nothing handed to the mail server yet
    SENDING = "sending"  # handed to the mail server: it may have gone out, so never again
    SENT = "sent"  # the mail server accepted it


def _enum(enum_cls: type[StrEnum], name: str) -> Enum:
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        name=name,
        length=10,
        values_callable=lambda e: [m.value for m in e],
    )


class ReminderSetting(db.Model):
    """How often the user wants a digest; no row means off (the default)."""

    __tablename__ = "reminder_setting"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    frequency: Mapped[Frequency] = mapped_column(
        _enum(Frequency, "reminder_frequency"), default=Frequency.OFF
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Digest(db.Model):
    """One digest for one user and period ("2026-W49", "2026-12"). The unique pair is the claim:
    the row is committed before anything is sent, and moves claimed → sending → sent by
    compare-and-set on `claim`, so at most one run ever hands a digest to the mail server
    (cpd_log/reminders/sending.py)."""

    __tablename__ = "digest"
    __table_args__ = (UniqueConstraint("user_id", "period", name="uq_digest_user_id_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(10))
    state: Mapped[DigestState] = mapped_column(_enum(DigestState, "digest_state"))
    claim: Mapped[str] = mapped_column(String(32))  # the random mark of the run that holds it
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CalendarFeed(db.Model):
    """The user's secret calendar address. Only the token's SHA-256 is stored; a new address
    replaces the row's hash, revoking deletes the row."""

    __tablename__ = "calendar_feed"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
