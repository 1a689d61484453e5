"""The session's signed CSRF token, signed once per session and process instead of per request.

Flask-WTF keeps a random secret in the session and puts a signed, timestamped copy of it in
every form; the first form of each request signs it again (an HMAC, a zlib attempt, base64:
≈ 70 µs, a tenth of a trivial logged-in page once its layout is kept, bench/floor.py). With
WTF_CSRF_TIME_LIMIT = None (config.py: the token lives as long as the session) the timestamp
is never checked, so a copy signed earlier for the same secret is exactly as valid as a new
one: it is what the browser already holds from the previous page. Here the copy is kept per
secret in the process and handed to Flask-WTF before the view runs (it reads `g` first).

Nothing is weakened: validation is Flask-WTF's own (signature and session secret); a copy only
ever goes to the session whose secret it signs (the secret is the key); a new session (login)
gets a new secret and so a new copy. With a time limit configured, nothing is kept.
"""

import threading

from cachetools import LRUCache
from flask import Flask, current_app, g, session
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

EXTENSION = "cpd_log.csrf_tokens"
# Sessions whose signed token a process keeps (≈ 200 bytes each).
MAX_SESSIONS = 10_000


class SignedTokens:
    def __init__(self, max_sessions: int):
        self._signed: LRUCache = LRUCache(maxsize=max_sessions)
        self._lock = threading.Lock()

    def before_request(self) -> None:
        """Give Flask-WTF the copy signed earlier for this session's secret, if any."""
        field = current_app.config["WTF_CSRF_FIELD_NAME"]
        secret = session.get(field)
        if secret is None:
            return
        with self._lock:
            signed = self._signed.get(secret)
        if signed is not None:
            setattr(g, field, signed)
            g.csrf_token_kept = True

    def after_request(self, response):
        """Keep the copy this request signed (a secret made in this request included), once
        Flask-WTF's own check says it is valid for the session's secret as it is now."""
        field = current_app.config["WTF_CSRF_FIELD_NAME"]
        signed, secret = g.get(field), session.get(field)
        if signed is None or secret is None or g.get("csrf_token_kept"):
            return response
        try:
            validate_csrf(signed)
        except ValidationError:  # signed for a secret the session no longer holds
            return response
        with self._lock:
            self._signed[secret] = signed
        return response


def init_app(app: Flask) -> None:
    """Only while tokens never expire; a configured WTF_CSRF_TIME_LIMIT signs per request."""
    if app.config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return
    tokens = SignedTokens(MAX_SESSIONS)
    app.extensions[EXTENSION] = tokens
    app.before_request(tokens.before_request)
    app.after_request(tokens.after_request)
