"""Counts for the home page cards (declared in ``instructors.DOMAIN``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import User
from instructors.models import (
    InvitationStatus,
    Qualification,
    QualificationStatus,
    TeachingInvitation,
)
from instructors.queries.pool import ratable_classes


def count_pending_invitations(session: Session, user: User, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(TeachingInvitation).where(
        TeachingInvitation.user_id == user.id, TeachingInvitation.status == InvitationStatus.PENDING)) or 0


def count_qualifications_to_review(session: Session, user: User, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(Qualification).where(
        Qualification.status == QualificationStatus.PENDING)) or 0


def count_classes_to_rate(session: Session, user: User, now: datetime) -> int:
    return len(ratable_classes(session, user.id, now=now))
