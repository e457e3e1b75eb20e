"""Booking a seat (报考): eligibility with reasons, seats never oversold, no overlapping bookings,
cancellation before the deadline with waitlist promotion, seat numbers, check-in, exam fees."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.domain import PaymentPurpose
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.i18n import local_time
from app.membership.models import MemberProfile, MembershipStatus
from app.notify import queue_message, speaking_to
from app.payments import services as payments
from app.payments.gateway import StripeGateway
from app.payments.models import Payment, PaymentStatus
from courses.models import Enrollment, EnrollmentStatus, TrainingClass
from exams.models import (
    SEAT_HOLDING,
    BookingStatus,
    CertificateTypeCourse,
    ComponentResult,
    ExamBooking,
    ExamSession,
    SessionStatus,
    StaffRole,
)
from exams.services.bans import active_ban
from exams.services.common import lock_user, log

PURPOSE = "exam_fee"
ACTIVE = (*SEAT_HOLDING, BookingStatus.WAITLISTED)


# --- seats ---------------------------------------------------------------------------------------

def take_seat(session: Session, exam_session_id: int) -> bool:
    """Take one seat if one is free (atomic conditional UPDATE); False when the session is full."""
    result = session.execute(
        update(ExamSession).where(ExamSession.id == exam_session_id, ExamSession.seats_taken < ExamSession.capacity)
        .values(seats_taken=ExamSession.seats_taken + 1).execution_options(synchronize_session=False))
    _expire(session, exam_session_id)
    return result.rowcount == 1


def free_seat(session: Session, exam_session_id: int) -> None:
    session.execute(
        update(ExamSession).where(ExamSession.id == exam_session_id, ExamSession.seats_taken > 0)
        .values(seats_taken=ExamSession.seats_taken - 1).execution_options(synchronize_session=False))
    _expire(session, exam_session_id)


def _expire(session: Session, exam_session_id: int) -> None:
    loaded = session.identity_map.get(session.identity_key(ExamSession, exam_session_id))
    if loaded is not None:
        session.expire(loaded, ["seats_taken"])


def _next_seat_no(session: Session, exam_session_id: int) -> int:
    # Called right after take_seat: the UPDATE holds the session row's lock, so numbering is serial.
    used = set(session.scalars(select(ExamBooking.seat_no).where(
        ExamBooking.exam_session_id == exam_session_id, ExamBooking.status.in_(SEAT_HOLDING),
        ExamBooking.seat_no.is_not(None))))
    number = 1
    while number in used:
        number += 1
    return number


# --- eligibility ---------------------------------------------------------------------------------

def _results(session: Session, user_id: int, component_id: int) -> list[ComponentResult]:
    return list(session.scalars(select(ComponentResult).where(
        ComponentResult.user_id == user_id, ComponentResult.component_id == component_id,
        ComponentResult.released_at.is_not(None)).order_by(ComponentResult.sat_at)))


def training_completed_at(session: Session, user_id: int, type_id: int) -> tuple[bool, datetime | None]:
    """(whether the type requires training, when the candidate last completed a required class)."""
    course_ids = list(session.scalars(select(CertificateTypeCourse.course_id).where(
        CertificateTypeCourse.certificate_type_id == type_id)))
    if not course_ids:
        return False, None
    completed = session.scalar(
        select(func.max(Enrollment.completed_at)).join(TrainingClass, TrainingClass.id == Enrollment.class_id)
        .where(Enrollment.user_id == user_id, Enrollment.status == EnrollmentStatus.COMPLETED,
               TrainingClass.course_id.in_(course_ids)))
    return True, completed


def eligibility_reasons(session: Session, *, user: User, exam_session: ExamSession, now: datetime) -> list[str]:
    """Why ``user`` may not book ``exam_session`` (empty when they may)."""
    ctype, component = exam_session.certificate_type, exam_session.component
    reasons: list[str] = []
    ban = active_ban(session, user_id=user.id, certificate_type_id=ctype.id, now=now)
    if ban is not None:
        reasons.append(_("You are barred from these exams until %(date)s: %(reason)s",
                         date=local_time(ban.until, "yyyy-MM-dd"), reason=ban.reason))
    if ctype.requires_membership:
        verified = session.scalar(select(exists().where(MemberProfile.user_id == user.id,
                                                        MemberProfile.status == MembershipStatus.VERIFIED)))
        if not verified:
            reasons.append(_("This certificate is for verified union members: link your membership first."))
    required, completed_at = training_completed_at(session, user.id, ctype.id)
    if required and completed_at is None:
        reasons.append(_("Complete the required training first."))
    if component.requires_kind:
        previous = ctype.component(component.requires_kind)
        valid = previous is not None and any(
            r.passed and r.valid_until and r.valid_until > exam_session.starts_at
            for r in _results(session, user.id, previous.id))
        if not valid:
            reasons.append(_("Pass the %(kind)s exam first (a pass counts for %(months)s months).",
                             kind=_component_title(component.requires_kind),
                             months=previous.pass_valid_months if previous else 12))
    mine = _results(session, user.id, component.id)
    if any(r.passed and r.valid_until and r.valid_until > exam_session.starts_at for r in mine):
        reasons.append(_("You have already passed this exam."))
    else:
        since = [r for r in mine if completed_at is None or r.sat_at > completed_at]
        fails = sum(1 for r in since if not r.passed)
        if fails > component.retake_limit:
            reasons.append(_("No retakes left: retrain before booking again."))
    return reasons


def _component_title(kind: str) -> str:
    from exams.labels import component_label

    return str(component_label(kind))


def bookable(exam_session: ExamSession, now: datetime) -> str | None:
    """Why the session takes no bookings now, or None."""
    if exam_session.status != SessionStatus.SCHEDULED:
        return _("This session takes no bookings.")
    if now < exam_session.booking_opens_at:
        return _("Booking opens at the stated time.")
    if now >= exam_session.booking_closes_at:
        return _("Booking has closed.")
    return None


# --- booking ---------------------------------------------------------------------------------------

def book_exam_seat(session: Session, *, actor: User, exam_session_id: int, now: datetime,
                   waitlist: bool = False) -> ExamBooking:
    """Book a seat for the actor. Raises NotFound, Conflict (session_full, overlapping_booking,
    already_booked, booking_closed), Invalid (not_eligible, with the reasons)."""
    exam_session = session.get(ExamSession, exam_session_id)
    if exam_session is None or exam_session.status == SessionStatus.CANCELLED:
        raise NotFound(_("No such exam session."))
    if (closed := bookable(exam_session, now)) is not None:
        raise Conflict(closed, code="booking_closed")
    lock_user(session, actor.id)
    if session.scalar(select(exists().where(ExamBooking.exam_session_id == exam_session_id,
                                            ExamBooking.user_id == actor.id, ExamBooking.status.in_(ACTIVE)))):
        raise Conflict(_("You have already booked this session."), code="already_booked")
    overlapping = session.scalar(select(ExamBooking).where(
        ExamBooking.user_id == actor.id, ExamBooking.status.in_(ACTIVE),
        ExamBooking.starts_at < exam_session.ends_at, ExamBooking.ends_at > exam_session.starts_at))
    if overlapping is not None:
        raise Conflict(_("You have another exam booked at that time (%(title)s).",
                         title=overlapping.exam_session.title), code="overlapping_booking")
    reasons = eligibility_reasons(session, user=actor, exam_session=exam_session, now=now)
    if reasons:
        raise Invalid(" ".join(reasons), code="not_eligible")
    fee = exam_session.certificate_type.exam_fee
    booking = ExamBooking(exam_session_id=exam_session_id, user_id=actor.id, starts_at=exam_session.starts_at,
                          ends_at=exam_session.ends_at, ticket_token=secrets.token_urlsafe(18), amount_due=fee,
                          created_at=now)
    if take_seat(session, exam_session_id):
        booking.seat_no = _next_seat_no(session, exam_session_id)
        booking.status = BookingStatus.PENDING_PAYMENT if fee else BookingStatus.BOOKED
    elif waitlist:
        booking.status = BookingStatus.WAITLISTED
    else:
        raise Conflict(_("This session is full."), code="session_full")
    session.add(booking)
    session.flush()
    if booking.status == BookingStatus.PENDING_PAYMENT:
        payments.create_payment(session, purpose=PURPOSE, reference_id=booking.id, payer_id=actor.id,
                                payee_org_id=None, amount=fee, currency=exam_session.certificate_type.currency,
                                online=True, now=now)
    log(session, action="booked", actor=actor, now=now, exam_session_id=exam_session_id, booking_id=booking.id,
        status=str(booking.status))
    return booking


def payment_of(session: Session, booking_id: int) -> Payment | None:
    return session.scalar(select(Payment).where(Payment.purpose == PURPOSE, Payment.reference_id == booking_id)
                          .order_by(Payment.id.desc()))


def _promote_waitlist(session: Session, exam_session: ExamSession, now: datetime) -> ExamBooking | None:
    """Give a freed seat to the first waitlisted candidate, if any."""
    waiting = session.scalar(select(ExamBooking).where(
        ExamBooking.exam_session_id == exam_session.id, ExamBooking.status == BookingStatus.WAITLISTED)
        .order_by(ExamBooking.created_at, ExamBooking.id).limit(1).with_for_update(of=ExamBooking))
    if waiting is None or not take_seat(session, exam_session.id):
        return None
    waiting.seat_no = _next_seat_no(session, exam_session.id)
    fee = exam_session.certificate_type.exam_fee
    waiting.status = BookingStatus.PENDING_PAYMENT if fee else BookingStatus.BOOKED
    if fee:
        payments.create_payment(session, purpose=PURPOSE, reference_id=waiting.id, payer_id=waiting.user_id,
                                payee_org_id=None, amount=fee, currency=exam_session.certificate_type.currency,
                                online=True, now=now)
    user = waiting.user
    if user.contact:
        with speaking_to(user):
            queue_message(session, recipient=user.contact, subject=_("A seat is yours"),
                          body=_("A seat in %(title)s became free and is now yours (seat %(seat)s).",
                                 title=exam_session.title, seat=waiting.seat_no))
    return waiting


def cancel_booking(session: Session, *, actor: User, booking_id: int, now: datetime) -> ExamBooking:
    """Cancel before the session's deadline; the seat goes to the waitlist. Raises NotFound, Conflict."""
    booking = session.scalar(select(ExamBooking).where(ExamBooking.id == booking_id).with_for_update(of=ExamBooking))
    if booking is None or booking.user_id != actor.id:
        raise NotFound(_("No such booking."))
    if booking.status not in (BookingStatus.BOOKED, BookingStatus.PENDING_PAYMENT, BookingStatus.WAITLISTED):
        raise Conflict(_("This booking can no longer be cancelled."), code="not_cancellable")
    exam_session = booking.exam_session
    if now >= exam_session.cancel_deadline_at:
        raise Conflict(_("The deadline for cancelling has passed."), code="cancel_deadline_passed")
    held = booking.status in SEAT_HOLDING
    booking.status, booking.cancelled_at, booking.seat_no = BookingStatus.CANCELLED, now, None
    payment = payment_of(session, booking.id)
    if payment is not None and payment.status == "pending":
        payments.cancel_payment(session, payment_id=payment.id, now=now, gateway=None)
    session.flush()
    if held:
        free_seat(session, exam_session.id)
        _promote_waitlist(session, exam_session, now)
    log(session, action="booking_cancelled", actor=actor, now=now, exam_session_id=exam_session.id,
        booking_id=booking.id)
    session.flush()
    return booking


def is_proctor(user: User, exam_session: ExamSession) -> bool:
    from app.access import Role

    return user.id in exam_session.staff_ids(StaffRole.PROCTOR) or user.has_role(Role.UNION_ADMIN)


def check_in(session: Session, *, actor: User, ticket_token: str, now: datetime) -> ExamBooking:
    """A proctor scans a ticket's QR on the day. Raises NotFound, Forbidden, Conflict."""
    booking = session.scalar(select(ExamBooking).where(ExamBooking.ticket_token == ticket_token).with_for_update(of=ExamBooking))
    if booking is None:
        raise NotFound(_("No such admission ticket."))
    exam_session = booking.exam_session
    if not is_proctor(actor, exam_session):
        raise Forbidden(_("Only this session's proctors can check candidates in."))
    if booking.status == BookingStatus.CHECKED_IN:
        return booking
    if booking.status != BookingStatus.BOOKED:
        raise Conflict(_("This ticket is not valid for the exam (%(status)s).", status=booking.status),
                       code="ticket_not_valid")
    if not exam_session.starts_at.timestamp() - 3 * 3600 <= now.timestamp() <= exam_session.ends_at.timestamp():
        raise Conflict(_("Check-in is open from three hours before the exam until it ends."), code="not_exam_day")
    booking.status, booking.checked_in_at, booking.checked_in_by_id = BookingStatus.CHECKED_IN, now, actor.id
    log(session, action="checked_in", actor=actor, now=now, exam_session_id=exam_session.id, booking_id=booking.id)
    session.flush()
    if not exam_session.is_online:
        from exams.services.attempts import open_offline_attempt

        open_offline_attempt(session, booking=booking, now=now)
    return booking


def grant_allowance(session: Session, *, actor: User, booking_id: int, minutes: int, now: datetime) -> ExamBooking:
    """Extra time for one candidate (e.g. a disability), logged. Raises NotFound, Invalid."""
    booking = session.get(ExamBooking, booking_id)
    if booking is None:
        raise NotFound(_("No such booking."))
    if not 0 <= minutes <= 120:
        raise Invalid(_("An allowance is between 0 and 120 minutes."), field="minutes")
    booking.time_allowance_minutes = minutes
    log(session, action="allowance_granted", actor=actor, now=now, exam_session_id=booking.exam_session_id,
        booking_id=booking_id, minutes=minutes)
    session.flush()
    return booking


# --- the exam fee through the one checkout ------------------------------------------------------------

def _on_paid(session: Session, payment: Payment, now: datetime) -> None:
    booking = session.get(ExamBooking, payment.reference_id)
    if booking is not None and booking.status == BookingStatus.PENDING_PAYMENT:
        booking.status = BookingStatus.BOOKED
        session.flush()


def _on_failed(session: Session, payment: Payment, now: datetime) -> None:
    return None   # the seat stays held; the candidate can pay again or cancel


EXAM_FEE = PaymentPurpose(name=PURPOSE, succeeded=_on_paid, failed=_on_failed)


# --- unpaid exam-fee holds expire like enrollment seat holds ------------------------------------------

def hold_expires_at(payment: Payment, hold_minutes: int) -> datetime:
    """When a seat held for an unpaid exam fee goes back (counted from the fee's payment, which a
    waitlist promotion creates afresh)."""
    return payment.created_at + timedelta(minutes=hold_minutes)


def release_expired_holds(session: Session, *, now: datetime, hold_minutes: int,
                          gateway: StripeGateway | None) -> int:
    """Expire bookings whose exam fee was not paid within ``hold_minutes``: the payment is cancelled,
    the seat freed and the waitlist promoted. Idempotent (conditional UPDATEs); returns how many."""
    due = list(session.execute(
        select(ExamBooking.id, Payment.id).join(Payment, (Payment.reference_id == ExamBooking.id)
                                                & (Payment.purpose == PURPOSE))
        .where(ExamBooking.status == BookingStatus.PENDING_PAYMENT,
               Payment.status.in_((PaymentStatus.PENDING, PaymentStatus.FAILED)),
               Payment.created_at <= now - timedelta(minutes=hold_minutes))
        .order_by(Payment.created_at, ExamBooking.id)))
    released = 0
    sessions: set[int] = set()
    for booking_id, payment_id in due:
        # Payment first, then booking: the same lock order as a payment success.
        if not payments.cancel_payment(session, payment_id=payment_id, now=now, gateway=gateway):
            continue   # paid a moment ago: the success handler confirms the booking
        result = session.execute(
            update(ExamBooking).where(ExamBooking.id == booking_id, ExamBooking.status == BookingStatus.PENDING_PAYMENT)
            .values(status=BookingStatus.EXPIRED, cancelled_at=now, seat_no=None)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            continue
        booking = session.get(ExamBooking, booking_id)
        session.refresh(booking)
        free_seat(session, booking.exam_session_id)
        sessions.add(booking.exam_session_id)
        released += 1
        log(session, action="hold_expired", actor=None, now=now, exam_session_id=booking.exam_session_id,
            booking_id=booking_id)
        user = booking.user
        if user.contact:
            with speaking_to(user):
                queue_message(session, recipient=user.contact, subject=_("Your exam seat was released"),
                              body=_("The exam fee for %(title)s was not paid in time, so the seat went to "
                                     "someone else.", title=booking.exam_session.title))
    for exam_session_id in sorted(sessions):
        _promote_waitlist(session, session.get(ExamSession, exam_session_id), now)
    session.flush()
    return released
