"""Enrollment API: enroll, my enrollments, cancel; providers: roster, offline payments, class cancellation."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from app.access import Role, allow
from app.api import PageQuery, created, endpoint, page_of, parse_body, parse_query
from app.db import get_session, utcnow
from app.errors import Conflict, NotFound
from app.money import money_json
from app.payments import services as payments
from app.payments.gateway import current_gateway
from app.payments.models import Payment
from courses.api import bp
from courses.models import Enrollment, EnrollmentStatus
from courses.permissions import can_manage_course
from courses.queries import enrollment as queries
from courses.schemas.enrollment import (
    CancelClassIn,
    CancelIn,
    CancelOut,
    ClassCancelled,
    EnrollmentCreated,
    EnrollmentOut,
    EnrollmentPage,
    OfflinePaymentIn,
    RosterPage,
)
from courses.services import enrollment as service
from courses.tasks import enrollment_settings


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def payment_json(payment: Payment | None, enrollment: Enrollment, *, with_secret: bool) -> dict | None:
    if payment is None:
        return None
    checkout = payments.checkout_of(payment, current_gateway()) if with_secret else None
    return {
        "id": payment.id, "status": payment.status, "method": payment.method,
        "amount": money_json(payment.amount, payment.currency),
        "client_secret": checkout.client_secret if checkout else None,
        "publishable_key": checkout.publishable_key if checkout else None,
        "hold_expires_at": _iso(enrollment.hold_expires_at) if enrollment.status == EnrollmentStatus.PENDING_PAYMENT
        else None,
        "offline_reference": payment.offline_reference or None,
        "refunded": money_json(payment.refunded_amount, payment.currency),
    }


def enrollment_json(enrollment: Enrollment, payment: Payment | None, *, now, with_secret: bool = False) -> dict:
    tc = enrollment.training_class
    return {
        "id": enrollment.id, "status": enrollment.status,
        "class": {"id": tc.id, "title": tc.title, "course_id": tc.course_id, "course_title": tc.course.title,
                  "starts_on": tc.starts_on.isoformat(), "ends_on": tc.ends_on.isoformat(), "status": tc.status},
        "price": money_json(enrollment.amount_due, enrollment.currency), "price_kind": enrollment.price_kind,
        "hold_expires_at": _iso(enrollment.hold_expires_at), "created_at": _iso(enrollment.created_at),
        "confirmed_at": _iso(enrollment.confirmed_at), "cancelled_at": _iso(enrollment.cancelled_at),
        "refund_if_cancelled_now": money_json(service.refund_due(enrollment, payment, now), enrollment.currency)
        if enrollment.status in service.OPEN else None,
        "payment": payment_json(payment, enrollment, with_secret=with_secret),
    }


def _open_checkout(session, enrollment: Enrollment, payment: Payment | None, now) -> Payment | None:
    """A held seat gets its online checkout at once, through the one checkout service."""
    if payment is None or enrollment.status != EnrollmentStatus.PENDING_PAYMENT or not payment.amount:
        return payment
    return payments.open_checkout(session, actor=current_user, payment_id=payment.id, gateway=current_gateway(),
                                  now=now).payment


@bp.post("/classes/<int:class_id>/enrollments")
@allow(Role.WORKER)
@endpoint("Enroll in a class: confirmed, pending_payment (with payment details) or waitlisted",
          response=EnrollmentCreated, status=201, errors=(404, 409, 502), tags=("enrollment",))
def create_enrollment(class_id: int):
    session = get_session()
    now = utcnow()
    enrollment = service.enroll(session, actor=current_user, class_id=class_id, now=now,
                                settings=enrollment_settings())
    payment = _open_checkout(session, enrollment, service.payment_of(session, enrollment.id), now)
    session.commit()
    body = {"id": enrollment.id, "status": enrollment.status}
    if enrollment.status == EnrollmentStatus.PENDING_PAYMENT:
        body["payment"] = payment_json(payment, enrollment, with_secret=True)
    return created(body)


@bp.get("/me/enrollments")
@allow(Role.WORKER)
@endpoint("The caller's enrollments, newest first", query=PageQuery, response=EnrollmentPage,
          tags=("enrollment",))
def my_enrollments():
    args = parse_query(PageQuery)
    session = get_session()
    rows, total = queries.list_my_enrollments(session, user_id=current_user.id, page=args.page,
                                              per_page=args.per_page)
    found = queries.payments_by_enrollment(session, [e.id for e in rows])
    now = utcnow()
    return jsonify(page_of([enrollment_json(e, found.get(e.id), now=now) for e in rows], page=args.page,
                           per_page=args.per_page, total=total))


@bp.get("/enrollments/<int:enrollment_id>")
@allow(Role.WORKER)
@endpoint("One of the caller's enrollments, with its payment (and client secret once checkout is open: POST /api/v1/payments/{id}/checkout)",
          response=EnrollmentOut, errors=(404,), tags=("enrollment",))
def get_enrollment(enrollment_id: int):
    session = get_session()
    enrollment = queries.get_own_enrollment(session, actor=current_user, enrollment_id=enrollment_id)
    now = utcnow()
    payment = service.payment_of(session, enrollment.id)
    return jsonify(enrollment_json(enrollment, payment, now=now, with_secret=True))


@bp.post("/enrollments/<int:enrollment_id>/cancel")
@allow(Role.WORKER)
@endpoint("Cancel the caller's enrollment before the class starts; refund by the class's rule",
          body=CancelIn, response=CancelOut, errors=(404, 409), tags=("enrollment",))
def cancel_enrollment(enrollment_id: int):
    data = parse_body(CancelIn)
    session = get_session()
    queries.get_own_enrollment(session, actor=current_user, enrollment_id=enrollment_id)
    enrollment, refunded = service.cancel_enrollment(session, actor=current_user, enrollment_id=enrollment_id,
                                                     now=utcnow(), settings=enrollment_settings(),
                                                     gateway=current_gateway(), reason=data.reason)
    session.commit()
    return jsonify({"id": enrollment.id, "status": enrollment.status,
                    "refund": money_json(refunded, enrollment.currency)})


# --- provider --------------------------------------------------------------------------------------

@bp.get("/classes/<int:class_id>/enrollments")
@allow(Role.PROVIDER_ADMIN)
@endpoint("The roster of a class with statuses and payments (its provider's admins)", query=PageQuery,
          response=RosterPage, errors=(404,), tags=("enrollment",))
def class_enrollments(class_id: int):
    args = parse_query(PageQuery)
    session = get_session()
    queries.get_managed_class(session, actor=current_user, class_id=class_id)
    rows = queries.list_class_roster(session, class_id, page=args.page, per_page=args.per_page)
    items = [{"id": e.id, "status": e.status, "user": {"id": e.user.id, "name": e.user.name},
              "price": money_json(e.amount_due, e.currency), "created_at": _iso(e.created_at),
              "payment": payment_json(p, e, with_secret=False)} for e, p in rows]
    return jsonify(page_of(items, page=args.page, per_page=args.per_page,
                           total=queries.count_class_roster(session, class_id)))


@bp.post("/enrollments/<int:enrollment_id>/offline-payment")
@allow(Role.PROVIDER_ADMIN)
@endpoint("Record money received offline (bank transfer, at the venue) for an enrollment",
          body=OfflinePaymentIn, response=EnrollmentOut, errors=(404, 409), tags=("enrollment",))
def offline_payment(enrollment_id: int):
    data = parse_body(OfflinePaymentIn)
    session = get_session()
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None or not can_manage_course(current_user, enrollment.training_class.course):
        raise NotFound("No such enrollment.")
    payment = service.payment_of(session, enrollment_id)
    if payment is None:
        raise Conflict("This enrollment has nothing to pay.", code="payment_not_open")
    now = utcnow()
    payments.record_offline_payment(session, actor=current_user, payment_id=payment.id, reference=data.reference,
                                    now=now, gateway=current_gateway())
    session.commit()
    session.refresh(enrollment)
    return jsonify(enrollment_json(enrollment, session.get(Payment, payment.id), now=now))


@bp.post("/classes/<int:class_id>/cancel")
@allow(Role.PROVIDER_ADMIN)
@endpoint("Cancel a whole class: everyone refunded in full and told", body=CancelClassIn,
          response=ClassCancelled, errors=(404, 409), tags=("enrollment",))
def cancel_class(class_id: int):
    data = parse_body(CancelClassIn)
    session = get_session()
    queries.get_managed_class(session, actor=current_user, class_id=class_id)
    training_class = service.cancel_class(session, actor=current_user, class_id=class_id, reason=data.reason,
                                          now=utcnow(), gateway=current_gateway())
    session.commit()
    return jsonify({"id": training_class.id, "status": training_class.status,
                    "cancel_reason": training_class.cancel_reason})
