"""Reads of the accounts domain."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.auth.models import Invitation, Organization, OrgStatus, OutboxMessage, RoleGrant, User


def list_pending_organizations() -> Select:
    return select(Organization).where(Organization.status == OrgStatus.PENDING).order_by(Organization.created_at)


def count_pending_organizations(session: Session, user=None, now=None) -> int:
    """Organizations waiting for approval (a home card's count)."""
    return session.scalar(select(func.count()).select_from(Organization)
                          .where(Organization.status == OrgStatus.PENDING)) or 0


def list_staff(session: Session, org_id: int) -> list[tuple[User, str]]:
    rows = session.execute(select(User, RoleGrant.role).join(RoleGrant, RoleGrant.user_id == User.id)
                           .where(RoleGrant.organization_id == org_id).order_by(User.name))
    return [(u, r) for u, r in rows]


def list_open_invitations(session: Session, org_id: int) -> list[Invitation]:
    return list(session.scalars(select(Invitation).where(Invitation.organization_id == org_id,
                                                         Invitation.accepted_at.is_(None))
                                .order_by(Invitation.created_at.desc())))


def list_outbox(limit: int = 100) -> Select:
    return select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
