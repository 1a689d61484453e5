"""Single-use tokens mailed to an account: password reset and email confirmation."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cpd_log.extensions import db
from cpd_log.models.types import utcnow


class TokenPurpose(StrEnum):
    RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose, not a password
    VERIFY_EMAIL = "verify_email"


class AccountToken(db.Model):
    """A link mailed to `email`. Only the token's SHA-256 is stored, so a copy of the database
    resets no password; `used_at` makes it single-use (cpd_log/auth/tokens.py)."""

    __tablename__ = "account_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(
        Enum(
            TokenPurpose,
            native_enum=False,
            create_constraint=True,
            name="token_purpose",
            length=20,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    # The address the link went to: a confirmation confirms exactly this one.
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
