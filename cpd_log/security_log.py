"""The security event log: who did what to an account, in structured form, without secrets.

Every event is one record on the `cpd_log.security` logger. Its fields are identifiers and
numbers only — a user id, a portfolio id, a count, the client address — never a password, a
token, an email address or any text the user wrote, so the log can be shipped to a collector
without leaking what it protects. In production each record is a JSON line on standard error
(gunicorn passes it on); elsewhere it is a readable line.
"""

import json
import logging
import sys
from datetime import UTC, datetime

from flask import Flask, has_request_context, request

logger = logging.getLogger("cpd_log.security")

# The vocabulary of the log. A name outside it is a programming error, caught by the tests.
EVENTS = frozenset(
    {
        "login.succeeded",
        "login.failed",
        "login.locked",
        "logout",
        "account.registered",
        "account.deleted",
        "password.changed",
        "password.reset_requested",
        "password.reset",
        "email.verified",
        "email.changed",
        "session.ended",
        "two_factor.enabled",
        "two_factor.disabled",
        "two_factor.succeeded",
        "two_factor.failed",
        "two_factor.locked",
        "two_factor.recovery_code_used",
        "two_factor.recovery_codes_renewed",
        "session.ended_others",
        "export.account",
        "export.activities",
        "import.account",
        "share_link.created",
        "share_link.revoked",
        "calendar_feed.created",
        "calendar_feed.revoked",
        "reminders.unsubscribed",
        "reauth.failed",
        "instance.backup",
        "instance.restore",
        "team.invite_created",
        "team.invite_revoked",
        "team.joined",
        "team.left",
        "team.member_removed",
        "team.roles_changed",
        "team.consent_changed",
    }
)
# Field values are identifiers and numbers; strings are capped so free text cannot slip in.
_MAX_VALUE_CHARS = 80


def record_event(name: str, user_id: int | None = None, **fields: int | str | bool | None) -> None:
    """Log one security event. Raises ValueError for an unknown event name or a long value."""
    if name not in EVENTS:
        raise ValueError(f"unknown security event {name!r}")
    for key, value in fields.items():
        if isinstance(value, str) and len(value) > _MAX_VALUE_CHARS:
            raise ValueError(f"security event field {key!r} is too long to be an identifier")
    entry: dict = {"event": name, "user_id": user_id, **fields}
    if has_request_context():
        entry["ip"] = request.remote_addr
    logger.info(name, extra={"security": entry})


class JsonLines(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), event and its fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = getattr(record, "security", None) or {"message": record.getMessage()}
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        return json.dumps({"time": stamp, **entry}, sort_keys=True, default=str)


class Readable(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = dict(getattr(record, "security", None) or {})
        name = entry.pop("event", record.getMessage())
        details = " ".join(f"{key}={value}" for key, value in sorted(entry.items()))
        return f"security {name} {details}".rstrip()


def init_app(app: Flask) -> None:
    """Attach one handler to the security logger (once per process), JSON lines when
    SECURITY_LOG_FORMAT is `json` (the production default). Under test no handler is attached
    and records propagate, so pytest's `caplog` sees them."""
    logger.setLevel(logging.INFO)
    logger.propagate = bool(app.testing)
    if app.testing:
        return
    if any(getattr(h, "_cpd_log_security", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler._cpd_log_security = True  # type: ignore[attr-defined]
    json_lines = app.config.get("SECURITY_LOG_FORMAT", "text") == "json"
    handler.setFormatter(JsonLines() if json_lines else Readable())
    logger.addHandler(handler)
