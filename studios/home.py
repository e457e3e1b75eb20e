"""Counts for the home page's cards."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import User
from studios.models import (
    HelpRequest,
    Proposal,
    ProposalStatus,
    RatingStatus,
    Studio,
    StudioRating,
    StudioStatus,
)


def count_to_decide(session: Session, user: User, now: datetime) -> int:
    """Proposed studios and self-assessments waiting for the union."""
    return ((session.scalar(select(func.count()).select_from(Studio).where(Studio.status == StudioStatus.PROPOSED))
             or 0) + (session.scalar(select(func.count()).select_from(StudioRating)
                                     .where(StudioRating.status == RatingStatus.SUBMITTED)) or 0))


def count_open_proposals(session: Session, user: User, now: datetime) -> int:
    """Proposals from studios waiting for the enterprise's decision."""
    orgs = user.org_ids(Role.ENTERPRISE_ADMIN)
    if not orgs:
        return 0
    return session.scalar(select(func.count()).select_from(Proposal).join(HelpRequest).where(
        HelpRequest.organization_id.in_(orgs), Proposal.status == ProposalStatus.SUBMITTED)) or 0
