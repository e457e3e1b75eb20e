"""API schemas of the certificates domain (pydantic)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from app.api import Schema


class VerifyQuery(Schema):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    number: str = ""
    name: str = ""


class CertificateStatusOut(BaseModel):
    found: bool
    status: str                    # valid | expired | not_yet_valid | suspended | revoked | not_found
    number: str | None = None
    holder_name: str | None = None
    type: str | None = None
    level: str | None = None
    issuer: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    review_due: str | None = None
    revoked_at: str | None = None
    revocation_reason: str | None = None
    suspended_at: str | None = None
    suspension_reason: str | None = None
    page_url: str | None = None
    credential_url: str | None = None
    pdf_url: str | None = None


class MyCertificateOut(CertificateStatusOut):
    id: int
    token: str
    kind: str
    id_last4: str


class MyCertificatePage(BaseModel):
    items: list[MyCertificateOut]
    page: int
    per_page: int
    total: int


class ReasonIn(Schema):
    reason: str


class JobIn(Schema):
    scope: str


class JobOut(BaseModel):
    id: int
    scope: str
    state: str
    total: int
    done: int
    percent: int
    error: str


class CredentialOut(BaseModel):
    """A signed JSON-LD document (OpenBadgeCredential, BitstringStatusListCredential, issuer Profile)."""

    model_config = ConfigDict(extra="allow")


class ReviewIn(Schema):
    training_hours: int
    note: str = ""


class ReviewOut(BaseModel):
    id: int
    certificate_id: int
    state: str
    training_hours: int
    new_certificate_id: int | None = None


class DecisionIn(Schema):
    passed: bool
    note: str = ""


class ProposalsOut(BaseModel):
    proposed: int


class TypeCountOut(BaseModel):
    title: str
    level: str
    type_code: str
    issued: int
    pending: int
    expiring: int
    revoked: int
    suspended: int


class TypeCountList(BaseModel):
    items: list[TypeCountOut]


class RecordIn(Schema):
    name: str
    number: str
    issuer: str
    issued_on: date
    valid_until: date | None = None


class RecordOut(BaseModel):
    id: int
    name: str
    number: str
    issuer: str
    issued_on: date
    valid_until: date | None
    state: str
    ours: bool = False


class RecordList(BaseModel):
    items: list[RecordOut]


class CheckIn(Schema):
    verified: bool
    note: str = ""
