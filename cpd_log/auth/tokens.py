"""Single-use tokens mailed to an account (password reset, email confirmation).

A token is 256 random bits from `secrets`, in the mailed link only; the table keeps its SHA-256
(`sessions.token_hash`), so neither a copy of the database nor a log line can use one. Redeeming
is one conditional UPDATE (unused, unexpired, of this purpose): two clicks at once, in two tabs
or two workers, cannot both succeed.
"""

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update

from cpd_log.auth.sessions import token_hash
from cpd_log.extensions import db
from cpd_log.models.account_token import AccountToken, TokenPurpose
from cpd_log.models.user import User

# Used and expired tokens are kept this long after they expire (a late click says "expired"
# rather than "unknown", and support can see a link was used), then swept.
KEEP_AFTER_EXPIRY = timedelta(days=7)
# A token is 43 characters; anything much longer is not one of ours.
MAX_TOKEN_CHARS = 100


def issue(
    user: User, purpose: TokenPurpose, email: str, valid_for: timedelta, now: datetime | None = None
) -> str:
    """A new token for `user`, to be mailed to `email`; returns the token itself."""
    now = now or datetime.now(UTC)
    sweep(now)
    token = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            token_hash=token_hash(token),
            user_id=user.id,
            purpose=purpose,
            email=email,
            created_at=now,
            expires_at=now + valid_for,
        )
    )
    db.session.flush()
    return token


def _live(token: str, purpose: TokenPurpose, now: datetime):
    return (
        AccountToken.token_hash == token_hash(token),
        AccountToken.purpose == purpose,
        AccountToken.used_at.is_(None),
        AccountToken.expires_at > now,
    )


def find(token: str, purpose: TokenPurpose, now: datetime | None = None) -> AccountToken | None:
    """The unused, unexpired token row, without using it (the reset form's GET)."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    now = now or datetime.now(UTC)
    return db.session.scalar(select(AccountToken).where(*_live(token, purpose, now)))


def redeem(token: str, purpose: TokenPurpose, now: datetime | None = None) -> AccountToken | None:
    """Use the token: the row when this call used it, None when it is unknown, used, expired or
    of another purpose."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    now = now or datetime.now(UTC)
    used = db.session.execute(
        update(AccountToken).where(*_live(token, purpose, now)).values(used_at=now),
        execution_options={"synchronize_session": False},
    )
    if used.rowcount != 1:
        return None
    return db.session.get(AccountToken, token_hash(token), populate_existing=True)


def revoke_all(user: User, purpose: TokenPurpose, now: datetime | None = None) -> None:
    """Every unused token of this purpose stops working (a reset makes older links useless)."""
    now = now or datetime.now(UTC)
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now),
        execution_options={"synchronize_session": False},
    )
    db.session.flush()


def sweep(now: datetime) -> int:
    """Forget tokens expired more than KEEP_AFTER_EXPIRY ago (also a housekeeping step)."""
    gone = db.session.execute(
        delete(AccountToken).where(AccountToken.expires_at < now - KEEP_AFTER_EXPIRY)
    )
    db.session.flush()
    return gone.rowcount
