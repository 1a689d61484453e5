"""Data Integrity proofs (eddsa-rdfc-2022) on Open Badges 3.0 JSON-LD credentials.

The W3C vc-di-eddsa test vectors (fixtures/vc_di_eddsa/, source in its SOURCE.md) pin the
canonical form, the hashes and the signature; credentials signed here use the vectors' published
key pair, so a check that passed anything fails the tampering tests and one that refused
everything fails the verified ones.
"""

import copy
import hashlib
import json
import socket
import time

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.imports import credentials, data_integrity, did_keys
from cpd_log.imports.badge_files import BadgeError
from cpd_log.models import BadgeAssertion
from tests.imports.badge_helpers import count, upload
from tests.imports.helpers import fixture
from tests.imports.test_badge_credentials import base58, did_web_fetcher, page_of

VECTORS = "vc_di_eddsa/"


def vector(name: str):
    text = fixture(VECTORS + name).decode()
    return json.loads(text) if name.endswith(".json") else text


def vector_key() -> ed25519.Ed25519PrivateKey:
    """The vectors' private key: multibase base58btc of ed25519-priv (0x1300) + 32-byte seed."""
    raw = did_keys.base58_decode(vector("keyPair.json")["privateKeyMultibase"][1:])
    assert raw[:2] == b"\x80\x26"
    return ed25519.Ed25519PrivateKey.from_private_bytes(raw[2:])


VECTOR_DID = "did:key:" + json.loads(fixture(VECTORS + "keyPair.json"))["publicKeyMultibase"]


def sign(document: dict, key, method: str) -> dict:
    """Add an eddsa-rdfc-2022 proof (spec §3.3.1 Add Proof, in the vectors' proof shape)."""
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-03-01T09:00:00Z",
        "verificationMethod": method,
        "proofPurpose": "assertionMethod",
        "@context": document["@context"],
    }
    data = hashlib.sha256(data_integrity.canonical(options).encode()).digest()
    data += hashlib.sha256(data_integrity.canonical(document).encode()).digest()
    options.pop("@context")
    return {**document, "proof": {**options, "proofValue": "z" + base58(key.sign(data))}}


def badge(issuer: str) -> dict:
    value = json.loads(fixture("badges/ob3_credential.json"))
    value.pop("proof")
    value["issuer"]["id"] = issuer
    return value


def test_the_published_vector_verifies_with_its_key():
    signed = vector("signedDataInt.json")
    document = {k: v for k, v in signed.items() if k != "proof"}
    assert data_integrity.canonical(document) == vector("canonDocDataInt.txt")
    options = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    options["@context"] = signed["@context"]
    assert data_integrity.canonical(options) == vector("proofCanonDataInt.txt")
    combined = hashlib.sha256(data_integrity.canonical(options).encode()).hexdigest()
    combined += hashlib.sha256(data_integrity.canonical(document).encode()).hexdigest()
    assert combined == vector("combinedHashDataInt.txt").strip()
    public = vector_key().public_key()
    assert did_keys.did_key(VECTOR_DID).public_bytes_raw() == public.public_bytes_raw()
    assert data_integrity.signature_matches(signed, signed["proof"], public)


@pytest.mark.parametrize(
    "change",
    [
        ("name", "Alumni Credentiak"),
        ("validFrom", "2023-01-01T00:00:01Z"),
        ("credentialSubject", {"id": "did:example:abcdefgi", "alumniOf": "The School of Examples"}),
    ],
    ids=["name", "date", "subject"],
)
def test_one_character_changed_in_the_vector_fails(change):
    signed = vector("signedDataInt.json")
    signed[change[0]] = change[1]
    assert not data_integrity.signature_matches(signed, signed["proof"], vector_key().public_key())


def test_one_character_changed_in_the_proof_fails():
    signed = vector("signedDataInt.json")
    proof = dict(signed["proof"], created="2023-02-24T23:36:39Z")
    assert not data_integrity.signature_matches(signed, proof, vector_key().public_key())
    value = signed["proof"]["proofValue"]
    proof = dict(signed["proof"], proofValue=value[:-1] + ("a" if value[-1] != "a" else "b"))
    with pytest.raises(data_integrity.BadProof):
        data_integrity.verify({**signed, "issuer": VECTOR_DID, "proof": proof}, None)


def test_credential_signed_with_the_issuers_did_key_is_verified(logged_in):
    signed = sign(badge(VECTOR_DID), vector_key(), f"{VECTOR_DID}#{VECTOR_DID[8:]}")
    page = page_of(logged_in, upload(logged_in, json.dumps(signed).encode()))
    stored = db.session.scalar(select(BadgeAssertion))
    assert (stored.verified, stored.verification) == (True, "di:did:key")
    assert "Data Integrity proof checked with the issuer&#39;s did:key" in page


def test_a_changed_signed_credential_is_refused(logged_in):
    signed = sign(badge(VECTOR_DID), vector_key(), f"{VECTOR_DID}#{VECTOR_DID[8:]}")
    signed["credentialSubject"]["achievement"]["name"] = "Teamwor k"
    response = upload(logged_in, json.dumps(signed).encode())
    assert response.status_code == 200
    assert "signature does not match its content" in response.data.decode()
    assert count() == 0


def test_a_key_that_is_not_the_issuers_leaves_not_verified(logged_in):
    other = ed25519.Ed25519PrivateKey.generate()
    did = "did:key:z" + base58(b"\xed\x01" + other.public_key().public_bytes_raw())
    signed = sign(badge(VECTOR_DID), other, f"{did}#{did[8:]}")
    page = page_of(logged_in, upload(logged_in, json.dumps(signed).encode()))
    assert db.session.scalar(select(BadgeAssertion.verification)) == "di:unchecked"
    assert "not verified: the signing key is not the issuer&#39;s" in page


@pytest.mark.parametrize("matching", [True, False], ids=["issuer-key", "other-key"])
def test_did_web_multikey_of_the_issuer(issuer, matching):
    key = ed25519.Ed25519PrivateKey.generate()
    published = key if matching else ed25519.Ed25519PrivateKey.generate()
    did = "did:web:issuer.example.org"
    multibase = "z" + base58(b"\xed\x01" + published.public_key().public_bytes_raw())
    method = {"id": "#key-1", "type": "Multikey", "controller": did}
    issuer.serve(
        "/.well-known/did.json",
        {"id": did, "verificationMethod": [{**method, "publicKeyMultibase": multibase}]},
    )
    signed = sign(badge(did), key, did + "#key-1")
    fetch = did_web_fetcher(issuer, [])
    if matching:
        info = credentials.from_json_ld(signed, fetch)
        assert (info.verified, info.verification) == (True, "di:did:web")
    else:
        with pytest.raises(BadgeError, match="signature does not match"):
            credentials.from_json_ld(signed, fetch)


@pytest.fixture
def no_network(monkeypatch):
    """Any socket connection fails the test (the loader must not even try)."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network used: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_the_loader_refuses_contexts_it_does_not_hold(no_network):
    with pytest.raises(data_integrity.UnknownContext):
        data_integrity.load_context("https://www.w3.org/2018/credentials/v1")
    signed = sign(badge(VECTOR_DID), vector_key(), f"{VECTOR_DID}#{VECTOR_DID[8:]}")
    signed["@context"] = [*signed["@context"], "https://contexts.example.net/extra.json"]
    info = credentials.from_json_ld(signed, None)
    assert (info.verified, info.verification) == (False, "di:unchecked")
    assert (
        info.check_reason == "not verified: unknown context https://contexts.example.net/extra.json"
    )


def test_every_bundled_context_loads():
    for url in data_integrity.CONTEXTS:
        assert "@context" in data_integrity.load_context(url)["document"]


@pytest.mark.parametrize(
    ("proof", "reason"),
    [
        ({"type": "Ed25519Signature2020"}, "not 'Ed25519Signature2020'"),
        ({"cryptosuite": "eddsa-jcs-2022"}, "not 'eddsa-jcs-2022'"),
        ({"proofPurpose": "authentication"}, "not made for assertion"),
    ],
)
def test_other_proofs_are_not_verified(proof, reason):
    signed = vector("signedDataInt.json")
    signed["issuer"] = VECTOR_DID
    signed["proof"].update(proof)
    with pytest.raises(data_integrity.NotChecked, match=reason):
        data_integrity.verify(signed, None)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("@context", "x"),
        ("@context", 5),
        ("@context", {"@version": 2}),
        ("credentialSubject", {"id": "did:example:1", "score": 10**400}),
        ("type", 5),
    ],
    ids=["relative-context", "number-context", "bad-version", "huge-number", "number-type"],
)
def test_malformed_json_ld_is_not_verified_and_not_a_crash(field, value):
    signed = vector("signedDataInt.json")
    signed["issuer"] = VECTOR_DID
    signed[field] = value
    with pytest.raises(data_integrity.NotChecked, match="its JSON-LD could not be read"):
        data_integrity.verify(signed, None)


@pytest.mark.serial  # asserts a wall-time bound
def test_too_many_statements_are_not_canonicalised():
    document = vector("signedDataInt.json")
    document.pop("proof")
    document["credentialSubject"] = {f"fact{n}": "x" for n in range(10_001)}
    assert len(json.dumps(document)) < 1_000_000  # within the badge reader's cap
    started = time.perf_counter()
    with pytest.raises(data_integrity.NotChecked, match="more than 10,000 statements"):
        data_integrity.canonical(document)
    assert time.perf_counter() - started < 5


@pytest.mark.serial  # asserts a wall-time bound
def test_a_tangle_of_blank_nodes_stops_at_the_hashing_budget():
    """Blank nodes all linked to each other look alike to RDFC-1.0, which then tries every
    permutation (the "poison graph" the spec warns of): the budget stops it."""
    document = copy.deepcopy(vector("signedDataInt.json"))
    document.pop("proof")
    names = [f"_:n{i}" for i in range(10)]
    document["credentialSubject"] = [
        {"id": name, "knows": [{"id": other} for other in names if other != name]} for name in names
    ]
    started = time.perf_counter()
    with pytest.raises(data_integrity.NotChecked, match="too tangled"):
        data_integrity.canonical(document)
    assert time.perf_counter() - started < 5
