"""Open Badges 3.0 credentials: JSON-LD and VC-JWT, baked PNG and SVG, keys from did:key and JWK.

The credentials follow the OB 3.0 specification's examples (fixtures/badges/); each JWT is signed
here with a key made in the test, so a signature check that passed anything would fail the
tampering tests, and one that refused everything would fail the verified ones.
"""

import base64
import json
from datetime import date

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm
from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.imports import credentials, did_keys, safe_fetch
from cpd_log.imports.badge_files import BadgeError
from cpd_log.models import Activity, BadgeAssertion
from cpd_log.models.activity import ActivitySource
from tests import factories
from tests.imports.badge_helpers import baked_png, count, upload
from tests.imports.helpers import fixture

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58(data: bytes) -> str:
    """base58btc, written from the draft-msporny-base58 description (independent of our decoder)."""
    number, out = int.from_bytes(data, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        out = BASE58[digit] + out
    return "1" * (len(data) - len(data.lstrip(b"\x00"))) + out


def ed25519_did():
    key = ed25519.Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    fingerprint = "z" + base58(b"\xed\x01" + raw)
    return key, f"did:key:{fingerprint}", f"did:key:{fingerprint}#{fingerprint}"


def p256_did():
    key = ec.generate_private_key(ec.SECP256R1())
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    )
    fingerprint = "z" + base58(b"\x80\x24" + point)
    return key, f"did:key:{fingerprint}", f"did:key:{fingerprint}#{fingerprint}"


def credential(issuer="https://example.com/issuers/876543", code=None) -> dict:
    value = json.loads(fixture("badges/ob3_credential.json"))
    value.pop("proof")
    value["issuer"]["id"] = issuer
    if code:
        value["credentialSubject"]["achievement"]["alignment"][0]["targetCode"] = code
    return value


def signed(value: dict, key, algorithm: str, **headers) -> bytes:
    return jwt.encode(value, key, algorithm=algorithm, headers=headers).encode()


def stored() -> BadgeAssertion:
    return db.session.scalar(select(BadgeAssertion))


def page_of(client, response) -> str:
    assert response.status_code == 302, response.data.decode()[:2000]
    return client.get(response.headers["Location"]).data.decode()


def test_json_ld_credential_from_the_spec_is_mapped_and_not_verified(logged_in, user):
    framework = factories.make_framework(owner=user)
    leaf = factories.leaves(framework)[0]
    value = json.loads(fixture("badges/ob3_credential.json"))
    value["credentialSubject"]["achievement"]["alignment"][0]["targetCode"] = leaf.code
    response = upload(logged_in, json.dumps(value).encode(), "teamwork.json")
    page = page_of(logged_in, response)
    activity = db.session.scalar(select(Activity))
    assert activity.source is ActivitySource.BADGE
    assert (activity.title, activity.provider) == ("Teamwork", "Example Corp")
    assert activity.start_date == date(2010, 1, 1)
    assert activity.external_uid == "http://example.com/credentials/3527"
    assert "Criteria: Team members are nominated" in activity.description
    assert activity.url == "https://example.com/achievements/21st-century-skills/teamwork/criteria"
    assert [c.id for c in activity.competencies] == [leaf.id]
    badge = stored()
    assert (badge.verified, badge.verification) == (False, "di:unchecked")
    assert badge.alignment[0]["targetFramework"] == "Example Skills Framework"
    # The spec example's key is named by an https URL, not the issuer's did:key or did:web.
    assert "not verified: the signing key is not a did:key or did:web" in page
    assert "not verified: the Data Integrity proof could not be checked" in page


def test_vc_1_1_credential_with_issuance_date_and_issuer_as_a_string(logged_in):
    response = upload(logged_in, fixture("badges/ob3_v1_issuance_date.json"))
    page = page_of(logged_in, response)
    activity = db.session.scalar(select(Activity))
    assert (activity.title, activity.start_date) == (
        "Risk management in portfolios",
        date(2022, 3, 10),
    )
    assert stored().issuer_url == "https://example.edu/issuers/565049"
    assert "not verified: the credential carries no proof" in page


def test_jwt_signed_with_the_issuers_did_key_ed25519_is_verified(logged_in):
    key, did, kid = ed25519_did()
    response = upload(logged_in, signed(credential(did), key, "EdDSA", kid=kid), "badge.jwt")
    page = page_of(logged_in, response)
    badge = stored()
    assert (badge.verified, badge.verification) == (True, "jwt:did:key")
    assert badge.verified_at is not None
    assert "signature checked with the issuer&#39;s did:key" in page


def test_jwt_vc_claim_es256_did_key_p256_is_verified(logged_in):
    """VC Data Model 1.1 JWTs carry the credential under "vc"."""
    key, did, kid = p256_did()
    vc = credential(did)
    for claim in ("issuer", "id", "validFrom"):  # carried by iss, jti and nbf instead
        vc.pop(claim)
    claims = {"iss": did, "jti": "urn:uuid:1", "nbf": 1773532800, "vc": vc}  # 2026-03-15
    assert upload(logged_in, signed(claims, key, "ES256", kid=kid)).status_code == 302
    assert (stored().verified, stored().verification) == (True, "jwt:did:key")
    activity = db.session.scalar(select(Activity))
    assert (activity.external_uid, activity.start_date) == ("urn:uuid:1", date(2026, 3, 15))


def test_jwt_with_a_jwk_in_its_header_es256(logged_in):
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    page = page_of(logged_in, upload(logged_in, signed(credential(), key, "ES256", jwk=jwk)))
    assert (stored().verified, stored().verification) == (True, "jwt:jwk")
    assert "which does not prove who the issuer is" in page


def test_jwt_rs256_with_the_key_in_the_issuer_profile(logged_in):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    value = credential()
    value["issuer"]["verificationMethod"] = [{"id": "#key-1", "publicKeyJwk": jwk}]
    assert upload(logged_in, signed(value, key, "RS256", kid="#key-1")).status_code == 302
    assert (stored().verified, stored().verification) == (True, "jwt:jwk")


def test_a_changed_credential_is_refused(logged_in):
    key, did, kid = ed25519_did()
    header, payload, signature = signed(credential(did), key, "EdDSA", kid=kid).split(b".")
    changed = json.loads(base64.urlsafe_b64decode(payload + b"=="))
    changed["credentialSubject"]["achievement"]["name"] = "Chief Risk Officer"
    forged = base64.urlsafe_b64encode(json.dumps(changed).encode()).rstrip(b"=")
    response = upload(logged_in, b".".join([header, forged, signature]))
    assert "signature does not match its content" in response.data.decode()
    assert count() == 0


def test_a_credential_signed_with_another_did_key_is_not_verified(logged_in):
    key, did, _kid = ed25519_did()
    other_key, _other_did, other_kid = ed25519_did()
    page = page_of(
        logged_in, upload(logged_in, signed(credential(did), other_key, "EdDSA", kid=other_kid))
    )
    assert (stored().verified, stored().verification) == (False, "jwt:no-key")
    assert "not verified: the signing key is not the issuer" in page


def test_a_wrong_key_under_the_issuers_did_is_refused(logged_in):
    key, did, kid = ed25519_did()
    impostor, _did, _kid = ed25519_did()
    response = upload(logged_in, signed(credential(did), impostor, "EdDSA", kid=kid))
    assert "signature does not match" in response.data.decode()
    assert count() == 0


@pytest.mark.parametrize("algorithm", ["HS256", None], ids=["hmac", "none"])
def test_hmac_and_none_algorithms_are_refused(logged_in, algorithm):
    _key, did, kid = ed25519_did()
    secret = "s" * 32 if algorithm else None
    token = jwt.encode(credential(did), secret, algorithm=algorithm, headers={"kid": kid})
    response = upload(logged_in, token.encode())
    assert "CPD Log checks EdDSA, ES256 and RS256" in response.data.decode()
    assert count() == 0


def test_did_web_issuer_on_a_private_address_is_not_fetched(logged_in):
    key, _did, _kid = ed25519_did()
    did = "did:web:localhost%3A8443"
    page = page_of(
        logged_in, upload(logged_in, signed(credential(did), key, "EdDSA", kid=did + "#key-1"))
    )
    assert (stored().verified, stored().verification) == (False, "jwt:no-key")
    assert "not verified" in page


def test_baked_png_with_an_openbadgecredential_jwt(logged_in):
    key, did, kid = ed25519_did()
    token = signed(credential(did), key, "EdDSA", kid=kid).decode()
    response = upload(logged_in, baked_png(token, "openbadgecredential"), "badge.png")
    assert response.status_code == 302
    assert (stored().verified, stored().verification) == (True, "jwt:did:key")


def test_baked_svg_with_a_json_ld_credential(logged_in):
    svg = fixture("badges/ob3_baked.svg").replace(
        b"CREDENTIAL", fixture("badges/ob3_credential.json")
    )
    page = page_of(logged_in, upload(logged_in, svg, "badge.svg"))
    assert db.session.scalar(select(Activity.title)) == "Teamwork"
    assert "the Data Integrity proof could not be checked" in page


def test_baked_svg_with_a_signed_credential(logged_in):
    key, did, kid = ed25519_did()
    token = signed(credential(did), key, "EdDSA", kid=kid)
    svg = fixture("badges/ob3_baked.svg").replace(b"CREDENTIAL", token)
    assert upload(logged_in, svg, "badge.svg").status_code == 302
    assert stored().verified is True


@pytest.mark.parametrize(
    "did",
    ["did:key:z6Mk", "did:key:abc", "did:key:z" + "1" * 40, "did:key:zI0Ol"],
    ids=["short", "not-base58btc", "zeros", "bad-alphabet"],
)
def test_damaged_did_keys_are_refused(did):
    with pytest.raises(did_keys.KeyProblem):
        did_keys.did_key(did)


def test_did_web_addresses():
    assert did_keys.did_web_url("did:web:example.org") == "https://example.org/.well-known/did.json"
    assert (
        did_keys.did_web_url("did:web:example.org%3A8443:issuers:1#key")
        == "https://example.org:8443/issuers/1/did.json"
    )


def test_an_algorithm_that_does_not_fit_the_issuers_key_is_refused(logged_in):
    """The header says ES256 while the issuer's did:key is Ed25519: refused, never a 500."""
    _key, did, kid = ed25519_did()
    other = ec.generate_private_key(ec.SECP256R1())
    response = upload(logged_in, signed(credential(did), other, "ES256", kid=kid))
    assert response.status_code == 200
    assert "signature does not match" in response.data.decode()
    assert count() == 0


def did_web_fetcher(issuer, asked: list):
    """did:web documents of issuer.example.org, served over HTTP by the local issuer server."""

    def fetch_document(url: str) -> bytes:
        asked.append(url)
        path = url.removeprefix("https://issuer.example.org")
        return safe_fetch.get(issuer.base + path, 5, did_keys.MAX_DID_DOCUMENT, allow_private=True)

    return fetch_document


@pytest.mark.parametrize("matching", [True, False], ids=["issuer-key", "other-key"])
def test_jwt_signed_with_the_key_of_a_did_web_document(issuer, matching):
    key = ed25519.Ed25519PrivateKey.generate()
    published = key if matching else ed25519.Ed25519PrivateKey.generate()
    did = "did:web:issuer.example.org"
    method = {"id": "#key-1", "controller": did}
    method["publicKeyJwk"] = json.loads(OKPAlgorithm.to_jwk(published.public_key()))
    issuer.serve("/.well-known/did.json", {"id": did, "verificationMethod": [method]})
    token = signed(credential(did), key, "EdDSA", kid=did + "#key-1").decode()
    asked = []
    fetch = did_web_fetcher(issuer, asked)
    if matching:
        info = credentials.from_jwt(token, credentials.jws_payload(token), fetch)
        assert (info.verified, info.verification) == (True, "jwt:did:web")
    else:
        with pytest.raises(BadgeError, match="signature does not match"):
            credentials.from_jwt(token, credentials.jws_payload(token), fetch)
    assert asked == ["https://issuer.example.org/.well-known/did.json"]
