"""Data Integrity proofs on a JSON-LD credential: eddsa-rdfc-2022. No Flask.

W3C "Data Integrity EdDSA Cryptosuites v1.0" §3.3 (eddsa-rdfc-2022): the document without its
`proof` and the proof options (the proof without `proofValue`, with the document's `@context`)
are each canonicalised with RDFC-1.0 (URDNA2015, by pyld) and hashed with SHA-256; the Ed25519
signature in `proofValue` (multibase base58btc, "z…") covers proofConfigHash + documentHash.

The JSON-LD contexts come only from cpd_log/data/jsonld/ (see its README): the loader never
touches the network, and a context it does not hold leaves the credential "not verified".
Budget: the file is already capped by the badge reader (MAX_JSON); here at most MAX_QUADS quads
and MAX_HASH_STEPS n-degree hashing steps (a crafted graph of blank nodes would otherwise make
canonicalisation exponential). The signing key must be the issuer's: a did:key (decoded here) or
a key in a did:web document (fetched through safe_fetch), and its DID must be the issuer's id.
"""

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519
from pyld import jsonld
from pyld.canon import URDNA2015

from cpd_log.imports import did_keys

SUITE = "eddsa-rdfc-2022"
MAX_QUADS = 10_000
MAX_HASH_STEPS = 2_000
# URL a credential names → the bundled file (cpd_log/data/jsonld/README.md says where each is from).
CONTEXTS = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://www.w3.org/ns/credentials/examples/v2": "credentials-examples-v2.jsonld",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "ob-context.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "ob-context-3.0.1.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "ob-context-3.0.2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-context-3.0.3.jsonld",
}


class NotChecked(ValueError):
    """The proof could not be checked; the message says why, after "not verified: "."""


class BadProof(ValueError):
    """The proof was checked and does not match the credential."""


@dataclass(frozen=True)
class Checked:
    """A proof that matched, and where its key came from ("did:key" or "did:web")."""

    key_source: str


class UnknownContext(Exception):
    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


@cache
def _context_file(name: str) -> dict:
    text = files("cpd_log").joinpath("data", "jsonld", name).read_text("utf-8")
    return json.loads(text)


def load_context(url: str, options=None) -> dict:
    """pyld's document loader: bundled contexts only, never the network."""
    name = CONTEXTS.get(str(url))
    if name is None:
        raise UnknownContext(str(url))
    return {"contextUrl": None, "documentUrl": url, "document": _context_file(name)}


class _BoundedURDNA2015(URDNA2015):
    """RDFC-1.0 that gives up after MAX_HASH_STEPS n-degree hashing steps."""

    def __init__(self):
        super().__init__()
        self.steps = 0

    def hash_n_degree_quads(self, id_, issuer):
        self.steps += 1
        if self.steps > MAX_HASH_STEPS:
            raise NotChecked("its blank nodes are too tangled to canonicalise")
        return super().hash_n_degree_quads(id_, issuer)


def canonical(document: dict) -> str:
    """The RDFC-1.0 canonical N-Quads of a JSON-LD document, within the budget."""
    options = {"documentLoader": load_context, "base": "", "produceGeneralizedRdf": False}
    try:
        dataset = jsonld.to_rdf(document, options)
    except jsonld.JsonLdError as error:
        raise NotChecked(_json_ld_reason(error)) from None
    # pyld lets a few malformed values through as plain Python errors (a relative IRI as a
    # context, a number too large for a float): the same answer, never a crash.
    except (ValueError, TypeError, ArithmeticError, LookupError, RecursionError):
        raise NotChecked("its JSON-LD could not be read") from None
    if sum(len(quads) for quads in dataset.values()) > MAX_QUADS:
        raise NotChecked(f"it holds more than {MAX_QUADS:,} statements")
    return _BoundedURDNA2015().main(dataset, {"format": "application/n-quads"})


def _json_ld_reason(error: BaseException) -> str:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, UnknownContext):
            return f"unknown context {cause.url[:200]}"
        cause = cause.__cause__ or cause.__context__
    return "its JSON-LD could not be read"


def verify(credential: dict, fetch_document) -> Checked:
    """Check the credential's eddsa-rdfc-2022 proof; NotChecked or BadProof when it fails."""
    proof = _proof(credential)
    issuer = credential.get("issuer")
    issuer_id = str(issuer.get("id") if isinstance(issuer, dict) else issuer or "")
    method = str(proof.get("verificationMethod") or "")
    source, key = _issuer_key(method, issuer_id, fetch_document)
    if not signature_matches(credential, proof, key):
        raise BadProof
    return Checked(source)


def signature_matches(credential: dict, proof: dict, key: ed25519.Ed25519PublicKey) -> bool:
    """Whether `proof` (eddsa-rdfc-2022) is `key`'s signature over the credential (§3.3.2)."""
    signature = _signature(proof.get("proofValue"))
    document = {k: v for k, v in credential.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    options["@context"] = credential.get("@context")
    data = hashlib.sha256(canonical(options).encode()).digest()
    data += hashlib.sha256(canonical(document).encode()).digest()
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def _proof(credential: dict) -> dict:
    proofs = credential.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    if len(proofs) != 1 or not isinstance(proofs[0], dict):
        raise NotChecked("CPD Log checks a credential with exactly one proof")
    proof = proofs[0]
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != SUITE:
        is_di = proof.get("type") == "DataIntegrityProof"
        suite = proof.get("cryptosuite") if is_di else proof.get("type")
        raise NotChecked(f"CPD Log checks {SUITE} proofs, not {str(suite)[:60]!r}")
    if proof.get("proofPurpose") != "assertionMethod":
        raise NotChecked("the proof is not made for assertion (proofPurpose)")
    return proof


def _issuer_key(method: str, issuer_id: str, fetch_document):
    """("did:key" | "did:web", Ed25519 public key): only a key the issuer's own DID names."""
    did = method.split("#")[0]
    if not did.startswith(("did:key:", "did:web:")):
        raise NotChecked("the signing key is not a did:key or did:web")
    if did != issuer_id:
        raise NotChecked("the signing key is not the issuer's")
    try:
        if did.startswith("did:key:"):
            key = did_keys.did_key(did)
        else:
            key = did_keys.did_web_key(method, fetch_document)
    except did_keys.KeyProblem as problem:
        raise NotChecked(str(problem).rstrip(".")) from None
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise NotChecked(f"the signing key is not an Ed25519 key, which {SUITE} needs")
    return did[: did.index(":", 4)], key


def _signature(value) -> bytes:
    if not isinstance(value, str) or not value.startswith("z") or len(value) > 200:
        raise BadProof
    try:
        signature = did_keys.base58_decode(value[1:])
    except did_keys.KeyProblem:
        raise BadProof from None
    if len(signature) != 64:
        raise BadProof
    return signature
