"""Reads of the membership domain."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.membership.models import MemberProfile, MembershipStatus, RegisterImport


def get_profile(session: Session, user_id: int) -> MemberProfile | None:
    return session.scalar(select(MemberProfile).where(MemberProfile.user_id == user_id))


def list_pending_links() -> Select:
    return (select(MemberProfile).where(MemberProfile.status == MembershipStatus.PENDING)
            .order_by(MemberProfile.submitted_at))


def count_pending_links(session: Session, user=None, now=None) -> int:
    """Membership links waiting for a union admin (a home card's count)."""
    return session.scalar(select(func.count()).select_from(MemberProfile)
                          .where(MemberProfile.status == MembershipStatus.PENDING)) or 0


def list_imports(limit: int = 20) -> Select:
    return select(RegisterImport).order_by(RegisterImport.created_at.desc()).limit(limit)
