"""Reads of the exams domain: rows or Selects, paginated, no N+1."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from exams.models import (
    Appeal,
    Attempt,
    BookingStatus,
    CertificateComponent,
    CertificateType,
    CertificateTypeCourse,
    ComponentResult,
    ExamBooking,
    ExamSession,
    SessionStatus,
)


def find_type(session: Session, ref: str | None) -> CertificateType | None:
    if not ref:
        return None
    if ref.isdigit():
        return session.get(CertificateType, int(ref))
    return session.scalar(select(CertificateType).where(CertificateType.code == ref))


def list_sessions(*, type_id: int | None = None, starts_from: datetime | None = None,
                  starts_before: datetime | None = None, include_all: bool = False) -> Select:
    stmt = select(ExamSession).order_by(ExamSession.starts_at, ExamSession.id)
    if not include_all:
        stmt = stmt.where(ExamSession.status != SessionStatus.CANCELLED)
    if type_id is not None:
        stmt = stmt.where(ExamSession.certificate_type_id == type_id)
    if starts_from is not None:
        stmt = stmt.where(ExamSession.starts_at >= starts_from)
    if starts_before is not None:
        stmt = stmt.where(ExamSession.starts_at < starts_before)
    return stmt


def list_my_bookings(user_id: int) -> Select:
    return (select(ExamBooking).where(ExamBooking.user_id == user_id)
            .order_by(ExamBooking.starts_at.desc(), ExamBooking.id.desc()))


def attempts_by_booking(session: Session, booking_ids: list[int]) -> dict[int, Attempt]:
    if not booking_ids:
        return {}
    return {a.booking_id: a for a in session.scalars(select(Attempt).where(Attempt.booking_id.in_(booking_ids)))}


def list_my_results(user_id: int) -> Select:
    return (select(ComponentResult).where(ComponentResult.user_id == user_id,
                                          ComponentResult.released_at.is_not(None))
            .order_by(ComponentResult.sat_at.desc(), ComponentResult.id.desc()))


def appeals_by_result(session: Session, result_ids: list[int]) -> dict[int, Appeal]:
    if not result_ids:
        return {}
    return {a.result_id: a for a in session.scalars(select(Appeal).where(Appeal.result_id.in_(result_ids)))}


def required_courses(session: Session, type_ids: list[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {i: [] for i in type_ids}
    if type_ids:
        for type_id, course_id in session.execute(select(CertificateTypeCourse.certificate_type_id,
                                                         CertificateTypeCourse.course_id)
                                                  .where(CertificateTypeCourse.certificate_type_id.in_(type_ids))):
            found[type_id].append(course_id)
    return found


def types_for_course(session: Session, course_id: int) -> list[CertificateType]:
    return list(session.scalars(select(CertificateType).join(
        CertificateTypeCourse, CertificateTypeCourse.certificate_type_id == CertificateType.id)
        .where(CertificateTypeCourse.course_id == course_id).order_by(CertificateType.id)))


def session_stats(session: Session, exam_session_ids: list[int]) -> dict[int, dict]:
    """Per session: booked, checked in (attendance), sat, passed, pass rate (one query per table)."""
    stats = {i: {"booked": 0, "checked_in": 0, "results": 0, "passed": 0, "absent": 0} for i in exam_session_ids}
    if not exam_session_ids:
        return stats
    for sid, booked, checked in session.execute(
            select(ExamBooking.exam_session_id,
                   func.count(),
                   func.sum(case((ExamBooking.status == BookingStatus.CHECKED_IN, 1), else_=0)))
            .where(ExamBooking.exam_session_id.in_(exam_session_ids),
                   ExamBooking.status.in_((BookingStatus.BOOKED, BookingStatus.CHECKED_IN,
                                           BookingStatus.PENDING_PAYMENT)))
            .group_by(ExamBooking.exam_session_id)):
        stats[sid].update(booked=booked, checked_in=checked or 0)
    for sid, total, passed, absent in session.execute(
            select(ComponentResult.exam_session_id, func.count(),
                   func.sum(case((ComponentResult.passed.is_(True), 1), else_=0)),
                   func.sum(case((ComponentResult.absent.is_(True), 1), else_=0)))
            .where(ComponentResult.exam_session_id.in_(exam_session_ids))
            .group_by(ComponentResult.exam_session_id)):
        stats[sid].update(results=total, passed=passed or 0, absent=absent or 0)
    for s in stats.values():
        sat = s["results"] - s["absent"]
        s["pass_rate"] = round(100 * s["passed"] / sat) if sat else None
    return stats


def pass_rates_by_type(session: Session) -> list[dict]:
    """Per certificate type and component: sat, passed, pass rate (for the chart)."""
    rows = session.execute(
        select(CertificateType.name_zh, CertificateComponent.kind, func.count(),
               func.sum(case((ComponentResult.passed.is_(True), 1), else_=0)))
        .join(CertificateType, CertificateType.id == ComponentResult.certificate_type_id)
        .join(CertificateComponent, CertificateComponent.id == ComponentResult.component_id)
        .where(ComponentResult.absent.is_(False))
        .group_by(CertificateType.name_zh, CertificateComponent.kind, CertificateComponent.position)
        .order_by(CertificateType.name_zh, CertificateComponent.position)).all()
    return [{"type": name, "component": kind, "sat": sat, "passed": passed or 0,
             "pass_rate": round(100 * (passed or 0) / sat) if sat else 0} for name, kind, sat, passed in rows]


def count_upcoming(session: Session, user, now: datetime) -> int:
    """Home card: the worker's upcoming booked exams."""
    return session.scalar(select(func.count()).select_from(ExamBooking).where(
        ExamBooking.user_id == user.id, ExamBooking.ends_at > now,
        ExamBooking.status.in_((BookingStatus.BOOKED, BookingStatus.CHECKED_IN, BookingStatus.PENDING_PAYMENT,
                                BookingStatus.WAITLISTED)))) or 0


def count_to_grade(session: Session, user, now: datetime) -> int:
    from exams.services.grading import grading_queue

    return len(grading_queue(session, examiner=user))


def count_sessions_to_release(session: Session, user, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(ExamSession).where(
        ExamSession.status == SessionStatus.SCHEDULED, ExamSession.ends_at <= now)) or 0
