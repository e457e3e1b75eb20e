"""The platform's own certificates, their lifecycle log, status lists, bulk issuance jobs,
review applications, and government-issued certificates recorded by members."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db import Base, utcnow


class CertificateKind(StrEnum):
    TRAINING = "training"     # training completion (class completion rule)
    APPRAISAL = "appraisal"   # skill appraisal: exam results against a certificate type
    HONOUR = "honour"         # craftsman / model-worker honours


class CertificateState(StrEnum):
    """Stored lifecycle; the public status adds dates (see ``Certificate.status_at``)."""

    PROPOSED = "proposed"     # rules met, waiting for a union admin (or the auto-issue job)
    ISSUED = "issued"
    SUSPENDED = "suspended"   # review overdue or an admin's decision; can be reinstated
    REVOKED = "revoked"       # permanent
    DECLINED = "declined"     # a proposal the union admin turned down


class PublicStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


def public_status(state: str, valid_from: datetime | None, valid_until: datetime | None,
                  now: datetime) -> PublicStatus:
    """The public status of a certificate in ``state`` with these dates, at ``now``."""
    if state == CertificateState.REVOKED:
        return PublicStatus.REVOKED
    if state == CertificateState.SUSPENDED:
        return PublicStatus.SUSPENDED
    if valid_from and now < valid_from:
        return PublicStatus.NOT_YET_VALID
    if valid_until and now >= valid_until:
        return PublicStatus.EXPIRED
    return PublicStatus.VALID


class StatusPurpose(StrEnum):
    REVOCATION = "revocation"
    SUSPENSION = "suspension"


class StatusList(Base):
    """One Bitstring Status List; its bits are derived from the certificates' states."""

    __tablename__ = "certificate_status_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[StatusPurpose] = mapped_column(String(16), index=True)
    size: Mapped[int] = mapped_column(default=131_072)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Certificate(Base):
    """A certificate the union issues (证书): a snapshot of what was certified, to whom, when."""

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("revocation_list_id", "revocation_index"),
        UniqueConstraint("suspension_list_id", "suspension_index"),
        Index("ix_certificates_state_valid_until", "state", "valid_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "enrollment:12", "exam:3:45:7" (session, user, type), "review:88": a rule proposes once.
    source_key: Mapped[str] = mapped_column(String(80), unique=True)
    number: Mapped[str | None] = mapped_column(String(40), unique=True)   # set on issuance
    token: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[CertificateKind] = mapped_column(String(16))
    state: Mapped[CertificateState] = mapped_column(String(16), default=CertificateState.PROPOSED, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    certificate_type_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_types.id"), index=True)
    type_code: Mapped[str] = mapped_column(String(16), default="TRN")
    exam_session_id: Mapped[int | None] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("training_classes.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))          # type or course name, Chinese
    title_en: Mapped[str] = mapped_column(String(200), default="")
    level: Mapped[str] = mapped_column(String(50), default="")
    description: Mapped[str] = mapped_column(String(500), default="")
    holder_name: Mapped[str] = mapped_column(String(100))    # as on the membership
    id_last4: Mapped[str] = mapped_column(String(4), default="")
    issuer_name: Mapped[str] = mapped_column(String(200))
    validity_months: Mapped[int | None]
    review_every_months: Mapped[int | None]
    review_training_hours: Mapped[int] = mapped_column(default=0)
    valid_from: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]
    review_due: Mapped[datetime | None] = mapped_column(index=True)
    review_reminded_at: Mapped[datetime | None]
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_at: Mapped[datetime | None]
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    suspended_at: Mapped[datetime | None]
    suspension_reason: Mapped[str] = mapped_column(String(500), default="")
    revoked_at: Mapped[datetime | None]
    revocation_reason: Mapped[str] = mapped_column(String(500), default="")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    revocation_list_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_status_lists.id"))
    revocation_index: Mapped[int | None]
    suspension_list_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_status_lists.id"))
    suspension_index: Mapped[int | None]
    credential: Mapped[str | None] = mapped_column(Text)      # the signed OpenBadgeCredential (JSON)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")

    def status_at(self, now: datetime) -> PublicStatus:
        return public_status(self.state, self.valid_from, self.valid_until, now)

    @property
    def is_public(self) -> bool:
        return self.state in (CertificateState.ISSUED, CertificateState.SUSPENDED, CertificateState.REVOKED)


class CertificatePdf(Base):
    """The printable PDF of an issued certificate, with its signed credential attached: rendered
    once, when the certificate is signed (one by one or by the bulk job), and served as stored.
    It shows no state (revocation and suspension are read from the QR page and the status
    lists), so lifecycle changes never re-render it; a new signature (a review's new
    certificate) renders a new one. Kept apart from ``certificates`` so reads of certificates
    never carry the bytes."""

    __tablename__ = "certificate_pdfs"

    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="CASCADE"), primary_key=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    rendered_at: Mapped[datetime]


class CertificateEvent(Base):
    """Who did what to a certificate, when and why (issue, revoke, suspend, reinstate, review)."""

    __tablename__ = "certificate_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))   # None: a periodic job
    at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(500), default="")

    actor: Mapped[User | None] = relationship(lazy="joined")


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class IssuanceJob(Base):
    """A bulk issuance (a class, an exam session, a backlog), run by Celery in batches."""

    __tablename__ = "certificate_issuance_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))     # "class:12", "session:3", "all"
    state: Mapped[JobState] = mapped_column(String(16), default=JobState.QUEUED)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


class ReviewState(StrEnum):
    APPLIED = "applied"
    PASSED = "passed"
    REJECTED = "rejected"


class ReviewApplication(Base):
    """A holder's application for the periodic review (复审) of a certificate."""

    __tablename__ = "certificate_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), index=True)
    training_hours: Mapped[int]
    training_note: Mapped[str] = mapped_column(String(500), default="")
    state: Mapped[ReviewState] = mapped_column(String(16), default=ReviewState.APPLIED)
    applied_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    new_certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))

    certificate: Mapped[Certificate] = relationship(foreign_keys=[certificate_id], lazy="joined")


class RecordedState(StrEnum):
    RECORDED = "recorded"
    VERIFIED = "verified"
    REJECTED = "rejected"


class GovernmentCertificate(Base):
    """A government-issued certificate a member holds, recorded by them (never rendered as ours)."""

    __tablename__ = "recorded_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    number: Mapped[str] = mapped_column(String(64))
    issuer: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    scan_path: Mapped[str | None] = mapped_column(String(255))
    scan_name: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[RecordedState] = mapped_column(String(16), default=RecordedState.RECORDED, index=True)
    recorded_at: Mapped[datetime]
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    extra: Mapped[dict] = mapped_column(JSON, default=dict)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
