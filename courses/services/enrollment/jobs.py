"""Periodic jobs: expired seat holds and class reminders."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.models import User
from app.i18n import SHANGHAI
from app.notify import speaking_to
from app.payments import services as payments
from app.payments.gateway import StripeGateway
from app.payments.models import PaymentStatus
from courses.models import (
    ClassStatus,
    Enrollment,
    EnrollmentStatus,
    ReminderLog,
    TrainingClass,
)
from courses.services.enrollment.enrolling import promote_waitlist
from courses.services.enrollment.rules import Settings, class_name, free_seat, payment_of, tell


def release_expired_holds(session: Session, *, now: datetime, settings: Settings,
                          gateway: StripeGateway | None) -> int:
    """Expire unpaid holds whose time ran out, free their seats and promote the waitlist; returns how many."""
    due = list(session.scalars(
        select(Enrollment.id).where(Enrollment.status == EnrollmentStatus.PENDING_PAYMENT,
                                    Enrollment.hold_expires_at <= now).order_by(Enrollment.hold_expires_at)))
    released = 0
    classes: set[int] = set()
    for enrollment_id in due:
        payment = payment_of(session, enrollment_id)
        # Payment first, then enrollment: the same lock order as a payment success.
        if payment is not None and payment.status not in (PaymentStatus.PENDING, PaymentStatus.FAILED):
            continue
        if payment is not None and not payments.cancel_payment(session, payment_id=payment.id, now=now,
                                                               gateway=gateway):
            continue   # paid a moment ago: the success handler confirms it
        result = session.execute(
            update(Enrollment).where(Enrollment.id == enrollment_id,
                                     Enrollment.status == EnrollmentStatus.PENDING_PAYMENT)
            .values(status=EnrollmentStatus.EXPIRED, hold_expires_at=None).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            continue
        enrollment = session.get(Enrollment, enrollment_id)
        session.refresh(enrollment)
        free_seat(session, enrollment.class_id)
        classes.add(enrollment.class_id)
        released += 1
        with speaking_to(enrollment.user):
            tell(session, enrollment.user, _("Your held place was released"),
                  _("The time to pay for %(name)s ran out, so the place went to someone else.",
                    name=class_name(enrollment.training_class)))
    for class_id in sorted(classes):
        promote_waitlist(session, class_id=class_id, now=now, settings=settings)
    session.flush()
    return released


REMINDER_DAY_BEFORE = "day_before"


def send_class_reminders(session: Session, *, now: datetime) -> int:
    """Remind confirmed participants the day before their class starts; each reminder is logged once."""
    tomorrow = (now.astimezone(SHANGHAI) + timedelta(days=1)).date()
    rows = session.execute(
        select(Enrollment, TrainingClass, User)
        .join(TrainingClass, TrainingClass.id == Enrollment.class_id)
        .join(User, User.id == Enrollment.user_id)
        .outerjoin(ReminderLog, (ReminderLog.enrollment_id == Enrollment.id) & (ReminderLog.kind == REMINDER_DAY_BEFORE))
        .where(TrainingClass.starts_on == tomorrow, TrainingClass.status == ClassStatus.SCHEDULED,
               Enrollment.status == EnrollmentStatus.CONFIRMED, ReminderLog.id.is_(None))
        .order_by(Enrollment.id)).all()
    sent = 0
    for enrollment, training_class, user in rows:
        try:
            with session.begin_nested():
                session.add(ReminderLog(enrollment_id=enrollment.id, kind=REMINDER_DAY_BEFORE, sent_at=now))
                session.flush()
        except IntegrityError:
            continue   # another worker sent it
        where = training_class.venue or _("online")
        with speaking_to(user):
            tell(session, user, _("Your class starts tomorrow"),
                  _("%(name)s starts tomorrow (%(date)s) at %(where)s.", name=class_name(training_class),
                    date=training_class.starts_on.isoformat(), where=where))
        sent += 1
    return sent
