"""The member's whole record as a signed, portable document: a W3C Verifiable Presentation
holding one "training record" credential issued by the platform, the credential secured with a Data Integrity proof (cryptosuite
``eddsa-jcs-2022``: Ed25519 over SHA-256 of the JCS-canonical proof options and document).

The key is the platform's records key (``RECORDS_SIGNING_KEY``, 32 bytes in base64url; in
development derived from ``SECRET_KEY``); its public half is served at
``/records/issuer.json`` so anyone can check a document offline. Failed exam attempts and
personal numbers are never in it (the member takes it elsewhere).
"""

from __future__ import annotations

import base64
import copy
import hashlib
from datetime import datetime

import rfc8785
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from records.queries.record import Record

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
# multicodec prefix of an Ed25519 public key (0xed01), as used by did:key and Multikey
_ED25519_PUB = b"\xed\x01"


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + _B58.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def signing_key(config) -> Ed25519PrivateKey:
    raw = config.get("RECORDS_SIGNING_KEY")
    if raw:
        seed = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    else:   # development and tests: a stable key derived from the app's secret
        seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"records-signing-key",
                    info=b"ed25519").derive(config["SECRET_KEY"].encode())
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_multibase(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + b58encode(_ED25519_PUB + raw)


def issuer_document(config, base_url: str) -> dict:
    """The issuer's public key, as a controller document."""
    key = signing_key(config).public_key()
    issuer = f"{base_url}/records/issuer.json"
    return {"@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": issuer,
            "verificationMethod": [{"id": issuer + "#key-1", "type": "Multikey", "controller": issuer,
                                    "publicKeyMultibase": public_multibase(key)}],
            "assertionMethod": [issuer + "#key-1"]}


def _hash_data(options: dict, document: dict) -> bytes:
    return hashlib.sha256(rfc8785.dumps(options)).digest() + hashlib.sha256(rfc8785.dumps(document)).digest()


def sign(document: dict, key: Ed25519PrivateKey, *, verification_method: str, created: datetime) -> dict:
    options = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022", "created": created.isoformat(),
               "verificationMethod": verification_method, "proofPurpose": "assertionMethod"}
    if "@context" in document:
        options["@context"] = document["@context"]
    signature = key.sign(_hash_data(options, document))
    return {**document, "proof": {**options, "proofValue": "z" + b58encode(signature)}}


def verify(secured: dict, public_key: Ed25519PublicKey) -> bool:
    """True when the document's proof is valid for ``public_key`` (any change breaks it)."""
    document = copy.deepcopy(secured)
    proof = document.pop("proof", None)
    if not isinstance(proof, dict) or not str(proof.get("proofValue", "")).startswith("z"):
        return False
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    try:
        public_key.verify(b58decode(proof["proofValue"][1:]), _hash_data(options, document))
    except Exception:   # InvalidSignature, or a malformed value
        return False
    return True


def export_record(record: Record, *, config, base_url: str, now: datetime) -> dict:
    """The signed presentation of the member's record (what others may see of it)."""
    issuer = f"{base_url}/records/issuer.json"
    entries = [e.public() for e in record.entries if not e.only_member]
    for entry in entries:
        entry.pop("only_member", None)
    subject = {"type": "TrainingRecordSubject", "name": record.name, "memberNumber": record.member_no,
               "union": record.union_name,
               "totals": {"hoursTotal": record.totals.hours_total,
                          "trainingsCompleted": record.totals.trainings_completed,
                          "certificatesValid": record.totals.certificates_valid,
                          "examsPassed": record.totals.exams_passed},
               "achievements": entries}
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "TrainingRecordCredential"],
        "issuer": {"id": issuer, "name": "技能培训超市 · 工会"},
        "validFrom": now.isoformat(),
        "name": "培训档案 · Training record",
        "credentialSubject": subject,
    }
    signed = sign(credential, signing_key(config), verification_method=issuer + "#key-1", created=now)
    # The holder presents it as is (no holder key: members have no wallet keys on the platform).
    return {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"],
            "verifiableCredential": [signed]}
