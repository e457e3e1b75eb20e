"""eddsa-jcs-2022 against the W3C vc-di-eddsa test vectors (TestVectors/eddsa-jcs-2022, commit
abb673eb of github.com/w3c/vc-di-eddsa), Multikey and Bitstring Status List encoding."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import pytest
import rfc8785

from certificates.dataintegrity import (
    MIN_STATUS_BITS,
    ProofError,
    bit_at,
    decode_bitstring,
    encode_bitstring,
    private_key_from_multibase,
    public_key_from_multibase,
    public_multibase,
    sign,
    verify_proof,
)

VECTORS = Path(__file__).parent / "vectors"


def load(name: str):
    text = (VECTORS / name).read_text()
    return json.loads(text) if name.endswith(".json") else text.strip()


def test_the_known_key_pair_round_trips_as_multikey():
    pair = load("keyPair.json")
    private = private_key_from_multibase(pair["privateKeyMultibase"])
    assert public_multibase(private.public_key()) == pair["publicKeyMultibase"]
    assert public_multibase(public_key_from_multibase(pair["publicKeyMultibase"])) == pair["publicKeyMultibase"]


def test_canonical_forms_and_combined_hash_match_the_vectors():
    unsigned = load("unsigned.json")
    config = load("proofConfigJCS.json")
    assert rfc8785.dumps(unsigned).decode() == load("canonDocJCS.txt")
    assert rfc8785.dumps(config).decode() == load("proofCanonJCS.txt")
    combined = hashlib.sha256(rfc8785.dumps(config)).digest() + hashlib.sha256(rfc8785.dumps(unsigned)).digest()
    assert combined.hex() == load("combinedHashJCS.txt")


def test_signing_the_unsigned_vector_gives_the_published_proof():
    pair = load("keyPair.json")
    expected = load("signedJCS.json")
    signed = sign(load("unsigned.json"), private_key=private_key_from_multibase(pair["privateKeyMultibase"]),
                  verification_method=expected["proof"]["verificationMethod"],
                  created=expected["proof"]["created"])
    assert signed == expected   # Ed25519 is deterministic: the very same proofValue


def _resolver(pair):
    def resolve(method):
        assert method.endswith("#" + pair["publicKeyMultibase"])
        return public_key_from_multibase(pair["publicKeyMultibase"])
    return resolve


def test_the_published_signed_vector_verifies_and_any_edit_fails():
    pair = load("keyPair.json")
    signed = load("signedJCS.json")
    assert verify_proof(signed, public_key_of=_resolver(pair))["cryptosuite"] == "eddsa-jcs-2022"
    edited = copy.deepcopy(signed)
    edited["credentialSubject"]["alumniOf"] = "Another School"
    with pytest.raises(ProofError) as caught:
        verify_proof(edited, public_key_of=_resolver(pair))
    assert caught.value.code == "signature"


def test_status_bitstring_round_trip_and_bounds():
    encoded = encode_bitstring({0, 7, 94567, MIN_STATUS_BITS - 1})
    bits = decode_bitstring(encoded)
    assert len(bits) * 8 == MIN_STATUS_BITS
    assert [bit_at(bits, i) for i in (0, 1, 7, 94567, 94568, MIN_STATUS_BITS - 1)] == [
        True, False, True, True, False, True]
    assert bits[0] == 0b10000001   # bit 0 is the most significant bit of the first byte
    with pytest.raises(ProofError) as caught:
        bit_at(bits, MIN_STATUS_BITS)
    assert caught.value.code == "status_index"
    with pytest.raises(ProofError) as caught:
        bit_at(decode_bitstring(encode_bitstring({1}, size=1024)), 1)
    assert caught.value.code == "status_list_short"
