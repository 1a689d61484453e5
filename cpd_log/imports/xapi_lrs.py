"""Pull statements from a Learning Record Store (xAPI 1.0.3 statements API). No Flask here.

GET {endpoint}/statements?since=…&verb=… with Basic auth and X-Experience-API-Version, then the
`more` links (relative to the endpoint's host) page by page. The key and secret are used for this
pull only and never stored. Private and loopback addresses are refused unless allowed
(XAPI_ALLOW_PRIVATE_LRS=1, for an organisation's internal LRS and for tests), against SSRF.

Budget: at most MAX_PAGES pages and MAX_BYTES in all, each request `timeout` seconds, all of it
PULL_SECONDS (budget.py); the statements together are capped by xapi.MAX_STATEMENTS. A `more`
link must stay on the endpoint's scheme, host and port, so the credentials go nowhere else. The
requests go through imports/safe_fetch.py, like a badge's: resolved once, checked, connected to the
checked address, no redirects.
"""

import json
from datetime import date
from urllib.parse import urljoin, urlsplit

from cpd_log import bounded_json
from cpd_log.imports import safe_fetch
from cpd_log.imports.budget import time_budget
from cpd_log.imports.xapi import MAX_STATEMENTS, StatementsError

VERSION = "1.0.3"
MAX_PAGES = 20
MAX_BYTES = 8 * 1024 * 1024
PULL_SECONDS = 30  # all pages together, however slowly a server drips its answer


def pull_statements(
    endpoint: str, key: str, secret: str, since: date, *, timeout: float, allow_private: bool
) -> list:
    """Every statement the LRS holds since that day, following `more` (StatementsError)."""
    base = endpoint.rstrip("/") + "/"
    url = urljoin(base, "statements") + f"?since={since.isoformat()}T00:00:00Z"
    too_slow = StatementsError(
        f"The LRS took longer than {PULL_SECONDS} seconds in all; choose a later “since” day."
    )
    with time_budget(PULL_SECONDS, too_slow) as clock:
        return _pages(base, url, (key, secret), since, timeout, allow_private, clock)


def _pages(base: str, url: str, auth: tuple, since: date, timeout, allow_private, clock) -> list:
    statements: list = []
    budget = MAX_BYTES
    for _page in range(MAX_PAGES):
        clock.check()
        answer, size = _get(url, auth, timeout, allow_private, budget)
        budget -= size
        statements.extend(answer.get("statements") or [])
        if len(statements) > MAX_STATEMENTS:
            raise StatementsError(
                f"The LRS holds more than {MAX_STATEMENTS:,} statements since {since}; "
                "choose a later day."
            )
        more = answer.get("more")
        if not more:
            return statements
        url = urljoin(base, str(more))
        if _origin(url) != _origin(base):  # the key and secret go to the endpoint's host only
            raise StatementsError("The LRS sent a “more” link to another server; stopped there.")
    raise StatementsError(f"The LRS sent more than {MAX_PAGES} pages; choose a later “since” day.")


def shown_name(endpoint: str) -> str:
    """The endpoint as the preview names it: host and path, never a user:password@ in it."""
    parts = urlsplit(endpoint.strip())
    host = parts.hostname or ""
    return f"{host}:{parts.port}{parts.path}" if parts.port else f"{host}{parts.path}"


def _origin(url: str) -> tuple:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


def _get(url: str, auth: tuple, timeout: float, allow_private: bool, budget: int):
    import urllib3  # loads with the first fetch, not at start-up

    headers = {"X-Experience-API-Version": VERSION, "Accept": "application/json"}
    headers |= urllib3.util.make_headers(basic_auth=f"{auth[0]}:{auth[1]}")
    try:
        status, body = safe_fetch.fetch(url, timeout, budget, allow_private, headers)
    except safe_fetch.TooLarge:
        raise StatementsError(f"The LRS sent more than {MAX_BYTES // (1024 * 1024)} MB.") from None
    except safe_fetch.FetchError as error:
        raise StatementsError(str(error).replace("The server", "The LRS", 1)) from None
    if status in (401, 403):
        raise StatementsError("The LRS refused the key and secret.")
    if status != 200:
        raise StatementsError(f"The LRS answered {status}.")
    try:
        answer = bounded_json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, json.JSONDecodeError):
        raise StatementsError("The LRS did not answer with xAPI statements.") from None
    if not isinstance(answer, dict) or not isinstance(answer.get("statements"), list):
        raise StatementsError("The LRS did not answer with a statement result.")
    return answer, len(body)
