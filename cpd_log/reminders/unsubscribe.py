"""The one-click unsubscribe link in every digest: signed with SECRET_KEY (itsdangerous), so it
needs no login and no stored token. It names the account by its id and creation time, so a link
of a deleted account never opens a later account that got the same id. It does not expire: an
old digest's link keeps working, and following it twice is harmless (RFC 8058 one-click POST)."""

from datetime import UTC

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from cpd_log.extensions import db
from cpd_log.models import User

SALT = "cpd_log.reminders.unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _stamp(user: User) -> str:
    """The creation time in UTC, the same text whichever backend read it."""
    moment = user.created_at
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def token_for(user: User) -> str:
    return _serializer().dumps([user.id, _stamp(user)])


def user_for(token: str) -> User | None:
    """The account the token was made for, or None (bad signature, deleted account)."""
    try:
        user_id, stamp = _serializer().loads(token)
    except (BadSignature, TypeError, ValueError):
        return None
    if not isinstance(user_id, int) or not isinstance(stamp, str):
        return None
    user = db.session.get(User, user_id)
    if user is None or _stamp(user) != stamp:
        return None
    return user
