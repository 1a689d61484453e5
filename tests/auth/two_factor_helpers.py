"""Turning two-factor on for a test user through the real services, and codes from pyotp."""

from datetime import UTC, datetime, timedelta

import pyotp

from cpd_log.auth import two_factor
from cpd_log.extensions import db
from cpd_log.models.two_factor import TwoFactor


def turn_on(user) -> tuple[str, list[str]]:
    """Two-factor on for `user`, as the setup page does it; (secret, recovery codes)."""
    row = two_factor.pending_setup(user)
    codes = two_factor.enable(user, row)
    db.session.commit()
    return row.secret, codes


def code_at(secret: str, moment: datetime) -> str:
    return pyotp.TOTP(secret).at(moment)


def fresh_code(secret: str, user_id: int) -> str:
    """A code not used yet: the current step's, or the next step's when this one was used
    (the next step is inside the accepted window)."""
    row = db.session.get(TwoFactor, user_id)
    db.session.refresh(row)
    now = datetime.now(UTC)
    step = int(now.timestamp()) // 30
    if row.last_step is not None and row.last_step >= step:
        return code_at(secret, now + timedelta(seconds=30))
    return code_at(secret, now)


def password_step(client, user, password, remember=False, next_url=None):
    data = {"email": user.email, "password": password}
    if remember:
        data["remember"] = "y"
    url = "/account/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data=data)
