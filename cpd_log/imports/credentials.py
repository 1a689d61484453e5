"""Open Badges 3.0 credentials (W3C Verifiable Credentials, type OpenBadgeCredential). No Flask.

Two forms (OB 3.0 §8): JSON-LD with an embedded proof, and VC-JWT (a compact JWS whose payload is
the credential, or holds it under "vc" as VC Data Model 1.1 JWTs do).

Verified means one thing: a signature was checked. CPD Log checks VC-JWT signatures (EdDSA,
ES256, RS256 by PyJWT) with the key from did:key (decoded locally), from did:web (fetched from a
public address only) or from a JWK the file itself carries (the JOSE header or the issuer
profile). JSON-LD credentials with a Data Integrity proof (eddsa-rdfc-2022) are checked by
data_integrity.py with the issuer's did:key or did:web key and bundled JSON-LD contexts.
A signature that does not match is refused; a key that cannot be found, an unknown context or
another cryptosuite leaves "not verified", with the reason told when the badge is imported.
"""

import base64
import json
from datetime import UTC, datetime

from cpd_log.common.web_urls import web_url_or_blank
from cpd_log.imports import did_keys
from cpd_log.imports.badge_files import (
    BadgeError,
    BadgeInfo,
    alignment,
    criteria_url,
    issued_on,
    json_object,
)

ALGORITHMS = ["EdDSA", "ES256", "RS256"]
# BadgeAssertion.verification (16 characters): how the credential was or was not checked.
JWT_DID_KEY, JWT_DID_WEB, JWT_JWK = "jwt:did:key", "jwt:did:web", "jwt:jwk"
JWT_UNCHECKED, DATA_INTEGRITY, NO_PROOF = "jwt:no-key", "data-integrity", "no-proof"
DI_DID_KEY, DI_DID_WEB, DI_UNCHECKED = "di:did:key", "di:did:web", "di:unchecked"
VERIFIED_KINDS = (JWT_DID_KEY, JWT_DID_WEB, JWT_JWK)
DI_KINDS = {"did:key": DI_DID_KEY, "did:web": DI_DID_WEB}
MISMATCH = (
    "This credential's signature does not match its content: it was changed after "
    "signing, or not signed with the key it names. It was not imported."
)
# What the badge's page says about the check, by verification kind (verified, not verified).
CHECK_NOTES = {
    "hosted": ("verified with the issuer", "not verified"),
    JWT_DID_KEY: ("signature checked with the issuer's did:key", "not verified"),
    JWT_DID_WEB: ("signature checked with the issuer's did:web key", "not verified"),
    JWT_JWK: (
        "signature checked with the key the file carries: the file is unchanged since signing, "
        "which does not prove who the issuer is",
        "not verified",
    ),
    JWT_UNCHECKED: ("", "not verified: the signing key is not the issuer's or could not be found"),
    DI_DID_KEY: ("Data Integrity proof checked with the issuer's did:key", "not verified"),
    DI_DID_WEB: ("Data Integrity proof checked with the issuer's did:web key", "not verified"),
    DI_UNCHECKED: ("", "not verified: the Data Integrity proof could not be checked"),
    # Badges imported before CPD Log checked Data Integrity proofs keep what was true then.
    DATA_INTEGRITY: ("", "not verified: CPD Log did not check Data Integrity proofs then"),
    NO_PROOF: ("", "not verified: the credential carries no proof"),
}


def check_note(verification: str, verified: bool) -> str:
    """The words the badge's page shows for how (or whether) it was checked."""
    notes = CHECK_NOTES.get(verification, ("verified", "not verified"))
    return notes[0] if verified else notes[1]


def is_credential(value: dict) -> bool:
    kinds = value.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return "OpenBadgeCredential" in kinds or "AchievementCredential" in kinds


def jws_payload(token: str) -> dict:
    """The payload of a compact JWS, not yet verified (to see what it is)."""
    try:
        padded = token.split(".")[1] + "=" * (-len(token.split(".")[1]) % 4)
        text = base64.urlsafe_b64decode(padded).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise BadgeError("This signed JWT is damaged: its payload is not base64 JSON.") from None
    payload = json_object(text, "The JSON inside this signed JWT")
    vc = payload.get("vc")
    return _vc_claim(payload, vc) if isinstance(vc, dict) and is_credential(vc) else payload


def _vc_claim(payload: dict, vc: dict) -> dict:
    """A VC Data Model 1.1 JWT's credential, with what its registered claims stand for
    (VC-JWT 1.1 §6.3.1: iss → issuer, jti → id, nbf → issuanceDate) where "vc" leaves it out."""
    credential = dict(vc)
    if not credential.get("issuer") and isinstance(payload.get("iss"), str):
        credential["issuer"] = payload["iss"]
    if not credential.get("id") and isinstance(payload.get("jti"), str):
        credential["id"] = payload["jti"]
    nbf = payload.get("nbf")
    dated = any(credential.get(k) for k in ("validFrom", "issuanceDate"))
    if not dated and isinstance(nbf, int | float) and 0 < nbf < 32_503_680_000:
        credential["issuanceDate"] = datetime.fromtimestamp(nbf, UTC).isoformat()
    return credential


def from_json_ld(credential: dict, fetch_document) -> BadgeInfo:
    """A JSON-LD credential: its Data Integrity proof checked where the issuer's key and the
    contexts can be found; refused when the proof does not match."""
    # pyld (and requests) load with the first credential that carries a proof, not at start-up.
    from cpd_log.imports import data_integrity

    raw = json.dumps(credential, ensure_ascii=False)
    if not credential.get("proof"):
        return _info(credential, NO_PROOF, False, raw)
    try:
        checked = data_integrity.verify(credential, fetch_document)
    except data_integrity.BadProof:
        raise BadgeError(MISMATCH) from None
    except data_integrity.NotChecked as reason:
        info = _info(credential, DI_UNCHECKED, False, raw)
        info.check_reason = f"not verified: {reason}"
        return info
    return _info(credential, DI_KINDS[checked.key_source], True, raw)


def from_jwt(token: str, credential: dict, fetch_document) -> BadgeInfo:
    """A VC-JWT: its signature checked where a key can be found; refused when it does not match."""
    import jwt  # PyJWT loads with the first signed credential, not at start-up

    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise BadgeError("This signed JWT is damaged: its header is not readable.") from None
    issuer_id = _issuer(credential).get("id", "")
    kind, key = _key(header, credential, issuer_id, fetch_document)
    if key is not None:
        _check_signature(token, key, header)
    verified = key is not None and kind in VERIFIED_KINDS
    return _info(credential, kind, verified, token)


def _key(header: dict, credential: dict, issuer_id: str, fetch_document):
    """(verification kind, public key or None). A DID key counts only when it is the issuer's."""
    kid = str(header.get("kid") or "")
    try:
        if isinstance(header.get("jwk"), dict):
            return JWT_JWK, did_keys.jwk_key(header["jwk"])
        embedded = did_keys.embedded_jwk(_issuer(credential), kid)
        if embedded is not None:
            return JWT_JWK, did_keys.jwk_key(embedded)
        did = kid.split("#")[0]
        if not did.startswith(("did:key:", "did:web:")) or did != issuer_id:
            return JWT_UNCHECKED, None
        if did.startswith("did:key:"):
            return JWT_DID_KEY, did_keys.did_key(did)
        return JWT_DID_WEB, did_keys.did_web_key(kid, fetch_document)
    except did_keys.KeyProblem:
        return JWT_UNCHECKED, None


def _check_signature(token: str, key, header: dict) -> None:
    import jwt

    if header.get("alg") not in ALGORITHMS:
        raise BadgeError(
            f"This credential is signed with {header.get('alg')!r}; CPD Log checks "
            "EdDSA, ES256 and RS256 signatures."
        )
    try:
        jwt.decode(
            token,
            key,
            algorithms=ALGORITHMS,
            options={"verify_aud": False, "verify_exp": False, "verify_nbf": False},
        )
    except (jwt.PyJWTError, TypeError, ValueError):  # a key that does not fit the algorithm too
        raise BadgeError(MISMATCH) from None


def _issuer(credential: dict) -> dict:
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return {"id": issuer}
    return issuer if isinstance(issuer, dict) else {}


def _info(credential: dict, kind: str, verified: bool, raw: str) -> BadgeInfo:
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    if not isinstance(achievement, dict):
        raise BadgeError("This Open Badges 3.0 credential names no achievement.")
    issuer = _issuer(credential)
    issuer_url = str(issuer.get("url") or issuer.get("id") or "")[:2000]
    date_name = next(
        (k for k in ("validFrom", "issuanceDate", "awardedDate") if credential.get(k)), "validFrom"
    )
    return BadgeInfo(
        assertion_id=str(credential.get("id") or "")[:2000],
        badge_name=str(achievement.get("name") or credential.get("name") or "").strip()[:200]
        or "Untitled badge",
        issuer_name=str(issuer.get("name") or "").strip()[:200],
        issuer_url=web_url_or_blank(issuer_url),
        issued_on=issued_on(credential.get(date_name), date_name),
        description=_description(achievement)[:5000],
        criteria_url=criteria_url(achievement.get("criteria")),
        verification=kind,
        verified=verified,
        alignment=alignment(achievement.get("alignment")),
        raw=raw[:100_000],
    )


def _description(achievement: dict) -> str:
    text = str(achievement.get("description") or "").strip()
    criteria = achievement.get("criteria")
    narrative = str(criteria.get("narrative") or "") if isinstance(criteria, dict) else ""
    return f"{text}\n\nCriteria: {narrative.strip()}".strip() if narrative.strip() else text
