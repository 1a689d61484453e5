"""Accounts."""

from datetime import datetime
from enum import StrEnum

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, DateTime, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from cpd_log.extensions import db
from cpd_log.models.types import utcnow


class Role(StrEnum):
    PRACTITIONER = "practitioner"
    LEAD = "lead"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so uniqueness is case-insensitive on every backend.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            native_enum=False,
            create_constraint=True,
            name="role",
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=Role.PRACTITIONER,
    )
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Raised by database triggers whenever a row behind the user's dashboard or activity list
    # changes, whatever wrote it (ORM, bulk import, psql); the page cache keys on it. Never set
    # by the application. See cpd_log/page_cache.py and the migration that made the triggers.
    data_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the current email address was confirmed by a mailed link; None: not (yet) confirmed.
    # Unconfirmed accounts work normally; they see a banner offering to resend the link.
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @staticmethod
    def normalise_email(email: str) -> str:
        return email.strip().lower()

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    # The token of the login session this request runs under (cpd_log/auth/sessions.py); not a
    # column. Flask-Login stores it in the session and remember cookies instead of the row id.
    login_token = None

    def get_id(self) -> str:
        """Flask-Login's identity: the random login-session token, never the reusable row id."""
        if not self.login_token:
            raise RuntimeError("log in through cpd_log.auth.sessions.start_session")
        return self.login_token

    # UserMixin compares users by get_id(); two objects are the same user when they are the
    # same row, whichever session (if any) they were loaded under.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, User):
            return NotImplemented
        return self.id is not None and self.id == other.id

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class LoginSession(db.Model):
    """One logged-in browser. Its random token is what the session and remember cookies carry,
    so a cookie opens exactly this row's account while the row lives: logout deletes the row, a
    password change deletes the user's other rows, account deletion cascades. Only the token's
    SHA-256 is stored, so a copy of the database opens no session."""

    __tablename__ = "login_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Remembered: creation + REMEMBER_COOKIE_DAYS. Otherwise last seen + SESSION_IDLE_HOURS.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # The browser's User-Agent at login (cut to USER_AGENT_CHARS), named on the sessions page.
    user_agent: Mapped[str | None] = mapped_column(String(300))


class LoginThrottle(db.Model):
    """Failed logins per account key: a keyed hash of the normalised email, the same for known
    and unknown addresses, so a lock says nothing about whether an account exists. In the
    database, so every worker and host sees the same count (cpd_log/auth/throttle.py)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
