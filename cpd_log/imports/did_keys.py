"""Public keys for a signed credential: did:key (decoded here), a JWK, or a did:web document.

did:key carries the key itself (W3C CCG did:key: multibase base58btc of a multicodec-prefixed
key), so it is decoded without any network. did:web names an HTTPS document
(`did:web:example.org:path` → https://example.org/path/did.json, no path →
/.well-known/did.json), fetched through safe_fetch (public addresses only, timeout, size cap).
"""

from urllib.parse import unquote

from cpd_log import bounded_json
from cpd_log.imports import safe_fetch

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
# multicodec prefixes (varint-encoded): ed25519-pub 0xed, p256-pub 0x1200 (compressed point).
ED25519, P256 = b"\xed\x01", b"\x80\x24"
MAX_DID_DOCUMENT = 256 * 1024


class KeyProblem(ValueError):
    """No usable key; the message says why, for the user."""


def base58_decode(text: str) -> bytes:
    number = 0
    for char in text:
        digit = BASE58.find(char)
        if digit < 0:
            raise KeyProblem("The did:key is not valid base58.")
        number = number * 58 + digit
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    zeros = len(text) - len(text.lstrip("1"))
    return b"\x00" * zeros + body


def did_key(did: str):
    """The public key a did:key carries (Ed25519 or P-256)."""
    return multikey(did.removeprefix("did:key:").split("#")[0])


def multikey(encoded: str):
    """The public key of a Multikey publicKeyMultibase (the same encoding as a did:key)."""
    # cryptography loads with the first key, not at start-up.
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    if not encoded.startswith("z") or len(encoded) > 200:
        raise KeyProblem("The did:key is not a base58 (z…) key.")
    raw = base58_decode(encoded[1:])
    try:
        if raw.startswith(ED25519) and len(raw) == 34:
            return ed25519.Ed25519PublicKey.from_public_bytes(raw[2:])
        if raw.startswith(P256) and len(raw) == 35:
            return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw[2:])
    except ValueError:
        raise KeyProblem("The did:key holds a damaged key.") from None
    raise KeyProblem("The did:key holds a key type CPD Log cannot check (Ed25519 or P-256 only).")


def jwk_key(jwk: dict):
    """The public key of a JWK (OKP Ed25519, EC P-256, RSA); never a private or secret key."""
    from jwt import PyJWK
    from jwt.exceptions import PyJWKError

    if not isinstance(jwk, dict) or jwk.get("kty") == "oct" or "d" in jwk:
        raise KeyProblem("The credential's JWK is not a public key.")
    try:
        return PyJWK(jwk).key
    except (PyJWKError, ValueError, TypeError):
        raise KeyProblem("The credential's JWK could not be read.") from None


def did_web_url(did: str) -> str:
    """The HTTPS address of a did:web's DID document."""
    parts = [unquote(part) for part in did.removeprefix("did:web:").split("#")[0].split(":")]
    if not parts[0] or any("/" in part for part in parts):
        raise KeyProblem("The did:web is not valid.")
    path = "/".join(parts[1:]) or ".well-known"
    return f"https://{parts[0]}/{path}/did.json"


def did_web_key(kid: str, fetch_document):
    """The key `kid` names in its did:web document; `fetch_document(url) -> bytes`."""
    did = kid.split("#")[0]
    try:
        body = fetch_document(did_web_url(did))
        document = bounded_json.loads(body.decode("utf-8-sig"))
    except safe_fetch.FetchError as error:
        raise KeyProblem(f"The issuer's DID document could not be fetched: {error}") from None
    except (UnicodeDecodeError, ValueError):
        raise KeyProblem("The issuer's DID document is not JSON.") from None
    methods = document.get("verificationMethod") if isinstance(document, dict) else None
    for method in methods if isinstance(methods, list) else []:
        if not isinstance(method, dict):
            continue
        method_id = str(method.get("id") or "")
        if method_id == kid or (method_id.startswith("#") and did + method_id == kid):
            if isinstance(method.get("publicKeyMultibase"), str):
                return multikey(method["publicKeyMultibase"])
            return jwk_key(method.get("publicKeyJwk"))
    raise KeyProblem("The issuer's DID document has no key with the credential's key id.")


def embedded_jwk(profile: dict, kid: str) -> dict | None:
    """A JWK the issuer profile in the file carries, for `kid` when it names one."""
    methods = profile.get("verificationMethod") if isinstance(profile, dict) else None
    for method in methods if isinstance(methods, list) else []:
        if not isinstance(method, dict) or not isinstance(method.get("publicKeyJwk"), dict):
            continue
        if not kid or str(method.get("id") or "") in (kid, "#" + kid.split("#")[-1]):
            return method["publicKeyJwk"]
    jwk = profile.get("publicKeyJwk") if isinstance(profile, dict) else None
    return jwk if isinstance(jwk, dict) else None
