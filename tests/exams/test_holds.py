"""Unpaid exam-fee holds expire like enrollment seat holds: the seat is freed, the waitlist promoted."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.payments import services as payments
from app.payments.models import Payment
from exams import DOMAIN
from exams.models import BookingStatus, ExamLog
from exams.services import booking as booking_service
from tests.exams.conftest import NOW

HOLD = 30


def _payment(db, booking):
    return db.scalar(select(Payment).where(Payment.purpose == "exam_fee", Payment.reference_id == booking.id)
                     .order_by(Payment.id.desc()))


def test_unpaid_fee_expires_frees_the_seat_and_promotes_the_waitlist(db, special_ops, make_session, make_candidate):
    special_ops.exam_fee = 8000
    exam_session = make_session(capacity=1)
    first, second = make_candidate(), make_candidate()
    held = booking_service.book_exam_seat(db, actor=first, exam_session_id=exam_session.id, now=NOW)
    waiting = booking_service.book_exam_seat(db, actor=second, exam_session_id=exam_session.id,
                                             now=NOW + timedelta(minutes=5), waitlist=True)
    assert (held.status, waiting.status) == (BookingStatus.PENDING_PAYMENT, BookingStatus.WAITLISTED)

    # Not yet: the hold still runs.
    assert booking_service.release_expired_holds(db, now=NOW + timedelta(minutes=HOLD - 1), hold_minutes=HOLD,
                                                 gateway=None) == 0
    later = NOW + timedelta(minutes=HOLD)
    assert booking_service.release_expired_holds(db, now=later, hold_minutes=HOLD, gateway=None) == 1
    db.refresh(held)
    db.refresh(waiting)
    db.refresh(exam_session)
    assert (held.status, held.seat_no, held.cancelled_at) == (BookingStatus.EXPIRED, None, later)
    assert _payment(db, held).status == "cancelled"
    assert (waiting.status, waiting.seat_no) == (BookingStatus.PENDING_PAYMENT, 1)
    assert exam_session.seats_taken == 1
    assert db.scalar(select(ExamLog).where(ExamLog.action == "hold_expired")).detail["booking_id"] == held.id

    # Idempotent: running again changes nothing; the promoted candidate's hold counts from their own fee.
    assert booking_service.release_expired_holds(db, now=later, hold_minutes=HOLD, gateway=None) == 0
    db.refresh(waiting)
    assert waiting.status == BookingStatus.PENDING_PAYMENT
    # The expired candidate may book again (the expired booking no longer counts as active).
    again = booking_service.book_exam_seat(db, actor=first, exam_session_id=exam_session.id, now=later,
                                           waitlist=True)
    assert again.status == BookingStatus.WAITLISTED


def test_paid_or_free_bookings_never_expire(db, special_ops, make_session, make_candidate):
    special_ops.exam_fee = 8000
    exam_session = make_session()
    paid = booking_service.book_exam_seat(db, actor=make_candidate(), exam_session_id=exam_session.id, now=NOW)
    payments.apply_payment_succeeded(db, payment_id=_payment(db, paid).id, now=NOW)
    special_ops.exam_fee = 0
    free = booking_service.book_exam_seat(db, actor=make_candidate(), exam_session_id=exam_session.id, now=NOW)
    assert booking_service.release_expired_holds(db, now=NOW + timedelta(days=2), hold_minutes=HOLD,
                                                 gateway=None) == 0
    db.refresh(paid)
    db.refresh(free)
    assert (paid.status, free.status) == (BookingStatus.BOOKED, BookingStatus.BOOKED)


def test_the_task_is_in_the_domains_beat_schedule(app):
    entry = DOMAIN.beat["exams-release-expired-holds"]
    assert entry["task"] == "exams.release_expired_holds" and entry["schedule"] == 60.0
    from exams.config import hold_minutes

    with app.app_context():
        assert hold_minutes() == app.config["SEAT_HOLD_MINUTES"]


def test_my_exams_says_when_to_pay_and_shows_an_expired_booking(client, db, special_ops, make_session,
                                                                 make_candidate):
    from app.db import utcnow
    from tests.conftest import sign_in

    special_ops.exam_fee = 8000
    exam_session = make_session(base=utcnow())
    candidate = make_candidate()
    booking = booking_service.book_exam_seat(db, actor=candidate, exam_session_id=exam_session.id, now=utcnow())
    sign_in(client, candidate)
    page = client.get("/exams/my").get_data(as_text=True)
    assert "Pay the exam fee" in page and "or the seat goes to someone else" in page
    booking_service.release_expired_holds(db, now=utcnow() + timedelta(minutes=HOLD), hold_minutes=HOLD,
                                          gateway=None)
    page = client.get("/exams/my").get_data(as_text=True)
    assert "Expired: the fee was not paid in time" in page and "Pay the exam fee" not in page
    db.refresh(booking)
    assert booking.status == BookingStatus.EXPIRED
