"""Member profiles and the federation's member register."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db import Base, utcnow
from app.membership.idnumber import mask_id_number


class MembershipStatus(StrEnum):
    PENDING = "pending"      # waiting for a union admin's decision
    VERIFIED = "verified"    # matched the register or approved by an admin
    REJECTED = "rejected"


class MemberProfile(Base):
    """A worker's claimed link to union membership (会员)."""

    __tablename__ = "member_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    member_no: Mapped[str] = mapped_column(String(32), index=True)
    union_name: Mapped[str] = mapped_column(String(200))
    employer_name: Mapped[str] = mapped_column(String(200))
    real_name: Mapped[str] = mapped_column(String(100))
    id_number_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_last4: Mapped[str] = mapped_column(String(4))
    status: Mapped[MembershipStatus] = mapped_column(String(16), default=MembershipStatus.PENDING, index=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(String(500), default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")

    @property
    def is_verified(self) -> bool:
        return self.status == MembershipStatus.VERIFIED

    @property
    def id_masked(self) -> str:
        return mask_id_number(self.id_last4)


class RegisterEntry(Base):
    """One member in the federation's imported membership register."""

    __tablename__ = "member_register"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    id_number_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_last4: Mapped[str] = mapped_column(String(4))
    union_name: Mapped[str] = mapped_column(String(200))
    import_id: Mapped[int] = mapped_column(ForeignKey("register_imports.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RegisterImport(Base):
    """One upload of the register, with a report line for every row."""

    __tablename__ = "register_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    added: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    verified_links: Mapped[int] = mapped_column(default=0)
    # [{"row": 2, "member_no": "...", "outcome": "added|updated|rejected", "reason": "..."}]
    report: Mapped[list] = mapped_column(JSON, default=list)
