"""The user's record of claiming one activity with the body in one cycle: to claim, claimed on a
date with the body's reference, or rejected with the reason; and the body's activity type when
the user chose another than the scheme file's. No row: to claim, with the scheme's type."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cpd_log.claims.choices import ClaimState
from cpd_log.extensions import db
from cpd_log.models.types import utcnow

MAX_REFERENCE = 100
MAX_REASON = 1000


class ClaimStatus(db.Model):
    __tablename__ = "claim_status"
    __table_args__ = (
        # Two tabs saving the first status of one activity at once never make two rows.
        UniqueConstraint("cycle_id", "activity_id"),
        CheckConstraint("state != 'claimed' OR claimed_on IS NOT NULL", name="claimed_has_date"),
        CheckConstraint("claimed_minutes >= 0", name="claimed_minutes_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"))
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[ClaimState] = mapped_column(
        Enum(
            ClaimState,
            native_enum=False,
            create_constraint=True,
            name="claim_state",
            length=24,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ClaimState.TO_CLAIM,
    )
    claimed_on: Mapped[date | None] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(MAX_REFERENCE), default="")
    reason: Mapped[str] = mapped_column(String(MAX_REASON), default="")
    body_type: Mapped[str | None] = mapped_column(String(100))
    # The minutes the activity counted when it was marked claimed (the pre-audit check compares
    # them with today's); None when not claimed or claimed before this was recorded.
    claimed_minutes: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
