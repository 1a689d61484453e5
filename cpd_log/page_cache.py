"""Rendered page bodies, kept per user until the user's data changes.

The dashboard aggregates every activity of the user and computes each scheme cycle; the activity
list renders fifty rows with their tags and a picker of every competency. Both change only when
the user's data does, and `user.data_version` says when: database triggers raise it on every
write to a table behind these pages (declared in cpd_log/page_cache_triggers.py), whoever writes
(the ORM, an import's bulk `INSERT … SELECT`, psql). A body is kept under (user id, account
creation time, data version, the user's today, the page's own arguments), so a write makes the
old entries unreachable and they age out of the LRU.
The creation time keeps a new account that reuses a deleted account's id (SQLite reuses ids) from
ever reaching the old account's entries.

Forms in a cached body carry a per-process placeholder in place of the CSRF token; the current
session's token replaces it on every response, so a body rendered in one session is valid in
another. The cache lives in the process (each gunicorn worker has its own); `PAGE_CACHE_MB=0`
turns it off.
"""

import secrets
import threading
from collections.abc import Callable, Hashable
from contextlib import suppress
from datetime import date

from cachetools import LRUCache
from flask import Flask, current_app
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

EXTENSION = "cpd_log.page_cache"


class KeptHtml:
    """Rendered HTML kept in this process under a key, least recently used first out, bounded
    by characters. What differs between the requests that share an entry is rendered as a
    placeholder and filled in on every response: the session's CSRF token always, and any
    named `slots` (escaped text, e.g. the user's name in the layout, cpd_log/layout.py)."""

    def __init__(self, max_chars: int):
        self._entries = LRUCache(maxsize=max_chars, getsizeof=len) if max_chars > 0 else None
        self._lock = threading.Lock()
        marker = secrets.token_hex(16)
        self.placeholder = f"csrf-placeholder-{marker}"
        self._slot_prefix = f"slot-placeholder-{marker}-"
        self.hits = 0
        self.misses = 0

    def placeholder_token(self) -> str:
        return self.placeholder

    def slot(self, name: str) -> str:
        """What a template is given in place of slot `name`'s value (ended, so that no slot's
        placeholder begins another's)."""
        return f"{self._slot_prefix}{name}-end"

    def kept(
        self, key: Hashable, render: Callable[[], str], slots: dict[str, str] | None = None
    ) -> Markup:
        """The HTML kept under `key`, or `render()`'s output, kept for next time; with the
        current CSRF token and each slot's value (escaped) in place of their placeholders."""
        html = None
        if self._entries is not None:
            with self._lock:
                html = self._entries.get(key)
        if html is None:
            self.misses += 1
            html = str(render())
            if self._entries is not None:
                # An entry larger than the whole cache is served, not kept.
                with self._lock, suppress(ValueError):
                    self._entries[key] = html
        else:
            self.hits += 1
        return self.fill(html, slots)

    def fill(self, html: str, slots: dict[str, str] | None = None) -> Markup:
        """`html` with this request's CSRF token and the slots' values in their places."""
        if self.placeholder in html:
            html = html.replace(self.placeholder, generate_csrf())
        for name, value in (slots or {}).items():
            html = html.replace(self.slot(name), escape(value))
        return Markup(html)  # noqa: S704 - rendered by Jinja with autoescaping


class PageCache(KeptHtml):
    def body(
        self, user, today: date, parts: tuple[Hashable, ...], render: Callable[..., str]
    ) -> Markup:
        """The cached body for `parts`, or `render(csrf_token=…)`'s output, kept for next time.

        `render` must pass its `csrf_token` keyword to the template, which then calls
        `csrf_token()` as usual and gets the placeholder.
        """
        key = (user.id, user.created_at.isoformat(), user.data_version, today.isoformat(), parts)
        return self.kept(key, lambda: render(csrf_token=self.placeholder_token))


def init_app(app: Flask) -> None:
    megabytes = float(app.config.get("PAGE_CACHE_MB", 64))
    app.extensions[EXTENSION] = PageCache(int(megabytes * 1_000_000))


def page_cache() -> PageCache:
    return current_app.extensions[EXTENSION]
