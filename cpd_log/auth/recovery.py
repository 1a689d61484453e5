"""Password reset and email confirmation by mailed links. Services flush; the view commits and
then mails (cpd_log/auth/account_mail.py)."""

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from cpd_log.auth import sessions, throttle, tokens
from cpd_log.auth.services import EmailTaken, find_by_email
from cpd_log.extensions import db
from cpd_log.models.account_token import TokenPurpose
from cpd_log.models.user import User
from cpd_log.security_log import record_event

RESET_SCOPE = "password-reset"


def reset_lifetime() -> timedelta:
    return timedelta(minutes=current_app.config["PASSWORD_RESET_MINUTES"])


def verify_lifetime() -> timedelta:
    return timedelta(hours=current_app.config["EMAIL_VERIFY_HOURS"])


def count_reset_request(email: str, now: datetime | None = None) -> bool:
    """Count one "forgot password" request for `email`; False when the address asked too often
    (the login throttle's back-off, keyed apart). The same work whether or not the address has
    an account: the account is looked up later, in the background (account_mail)."""
    now = now or datetime.now(UTC)
    key = throttle.account_key(email, scope=RESET_SCOPE)
    locked = throttle.seconds_locked(key, now)
    throttle.record_failure(key, now)  # every request counts; only time forgets them
    return not locked


def request_reset(email: str, now: datetime | None = None) -> tuple[User, str] | None:
    """(user, token) to mail a reset link to, or None when no account has the address."""
    user = find_by_email(email)
    if user is None:
        return None
    token = tokens.issue(user, TokenPurpose.RESET_PASSWORD, user.email, reset_lifetime(), now)
    record_event("password.reset_requested", user_id=user.id)
    return user, token


def reset_password(token: str, new_password: str, now: datetime | None = None) -> User | None:
    """Use a reset link: the new password, every session ended, every other reset link dead,
    the login throttle cleared. None when the link is unknown, used, expired or was mailed to
    an address the account no longer has."""
    row = tokens.redeem(token, TokenPurpose.RESET_PASSWORD, now)
    if row is None:
        return None
    user = db.session.get(User, row.user_id)
    if user is None or user.email != row.email:
        return None
    user.set_password(new_password)
    sessions.end_all_sessions(user)
    tokens.revoke_all(user, TokenPurpose.RESET_PASSWORD, now)
    throttle.clear(throttle.account_key(user.email))
    if user.verified_at is None:  # the link reached this address: it is confirmed
        user.verified_at = row.used_at
    record_event("password.reset", user_id=user.id)
    db.session.flush()
    return user


def start_verification(user: User, now: datetime | None = None) -> str:
    """A confirmation link for the user's current address; earlier ones stop working."""
    tokens.revoke_all(user, TokenPurpose.VERIFY_EMAIL, now)
    return tokens.issue(user, TokenPurpose.VERIFY_EMAIL, user.email, verify_lifetime(), now)


def confirm_email(token: str, now: datetime | None = None) -> User | None:
    """Use a confirmation link: the account's address is confirmed. None when the link is
    unknown, used, expired or for an address the account no longer has."""
    row = tokens.redeem(token, TokenPurpose.VERIFY_EMAIL, now)
    if row is None:
        return None
    user = db.session.get(User, row.user_id)
    if user is None or user.email != row.email:
        return None
    user.verified_at = row.used_at
    record_event("email.verified", user_id=user.id)
    db.session.flush()
    return user


def change_email(user: User, new_email: str) -> str:
    """Move the account to `new_email`, unconfirmed; returns the old address (to be told).
    Raises EmailTaken when another account has it (also when one took it a moment ago)."""
    new_email = User.normalise_email(new_email)
    other = find_by_email(new_email)
    if other is not None and other.id != user.id:
        raise EmailTaken(new_email)
    old_email = user.email
    try:
        with db.session.begin_nested():
            user.email = new_email
            user.verified_at = None
            db.session.flush()
    except IntegrityError:
        raise EmailTaken(new_email) from None
    tokens.revoke_all(user, TokenPurpose.VERIFY_EMAIL)
    tokens.revoke_all(user, TokenPurpose.RESET_PASSWORD)
    record_event("email.changed", user_id=user.id)
    return old_email
