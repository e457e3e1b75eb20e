"""Exam sessions (考试场次): scheduling, staffing rules as data, cancelling."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import User
from app.errors import Conflict, Invalid, NotFound
from exams.models import (
    ComponentKind,
    ExamPaper,
    ExamSession,
    SessionMode,
    SessionStaff,
    SessionStatus,
    StaffRole,
)
from exams.services.common import log
from instructors.models import BookingPurpose
from instructors.services.booking import release_time, reserve_time

DEFAULT_STAFFING = {
    "theory": {"min_proctors": 2, "min_examiners": 2, "odd_examiners": False},
    "practical": {"min_proctors": 1, "min_examiners": 3, "odd_examiners": True},
    "panel": {"min_proctors": 0, "min_examiners": 3, "odd_examiners": True},
}


def schedule_session(session: Session, *, actor: User, now: datetime, values: dict) -> ExamSession:
    """A new session of a type's component. Raises NotFound, Invalid."""
    from exams.models import CertificateType

    ctype = session.get(CertificateType, values.get("certificate_type_id"))
    if ctype is None:
        raise NotFound(_("No such certificate type."))
    component = ctype.component(values.get("component") or "")
    if component is None:
        raise Invalid(_("This type has no such component."), field="component")
    mode = values.get("mode")
    if mode not in set(SessionMode):
        raise Invalid(_("Choose how the exam is taken."), field="mode")
    if component.kind == ComponentKind.THEORY and mode != SessionMode.OFFLINE and not values.get("paper_id"):
        raise Invalid(_("An online exam needs a paper."), field="paper_id")
    paper = None
    if values.get("paper_id"):
        paper = session.get(ExamPaper, values["paper_id"])
        if paper is None or paper.certificate_type_id != ctype.id or paper.component_kind != component.kind:
            raise Invalid(_("The paper must belong to this type and component."), field="paper_id")
    starts_at, ends_at = values["starts_at"], values["ends_at"]
    opens, closes = values["booking_opens_at"], values["booking_closes_at"]
    cancel_deadline = values.get("cancel_deadline_at") or closes
    if ends_at <= starts_at:
        raise Invalid(_("The session must end after it starts."), field="ends_at")
    if not opens < closes <= starts_at:
        raise Invalid(_("Booking must open before it closes, and close before the exam starts."),
                      field="booking_closes_at")
    if cancel_deadline > starts_at:
        raise Invalid(_("Cancelling must end before the exam starts."), field="cancel_deadline_at")
    capacity = int(values.get("capacity") or 0)
    if not 0 < capacity <= 500:
        raise Invalid(_("Seats must be between 1 and 500."), field="capacity")
    staffing = {**DEFAULT_STAFFING[component.kind], **(values.get("staffing") or {})}
    exam_session = ExamSession(
        certificate_type_id=ctype.id, component_id=component.id, paper_id=paper.id if paper else None,
        title=(values.get("title") or "").strip() or f"{ctype.name_zh}·{component.kind}",
        mode=mode, city=values.get("city") or "", venue=values.get("venue") or "", room=values.get("room") or "",
        capacity=capacity, starts_at=starts_at, ends_at=ends_at, booking_opens_at=opens, booking_closes_at=closes,
        cancel_deadline_at=cancel_deadline, staffing=staffing, provider_id=values.get("provider_id"),
        created_by_id=actor.id, created_at=now)
    session.add(exam_session)
    session.flush()
    log(session, action="session_scheduled", actor=actor, now=now, exam_session_id=exam_session.id)
    return exam_session


def staffing_problems(exam_session: ExamSession) -> list[str]:
    """What the session's staffing rules still miss (empty when staffed)."""
    rules = exam_session.staffing or {}
    problems = []
    proctors = len(exam_session.staff_ids(StaffRole.PROCTOR))
    examiners = len(exam_session.staff_ids(StaffRole.EXAMINER))
    if proctors < int(rules.get("min_proctors", 0)):
        problems.append(_("at least %(n)s proctors are needed (%(have)s assigned)", n=rules["min_proctors"],
                          have=proctors))
    if examiners < int(rules.get("min_examiners", 0)):
        problems.append(_("at least %(n)s examiners are needed (%(have)s assigned)", n=rules["min_examiners"],
                          have=examiners))
    if rules.get("odd_examiners") and examiners % 2 == 0:
        problems.append(_("the number of examiners must be odd"))
    return problems


def assign_staff(session: Session, *, actor: User, exam_session_id: int, user_id: int, role: str,
                 now: datetime) -> SessionStaff:
    """Assign a proctor or an examiner (an instructor) to a session. Raises NotFound, Invalid, Conflict."""
    exam_session = session.get(ExamSession, exam_session_id)
    if exam_session is None:
        raise NotFound(_("No such exam session."))
    if role not in set(StaffRole):
        raise Invalid(_("Unknown role."), field="role")
    person = session.get(User, user_id)
    if person is None:
        raise NotFound(_("No such person."))
    if role == StaffRole.EXAMINER and not person.has_role(Role.INSTRUCTOR):
        raise Invalid(_("Only instructors can examine."), field="user_id")
    if user_id in exam_session.staff_ids(role):
        raise Conflict(_("Already assigned."), code="already_assigned")
    # The pool's calendar: a person busy teaching or at another session at that time is refused
    # (Conflict instructor_busy); both roles at one session share one booking.
    reserve_time(session, user_id=user_id, starts_at=exam_session.starts_at, ends_at=exam_session.ends_at,
                 purpose=BookingPurpose.EXAM_SESSION, reference_id=exam_session.id, now=now)
    staff = SessionStaff(user_id=user_id, role=role, assigned_at=now)
    exam_session.staff.append(staff)
    session.flush()
    log(session, action="staff_assigned", actor=actor, now=now, exam_session_id=exam_session_id,
        user_id=user_id, role=role)
    return staff


def remove_staff(session: Session, *, actor: User, exam_session_id: int, user_id: int, role: str,
                 now: datetime) -> None:
    """Take a proctor or examiner off a session. Raises NotFound."""
    exam_session = session.get(ExamSession, exam_session_id)
    staff = next((s for s in exam_session.staff if s.user_id == user_id and s.role == role), None) \
        if exam_session else None
    if staff is None:
        raise NotFound(_("Not assigned."))
    exam_session.staff.remove(staff)
    session.flush()
    if user_id not in {s.user_id for s in exam_session.staff}:
        release_time(session, user_id=user_id, purpose=BookingPurpose.EXAM_SESSION, reference_id=exam_session.id)
    log(session, action="staff_removed", actor=actor, now=now, exam_session_id=exam_session_id, user_id=user_id,
        role=role)


def cancel_session(session: Session, *, actor: User, exam_session_id: int, now: datetime) -> ExamSession:
    """Cancel a session that has not started. Raises NotFound, Conflict."""
    exam_session = session.get(ExamSession, exam_session_id)
    if exam_session is None:
        raise NotFound(_("No such exam session."))
    if exam_session.status != SessionStatus.SCHEDULED or now >= exam_session.starts_at:
        raise Conflict(_("Only a session that has not started can be cancelled."), code="session_started")
    exam_session.status = SessionStatus.CANCELLED
    for user_id in {s.user_id for s in exam_session.staff}:
        release_time(session, user_id=user_id, purpose=BookingPurpose.EXAM_SESSION, reference_id=exam_session.id)
    log(session, action="session_cancelled", actor=actor, now=now, exam_session_id=exam_session_id)
    session.flush()
    return exam_session
