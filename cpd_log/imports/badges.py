"""Open Badges 2.0: read an assertion from JSON or a baked PNG, and verify a hosted one.

No Flask here. Fetching goes through `fetch_json`, which refuses non-HTTP URLs, private and
loopback addresses (unless allowed, as in tests), big answers and slow servers.
"""

import hashlib
import ipaddress
import json
import socket
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

import requests

from cpd_log import bounded_json
from cpd_log.common.web_urls import is_web_url, web_url_or_blank
from cpd_log.imports import png_text

# Budget (issue 10, defects 6 and 10): the upload is at most forms.MAX_IMPORT_BYTES; a baked PNG's
# chunks are walked without decoding pixels (png_text.py), its badge text inflated to MAX_JSON at
# most; JSON nests at most bounded_json.MAX_DEPTH levels; each fetch reads MAX_JSON at most.
PNG = png_text.SIGNATURE
MAX_JSON = 1024 * 1024


class BadgeError(ValueError):
    """The file is not a usable badge; the message says why, for the user."""


@dataclass
class BadgeInfo:
    assertion_id: str
    badge_name: str
    issuer_name: str
    issuer_url: str
    issued_on: date
    description: str = ""
    criteria_url: str = ""
    verification: str = ""
    verified: bool = False
    alignment: list = field(default_factory=list)
    raw: str = ""

    @property
    def external_uid(self) -> str:
        """The assertion's id (a URL or urn), hashed when it will not fit the column."""
        uid = self.assertion_id or "sha256:" + hashlib.sha256(self.raw.encode()).hexdigest()
        return uid if len(uid) <= 255 else "sha256:" + hashlib.sha256(uid.encode()).hexdigest()


def read_assertion(data: bytes) -> dict | str:
    """The assertion as a dict, or the URL a baked image points to."""
    if data.startswith(PNG):
        return _baked(data)
    try:
        text = data.decode("utf-8-sig").strip()
        return _json_object(text)
    except bounded_json.JsonTooDeep as error:
        raise BadgeError(str(error)) from None
    except (UnicodeDecodeError, ValueError):
        raise BadgeError(
            "This is not an Open Badge: the file is neither badge JSON nor a PNG image "
            "carrying a badge."
        ) from None


def _baked(data: bytes) -> dict | str:
    try:
        baked = png_text.find_text(data, "openbadges", MAX_JSON)
    except png_text.PngError as error:
        raise BadgeError(str(error)) from None
    if not baked:
        raise BadgeError("This image carries no Open Badge (no “openbadges” data inside).")
    baked = str(baked).strip()
    if baked.startswith(("http://", "https://")):
        return baked
    if baked.startswith("{"):
        try:
            return _json_object(baked)
        except bounded_json.JsonTooDeep as error:
            raise BadgeError(str(error)) from None
        except ValueError:
            raise BadgeError("The badge data inside the image is not valid JSON.") from None
    raise BadgeError("Signed (JWS) badges are not supported yet; upload the hosted badge instead.")


def _json_object(text: str) -> dict:
    value = bounded_json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("not an object")
    return value


def fetch_json(url: str, timeout: float, allow_private: bool) -> dict:
    """GET a JSON object from an http(s) URL; BadgeError with a reason on any failure."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadgeError(f"The badge points to “{url[:80]}”, which is not a web address.")
    if not allow_private:
        _refuse_private(parts.hostname)
    try:
        response = requests.get(
            url,
            timeout=timeout,
            allow_redirects=False,
            stream=True,
            headers={"Accept": "application/ld+json, application/json"},
        )
        body = response.raw.read(MAX_JSON + 1, decode_content=True)
        response.close()
    except requests.RequestException:
        raise BadgeError(
            f"The issuer's server at {parts.hostname} did not answer in time."
        ) from None
    if response.status_code != 200:
        raise BadgeError(f"The issuer's server answered {response.status_code} for {url[:80]}.")
    if len(body) > MAX_JSON:
        raise BadgeError("The issuer's server sent far more than a badge.")
    try:
        return _json_object(body.decode("utf-8-sig"))
    except bounded_json.JsonTooDeep as error:
        raise BadgeError(str(error)) from None
    except (UnicodeDecodeError, ValueError):
        raise BadgeError(f"The issuer's server did not send badge JSON for {url[:80]}.") from None


def _refuse_private(host: str) -> None:
    """No fetching from this machine's own network on a user's say-so (SSRF)."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        raise BadgeError(f"The issuer's server {host} could not be found.") from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise BadgeError(
                f"The badge points to a private address ({host}); it cannot be checked."
            )


def resolve_badge(data: bytes, fetch) -> BadgeInfo:
    """The badge's facts, with a hosted assertion verified against the issuer's own copy.

    `fetch(url) -> dict` loads linked JSON (assertion, BadgeClass, Issuer).
    """
    assertion = read_assertion(data)
    if isinstance(assertion, str):
        assertion = fetch(assertion)
    _check_type(assertion)
    verification = _verification(assertion)
    verified = False
    if verification == "hosted":
        hosted = fetch(str(assertion.get("id") or ""))
        if hosted.get("revoked"):
            raise BadgeError("The issuer has revoked this badge.")
        if str(hosted.get("id")) != str(assertion.get("id")):
            raise BadgeError("The issuer's copy of this badge does not match the file.")
        assertion, verified = hosted, True
    badge = _linked(assertion.get("badge"), fetch, "badge")
    issuer = _linked(badge.get("issuer"), fetch, "issuer")
    return BadgeInfo(
        assertion_id=str(assertion.get("id") or "")[:2000],
        badge_name=str(badge.get("name") or "").strip()[:200] or "Untitled badge",
        issuer_name=str(issuer.get("name") or "").strip()[:200],
        issuer_url=web_url_or_blank(str(issuer.get("url") or "")[:2000]),
        issued_on=_issued_on(assertion.get("issuedOn")),
        description=str(badge.get("description") or "")[:5000],
        criteria_url=_criteria(badge.get("criteria")),
        verification=verification,
        verified=verified,
        alignment=_alignment(badge.get("alignment")),
        raw=json.dumps(assertion, ensure_ascii=False)[:100_000],
    )


def _check_type(assertion: dict) -> None:
    kind = assertion.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "Assertion" not in kinds or "badge" not in assertion:
        raise BadgeError("This JSON is not an Open Badges 2.0 assertion (no type “Assertion”).")


def _verification(assertion: dict) -> str:
    verification = assertion.get("verification") or {}
    kind = verification.get("type") if isinstance(verification, dict) else ""
    kind = str(kind or "").lower()
    return "hosted" if kind in ("hosted", "hostedbadge") else kind


def _linked(value, fetch, what: str) -> dict:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return fetch(value)
    if what == "issuer":
        return {}
    raise BadgeError(f"The badge file has no {what} description.")


def _issued_on(value) -> date:
    try:
        text = str(value).strip().replace("Z", "+00:00")
        return datetime.fromisoformat(text).date() if "T" in text else date.fromisoformat(text)
    except ValueError:
        raise BadgeError("The badge has no valid issue date (issuedOn).") from None


def _criteria(value) -> str:
    url = value.get("id", "") if isinstance(value, dict) else value
    url = str(url or "")[:2000]
    return url if is_web_url(url) else ""


def _alignment(value) -> list[dict]:
    items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    keys = ("targetName", "targetCode", "targetUrl", "targetFramework")
    return [
        {k: str(item.get(k) or "")[:500] for k in keys} for item in items if isinstance(item, dict)
    ]
