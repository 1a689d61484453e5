"""Accounts: register, authenticate, change password, delete. Services flush; views commit."""

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from cpd_log.auth import sessions, throttle, tokens
from cpd_log.documents.job_files import forget_files as forget_export_files
from cpd_log.evidence.services import forget_files_of
from cpd_log.extensions import db
from cpd_log.models import User
from cpd_log.models.account_token import TokenPurpose
from cpd_log.security_log import record_event
from cpd_log.teams.services import hand_over

# Compared against when the email is unknown, so an unknown email costs exactly as long as a
# wrong password: one hash per configured method (scrypt in production), made on first use.
_dummy_hashes: dict[str, str] = {}


class EmailTaken(ValueError):
    pass


@dataclass(frozen=True)
class LoginAttempt:
    """The outcome of a login: the user, or why not (`locked_seconds` > 0: locked out)."""

    user: User | None
    locked_seconds: int = 0


def _hash_method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")


def _spend_one_hash(password: str) -> None:
    """The work of checking a password, for paths that have no real hash to check."""
    method = _hash_method()
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash("not a real password", method=method)
    check_password_hash(_dummy_hashes[method], password)


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == User.normalise_email(email)))


def register_user(email: str, display_name: str, password: str, role: str = "practitioner") -> User:
    """Create an account. Raises EmailTaken when the email exists in any letter case (after the
    same hashing work as a new account, so the answer's timing does not tell either)."""
    if find_by_email(email) is not None:
        _spend_one_hash(password)
        raise EmailTaken(email)
    user = User(email=User.normalise_email(email), display_name=display_name.strip(), role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> tuple[User | None, str]:
    """(user, "") when email and password match, else (None, reason code) — the reason is for
    the security log only; the person at the form never learns which part was wrong."""
    user = find_by_email(email)
    if user is None:
        _spend_one_hash(password)
        return None, "unknown_account"
    if not user.check_password(password):
        return None, "password"
    return user, ""


def _known_id(email: str) -> int | None:
    user = find_by_email(email)
    return user.id if user is not None else None


def attempt_login(email: str, password: str, now: datetime | None = None) -> LoginAttempt:
    """One login through the per-account throttle (cpd_log/auth/throttle.py)."""
    now = now or datetime.now(UTC)
    key = throttle.account_key(email)
    # The log names the account under attack (its id when it exists, and a keyed hash of the
    # email either way, so attempts on one address can be followed without the address).
    account = key[:16]
    if wait := throttle.seconds_locked(key, now):
        record_event("login.locked", user_id=_known_id(email), account=account, retry_after=wait)
        return LoginAttempt(None, locked_seconds=wait)
    user, reason = authenticate(email, password)
    if user is None:
        lock = throttle.record_failure(key, now)
        known = _known_id(email) if reason == "password" else None
        record_event("login.failed", user_id=known, account=account, reason=reason)
        if lock:
            record_event("login.locked", user_id=known, account=account, retry_after=lock)
        return LoginAttempt(None, locked_seconds=lock)
    throttle.clear(key)
    user.last_login_at = now
    record_event("login.succeeded", user_id=user.id)
    return LoginAttempt(user)


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every session of this user (the caller starts a new one for
    the browser that made the change)."""
    user.set_password(new_password)
    sessions.end_all_sessions(user)
    tokens.revoke_all(user, TokenPurpose.RESET_PASSWORD)  # a reset link mailed before is dead
    record_event("password.changed", user_id=user.id)
    db.session.flush()


def delete_account(user: User) -> None:
    """Remove the user and, through ON DELETE CASCADE, every row they own — login sessions
    included — (evidence and export files on commit)."""
    user_id = user.id
    hand_over(user)  # its teams keep a lead (cpd_log/teams/services.py)
    forget_files_of(user_id)
    forget_export_files(user_id)
    db.session.execute(delete(User).where(User.id == user_id))
    db.session.flush()
    record_event("account.deleted", user_id=user_id)


def safe_next(target: str | None) -> str | None:
    """`next` only when it is a path on this site: no scheme, host, `//` or backslash."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
