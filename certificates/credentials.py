"""The issuer (key, documents) and the Open Badges 3.0 credentials it signs.

An :class:`Issuer` holds the union's Ed25519 key and base URL. It builds and signs each
certificate's ``OpenBadgeCredential`` (W3C VC 2.0 + OB 3.0 contexts, ``eddsa-jcs-2022``),
the issuer document whose Multikey the proofs' ``verificationMethod`` points to, and the
``BitstringStatusListCredential`` of each status list. No database, no Flask here: the edges
make an Issuer with :func:`issuer_of` and pass it to services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certificates.dataintegrity import (
    encode_bitstring,
    private_key_from_multibase,
    public_multibase,
    sign,
)

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
STATUS_LIST_TTL_SECONDS = 24 * 3600


def iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Issuer:
    base_url: str
    name: str
    private_key: Ed25519PrivateKey

    @property
    def id(self) -> str:
        return f"{self.base_url}/issuer"

    @property
    def key_id(self) -> str:
        return f"{self.id}#key-1"

    def status_list_url(self, list_id: int) -> str:
        return f"{self.base_url}/api/v1/status-lists/{list_id}"

    def credential_url(self, token: str) -> str:
        return f"{self.base_url}/api/v1/certificates/{token}/credential"

    def page_url(self, token: str) -> str:
        return f"{self.base_url}/v/{token}"

    def pdf_url(self, token: str) -> str:
        return f"{self.base_url}/certificates/{token}.pdf"

    def document(self) -> dict:
        """The issuer's profile with its Multikey (served at ``/issuer``)."""
        return {
            "@context": [VC_V2, OB_V3, MULTIKEY_V1],
            "id": self.id,
            "type": ["Profile"],
            "name": self.name,
            "url": self.base_url,
            "verificationMethod": [{
                "id": self.key_id, "type": "Multikey", "controller": self.id,
                "publicKeyMultibase": public_multibase(self.private_key.public_key()),
            }],
            "assertionMethod": [self.key_id],
        }

    def sign(self, document: dict, *, now: datetime) -> dict:
        return sign(document, private_key=self.private_key, verification_method=self.key_id, created=iso(now))

    # --- a certificate's credential ---

    def certificate_credential(self, cert, *, now: datetime) -> dict:
        """The signed OpenBadgeCredential of an issued certificate (no ID number, no photo)."""
        achievement = {
            "id": f"{self.base_url}/achievements/{cert.type_code.lower()}",
            "type": ["Achievement"],
            "achievementType": "Certificate" if cert.kind != "training" else "Course",
            "name": cert.title + (f"（{cert.level}）" if cert.level else ""),
            "description": cert.description or cert.title,
            "criteria": {"narrative": cert.description or cert.title},
            "creator": {"id": self.id, "type": ["Profile"], "name": self.name},
        }
        if cert.level:
            achievement["fieldOfStudy"] = cert.level
        credential = {
            "@context": [VC_V2, OB_V3],
            "id": self.credential_url(cert.token),
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": cert.title,
            "issuer": {"id": self.id, "type": ["Profile"], "name": self.name},
            "validFrom": iso(cert.valid_from),
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                                "identityHash": cert.holder_name}],
                "achievement": achievement,
                "result": [],
            },
            "evidence": [{"id": self.page_url(cert.token), "type": ["Evidence"], "name": cert.number}],
            "credentialStatus": [
                self._status_entry(cert.revocation_list_id, cert.revocation_index, "revocation"),
                self._status_entry(cert.suspension_list_id, cert.suspension_index, "suspension"),
            ],
        }
        credential["credentialSubject"].pop("result")
        if cert.valid_until is not None:
            credential["validUntil"] = iso(cert.valid_until)
        return self.sign(credential, now=now)

    def _status_entry(self, list_id: int, index: int, purpose: str) -> dict:
        url = self.status_list_url(list_id)
        return {"id": f"{url}#{index}", "type": "BitstringStatusListEntry", "statusPurpose": purpose,
                "statusListIndex": str(index), "statusListCredential": url}

    def status_list_credential(self, *, list_id: int, purpose: str, size: int, indexes, now: datetime) -> dict:
        """A signed BitstringStatusListCredential with the given bits set, valid for a day."""
        from datetime import timedelta

        url = self.status_list_url(list_id)
        document = {
            "@context": [VC_V2],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": self.id,
            "validFrom": iso(now),
            "validUntil": iso(now + timedelta(seconds=STATUS_LIST_TTL_SECONDS)),
            "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                                  "statusPurpose": purpose, "encodedList": encode_bitstring(indexes, size)},
        }
        return self.sign(document, now=now)


def issuer_of(app) -> Issuer:
    """The issuer configured for ``app`` (CERT_SIGNING_KEY, SERVER_BASE_URL, CERT_ISSUER_NAME);
    the parsed key is cached per configured value."""
    config = app.config
    cache = app.extensions.setdefault("certificates_keys", {})
    key = cache.get(config["CERT_SIGNING_KEY"])
    if key is None:
        key = cache[config["CERT_SIGNING_KEY"]] = private_key_from_multibase(config["CERT_SIGNING_KEY"])
    return Issuer(base_url=config["SERVER_BASE_URL"].rstrip("/"), name=config["CERT_ISSUER_NAME"], private_key=key)
