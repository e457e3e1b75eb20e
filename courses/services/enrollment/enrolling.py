"""Enrolling: a confirmed place, a held place awaiting payment, or the waiting list."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.models import User
from app.errors import Conflict, Forbidden, NotFound
from app.i18n import SHANGHAI
from app.money import format_money
from app.notify import speaking_to
from app.payments import services as payments
from app.payments.models import PaymentMethod
from courses.models import (
    ClassStatus,
    Enrollment,
    EnrollmentStatus,
    TrainingClass,
)
from courses.pricing import price_for
from courses.services.enrollment.rules import (
    PURPOSE,
    Settings,
    class_name,
    class_started,
    enrollment_open,
    is_verified_member,
    take_seat,
    tell,
)


def hold_place(session: Session, enrollment: Enrollment, *, now: datetime, settings: Settings) -> None:
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
        hold_place(session, enrollment, now=now, settings=settings)
    session.flush()
    if enrollment.status == EnrollmentStatus.CONFIRMED:
        with speaking_to(actor):
            tell(session, actor, _("Enrollment confirmed"),
                  _("Your place in %(name)s is confirmed. The class starts on %(date)s.",
                    name=class_name(training_class), date=training_class.starts_on.isoformat()))
    elif enrollment.status == EnrollmentStatus.WAITLISTED:
        with speaking_to(actor):
            tell(session, actor, _("You are on the waiting list"),
                  _("%(name)s is full. We will tell you as soon as a place is free.", name=class_name(training_class)))
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
        hold_place(session, first, now=now, settings=settings)
        session.flush()
        with speaking_to(first.user):
            if first.status == EnrollmentStatus.CONFIRMED:
                body = _("A place in %(name)s became free and is yours: your enrollment is confirmed.",
                         name=class_name(training_class))
            else:
                body = _("A place in %(name)s became free and is held for you until %(time)s. Pay %(amount)s to keep it.",
                         name=class_name(training_class),
                         time=first.hold_expires_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                         amount=format_money(first.amount_due, first.currency))
            tell(session, first.user, _("A place is free for you"), body)
        promoted.append(first)
