"""Accounts."""

from datetime import datetime
from enum import StrEnum

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import BigInteger, DateTime, Enum, Integer, String
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
    # Bumped when the password changes: sessions carrying an older value are logged out.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Raised by database triggers whenever a row behind the user's dashboard or activity list
    # changes, whatever wrote it (ORM, bulk import, psql); the page cache keys on it. Never set
    # by the application. See cpd_log/page_cache.py and the migration that made the triggers.
    data_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @staticmethod
    def normalise_email(email: str) -> str:
        return email.strip().lower()

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """Flask-Login's session id: the row id plus the session version."""
        return f"{self.id}.{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"
