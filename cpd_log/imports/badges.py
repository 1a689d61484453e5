"""Open Badges 2.0 and 3.0: the facts of a badge file, verified where that can be checked.

No Flask here. What the file carries is read by badge_files.py; an Open Badges 3.0 credential
(a W3C Verifiable Credential) is mapped and its VC-JWT signature checked by credentials.py; an
Open Badges 2.0 hosted assertion is verified against the issuer's own copy, fetched through
safe_fetch (public addresses only, no redirects, MAX_JSON bytes, a timeout).
"""

import json

from cpd_log.common.web_urls import web_url_or_blank
from cpd_log.imports import credentials, safe_fetch
from cpd_log.imports.badge_files import (
    BadgeError,
    BadgeInfo,
    alignment,
    criteria_url,
    issued_on,
    json_object,
    read_badge_file,
)

__all__ = ["BadgeError", "BadgeInfo", "fetch_json", "resolve_badge"]

MAX_JSON = 1024 * 1024


def fetch_json(url: str, timeout: float, allow_private: bool) -> dict:
    """GET a JSON object from an http(s) URL; BadgeError with a reason on any failure."""
    try:
        body = safe_fetch.get(url, timeout, MAX_JSON, allow_private)
    except safe_fetch.FetchError as error:
        raise BadgeError(str(error)) from None
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadgeError(f"The issuer's server did not send badge JSON for {url[:80]}.") from None
    return json_object(text, f"The JSON the issuer's server sent for {url[:80]}")


def resolve_badge(data: bytes, fetch, fetch_document) -> BadgeInfo:
    """The badge's facts, verified where the file allows it.

    `fetch(url) -> dict` loads linked JSON (assertion, BadgeClass, Issuer); `fetch_document(url)
    -> bytes` loads a did:web document. Open Badges 3.0 goes to credentials.py.
    """
    carried = read_badge_file(data)
    value = carried.value
    if carried.is_jws:
        payload = credentials.jws_payload(value)
        if credentials.is_credential(payload):
            return credentials.from_jwt(value, payload, fetch_document)
        value = payload
    elif isinstance(value, str):
        value = fetch(value)
    if credentials.is_credential(value):
        return credentials.from_json_ld(value, fetch_document)
    return _assertion(value, fetch, carried.file_kind)


def _assertion(assertion: dict, fetch, file_kind: str) -> BadgeInfo:
    _check_type(assertion, file_kind)
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
        issued_on=issued_on(assertion.get("issuedOn"), "issuedOn"),
        description=str(badge.get("description") or "")[:5000],
        criteria_url=criteria_url(badge.get("criteria")),
        verification=verification,
        verified=verified,
        alignment=alignment(badge.get("alignment")),
        raw=json.dumps(assertion, ensure_ascii=False)[:100_000],
    )


def _check_type(assertion: dict, file_kind: str) -> None:
    kind = assertion.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "Assertion" not in kinds or "badge" not in assertion:
        where = "This JSON" if file_kind in ("JSON", "JWT") else f"The JSON in this {file_kind}"
        raise BadgeError(
            f"{where} is neither an Open Badges 2.0 assertion (type “Assertion”) nor an Open "
            "Badges 3.0 credential (type “OpenBadgeCredential”)."
        )


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
