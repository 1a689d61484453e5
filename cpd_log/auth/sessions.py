"""Login sessions: one database row per logged-in browser, named by a random token.

Flask-Login keeps an identity in the session cookie and, with "keep me logged in", in a remember
cookie. That identity used to be the user's row id (plus a version), and SQLite gives a deleted
account's id to the next account, so old cookies opened someone else's data. Now the identity is
a 256-bit token from `secrets`; the row it names (stored by SHA-256) says whose session it is and
until when. A cookie works while its row lives: logout deletes the row, a password change deletes
all of the user's rows, deleting the account deletes them by cascade, and rows expire.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app, g, has_request_context, request
from sqlalchemy import bindparam, delete, select, update

from cpd_log.extensions import db
from cpd_log.models.user import LoginSession, User

# last_seen_at (and an idle session's expiry) is written at most this often, so a busy user does
# not turn every page view into a database write.
TOUCH_EVERY = timedelta(minutes=5)
# A token is 43 characters; anything much longer is not one of ours.
_MAX_TOKEN_CHARS = 100
# Enough of a User-Agent to name the browser and system (real ones are 100-250 characters).
USER_AGENT_CHARS = 300


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def lifetime(remember: bool) -> timedelta:
    """A remembered session lives REMEMBER_COOKIE_DAYS from login, like its cookie; another one
    ends after SESSION_IDLE_HOURS without a request."""
    if remember:
        return timedelta(days=current_app.config["REMEMBER_COOKIE_DAYS"])
    return timedelta(hours=current_app.config["SESSION_IDLE_HOURS"])


def start_session(user: User, remember: bool, now: datetime | None = None) -> str:
    """A new login session for `user`; returns its token (also set as `user.login_token`, which
    Flask-Login's `login_user` stores in the cookies). Expired sessions of anyone are swept."""
    now = now or datetime.now(UTC)
    sweep_expired(now)
    token = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            token_hash=token_hash(token),
            user_id=user.id,
            remember=remember,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime(remember),
            user_agent=_user_agent(),
        )
    )
    db.session.flush()
    user.login_token = token
    return token


def _user_agent() -> str | None:
    if not has_request_context():
        return None
    return (request.headers.get("User-Agent") or "")[:USER_AGENT_CHARS] or None


@dataclass(frozen=True)
class LiveSession:
    """What a request needs of its login session row: which row, and whether it is remembered."""

    token_hash: str
    remember: bool


# Every request that carries a cookie runs this, so it is built once: constructing the select
# (column operators, coercions) cost more than executing it (bench/floor.py).
_LIVE_SESSION_USER = (
    select(
        User,
        LoginSession.remember,
        (LoginSession.last_seen_at < bindparam("seen_before")).label("due"),
    )
    .join(LoginSession, LoginSession.user_id == User.id)
    .where(
        LoginSession.token_hash == bindparam("token_hash"),
        LoginSession.expires_at > bindparam("now"),
    )
)


def load_user(token: str) -> User | None:
    """Flask-Login's loader, for the session cookie and the remember cookie alike: the user of a
    live session named by `token`, else None (logged out). One query on every request, so a
    logged-out, expired or deleted session's cookie fails at once."""
    if not token or len(token) > _MAX_TOKEN_CHARS:
        return None
    now = datetime.now(UTC)
    hashed = token_hash(token)
    row = db.session.execute(
        _LIVE_SESSION_USER,
        {"token_hash": hashed, "now": now, "seen_before": now - TOUCH_EVERY},
    ).first()
    if row is None:
        return None
    user, remember, due = row
    user.login_token = token
    g.login_session = LiveSession(hashed, bool(remember))
    g.login_session_due = bool(due)
    return user


def current() -> LiveSession | None:
    """The login session of this request (after the user was loaded), or None."""
    return g.get("login_session")


def keep_alive(now: datetime | None = None) -> bool:
    """Record that this request's session is in use, at most every TOUCH_EVERY; an idle session's
    expiry moves along. Returns whether anything was written (the caller commits)."""
    login_session = current()
    if login_session is None or not g.get("login_session_due"):
        return False
    now = now or datetime.now(UTC)
    values: dict = {"last_seen_at": now}
    if not login_session.remember:
        values["expires_at"] = now + lifetime(False)
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == login_session.token_hash)
        .values(**values)
    )
    g.login_session_due = False
    return True


def end_session(token: str | None) -> None:
    """Logout: the row goes, so the cookies that carry `token` open nothing any more."""
    if token:
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash(token)))
        db.session.flush()


def end_all_sessions(user: User) -> None:
    """Every browser of `user` is logged out (a password change)."""
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.flush()


def live_sessions(user: User, now: datetime | None = None) -> list[LoginSession]:
    """The user's signed-in browsers, the most recently used first."""
    now = now or datetime.now(UTC)
    return list(
        db.session.scalars(
            select(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.expires_at > now)
            .order_by(LoginSession.last_seen_at.desc(), LoginSession.created_at.desc())
        )
    )


def end_session_of(user: User, session_hash: str) -> bool:
    """Sign out one of the user's browsers (named by its row's hash); False when the user has
    no such session (another user's hash included)."""
    ended = db.session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.token_hash == session_hash
        )
    )
    db.session.flush()
    return ended.rowcount == 1


def end_other_sessions(user: User, keep_hash: str) -> int:
    """Sign out every browser of the user but the one whose row is `keep_hash`; how many."""
    ended = db.session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.token_hash != keep_hash
        )
    )
    db.session.flush()
    return ended.rowcount


def sweep_expired(now: datetime) -> None:
    db.session.execute(delete(LoginSession).where(LoginSession.expires_at <= now))
