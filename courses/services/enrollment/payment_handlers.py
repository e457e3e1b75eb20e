"""What a payment for an enrollment does when it succeeds, arrives late, or is refunded."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.domain import PaymentPurpose
from app.money import format_money
from app.notify import speaking_to
from app.payments import services as payments
from app.payments.models import Payment
from courses.models import (
    Enrollment,
    EnrollmentStatus,
)
from courses.services.enrollment.rules import (
    PURPOSE,
    class_name,
    enrollment_open,
    lock_enrollment,
    take_seat,
    tell,
)


def _on_paid(session: Session, payment: Payment, now: datetime) -> None:
    """Confirm the enrollment; a late payment re-takes a seat if it can, else is refunded in full."""
    enrollment = lock_enrollment(session, payment.reference_id)
    if enrollment is None:
        return
    training_class = enrollment.training_class
    if enrollment.status == EnrollmentStatus.PENDING_PAYMENT:
        enrollment.status = EnrollmentStatus.CONFIRMED
        enrollment.confirmed_at = now
        enrollment.hold_expires_at = None
        session.flush()
        with speaking_to(enrollment.user):
            tell(session, enrollment.user, _("Payment received"),
                  _("We received %(amount)s for %(name)s. Your place is confirmed.",
                    amount=format_money(payment.amount, payment.currency), name=class_name(training_class)))
        return
    if enrollment.status in (EnrollmentStatus.CONFIRMED, EnrollmentStatus.COMPLETED):
        return
    if enrollment.status == EnrollmentStatus.EXPIRED and enrollment_open(training_class, now):
        try:
            with session.begin_nested():
                session.execute(update(Enrollment).where(Enrollment.id == enrollment.id)
                                .values(status=EnrollmentStatus.CONFIRMED, confirmed_at=now, hold_expires_at=None)
                                .execution_options(synchronize_session=False))
                if not take_seat(session, training_class.id):
                    raise _NoSeat()
        except (_NoSeat, IntegrityError):
            pass
        else:
            session.refresh(enrollment)
            with speaking_to(enrollment.user):
                tell(session, enrollment.user, _("Payment received"),
                      _("Your payment for %(name)s arrived after the hold ran out, but a place was still free: "
                        "your place is confirmed.", name=class_name(training_class)))
            return
    payments.refund_payment(session, payment_id=payment.id, reason="late payment", now=now)
    with speaking_to(enrollment.user):
        tell(session, enrollment.user, _("Payment refunded"),
              _("Your payment of %(amount)s for %(name)s arrived after your place was released and no place is free. "
                "It will be refunded in full.", amount=format_money(payment.amount, payment.currency),
                name=class_name(training_class)))


class _NoSeat(Exception):
    pass


def _on_refunded(session: Session, payment: Payment, now: datetime) -> None:
    """Tell the worker their refund went through."""
    enrollment = session.get(Enrollment, payment.reference_id)
    if enrollment is not None:
        with speaking_to(enrollment.user):
            tell(session, enrollment.user, _("Refund completed"),
                  _("%(amount)s for %(name)s has been refunded.", amount=format_money(payment.refunded_amount,
                                                                                      payment.currency),
                    name=class_name(enrollment.training_class)))


ENROLLMENT_PAYMENTS = PaymentPurpose(PURPOSE, succeeded=_on_paid, refunded=_on_refunded)
