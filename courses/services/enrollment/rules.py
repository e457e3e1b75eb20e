"""Seats, the rules every enrollment action shares, settings and messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.i18n import SHANGHAI
from app.membership.queries import get_profile
from app.notify import queue_message
from app.payments.models import Payment, PaymentStatus
from courses.models import (
    ClassStatus,
    Enrollment,
    EnrollmentStatus,
    RefundRule,
    TrainingClass,
)

PURPOSE = "enrollment"
OPEN = (EnrollmentStatus.PENDING_PAYMENT, EnrollmentStatus.CONFIRMED, EnrollmentStatus.WAITLISTED)


# --- seats -------------------------------------------------------------------------------------

def take_seat(session: Session, class_id: int) -> bool:
    """Take one seat if one is free (atomic conditional UPDATE); False when the class is full."""
    result = session.execute(
        update(TrainingClass).where(TrainingClass.id == class_id, TrainingClass.seats_taken < TrainingClass.capacity)
        .values(seats_taken=TrainingClass.seats_taken + 1).execution_options(synchronize_session=False))
    expire_seats(session, class_id)
    return result.rowcount == 1


def free_seat(session: Session, class_id: int) -> None:
    """Give one seat back (never below zero)."""
    session.execute(
        update(TrainingClass).where(TrainingClass.id == class_id, TrainingClass.seats_taken > 0)
        .values(seats_taken=TrainingClass.seats_taken - 1).execution_options(synchronize_session=False))
    expire_seats(session, class_id)


def expire_seats(session: Session, class_id: int) -> None:
    # The UPDATE bypassed the ORM: make a loaded class read its count again.
    loaded = session.identity_map.get(session.identity_key(TrainingClass, class_id))
    if loaded is not None:
        session.expire(loaded, ["seats_taken"])


# --- rules -------------------------------------------------------------------------------------

def class_started(training_class: TrainingClass, now: datetime) -> bool:
    """A class has started from its first day, in Asia/Shanghai."""
    return now.astimezone(SHANGHAI).date() >= training_class.starts_on


def enrollment_open(training_class: TrainingClass, now: datetime) -> bool:
    return (training_class.status == ClassStatus.SCHEDULED and training_class.course.is_public
            and training_class.enroll_opens_at <= now < training_class.enroll_closes_at
            and not class_started(training_class, now))


def is_verified_member(session: Session, user_id: int) -> bool:
    profile = get_profile(session, user_id)
    return profile is not None and profile.is_verified


def refund_due(enrollment: Enrollment, payment: Payment | None, now: datetime) -> int:
    """What the worker gets back if they cancel now, by the class's refund rule (fen)."""
    if payment is None or payment.status not in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED):
        return 0
    training_class = enrollment.training_class
    left = payment.amount - payment.refunded_amount
    if class_started(training_class, now):
        return 0
    if training_class.refund_rule == RefundRule.FULL_BEFORE_START:
        return left
    if training_class.refund_rule == RefundRule.FULL_UNTIL_DEADLINE:
        deadline = training_class.starts_on - timedelta(days=training_class.refund_deadline_days)
        return left if now.astimezone(SHANGHAI).date() < deadline else 0
    return 0


def payment_of(session: Session, enrollment_id: int) -> Payment | None:
    """The latest payment record of an enrollment."""
    return session.scalar(select(Payment).where(Payment.purpose == PURPOSE, Payment.reference_id == enrollment_id)
                          .order_by(Payment.id.desc()).limit(1))


def tell(session: Session, user: User, subject: str, body: str) -> None:
    if user.contact:
        queue_message(session, recipient=user.contact, subject=subject, body=body)


def class_name(training_class: TrainingClass) -> str:
    return f"{training_class.course.title} · {training_class.title}"



@dataclass(frozen=True)
class Settings:
    """What the edges pass in from configuration."""

    hold_minutes: int = 30
    online: bool = False     # Stripe is configured: new payments are Stripe payments

def lock_enrollment(session: Session, enrollment_id: int) -> Enrollment | None:
    """The enrollment, row-locked on PostgreSQL and read afresh (its eager join cannot be locked)."""
    if session.scalar(select(Enrollment.id).where(Enrollment.id == enrollment_id).with_for_update()) is None:
        return None
    enrollment = session.get(Enrollment, enrollment_id)
    session.refresh(enrollment)
    return enrollment
