"""Per-account login throttling with exponential back-off, kept in the database.

The IP rate limit (LOGIN_RATE_LIMIT) stops one address hammering the form; this stops many
addresses guessing one account's password. After LOGIN_LOCK_AFTER failed logins for an email, the
account key is locked for LOGIN_LOCK_SECONDS, doubling with every further failure up to
LOGIN_LOCK_MAX_SECONDS; while locked no password is checked. A success clears the count, and
failures older than FORGET_AFTER are forgotten.

The key is an HMAC of the normalised email under SECRET_KEY, the same for an address that has
an account and one that has not, so a lock (and its message, and its timing) says nothing about
whether the account exists, and the table holds no email address. Counts live in the database,
so every worker and every host sees the same ones.
"""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from cpd_log.extensions import db
from cpd_log.models.user import LoginThrottle, User

# A run of failures older than this starts again from one.
FORGET_AFTER = timedelta(days=1)
# 2**20 × the base lock is far beyond any cap: the exponent stops growing there.
_MAX_DOUBLINGS = 20


def account_key(email: str, scope: str = "login-throttle") -> str:
    """The throttle key of `email` for one kind of attempt: `login-throttle` (failed logins) or
    `password-reset` (reset mails asked for), counted apart in the same table."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else secret.encode()
    address = User.normalise_email(email).encode("utf-8", "surrogatepass")
    message = scope.encode() + b"\0" + address
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def seconds_locked(key: str, now: datetime) -> int:
    """How many more seconds the key is locked (0: not locked)."""
    until = db.session.scalar(select(LoginThrottle.locked_until).where(LoginThrottle.key == key))
    if until is None:
        return 0
    return max(0, int((_utc(until) - now).total_seconds() + 0.999))


def lock_seconds(failures: int) -> int:
    """The lock after `failures` consecutive failures: none before LOGIN_LOCK_AFTER, then the
    base lock doubling with each failure, capped."""
    config = current_app.config
    if failures < config["LOGIN_LOCK_AFTER"]:
        return 0
    doublings = min(failures - config["LOGIN_LOCK_AFTER"], _MAX_DOUBLINGS)
    return min(config["LOGIN_LOCK_SECONDS"] * 2**doublings, config["LOGIN_LOCK_MAX_SECONDS"])


def record_failure(key: str, now: datetime) -> int:
    """Count one failed login for `key`; returns the lock it starts now, in seconds (0: none).

    One INSERT … ON CONFLICT DO UPDATE … RETURNING, so failures arriving at the same moment on
    several workers are all counted.
    """
    _sweep(now)
    dialect = sqlite if db.engine.dialect.name == "sqlite" else postgresql
    statement = dialect.insert(LoginThrottle).values(key=key, failures=1, last_failure_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[LoginThrottle.key],
        set_={
            "failures": case(
                (LoginThrottle.last_failure_at < now - FORGET_AFTER, 1),
                else_=LoginThrottle.failures + 1,
            ),
            "last_failure_at": now,
        },
    ).returning(LoginThrottle.failures)
    failures = db.session.execute(statement).scalar_one()
    seconds = lock_seconds(failures)
    if seconds:
        db.session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(locked_until=now + timedelta(seconds=seconds))
        )
    db.session.flush()
    return seconds


def clear(key: str) -> None:
    """A successful login: the count starts again."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
    db.session.flush()


def _sweep(now: datetime) -> None:
    """Forget keys whose failures are old and whose lock is over (most are mistyped emails)."""
    db.session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.last_failure_at < now - FORGET_AFTER,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now),
        )
    )
