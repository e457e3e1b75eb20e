"""W3C Data Integrity proofs with the ``eddsa-jcs-2022`` cryptosuite, Multikey encoding, and
Bitstring Status Lists — plain functions with no database or Flask, shared by the signer (the
web app), the offline verifier (``skills-market verify``) and the tests.

- Proof creation/verification follow *Data Integrity EdDSA Cryptosuites v1.0* §3.3 (JCS):
  ``hashData = SHA-256(JCS(proofConfig)) || SHA-256(JCS(unsecuredDocument))``, signed with
  Ed25519; ``proofValue`` is multibase base58-btc (``z...``). The proof configuration carries the
  document's ``@context`` (as in the specification's test vectors).
- Multikey: ``publicKeyMultibase = "z" + base58btc(0xed 0x01 || 32-byte public key)``; a private
  key is ``"z" + base58btc(0x80 0x26 || 32-byte seed)``.
- Bitstring Status List v1.0: ``encodedList = "u" + base64url(GZIP(bitstring))`` without padding,
  bit 0 is the most significant bit of the first byte, at least 131,072 bits.
"""

from __future__ import annotations

import base64
import copy
import gzip
import hashlib
from typing import Any

import base58
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

CRYPTOSUITE = "eddsa-jcs-2022"
PROOF_TYPE = "DataIntegrityProof"
ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"
MIN_STATUS_BITS = 131_072


class ProofError(ValueError):
    """A proof, key or status list that does not check out; ``code`` says which rule failed."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


# --- keys ---------------------------------------------------------------------------------

def public_multibase(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58.b58encode(ED25519_PUB_PREFIX + raw).decode()


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("bad_key", "publicKeyMultibase must be base58-btc (z...)")
    try:
        raw = base58.b58decode(value[1:])
    except ValueError as exc:
        raise ProofError("bad_key", "publicKeyMultibase is not base58") from exc
    if len(raw) != 34 or raw[:2] != ED25519_PUB_PREFIX:
        raise ProofError("bad_key", "publicKeyMultibase is not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def private_multibase(key: Ed25519PrivateKey) -> str:
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return "z" + base58.b58encode(ED25519_PRIV_PREFIX + seed).decode()


def private_key_from_multibase(value: str) -> Ed25519PrivateKey:
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("bad_key", "the private key must be base58-btc multibase (z...)")
    raw = base58.b58decode(value.strip()[1:])
    if len(raw) != 34 or raw[:2] != ED25519_PRIV_PREFIX:
        raise ProofError("bad_key", "not an Ed25519 private Multikey")
    return Ed25519PrivateKey.from_private_bytes(raw[2:])


def new_private_multibase() -> str:
    return private_multibase(Ed25519PrivateKey.generate())


# --- eddsa-jcs-2022 -----------------------------------------------------------------------

def _hash_data(unsecured: dict, proof_config: dict) -> bytes:
    return (hashlib.sha256(rfc8785.dumps(proof_config)).digest()
            + hashlib.sha256(rfc8785.dumps(unsecured)).digest())


def sign(document: dict, *, private_key: Ed25519PrivateKey, verification_method: str, created: str,
         proof_purpose: str = "assertionMethod") -> dict:
    """Return a copy of ``document`` with an ``eddsa-jcs-2022`` DataIntegrityProof added."""
    unsecured = copy.deepcopy(document)
    unsecured.pop("proof", None)
    config: dict[str, Any] = {"type": PROOF_TYPE, "cryptosuite": CRYPTOSUITE, "created": created,
                              "verificationMethod": verification_method, "proofPurpose": proof_purpose}
    if "@context" in unsecured:
        config["@context"] = unsecured["@context"]
    signature = private_key.sign(_hash_data(unsecured, config))
    # ``unsecured`` is already this function's own copy: the secured document may share it.
    return {**unsecured, "proof": {**config, "proofValue": "z" + base58.b58encode(signature).decode()}}


def verify_proof(document: dict, *, public_key_of, expected_purpose: str = "assertionMethod") -> dict:
    """Check the one ``eddsa-jcs-2022`` proof of ``document``; return the proof.

    ``public_key_of(verification_method) -> Ed25519PublicKey`` resolves the key (and raises
    ProofError when the method is not the issuer's). Raises ProofError on any failure.
    """
    if not isinstance(document, dict):
        raise ProofError("malformed", "a credential is a JSON object")
    proof = document.get("proof")
    if proof is None:
        raise ProofError("no_proof", "the credential carries no proof")
    if isinstance(proof, list):
        if len(proof) != 1:
            raise ProofError("proof_count", "exactly one proof is expected")
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError("malformed", "the proof is not an object")
    if proof.get("type") != PROOF_TYPE:
        raise ProofError("proof_type", "the proof is not a DataIntegrityProof")
    if proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("cryptosuite", f"the cryptosuite is not {CRYPTOSUITE}")
    if proof.get("proofPurpose") != expected_purpose:
        raise ProofError("proof_purpose", f"the proof purpose is not {expected_purpose}")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("proof_value", "proofValue must be base58-btc multibase")
    try:
        signature = base58.b58decode(value[1:])
    except ValueError as exc:
        raise ProofError("proof_value", "proofValue is not base58") from exc
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in config:
        doc_context = unsecured.get("@context")
        proof_context = config["@context"]
        if not isinstance(doc_context, list) or not isinstance(proof_context, list) \
                or doc_context[:len(proof_context)] != proof_context:
            raise ProofError("context", "the proof's @context does not match the document's")
        unsecured["@context"] = proof_context
    key = public_key_of(proof.get("verificationMethod"))
    try:
        key.verify(signature, _hash_data(unsecured, config))
    except InvalidSignature as exc:
        raise ProofError("signature", "the signature does not match the credential") from exc
    return proof


# --- Bitstring Status List ----------------------------------------------------------------

def encode_bitstring(indexes: set[int] | list[int], size: int = MIN_STATUS_BITS) -> str:
    """The ``encodedList`` of a list of ``size`` bits with ``indexes`` set."""
    data = bytearray(size // 8)
    for index in indexes:
        data[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(data), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode_bitstring(encoded: str) -> bytes:
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise ProofError("status_list", "encodedList must be multibase base64url (u...)")
    body = encoded[1:]
    try:
        return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, OSError) as exc:
        raise ProofError("status_list", "encodedList is not GZIP-compressed base64url") from exc


def bit_at(bitstring: bytes, index: int) -> bool:
    if len(bitstring) * 8 < MIN_STATUS_BITS:
        raise ProofError("status_list_short", "the status list is shorter than 131,072 bits")
    if not 0 <= index < len(bitstring) * 8:
        raise ProofError("status_index", "the status index is outside the list")
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))
