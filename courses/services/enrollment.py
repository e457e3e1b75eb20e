"""Enrollment: seats, holds, waitlist, cancellation, refunds and reminders.

Seats are counted in ``TrainingClass.seats_taken`` and change only through the atomic
conditional UPDATEs :func:`take_seat` / :func:`free_seat` (on PostgreSQL the row lock
serialises racers; on SQLite the write lock does). The partial unique index on enrollments
is the backstop against a worker holding two active places in one class.

Payments for enrollments use the purpose ``"enrollment"``. Late or out-of-order payment news:

- success for a pending enrollment → confirmed;
- success for an enrollment whose hold expired (or that was cancelled unpaid) → the seat is
  taken again if one is free and the class is still open, else the money is refunded in full
  automatically and the worker is told;
- failure after success → nothing (the payment's status guard ignores it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.models import User
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.i18n import SHANGHAI
from app.membership.queries import get_profile
from app.money import format_money
from app.notify import queue_message
from app.payments import services as payments
from app.payments.gateway import StripeGateway
from app.payments.models import Payment, PaymentMethod, PaymentStatus
from courses.models import (
    ClassStatus,
    Enrollment,
    EnrollmentStatus,
    RefundRule,
    ReminderLog,
    TrainingClass,
)
from courses.permissions import can_manage_course
from courses.pricing import price_for

PURPOSE = "enrollment"
OPEN = (EnrollmentStatus.PENDING_PAYMENT, EnrollmentStatus.CONFIRMED, EnrollmentStatus.WAITLISTED)


# --- seats -------------------------------------------------------------------------------------

def take_seat(session: Session, class_id: int) -> bool:
    """Take one seat if one is free (atomic conditional UPDATE); False when the class is full."""
    result = session.execute(
        update(TrainingClass).where(TrainingClass.id == class_id, TrainingClass.seats_taken < TrainingClass.capacity)
        .values(seats_taken=TrainingClass.seats_taken + 1).execution_options(synchronize_session=False))
    _expire_seats(session, class_id)
    return result.rowcount == 1


def free_seat(session: Session, class_id: int) -> None:
    """Give one seat back (never below zero)."""
    session.execute(
        update(TrainingClass).where(TrainingClass.id == class_id, TrainingClass.seats_taken > 0)
        .values(seats_taken=TrainingClass.seats_taken - 1).execution_options(synchronize_session=False))
    _expire_seats(session, class_id)


def _expire_seats(session: Session, class_id: int) -> None:
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


def _tell(session: Session, user: User, subject: str, body: str) -> None:
    if user.contact:
        queue_message(session, recipient=user.contact, subject=subject, body=body)


def _class_name(training_class: TrainingClass) -> str:
    return f"{training_class.course.title} · {training_class.title}"


# --- enrolling -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    """What the edges pass in from configuration."""

    hold_minutes: int = 30
    online: bool = False     # Stripe is configured: new payments are Stripe payments


def _hold_place(session: Session, enrollment: Enrollment, *, now: datetime, settings: Settings) -> None:
    """Give an enrollment that just got a seat its payment: free → confirmed, else held for payment."""
    training_class = enrollment.training_class
    payment = payments.create_payment(
        session, purpose=PURPOSE, reference_id=enrollment.id, payer_id=enrollment.user_id,
        payee_org_id=training_class.course.provider_id, amount=enrollment.amount_due, currency=enrollment.currency,
        online=settings.online, now=now)
    if payment.method == PaymentMethod.FREE:
        enrollment.status = EnrollmentStatus.CONFIRMED
        enrollment.confirmed_at = now
        enrollment.hold_expires_at = None
    else:
        enrollment.status = EnrollmentStatus.PENDING_PAYMENT
        enrollment.hold_expires_at = now + timedelta(minutes=settings.hold_minutes)


def enroll(session: Session, *, actor: User, class_id: int, now: datetime, settings: Settings) -> Enrollment:
    """Enroll the actor: confirmed (free), pending_payment (seat held) or waitlisted (full).

    Raises NotFound (no such public class), Conflict ``class_closed`` / ``already_enrolled``,
    Forbidden ``membership_required``.
    """
    training_class = session.get(TrainingClass, class_id)
    if training_class is None or not training_class.course.is_public:
        raise NotFound(_("No such class."))
    if not enrollment_open(training_class, now):
        raise Conflict(_("Enrollment for this class is closed."), code="class_closed")
    verified = is_verified_member(session, actor.id)
    if training_class.requires_membership and not verified:
        raise Forbidden(_("This class is for verified union members. Link your membership first."),
                        code="membership_required")
    price = price_for(training_class, is_verified_member=verified)
    enrollment = Enrollment(class_id=class_id, user_id=actor.id, status=EnrollmentStatus.WAITLISTED,
                            amount_due=price.amount, currency=price.currency, price_kind=price.kind, created_at=now)
    try:
        with session.begin_nested():   # the partial unique index is the backstop for double clicks
            session.add(enrollment)
            session.flush()
    except IntegrityError:
        raise Conflict(_("You are already enrolled in this class."), code="already_enrolled") from None
    if take_seat(session, class_id):
        _hold_place(session, enrollment, now=now, settings=settings)
    session.flush()
    if enrollment.status == EnrollmentStatus.CONFIRMED:
        _tell(session, actor, _("Enrollment confirmed"),
              _("Your place in %(name)s is confirmed. The class starts on %(date)s.",
                name=_class_name(training_class), date=training_class.starts_on.isoformat()))
    elif enrollment.status == EnrollmentStatus.WAITLISTED:
        _tell(session, actor, _("You are on the waiting list"),
              _("%(name)s is full. We will tell you as soon as a place is free.", name=_class_name(training_class)))
    return enrollment


def promote_waitlist(session: Session, *, class_id: int, now: datetime, settings: Settings) -> list[Enrollment]:
    """Give free seats to the earliest waitlisted workers and tell them (confirmed or held for payment)."""
    training_class = session.get(TrainingClass, class_id)
    promoted: list[Enrollment] = []
    if training_class is None or training_class.status != ClassStatus.SCHEDULED or class_started(training_class, now):
        return promoted
    while True:
        query = (select(Enrollment).where(Enrollment.class_id == class_id,
                                          Enrollment.status == EnrollmentStatus.WAITLISTED)
                 .order_by(Enrollment.created_at, Enrollment.id).limit(1))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=Enrollment)
        first = session.scalar(query)
        if first is None or not take_seat(session, class_id):
            return promoted
        _hold_place(session, first, now=now, settings=settings)
        session.flush()
        if first.status == EnrollmentStatus.CONFIRMED:
            body = _("A place in %(name)s became free and is yours: your enrollment is confirmed.",
                     name=_class_name(training_class))
        else:
            body = _("A place in %(name)s became free and is held for you until %(time)s. Pay %(amount)s to keep it.",
                     name=_class_name(training_class),
                     time=first.hold_expires_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                     amount=format_money(first.amount_due, first.currency))
        _tell(session, first.user, _("A place is free for you"), body)
        promoted.append(first)


# --- cancelling ----------------------------------------------------------------------------------

def _close_payment(session: Session, enrollment: Enrollment, *, refund_amount: int | None, reason: str,
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


def lock_enrollment(session: Session, enrollment_id: int) -> Enrollment | None:
    """The enrollment, row-locked on PostgreSQL and read afresh (its eager join cannot be locked)."""
    if session.scalar(select(Enrollment.id).where(Enrollment.id == enrollment_id).with_for_update()) is None:
        return None
    enrollment = session.get(Enrollment, enrollment_id)
    session.refresh(enrollment)
    return enrollment


def _load_enrollment(session: Session, enrollment_id: int) -> Enrollment:
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
    enrollment = _load_enrollment(session, enrollment_id)
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
    refunded = _close_payment(session, enrollment, refund_amount=refund, reason="cancelled by worker", now=now,
                              gateway=gateway)
    session.flush()
    if held_seat:
        free_seat(session, training_class.id)
        promote_waitlist(session, class_id=training_class.id, now=now, settings=settings)
    body = _("Your enrollment in %(name)s is cancelled.", name=_class_name(training_class))
    if refunded:
        body += " " + _("%(amount)s will be refunded.", amount=format_money(refunded, enrollment.currency))
    _tell(session, actor, _("Enrollment cancelled"), body)
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
        refunded = _close_payment(session, enrollment, refund_amount=None, reason="class cancelled", now=now,
                                  gateway=gateway)
        body = _("%(name)s has been cancelled by the provider: %(reason)s", name=_class_name(training_class),
                 reason=reason)
        if refunded:
            body += " " + _("%(amount)s will be refunded.", amount=format_money(refunded, enrollment.currency))
        _tell(session, enrollment.user, _("Class cancelled"), body)
    session.execute(update(TrainingClass).where(TrainingClass.id == class_id).values(seats_taken=0)
                    .execution_options(synchronize_session=False))
    _expire_seats(session, class_id)
    session.flush()
    from courses.services.shelf import refresh_course_listing

    refresh_course_listing(session, training_class.course_id, now=now)
    return training_class


# --- periodic jobs -------------------------------------------------------------------------------

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
        _tell(session, enrollment.user, _("Your held place was released"),
              _("The time to pay for %(name)s ran out, so the place went to someone else.",
                name=_class_name(enrollment.training_class)))
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
        _tell(session, user, _("Your class starts tomorrow"),
              _("%(name)s starts tomorrow (%(date)s) at %(where)s.", name=_class_name(training_class),
                date=training_class.starts_on.isoformat(), where=where))
        sent += 1
    return sent


# --- payment handlers ------------------------------------------------------------------------------

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
        _tell(session, enrollment.user, _("Payment received"),
              _("We received %(amount)s for %(name)s. Your place is confirmed.",
                amount=format_money(payment.amount, payment.currency), name=_class_name(training_class)))
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
            _tell(session, enrollment.user, _("Payment received"),
                  _("Your payment for %(name)s arrived after the hold ran out, but a place was still free: "
                    "your place is confirmed.", name=_class_name(training_class)))
            return
    payments.refund_payment(session, payment_id=payment.id, reason="late payment", now=now)
    _tell(session, enrollment.user, _("Payment refunded"),
          _("Your payment of %(amount)s for %(name)s arrived after your place was released and no place is free. "
            "It will be refunded in full.", amount=format_money(payment.amount, payment.currency),
            name=_class_name(training_class)))


class _NoSeat(Exception):
    pass


def _on_refunded(session: Session, payment: Payment, now: datetime) -> None:
    """Tell the worker their refund went through."""
    enrollment = session.get(Enrollment, payment.reference_id)
    if enrollment is not None:
        _tell(session, enrollment.user, _("Refund completed"),
              _("%(amount)s for %(name)s has been refunded.", amount=format_money(payment.refunded_amount,
                                                                                  payment.currency),
                name=_class_name(enrollment.training_class)))


payments.register_purpose(PURPOSE, succeeded=_on_paid, refunded=_on_refunded)
