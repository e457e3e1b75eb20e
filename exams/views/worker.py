"""Workers: sessions, booking, "My exams", tickets (page + PDF), appeals; proctors: check-in by QR."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.access import PUBLIC, Role, allow
from app.db import get_session, paginate, utcnow
from app.errors import DomainError
from app.forms import perform
from app.membership.models import MemberProfile
from exams import queries
from exams.config import hold_minutes
from exams.forms import AppealForm, BookForm, ButtonForm
from exams.models import BookingStatus, CertificateType, ExamBooking, ExamSession
from exams.services import booking as booking_service
from exams.services import grading
from exams.ticket_pdf import ticket_pdf as render_ticket_pdf
from exams.ticket_pdf import ticket_qr_svg
from exams.views import bp


@bp.app_context_processor
def _course_certificates():
    def certificate_types_for_course(course_id: int) -> list[CertificateType]:
        """The certificate types whose exams require this course (for the course page)."""
        return [t for t in queries.types_for_course(get_session(), course_id) if t.is_active]

    return {"certificate_types_for_course": certificate_types_for_course}


@bp.get("/exams")
@allow(PUBLIC)
def sessions():
    session = get_session()
    ctype = queries.find_type(session, request.args.get("type"))
    page = max(request.args.get("page", 1, type=int), 1)
    rows, total = paginate(session, queries.list_sessions(type_id=ctype.id if ctype else None,
                                                          starts_from=utcnow()), page=page, per_page=20)
    types = list(session.scalars(select(CertificateType).where(CertificateType.is_active.is_(True))
                                 .order_by(CertificateType.id)))
    return render_template("exams/sessions.html", rows=rows, total=total, page=page, types=types, current=ctype)


@bp.get("/exams/types/<int:type_id>")
@allow(PUBLIC)
def certificate_type(type_id: int):
    session = get_session()
    ctype = session.get(CertificateType, type_id)
    if ctype is None or not ctype.is_active:
        abort(404)
    from courses.models import Course

    course_ids = queries.required_courses(session, [ctype.id])[ctype.id]
    courses = list(session.scalars(select(Course).where(Course.id.in_(course_ids)))) if course_ids else []
    upcoming, _total = paginate(session, queries.list_sessions(type_id=ctype.id, starts_from=utcnow()), page=1,
                                per_page=10)
    return render_template("exams/type.html", ctype=ctype, courses=courses, upcoming=upcoming)


@bp.get("/exams/sessions/<int:exam_session_id>")
@allow(PUBLIC)
def session_detail(exam_session_id: int):
    session = get_session()
    exam_session = session.get(ExamSession, exam_session_id)
    if exam_session is None:
        abort(404)
    now = utcnow()
    reasons, mine = [], None
    if current_user.is_authenticated and current_user.has_role(Role.WORKER):
        reasons = booking_service.eligibility_reasons(session, user=current_user, exam_session=exam_session, now=now)
        mine = session.scalar(select(ExamBooking).where(ExamBooking.exam_session_id == exam_session.id,
                                                        ExamBooking.user_id == current_user.id,
                                                        ExamBooking.status.in_(booking_service.ACTIVE)))
    return render_template("exams/session.html", s=exam_session, reasons=reasons, mine=mine,
                           closed=booking_service.bookable(exam_session, now), form=BookForm())


@bp.post("/exams/sessions/<int:exam_session_id>/book")
@allow(Role.WORKER)
def book(exam_session_id: int):
    form = BookForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = perform(lambda s: booking_service.book_exam_seat(s, actor=current_user, exam_session_id=exam_session_id,
                                                               now=utcnow(), waitlist=form.waitlist.data))
    if not outcome.ok:
        return redirect(url_for("exams.session_detail", exam_session_id=exam_session_id))
    flash(_("Booked. Your admission ticket is ready.") if outcome.value.seat_no else
          _("You are on the waiting list."))
    return redirect(url_for("exams.ticket", booking_id=outcome.value.id) if outcome.value.seat_no
                    else url_for("exams.my_exams"))


@bp.get("/exams/my")
@allow(Role.WORKER)
def my_exams():
    session = get_session()
    bookings = list(session.scalars(queries.list_my_bookings(current_user.id).limit(50)))
    attempts = queries.attempts_by_booking(session, [b.id for b in bookings])
    results = list(session.scalars(queries.list_my_results(current_user.id).limit(50)))
    appeals = queries.appeals_by_result(session, [r.id for r in results])
    steps = {r.id: grading.next_steps(session, r) for r in results}
    payments = {b.id: booking_service.payment_of(session, b.id) for b in bookings if b.amount_due}
    hold = hold_minutes()
    pay_by = {b.id: booking_service.hold_expires_at(payments[b.id], hold) for b in bookings
              if b.status == BookingStatus.PENDING_PAYMENT and payments.get(b.id)}
    return render_template("exams/my_exams.html", bookings=bookings, attempts=attempts, results=results,
                           appeals=appeals, steps=steps, payments=payments, pay_by=pay_by, now=utcnow(),
                           form=ButtonForm(),
                           appeal_form=AppealForm())


@bp.post("/exams/bookings/<int:booking_id>/cancel")
@allow(Role.WORKER)
def cancel(booking_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    if perform(lambda s: booking_service.cancel_booking(s, actor=current_user, booking_id=booking_id,
                                                        now=utcnow())).ok:
        flash(_("Your booking is cancelled."))
    return redirect(url_for("exams.my_exams"))


@bp.post("/exams/results/<int:result_id>/appeal")
@allow(Role.WORKER)
def appeal(result_id: int):
    form = AppealForm()
    if not form.validate_on_submit():
        flash(_("Say why you appeal."), "error")
    elif perform(lambda s: grading.file_appeal(s, actor=current_user, result_id=result_id, reason=form.reason.data,
                                               now=utcnow())).ok:
        flash(_("Your appeal is filed: an examiner who did not mark your work will re-mark it."))
    return redirect(url_for("exams.my_exams"))


def _own_booking(booking_id: int) -> ExamBooking:
    booking = get_session().get(ExamBooking, booking_id)
    if booking is None or booking.user_id != current_user.id:
        abort(404)
    return booking


def _ticket_facts(booking: ExamBooking) -> dict:
    profile = get_session().scalar(select(MemberProfile).where(MemberProfile.user_id == booking.user_id))
    check_in_url = url_for("exams.check_in", token=booking.ticket_token, _external=True)
    return {"name": (profile.real_name if profile else None) or booking.user.name,
            "id_masked": profile.id_masked if profile else "—", "check_in_url": check_in_url}


@bp.get("/exams/bookings/<int:booking_id>/ticket")
@allow(Role.WORKER)
def ticket(booking_id: int):
    booking = _own_booking(booking_id)
    facts = _ticket_facts(booking)
    return render_template("exams/ticket.html", b=booking, s=booking.exam_session, facts=facts,
                           qr=ticket_qr_svg(facts["check_in_url"]))


@bp.get("/exams/bookings/<int:booking_id>/ticket.pdf")
@allow(Role.WORKER)
def ticket_pdf(booking_id: int):
    booking = _own_booking(booking_id)
    if not booking.seat_no:
        abort(404)
    pdf = render_ticket_pdf(booking, **_ticket_facts(booking))
    return pdf, 200, {"Content-Type": "application/pdf",
                      "Content-Disposition": f'inline; filename="ticket-{booking.id}.pdf"'}


@bp.route("/exams/check-in/<token>", methods=["GET", "POST"])
@allow(Role.INSTRUCTOR, Role.UNION_ADMIN)
def check_in(token: str):
    session = get_session()
    booking = session.scalar(select(ExamBooking).where(ExamBooking.ticket_token == token))
    if booking is None or not booking_service.is_proctor(current_user, booking.exam_session):
        abort(404)
    form = ButtonForm()
    error = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            booking_service.check_in(session, actor=current_user, ticket_token=token, now=utcnow())
            session.commit()
            flash(_("Checked in."))
            return redirect(url_for("exams.check_in", token=token))
        except DomainError as exc:
            session.rollback()
            error = exc.message
    return render_template("exams/check_in.html", b=booking, s=booking.exam_session, facts=_ticket_facts(booking),
                           form=form, error=error)
