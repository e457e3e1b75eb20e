"""Cancelling: by the worker (refund by the class rule) or a whole class by its provider."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.errors import Conflict, Invalid, NotFound
from app.money import format_money
from app.notify import speaking_to
from app.payments import services as payments
from app.payments.gateway import StripeGateway
from app.payments.models import PaymentStatus
from courses.models import (
    ClassStatus,
    Enrollment,
    EnrollmentStatus,
    TrainingClass,
)
from courses.permissions import can_manage_course
from courses.services.enrollment.enrolling import promote_waitlist
from courses.services.enrollment.rules import (
    OPEN,
    Settings,
    class_name,
    class_started,
    expire_seats,
    free_seat,
    lock_enrollment,
    payment_of,
    refund_due,
    tell,
)


def close_payment(session: Session, enrollment: Enrollment, *, refund_amount: int | None, reason: str,
                   now: datetime, gateway: StripeGateway | None) -> int:
    """Cancel an unpaid payment or refund a paid one; returns the amount being refunded."""
    payment = payment_of(session, enrollment.id)
    if payment is None:
        return 0
    if payment.status in (PaymentStatus.PENDING, PaymentStatus.FAILED):
        if payments.cancel_payment(session, payment_id=payment.id, now=now, gateway=gateway):
            return 0
        session.refresh(payment)   # paid a moment ago: treat it as paid, by the same rule
        if refund_amount is not None:
            refund_amount = refund_due(enrollment, payment, now)
    if refund_amount == 0:
        return 0
    refund = payments.refund_payment(session, payment_id=payment.id, amount=refund_amount, reason=reason, now=now)
    return refund.amount if refund else 0



def load_enrollment(session: Session, enrollment_id: int) -> Enrollment:
    enrollment = lock_enrollment(session, enrollment_id)
    if enrollment is None:
        raise NotFound(_("No such enrollment."))
    return enrollment


def cancel_enrollment(session: Session, *, actor: User, enrollment_id: int, now: datetime, settings: Settings,
                      gateway: StripeGateway | None, reason: str = "") -> tuple[Enrollment, int]:
    """The worker cancels before the class starts; returns (enrollment, refund in fen).

    Frees the seat and promotes the waitlist. Raises NotFound (not theirs), Conflict
    ``not_cancellable`` / ``class_started``.
    """
    enrollment = load_enrollment(session, enrollment_id)
    if enrollment.user_id != actor.id:
        raise NotFound(_("No such enrollment."))
    if enrollment.status not in OPEN:
        raise Conflict(_("This enrollment cannot be cancelled."), code="not_cancellable")
    training_class = enrollment.training_class
    if class_started(training_class, now):
        raise Conflict(_("The class has started; it can no longer be cancelled."), code="class_started")
    payment = payment_of(session, enrollment.id)
    refund = refund_due(enrollment, payment, now)
    held_seat = enrollment.status in (EnrollmentStatus.PENDING_PAYMENT, EnrollmentStatus.CONFIRMED)
    enrollment.status = EnrollmentStatus.CANCELLED
    enrollment.cancelled_at = now
    enrollment.cancel_reason = (reason or "")[:500]
    enrollment.hold_expires_at = None
    refunded = close_payment(session, enrollment, refund_amount=refund, reason="cancelled by worker", now=now,
                              gateway=gateway)
    session.flush()
    if held_seat:
        free_seat(session, training_class.id)
        promote_waitlist(session, class_id=training_class.id, now=now, settings=settings)
    with speaking_to(actor):
        body = _("Your enrollment in %(name)s is cancelled.", name=class_name(training_class))
        if refunded:
            body += " " + _("%(amount)s will be refunded.", amount=format_money(refunded, enrollment.currency))
        tell(session, actor, _("Enrollment cancelled"), body)
    return enrollment, refunded


def cancel_class(session: Session, *, actor: User, class_id: int, reason: str, now: datetime,
                 gateway: StripeGateway | None) -> TrainingClass:
    """The provider cancels a whole class: everyone is refunded in full and told.

    Raises NotFound (not the provider's), Invalid ``reason_required``, Conflict ``already_cancelled``.
    """
    training_class = session.get(TrainingClass, class_id, with_for_update=True)
    if training_class is None or not can_manage_course(actor, training_class.course):
        raise NotFound(_("No such class."))
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Tell the participants why the class is cancelled."), code="reason_required", field="reason")
    if training_class.status == ClassStatus.CANCELLED:
        raise Conflict(_("This class is already cancelled."), code="already_cancelled")
    training_class.status = ClassStatus.CANCELLED
    training_class.cancel_reason = reason[:500]
    enrollments = list(session.scalars(
        select(Enrollment).where(Enrollment.class_id == class_id, Enrollment.status.in_([str(s) for s in OPEN]))
        .order_by(Enrollment.id).with_for_update(of=Enrollment)))
    for enrollment in enrollments:
        enrollment.status = EnrollmentStatus.CANCELLED
        enrollment.cancelled_at = now
        enrollment.cancel_reason = reason[:500]
        enrollment.hold_expires_at = None
        refunded = close_payment(session, enrollment, refund_amount=None, reason="class cancelled", now=now,
                                  gateway=gateway)
        with speaking_to(enrollment.user):
            body = _("%(name)s has been cancelled by the provider: %(reason)s", name=class_name(training_class),
                     reason=reason)
            if refunded:
                body += " " + _("%(amount)s will be refunded.", amount=format_money(refunded, enrollment.currency))
            tell(session, enrollment.user, _("Class cancelled"), body)
    session.execute(update(TrainingClass).where(TrainingClass.id == class_id).values(seats_taken=0)
                    .execution_options(synchronize_session=False))
    expire_seats(session, class_id)
    session.flush()
    from courses.services.shelf import refresh_course_listing

    refresh_course_listing(session, training_class.course_id, now=now)
    return training_class
