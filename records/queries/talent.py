"""Reads of the talent pool: who looked at a member, contact requests on both sides."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import User
from records.models import ContactRequest, ContactStatus, TalentAccess, TalentProfile


@dataclass
class Visit:
    organization: str
    action: str
    times: int
    last_at: object


def list_visitors(session: Session, profile_id: int, *, limit: int = 100) -> list[Visit]:
    """Who looked at the member: per enterprise and kind of access, how often and when last."""
    from app.auth.models import Organization

    rows = session.execute(
        select(Organization.name, TalentAccess.action, func.count(TalentAccess.id), func.max(TalentAccess.created_at))
        .join(Organization, Organization.id == TalentAccess.organization_id)
        .where(TalentAccess.profile_id == profile_id)
        .group_by(Organization.name, TalentAccess.action)
        .order_by(func.max(TalentAccess.created_at).desc()).limit(limit))
    return [Visit(organization=name, action=action, times=times, last_at=last) for name, action, times, last in rows]


def list_member_requests(session: Session, profile_id: int) -> list[ContactRequest]:
    return list(session.scalars(select(ContactRequest).where(ContactRequest.profile_id == profile_id)
                                .order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc())))


@dataclass
class SentRequest:
    request: ContactRequest
    name: str | None          # only once accepted, and only while the member stays listed
    contact: str | None


def list_enterprise_requests(session: Session, org_id: int) -> list[SentRequest]:
    """The enterprise's contact requests. Requests to members who left the pool are not shown
    at all; names and contact details appear only for accepted requests."""
    rows = session.execute(
        select(ContactRequest, User).join(TalentProfile, TalentProfile.id == ContactRequest.profile_id)
        .join(User, User.id == TalentProfile.user_id)
        .where(ContactRequest.organization_id == org_id, TalentProfile.is_listed.is_(True))
        .order_by(ContactRequest.created_at.desc(), ContactRequest.id.desc()))
    out = []
    for request, user in rows:
        accepted = request.status == ContactStatus.ACCEPTED
        out.append(SentRequest(request=request, name=user.name if accepted else None,
                               contact=user.contact if accepted else None))
    return out


def count_pending_requests(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count(ContactRequest.id))
                          .join(TalentProfile, TalentProfile.id == ContactRequest.profile_id)
                          .where(TalentProfile.user_id == user_id,
                                 ContactRequest.status == ContactStatus.PENDING)) or 0


def count_pending_requests_for(session: Session, user, now) -> int:
    """Home card: contact requests waiting for the member's answer."""
    return count_pending_requests(session, user.id)
