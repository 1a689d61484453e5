"""Accounts: register, authenticate, change password, delete. Services flush; views commit."""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from cpd_log.evidence.services import forget_files_of
from cpd_log.extensions import db
from cpd_log.models import User
from cpd_log.portfolio.job_files import forget_files as forget_export_files

# Compared against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a real password", method="pbkdf2:sha256:1000")


class EmailTaken(ValueError):
    pass


def load_user(session_id: str) -> User | None:
    """Flask-Login loader: `id.version`; a stale version (password changed) logs the session out."""
    user_id, _, version = session_id.partition(".")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == User.normalise_email(email)))


def register_user(email: str, display_name: str, password: str, role: str = "practitioner") -> User:
    """Create an account. Raises EmailTaken when the email exists in any letter case."""
    if find_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(email=User.normalise_email(email), display_name=display_name.strip(), role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user when email and password match, else None — without revealing which was wrong."""
    user = find_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password):
        return None
    user.last_login_at = datetime.now(UTC)
    return user


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every other session of this user."""
    user.set_password(new_password)
    user.session_version += 1
    db.session.flush()


def delete_account(user: User) -> None:
    """Remove the user and, through ON DELETE CASCADE, every row they own (files on commit)."""
    forget_files_of(user.id)
    forget_export_files(user.id)
    db.session.execute(delete(User).where(User.id == user.id))
    db.session.flush()


def safe_next(target: str | None) -> str | None:
    """`next` only when it is a path on this site: no scheme, host, `//` or backslash."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
