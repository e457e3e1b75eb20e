"""People, organizations and the roles people hold in them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.access import Role
from app.db import Base, utcnow


class OrgKind(StrEnum):
    ENTERPRISE = "enterprise"
    PROVIDER = "provider"
    UNION = "union"


class OrgStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


# The role an organization's admin holds, by kind of organization.
ADMIN_ROLE = {
    OrgKind.ENTERPRISE: Role.ENTERPRISE_ADMIN,
    OrgKind.PROVIDER: Role.PROVIDER_ADMIN,
    OrgKind.UNION: Role.UNION_ADMIN,
}
# Roles an organization's admin may invite staff into.
INVITABLE_ROLES = {
    OrgKind.ENTERPRISE: (Role.ENTERPRISE_ADMIN,),
    OrgKind.PROVIDER: (Role.PROVIDER_ADMIN, Role.INSTRUCTOR),
    OrgKind.UNION: (Role.UNION_ADMIN,),
}


class Organization(Base):
    """An enterprise, a training provider or a union federation."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrgKind] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    city: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    description: Mapped[str] = mapped_column(String(2000), default="")
    status: Mapped[OrgStatus] = mapped_column(String(16), default=OrgStatus.PENDING, index=True)
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def is_approved(self) -> bool:
        return self.status == OrgStatus.APPROVED


class User(UserMixin, Base):
    """A person who signs in, by phone number or e-mail."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(10))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Bumped on password change: invalidates reset links and API tokens issued before.
    credentials_version: Mapped[int] = mapped_column(default=1)

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def has_any_role(self, roles) -> bool:
        return bool(self.roles & {str(r) for r in roles})

    def org_ids(self, role: str) -> set[int]:
        """Organizations in which this user holds ``role``."""
        return {g.organization_id for g in self.grants if g.role == role and g.organization_id}

    @property
    def contact(self) -> str:
        return self.phone or self.email or ""


class RoleGrant(Base):
    """``user`` holds ``role``, within ``organization`` for organization roles."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(String(32))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants")
    organization: Mapped[Organization | None] = relationship(lazy="joined")


class Invitation(Base):
    """An organization admin's invitation for someone to join as staff."""

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_org_pending", "organization_id", "accepted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    role: Mapped[Role] = mapped_column(String(32))
    contact: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organization: Mapped[Organization] = relationship(lazy="joined")


class OutboxMessage(Base):
    """Every e-mail or SMS the platform sends, kept so admins can read what went out."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))  # "email" | "sms"
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(5000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]
