"""Enrollment pages: enroll, the enrollment page (pay, cancel), the provider's roster per class."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import Role, allow
from app.db import get_session, utcnow
from app.forms import perform
from app.money import format_money
from app.payments import services as payments
from app.payments.gateway import current_gateway
from courses.forms.enrollment import (
    CancelClassForm,
    CancelEnrollmentForm,
    EnrollForm,
    OfflinePaymentForm,
    OfflineRefundForm,
)
from courses.models import Enrollment, EnrollmentStatus, TrainingClass
from courses.permissions import can_manage_course
from courses.queries import enrollment as queries
from courses.services import enrollment as service
from courses.tasks import enrollment_settings
from courses.views import bp


@bp.app_context_processor
def _enrollment_helpers():
    def viewer_enrollment(class_id: int) -> Enrollment | None:
        """The signed-in viewer's active enrollment in a class (for the enroll box)."""
        if not current_user.is_authenticated:
            return None
        return queries.get_active_enrollment(get_session(), user_id=current_user.id, class_id=class_id)

    def enrollment_open(training_class: TrainingClass) -> bool:
        return service.enrollment_open(training_class, utcnow())

    return {"viewer_enrollment": viewer_enrollment, "enrollment_open": enrollment_open,
            "enroll_form": EnrollForm}


def enroll_and_open_checkout(session, class_id: int) -> Enrollment:
    """Enroll; a held seat gets its online checkout at once (when Stripe is set up)."""
    now = utcnow()
    enrollment = service.enroll(session, actor=current_user, class_id=class_id, now=now,
                                settings=enrollment_settings())
    payment = service.payment_of(session, enrollment.id)
    if enrollment.status == EnrollmentStatus.PENDING_PAYMENT and payment is not None and payment.amount:
        payments.open_checkout(session, actor=current_user, payment_id=payment.id, gateway=current_gateway(),
                               now=now)
    return enrollment


@bp.post("/classes/<int:class_id>/enroll")
@allow(Role.WORKER)
def enroll(class_id: int):
    form = EnrollForm()
    if not form.validate_on_submit():
        abort(400)
    ok, enrollment = perform(lambda session: enroll_and_open_checkout(session, class_id))
    if not ok:
        return redirect(url_for("courses.class_detail", class_id=class_id))
    messages = {
        EnrollmentStatus.CONFIRMED: (_("You are enrolled. See you in class!"), "success"),
        EnrollmentStatus.PENDING_PAYMENT: (_("Your seat is held. Pay before the time runs out to keep it."), "info"),
        EnrollmentStatus.WAITLISTED: (_("The class is full; you are on the waiting list."), "info"),
    }
    flash(*messages[enrollment.status])
    return redirect(url_for("courses.enrollment_detail", enrollment_id=enrollment.id))


@bp.get("/enrollments/<int:enrollment_id>")
@allow(Role.WORKER)
def enrollment_detail(enrollment_id: int):
    enrollment = queries.get_own_enrollment(get_session(), actor=current_user, enrollment_id=enrollment_id)
    session = get_session()
    now = utcnow()
    payment = service.payment_of(session, enrollment.id)
    stripe = current_gateway()
    checkout = payments.checkout_of(payment, stripe)
    return render_template(
        "courses/enrollment/detail.html", enrollment=enrollment, training_class=enrollment.training_class,
        course=enrollment.training_class.course, payment=payment, stripe=stripe, checkout=checkout,
        refund=service.refund_due(enrollment, payment, now),
        can_cancel=enrollment.status in service.OPEN and not service.class_started(enrollment.training_class, now),
        cancel_form=CancelEnrollmentForm())


@bp.post("/enrollments/<int:enrollment_id>/cancel")
@allow(Role.WORKER)
def cancel_enrollment(enrollment_id: int):
    queries.get_own_enrollment(get_session(), actor=current_user, enrollment_id=enrollment_id)
    form = CancelEnrollmentForm()
    if not form.validate_on_submit():
        abort(400)
    ok, result = perform(lambda session: service.cancel_enrollment(
        session, actor=current_user, enrollment_id=enrollment_id, now=utcnow(), settings=enrollment_settings(),
        gateway=current_gateway(), reason=form.reason.data or ""))
    if ok:
        _enrollment, refunded = result
        if refunded:
            flash(_("Cancelled. %(amount)s will be refunded.", amount=format_money(refunded)), "success")
        else:
            flash(_("Cancelled."), "success")
    return redirect(url_for("courses.enrollment_detail", enrollment_id=enrollment_id))


# --- provider ------------------------------------------------------------------------------------

@bp.get("/provider/classes/<int:class_id>/enrollments")
@allow(Role.PROVIDER_ADMIN)
def class_enrollments(class_id: int):
    training_class = queries.get_managed_class(get_session(), actor=current_user, class_id=class_id)
    session = get_session()
    roster = queries.list_class_roster(session, class_id)
    return render_template("courses/enrollment/roster.html", training_class=training_class,
                           course=training_class.course, roster=roster, pending_refunds=queries.pending_refunds,
                           offline_form=OfflinePaymentForm(), refund_form=OfflineRefundForm(),
                           cancel_form=CancelClassForm())


@bp.post("/provider/enrollments/<int:enrollment_id>/offline-payment")
@allow(Role.PROVIDER_ADMIN)
def confirm_offline_payment(enrollment_id: int):
    session = get_session()
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None or not can_manage_course(current_user, enrollment.training_class.course):
        abort(404)
    form = OfflinePaymentForm()
    payment = service.payment_of(session, enrollment_id)
    if not form.validate_on_submit():
        flash(_("Give the bank slip or receipt number."), "error")
    elif payment is None:
        flash(_("This enrollment has nothing to pay."), "error")
    elif perform(lambda session: payments.record_offline_payment(
            session, actor=current_user, payment_id=payment.id, reference=form.reference.data, now=utcnow(),
            gateway=current_gateway())).ok:
        flash(_("Payment recorded; %(name)s is confirmed.", name=enrollment.user.name), "success")
    return redirect(url_for("courses.class_enrollments", class_id=enrollment.class_id))


@bp.post("/provider/refunds/<int:refund_id>/paid")
@allow(Role.PROVIDER_ADMIN)
def record_offline_refund(refund_id: int):
    form = OfflineRefundForm()
    if not form.validate_on_submit():
        abort(400)
    ok, refund = perform(lambda session: payments.record_offline_refund(
        session, actor=current_user, refund_id=refund_id, now=utcnow()))
    if not ok:
        return redirect(url_for("courses.provider_courses"))
    enrollment = get_session().get(Enrollment, refund.payment.reference_id)
    flash(_("Refund recorded."), "success")
    return redirect(url_for("courses.class_enrollments", class_id=enrollment.class_id))


@bp.post("/provider/classes/<int:class_id>/cancel")
@allow(Role.PROVIDER_ADMIN)
def cancel_class(class_id: int):
    training_class = queries.get_managed_class(get_session(), actor=current_user, class_id=class_id)
    form = CancelClassForm()
    if form.validate_on_submit():
        if perform(lambda session: service.cancel_class(
                session, actor=current_user, class_id=class_id, reason=form.reason.data, now=utcnow(),
                gateway=current_gateway())).ok:
            flash(_("The class is cancelled; everyone has been told and refunds are on their way."), "success")
    else:
        flash(_("Tell the participants why the class is cancelled."), "error")
    return redirect(url_for("courses.class_enrollments", class_id=training_class.id))
