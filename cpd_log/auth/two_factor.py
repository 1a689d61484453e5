"""Two-factor sign-in: TOTP (RFC 6238, through pyotp) and single-use recovery codes.

Every code check goes through `check_code`: the per-account throttle (cpd_log/auth/throttle.py,
its own scope), then a TOTP code of this, the previous or the next 30-second step — accepted
only if its step is later than the last one accepted, so a code cannot be replayed — or else a
recovery code, each usable once. Services flush; views commit.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import delete, func, or_, select, update

from cpd_log.auth import throttle
from cpd_log.extensions import db
from cpd_log.models.two_factor import RecoveryCode, TwoFactor
from cpd_log.models.user import User
from cpd_log.security_log import record_event

ISSUER = "CPD Log"
THROTTLE_SCOPE = "two-factor"
RECOVERY_CODES = 10
# 16 base32 characters: 80 random bits, shown in groups of four.
_RECOVERY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
_RECOVERY_CHARS = 16
# Steps either side of now that are accepted: clocks drift, and a code typed at the end of its
# 30 seconds arrives in the next step.
_DRIFT_STEPS = 1


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of one code: accepted, or why not (`locked_seconds` > 0: throttled)."""

    ok: bool
    locked_seconds: int = 0
    recovery_code: bool = False


def enabled_for(user: User) -> TwoFactor | None:
    """The user's authenticator when two-factor is on, else None."""
    row = db.session.get(TwoFactor, user.id)
    return row if row is not None and row.enabled_at is not None else None


def pending_setup(user: User) -> TwoFactor:
    """The secret being set up (a new one when there is none); refused once two-factor is on."""
    row = db.session.get(TwoFactor, user.id)
    if row is not None and row.enabled_at is not None:
        raise ValueError("two-factor is already on")
    if row is None:
        row = TwoFactor(user_id=user.id, secret=pyotp.random_base32())
        db.session.add(row)
        db.session.flush()
    return row


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> Markup:
    """The otpauth URI as a QR code, an inline SVG drawn here (no script, no image request)."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, title="QR code for your authenticator")
    return Markup(svg)  # noqa: S704 - segno's own SVG of a URI we built


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _is_totp(code: str) -> bool:
    # ASCII digits only: str.isdigit() also takes other scripts' digits.
    return len(code) == 6 and code.isascii() and code.isdigit()


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // totp.interval
    for candidate in range(step - _DRIFT_STEPS, step + _DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def _accept_totp(row: TwoFactor, code: str, now: datetime) -> bool:
    """True once per step: the step is stored in the same UPDATE that checks it is new, so two
    requests with one code (even at the same moment) cannot both pass."""
    step = _matching_step(row.secret, code, now)
    if step is None:
        return False
    done = db.session.execute(
        update(TwoFactor)
        .where(
            TwoFactor.user_id == row.user_id,
            or_(TwoFactor.last_step.is_(None), TwoFactor.last_step < step),
        )
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(row)
    return done.rowcount == 1


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _use_recovery_code(user: User, code: str, now: datetime) -> bool:
    if len(code) != _RECOVERY_CHARS or not code.isascii():
        return False
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _code_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return used.rowcount == 1


def check_code(
    user: User, code: str, row: TwoFactor | None = None, now: datetime | None = None
) -> CodeCheck:
    """One code for `user` (TOTP, or a recovery code when two-factor is on), throttled.
    `row` is the secret to check against (the one being set up); default: the enabled one."""
    now = now or datetime.now(UTC)
    key = throttle.account_key(user.email, scope=THROTTLE_SCOPE)
    if wait := throttle.seconds_locked(key, now):
        record_event("two_factor.locked", user_id=user.id, retry_after=wait)
        return CodeCheck(False, locked_seconds=wait)
    row = row or enabled_for(user)
    code = _normalise(code or "")
    ok = recovery = False
    if row is not None and _is_totp(code):
        ok = _accept_totp(row, code, now)
    elif row is not None and row.enabled_at is not None:
        ok = recovery = _use_recovery_code(user, code, now)
    if not ok:
        lock = throttle.record_failure(key, now)
        record_event("two_factor.failed", user_id=user.id)
        if lock:
            record_event("two_factor.locked", user_id=user.id, retry_after=lock)
        return CodeCheck(False, locked_seconds=lock)
    throttle.clear(key)
    if recovery:
        record_event(
            "two_factor.recovery_code_used", user_id=user.id, left=recovery_codes_left(user)
        )
    return CodeCheck(True, recovery_code=recovery)


def new_recovery_codes(user: User, now: datetime | None = None) -> list[str]:
    """Ten fresh codes (shown once; only their hashes are kept); every earlier code is dead."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_CHARS))
        for _ in range(RECOVERY_CODES)
    ]
    created = now or datetime.now(UTC)
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_code_hash(c), created_at=created) for c in codes
    )
    db.session.flush()
    return [format_recovery_code(c) for c in codes]


def format_recovery_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def enable(user: User, row: TwoFactor, now: datetime | None = None) -> list[str]:
    """Turn two-factor on with the secret just confirmed; returns the recovery codes."""
    row.enabled_at = now or datetime.now(UTC)
    record_event("two_factor.enabled", user_id=user.id)
    return new_recovery_codes(user, now)


def disable(user: User) -> None:
    """Turn two-factor off: the secret and every recovery code go."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))
    db.session.flush()
    record_event("two_factor.disabled", user_id=user.id)
