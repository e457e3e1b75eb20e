"""Offline verification of a certificate's credential (used by ``skills-market verify`` and tests).

Checks, in order: shape (VC 2.0 + OB 3.0 ``OpenBadgeCredential``), the issuer document (the
proof's ``verificationMethod`` must be a Multikey listed there under ``assertionMethod`` and
controlled by the credential's issuer), the single ``eddsa-jcs-2022`` proof, the dates
(``validFrom``/``validUntil``), and — when the status list credentials are at hand — the
revocation and suspension bits (each list's own proof, purpose, length and index checked).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from certificates.credentials import OB_V3, VC_V2
from certificates.dataintegrity import (
    ProofError,
    bit_at,
    decode_bitstring,
    public_key_from_multibase,
    verify_proof,
)

ATTACHMENT_NAME = "credential.json"


@dataclass
class Verification:
    ok: bool = False
    status: str = "invalid"       # valid | expired | not_yet_valid | revoked | suspended | invalid
    errors: list[str] = field(default_factory=list)       # codes of the failed checks
    messages: list[str] = field(default_factory=list)
    status_checked: bool = False


def parse_time(value) -> datetime:
    if not isinstance(value, str):
        raise ProofError("dates", "a date is missing or not a string")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ProofError("dates", f"{value!r} is not an ISO 8601 date-time") from exc
    if parsed.tzinfo is None:
        raise ProofError("dates", f"{value!r} has no time zone")
    return parsed.astimezone(UTC)


def key_resolver(issuer_document: Mapping, issuer_id: str) -> Callable[[str], object]:
    """Resolve a verificationMethod to a public key, only if the issuer's document lists it."""

    def resolve(method):
        if not isinstance(method, str) or issuer_document.get("id") != issuer_id:
            raise ProofError("issuer_key", "the issuer document is not the credential issuer's")
        if method not in (issuer_document.get("assertionMethod") or []):
            raise ProofError("issuer_key", "the signing key is not an assertion method of the issuer")
        for entry in issuer_document.get("verificationMethod") or []:
            if isinstance(entry, dict) and entry.get("id") == method:
                if entry.get("type") != "Multikey" or entry.get("controller") != issuer_id:
                    raise ProofError("issuer_key", "the signing key is not the issuer's Multikey")
                return public_key_from_multibase(entry.get("publicKeyMultibase"))
        raise ProofError("issuer_key", "the signing key is not in the issuer document")

    return resolve


def _issuer_id(credential: dict) -> str:
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(issuer_id, str):
        raise ProofError("malformed", "the credential names no issuer")
    return issuer_id


def verify_credential(credential, *, issuer_document: Mapping, now: datetime,
                      status_lists: Mapping[str, dict] | Callable[[str], dict | None] | None = None) -> Verification:
    """Verify ``credential`` offline. ``status_lists`` maps (or fetches) a status list URL to
    its BitstringStatusListCredential; without it the status is not checked."""
    result = Verification()
    try:
        if not isinstance(credential, dict):
            raise ProofError("malformed", "a credential is a JSON object")
        context = credential.get("@context")
        types = credential.get("type") or []
        if not isinstance(context, list) or not context or context[0] != VC_V2 or OB_V3 not in context:
            raise ProofError("context", "not a VC 2.0 / Open Badges 3.0 credential")
        if "VerifiableCredential" not in types or "OpenBadgeCredential" not in types:
            raise ProofError("type", "not an OpenBadgeCredential")
        issuer_id = _issuer_id(credential)
        verify_proof(credential, public_key_of=key_resolver(issuer_document, issuer_id))
        valid_from = parse_time(credential.get("validFrom"))
        if now < valid_from:
            result.status = "not_yet_valid"
            raise ProofError("not_yet_valid", "the credential is not valid yet")
        if credential.get("validUntil") is not None and now >= parse_time(credential["validUntil"]):
            result.status = "expired"
            raise ProofError("expired", "the credential has expired")
        if status_lists is not None:
            _check_status(credential, issuer_document, issuer_id, now, status_lists, result)
            result.status_checked = True
    except ProofError as exc:
        result.errors.append(exc.code)
        result.messages.append(exc.message)
        return result
    result.ok, result.status = True, "valid"
    return result


def _check_status(credential, issuer_document, issuer_id, now, status_lists, result) -> None:
    entries = credential.get("credentialStatus") or []
    if isinstance(entries, dict):
        entries = [entries]
    purposes = set()
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            raise ProofError("status_entry", "an unknown credentialStatus entry")
        url, purpose = entry.get("statusListCredential"), entry.get("statusPurpose")
        try:
            index = int(entry.get("statusListIndex"))
        except (TypeError, ValueError) as exc:
            raise ProofError("status_index", "statusListIndex is not a number") from exc
        listing = status_lists(url) if callable(status_lists) else status_lists.get(url)
        if listing is None:
            raise ProofError("status_unavailable", f"the status list {url} is not available")
        if listing.get("id") != url or _issuer_id(listing) != issuer_id \
                or "BitstringStatusListCredential" not in (listing.get("type") or []):
            raise ProofError("status_list", "the status list is not the issuer's list at that URL")
        verify_proof(listing, public_key_of=key_resolver(issuer_document, issuer_id))
        if listing.get("validUntil") is not None and now >= parse_time(listing["validUntil"]):
            raise ProofError("status_list_stale", "the status list has expired; fetch a fresh one")
        subject = listing.get("credentialSubject") or {}
        if subject.get("statusPurpose") != purpose:
            raise ProofError("status_list", "the status list's purpose does not match the entry")
        if bit_at(decode_bitstring(subject.get("encodedList")), index):
            result.status = "revoked" if purpose == "revocation" else "suspended"
            raise ProofError(result.status, f"the certificate is {result.status}")
        purposes.add(purpose)
    if not {"revocation", "suspension"} <= purposes:
        raise ProofError("status_entry", "the credential lacks a revocation or suspension entry")


def credential_from_pdf(data: bytes) -> dict:
    """The credential attached to one of our PDFs (``credential.json``)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        attachments = PdfReader(io.BytesIO(data)).attachments
    except (PdfReadError, ValueError) as exc:
        raise ProofError("pdf", "not a readable PDF") from exc
    contents = attachments.get(ATTACHMENT_NAME)
    if not contents:
        raise ProofError("pdf", "the PDF carries no credential.json attachment")
    try:
        return json.loads(contents[0])
    except ValueError as exc:
        raise ProofError("pdf", "the attached credential is not JSON") from exc
