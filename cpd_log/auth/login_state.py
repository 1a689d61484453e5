"""Where a login stands: logged in (a login session, cpd_log/auth/sessions.py), or half-way —
the password was right and the account asks for a two-factor code.

The half-way state lives only in the signed Flask session cookie: the account's id, "keep me
logged in" and `next`, a deadline TWO_FACTOR_PENDING_MINUTES away, and a fingerprint of the
password hash, so a password changed or reset meanwhile ends it. It is not a login:
Flask-Login knows nothing of it, so every page that needs a login still sends the browser to
the login page; only the code page reads it.
"""

import hashlib
import time

from flask import current_app, session
from flask_login import login_user

from cpd_log.auth import sessions
from cpd_log.extensions import db
from cpd_log.models.user import User

_PENDING = "two_factor_pending"


def log_in(user: User, remember: bool) -> None:
    """A new login session (a fresh token each time, so none can be planted), in the cookies."""
    session.pop(_PENDING, None)
    sessions.start_session(user, remember)
    db.session.commit()
    login_user(user, remember=remember)


def _password_mark(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def await_second_factor(user: User, remember: bool, next_url: str | None) -> None:
    """The password was right; the code comes next."""
    minutes = current_app.config["TWO_FACTOR_PENDING_MINUTES"]
    session[_PENDING] = {
        "user_id": user.id,
        "remember": bool(remember),
        "next": next_url,
        "until": int(time.time()) + 60 * minutes,
        "password": _password_mark(user),
    }


def pending() -> tuple[User, bool, str | None] | None:
    """(user, remember, next) of a login waiting for its code, or None (none, or too old)."""
    state = session.get(_PENDING)
    if not isinstance(state, dict) or state.get("until", 0) < time.time():
        session.pop(_PENDING, None)
        return None
    user = db.session.get(User, state.get("user_id"))
    if user is None or state.get("password") != _password_mark(user):
        session.pop(_PENDING, None)
        return None
    return user, bool(state.get("remember")), state.get("next")


def forget_pending() -> None:
    session.pop(_PENDING, None)
