"""Two-factor sign-in: a TOTP secret per user and ten single-use recovery codes."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cpd_log.extensions import db
from cpd_log.models.types import utcnow


class TwoFactor(db.Model):
    """A user's authenticator. While `enabled_at` is None the secret is only being set up (shown
    on the setup page until a code from it is entered); once enabled it is never shown again.
    `last_step` is the TOTP time step of the last code accepted, so no code is accepted twice."""

    __tablename__ = "two_factor"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    # Base32, as authenticator apps take it (pyotp.random_base32: 160 bits).
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_step: Mapped[int | None] = mapped_column(BigInteger)


class RecoveryCode(db.Model):
    """One recovery code, stored as the SHA-256 of the code (80 random bits: a hash is enough,
    as for the mailed tokens); `used_at` makes it single-use."""

    __tablename__ = "recovery_code"
    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
