"""Barring candidates from exams (e.g. caught cheating): union admins ban a candidate from one
certificate type's exams (or all) until a date with a reason, list and lift bans. Every change is
written to the exam log with who, when and why; eligibility refuses a banned candidate with the reason."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import User
from app.auth.validation import normalize_account
from app.errors import Conflict, Forbidden, Invalid, NotFound
from exams.models import CandidateBan, CertificateType, ExamLog
from exams.services.common import log

BAN_ACTIONS = ("ban_created", "ban_lifted")


def _require_union(actor: User) -> None:
    if not actor.has_role(Role.UNION_ADMIN):
        raise Forbidden(_("Only union admins can bar candidates."))


def find_candidate(session: Session, contact: str) -> User | None:
    """A user by phone or email (what an admin has at hand)."""
    contact = (contact or "").strip()
    if not contact:
        return None
    try:
        kind, value = normalize_account(contact)
    except Invalid:
        return None
    return session.scalar(select(User).where(User.email == value if kind == "email" else User.phone == value))


def active_ban(session: Session, *, user_id: int, certificate_type_id: int, now: datetime) -> CandidateBan | None:
    """The ban that bars ``user_id`` from the type's exams now (the longest-running one), or None."""
    return session.scalar(select(CandidateBan).where(
        CandidateBan.user_id == user_id, CandidateBan.until > now,
        (CandidateBan.certificate_type_id.is_(None)) | (CandidateBan.certificate_type_id == certificate_type_id))
        .order_by(CandidateBan.until.desc()).limit(1))


def ban_candidate(session: Session, *, actor: User, user_id: int, certificate_type_id: int | None,
                  until: datetime, reason: str, now: datetime) -> CandidateBan:
    """Bar a candidate from a type's exams (None: from all) until ``until``. Raises Forbidden, NotFound, Invalid."""
    _require_union(actor)
    candidate = session.get(User, user_id)
    if candidate is None:
        raise NotFound(_("No such candidate."))
    if certificate_type_id is not None and session.get(CertificateType, certificate_type_id) is None:
        raise NotFound(_("No such certificate type."))
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the candidate is barred."), field="reason")
    if len(reason) > 500:
        raise Invalid(_("The reason may be at most 500 characters."), field="reason")
    if until <= now:
        raise Invalid(_("A ban must end in the future."), field="until")
    until = until.astimezone(UTC)
    ban = CandidateBan(user_id=user_id, certificate_type_id=certificate_type_id, until=until, reason=reason,
                       created_by_id=actor.id, created_at=now)
    session.add(ban)
    session.flush()
    log(session, action="ban_created", actor=actor, now=now, ban_id=ban.id, user_id=user_id,
        certificate_type_id=certificate_type_id, until=until.isoformat(), reason=reason)
    session.flush()
    return ban


def lift_ban(session: Session, *, actor: User, ban_id: int, reason: str, now: datetime) -> CandidateBan:
    """End a ban now (it stays on record). Raises Forbidden, NotFound, Invalid, Conflict (``not_active``)."""
    _require_union(actor)
    ban = session.scalar(select(CandidateBan).where(CandidateBan.id == ban_id).with_for_update(of=CandidateBan))
    if ban is None:
        raise NotFound(_("No such ban."))
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say why the ban is lifted."), field="reason")
    if len(reason) > 500:
        raise Invalid(_("The reason may be at most 500 characters."), field="reason")
    if ban.until <= now:
        raise Conflict(_("This ban has already ended."), code="not_active")
    was_until = ban.until
    ban.until = now
    log(session, action="ban_lifted", actor=actor, now=now, ban_id=ban.id, user_id=ban.user_id,
        certificate_type_id=ban.certificate_type_id, was_until=was_until.isoformat(), reason=reason)
    session.flush()
    return ban


def list_bans(session: Session, *, now: datetime, active_only: bool = True) -> list[CandidateBan]:
    stmt = select(CandidateBan).order_by(CandidateBan.until.desc(), CandidateBan.id.desc())
    if active_only:
        stmt = stmt.where(CandidateBan.until > now)
    return list(session.scalars(stmt.limit(500)))


def ban_history(session: Session, *, limit: int = 100) -> list[ExamLog]:
    """Who banned or lifted what, when and why (newest first)."""
    return list(session.scalars(select(ExamLog).where(ExamLog.action.in_(BAN_ACTIONS))
                                .order_by(ExamLog.created_at.desc(), ExamLog.id.desc()).limit(limit)))
