"""Union admins: certificate types and rules, the question bank (import/export), papers, sessions
(staff, attendance, release, pass rates, XLSX export)."""

from __future__ import annotations

import io
from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from openpyxl import Workbook
from sqlalchemy import select

from app.access import Role, allow
from app.auth.models import RoleGrant, User
from app.db import get_session, paginate, utcnow
from app.errors import Invalid
from app.forms import perform, submit
from app.i18n import SHANGHAI, local_time
from exams import queries
from exams.forms import (
    AllowanceForm,
    ButtonForm,
    CertificateTypeForm,
    ImportForm,
    PaperForm,
    QuestionImageForm,
    SessionForm,
    StaffForm,
)
from exams.models import (
    Attempt,
    CertificateType,
    ComponentResult,
    ExamBooking,
    ExamPaper,
    ExamSession,
    Question,
)
from exams.services import bank, grading, images, papers
from exams.services import booking as booking_service
from exams.services import sessions as session_service
from exams.services import types as type_service
from exams.views import bp
from instructors.models import BookingPurpose
from instructors.queries.examiners import rank_examiners

KINDS = ("theory", "practical", "panel")


@bp.get("/exams/admin/types")
@allow(Role.UNION_ADMIN)
def admin_types():
    session = get_session()
    types = list(session.scalars(select(CertificateType).order_by(CertificateType.id)))
    return render_template("exams/admin_types.html", types=types)


def _fill_type_form(form: CertificateTypeForm, ctype: CertificateType, course_ids: list[int]) -> None:
    for name in ("code", "name_zh", "name_en", "level", "description", "validity_months", "review_every_months",
                 "review_training_hours", "auto_issue", "requires_membership", "appeal_days"):
        getattr(form, name).data = getattr(ctype, name)
    form.exam_fee_yuan.data = ctype.exam_fee // 100
    form.course_ids.data = ", ".join(str(i) for i in course_ids)
    for kind in KINDS:
        component = ctype.component(kind)
        getattr(form, f"{kind}_enabled").data = component is not None
        if component is not None:
            for name in ("max_score", "pass_mark", "duration_minutes", "retake_limit", "pass_valid_months",
                         "double_marking", "marking_tolerance"):
                getattr(form, f"{kind}_{name}").data = getattr(component, name)
            getattr(form, f"{kind}_requires_kind").data = component.requires_kind or ""


def _components_of(form: CertificateTypeForm) -> list[dict]:
    found = []
    for kind in KINDS:
        if getattr(form, f"{kind}_enabled").data:
            spec = {"kind": kind}
            for name in ("max_score", "pass_mark", "duration_minutes", "retake_limit", "pass_valid_months",
                         "marking_tolerance"):
                value = getattr(form, f"{kind}_{name}").data
                if value is not None:
                    spec[name] = value
            spec["requires_kind"] = getattr(form, f"{kind}_requires_kind").data or None
            spec["double_marking"] = bool(getattr(form, f"{kind}_double_marking").data)
            found.append(spec)
    return found


def _course_ids(text: str) -> list[int]:
    parts = [p.strip() for p in (text or "").replace("，", ",").split(",") if p.strip()]
    if any(not p.isdigit() for p in parts):
        raise Invalid(_("Course numbers are digits separated by commas."), field="course_ids")
    return [int(p) for p in parts]


@bp.route("/exams/admin/types/new", methods=["GET", "POST"], defaults={"type_id": None})
@bp.route("/exams/admin/types/<int:type_id>", methods=["GET", "POST"])
@allow(Role.UNION_ADMIN)
def admin_type(type_id: int | None):
    session = get_session()
    ctype = session.get(CertificateType, type_id) if type_id else None
    if type_id and ctype is None:
        abort(404)
    form = CertificateTypeForm()
    if request.method == "GET" and ctype is not None:
        _fill_type_form(form, ctype, queries.required_courses(session, [ctype.id])[ctype.id])
    if form.validate_on_submit():
        def save(s):
            saved = type_service.save_certificate_type(
                s, actor=current_user, now=utcnow(), type_id=type_id, code=form.code.data,
                values={"name_zh": form.name_zh.data, "name_en": form.name_en.data or "",
                        "level": form.level.data or "", "description": form.description.data or "",
                        "validity_months": form.validity_months.data,
                        "review_every_months": form.review_every_months.data,
                        "review_training_hours": form.review_training_hours.data or 0,
                        "auto_issue": form.auto_issue.data, "exam_fee": (form.exam_fee_yuan.data or 0) * 100,
                        "requires_membership": form.requires_membership.data,
                        "appeal_days": form.appeal_days.data},
                components=_components_of(form))
            type_service.set_required_courses(s, actor=current_user, type_id=saved.id,
                                              course_ids=_course_ids(form.course_ids.data))
            return saved

        outcome = submit(form, save)
        if outcome.ok:
            flash(_("Saved."))
            return redirect(url_for("exams.admin_type", type_id=outcome.value.id))
    return render_template("exams/admin_type.html", ctype=ctype, form=form, kinds=KINDS)


# --- question bank ---------------------------------------------------------------------------------

def _type_or_404(type_id: int) -> CertificateType:
    ctype = get_session().get(CertificateType, type_id)
    if ctype is None:
        abort(404)
    return ctype


@bp.route("/exams/admin/types/<int:type_id>/bank", methods=["GET", "POST"])
@allow(Role.UNION_ADMIN)
def admin_bank(type_id: int):
    ctype = _type_or_404(type_id)
    session = get_session()
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not upload.filename:
            form.file.errors = [_("Upload an .xlsx or .csv file.")]
        else:
            outcome = submit(form, lambda s: bank.import_questions(s, actor=current_user, type_id=type_id,
                                                                  filename=upload.filename, data=upload.read(),
                                                                  now=utcnow()))
            report = outcome.value
    page = max(request.args.get("page", 1, type=int), 1)
    stmt = select(Question).where(Question.certificate_type_id == type_id).order_by(Question.id.desc())
    kp = request.args.get("kp", "")
    if kp:
        stmt = stmt.where(Question.knowledge_point == kp)
    rows, total = paginate(session, stmt, page=page, per_page=30)
    return render_template("exams/admin_bank.html", ctype=ctype, rows=rows, total=total, page=page, form=form,
                           report=report, kp=kp, image_form=QuestionImageForm())


@bp.post("/exams/admin/questions/<int:question_id>/image")
@allow(Role.UNION_ADMIN)
def admin_question_image(question_id: int):
    question = get_session().get(Question, question_id)
    if question is None:
        abort(404)
    form = QuestionImageForm()
    if form.validate_on_submit():
        upload = form.image.data
        if upload is None or not upload.filename:
            flash(_("Choose an image to upload."), "error")
        elif perform(lambda s: images.set_question_image(
                s, actor=current_user, question_id=question_id, content=upload.read(images.IMAGE_MAX_BYTES + 1),
                upload_folder=current_app.config["UPLOAD_FOLDER"], now=utcnow())).ok:
            flash(_("Image saved."))
    return redirect(url_for("exams.admin_bank", type_id=question.certificate_type_id, kp=request.args.get("kp") or None,
                            page=request.args.get("page", type=int)) + f"#q{question_id}")


@bp.get("/exams/admin/types/<int:type_id>/bank.<fmt>")
@allow(Role.UNION_ADMIN)
def admin_bank_export(type_id: int, fmt: str):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    _type_or_404(type_id)
    data = bank.export_questions(get_session(), type_id=type_id, fmt=fmt)
    mime = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return data, 200, {"Content-Type": mime, "Content-Disposition": f'attachment; filename="bank-{type_id}.{fmt}"'}


def _parse_blueprint(text: str) -> list[dict]:
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if len(parts) != 5 or not all(p.isdigit() for p in parts[2:]):
            raise Invalid(_("Line %(n)s: write type, knowledge point, difficulty, count, points.", n=number),
                          field="blueprint")
        rows.append({"kind": parts[0], "knowledge_point": parts[1], "difficulty": int(parts[2]),
                     "count": int(parts[3]), "points": int(parts[4])})
    return rows


def _parse_fixed(text: str) -> list[dict]:
    rows = []
    for part in (text or "").replace("，", ",").split(","):
        if not part.strip():
            continue
        qid, _sep, points = part.strip().partition(":")
        if not qid.strip().isdigit() or not points.strip().isdigit():
            raise Invalid(_("Write question numbers with points, e.g. 12:10, 15:20."), field="fixed")
        rows.append({"question_id": int(qid), "points": int(points)})
    return rows


@bp.route("/exams/admin/types/<int:type_id>/papers", methods=["GET", "POST"])
@allow(Role.UNION_ADMIN)
def admin_papers(type_id: int):
    ctype = _type_or_404(type_id)
    form = PaperForm()
    if form.validate_on_submit():
        outcome = submit(form, lambda s: papers.create_paper(
            s, actor=current_user, type_id=type_id, component_kind=form.component_kind.data, title=form.title.data,
            blueprint=_parse_blueprint(form.blueprint.data), fixed_questions=_parse_fixed(form.fixed.data),
            shuffle_options=form.shuffle_options.data, now=utcnow()))
        if outcome.ok:
            flash(_("Paper saved."))
            return redirect(url_for("exams.admin_papers", type_id=type_id))
    rows = list(get_session().scalars(select(ExamPaper).where(ExamPaper.certificate_type_id == type_id)
                                      .order_by(ExamPaper.id.desc())))
    return render_template("exams/admin_papers.html", ctype=ctype, rows=rows, form=form,
                           points={p.id: papers.paper_points(p) for p in rows})


# --- sessions ---------------------------------------------------------------------------------------

@bp.get("/exams/admin/sessions")
@allow(Role.UNION_ADMIN)
def admin_sessions():
    session = get_session()
    page = max(request.args.get("page", 1, type=int), 1)
    stmt = queries.list_sessions(include_all=True).order_by(None).order_by(ExamSession.starts_at.desc())
    rows, total = paginate(session, stmt, page=page, per_page=30)
    stats = queries.session_stats(session, [s.id for s in rows])
    return render_template("exams/admin_sessions.html", rows=rows, total=total, page=page, stats=stats,
                           rates=queries.pass_rates_by_type(session), now=utcnow())


def _local(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=SHANGHAI) if value else None


@bp.route("/exams/admin/sessions/new", methods=["GET", "POST"])
@allow(Role.UNION_ADMIN)
def admin_new_session():
    session = get_session()
    form = SessionForm()
    form.certificate_type_id.choices = [(t.id, t.name_zh) for t in session.scalars(
        select(CertificateType).where(CertificateType.is_active.is_(True)).order_by(CertificateType.id))]
    form.paper_id.choices = [(0, "—")] + [(p.id, f"{p.title} ({p.component_kind})") for p in session.scalars(
        select(ExamPaper).order_by(ExamPaper.id.desc()).limit(100))]
    if form.validate_on_submit():
        staffing = {k: v for k, v in {"min_proctors": form.min_proctors.data,
                                      "min_examiners": form.min_examiners.data}.items() if v is not None}
        if form.odd_examiners.data:
            staffing["odd_examiners"] = True
        values = {"certificate_type_id": form.certificate_type_id.data, "component": form.component.data,
                  "mode": form.mode.data, "paper_id": form.paper_id.data or None, "title": form.title.data,
                  "city": form.city.data, "venue": form.venue.data, "room": form.room.data,
                  "capacity": form.capacity.data, "starts_at": _local(form.starts_at.data),
                  "ends_at": _local(form.ends_at.data), "booking_opens_at": _local(form.booking_opens_at.data),
                  "booking_closes_at": _local(form.booking_closes_at.data),
                  "cancel_deadline_at": _local(form.cancel_deadline_at.data), "staffing": staffing}
        outcome = submit(form, lambda s: session_service.schedule_session(s, actor=current_user, now=utcnow(),
                                                                          values=values))
        if outcome.ok:
            flash(_("Session scheduled. Assign its proctors and examiners."))
            return redirect(url_for("exams.admin_session", exam_session_id=outcome.value.id))
    return render_template("exams/admin_new_session.html", form=form)


def _staff_choices(session) -> list[tuple[int, str]]:
    people = session.execute(select(User.id, User.name).join(RoleGrant, RoleGrant.user_id == User.id)
                             .where(RoleGrant.role.in_((Role.INSTRUCTOR, Role.UNION_ADMIN)))
                             .distinct().order_by(User.name).limit(500)).all()
    return [(uid, name) for uid, name in people]


def _session_or_404(exam_session_id: int) -> ExamSession:
    exam_session = get_session().get(ExamSession, exam_session_id)
    if exam_session is None:
        abort(404)
    return exam_session


@bp.get("/exams/admin/sessions/<int:exam_session_id>")
@allow(Role.UNION_ADMIN)
def admin_session(exam_session_id: int):
    session = get_session()
    exam_session = _session_or_404(exam_session_id)
    bookings = list(session.scalars(select(ExamBooking).where(ExamBooking.exam_session_id == exam_session_id)
                                    .order_by(ExamBooking.seat_no.is_(None), ExamBooking.seat_no,
                                              ExamBooking.created_at)))
    attempts = queries.attempts_by_booking(session, [b.id for b in bookings])
    results = {r.booking_id: r for r in session.scalars(select(ComponentResult).where(
        ComponentResult.exam_session_id == exam_session_id))}
    staff_form = StaffForm()
    staff_form.user_id.choices = _staff_choices(session)
    suggestions = rank_examiners(
        session, certificate_type_code=exam_session.certificate_type.code, level=exam_session.certificate_type.level
        or None, starts_at=exam_session.starts_at, ends_at=exam_session.ends_at,
        candidate_user_ids=[b.user_id for b in bookings], now=utcnow(),
        exclude_booking=(BookingPurpose.EXAM_SESSION, exam_session.id))
    # the best ten who can examine, and the first ten who cannot, with why (a long pool must not hide either)
    suggestions = [c for c in suggestions if c.eligible][:10] + [c for c in suggestions if not c.eligible][:10]
    return render_template("exams/admin_session.html", suggestions=suggestions, s=exam_session, bookings=bookings, attempts=attempts,
                           results=results, stats=queries.session_stats(session, [exam_session_id])[exam_session_id],
                           problems=session_service.staffing_problems(exam_session), staff_form=staff_form,
                           allowance_form=AllowanceForm(), form=ButtonForm(), now=utcnow(),
                           pending=grading.grading_pending(session, exam_session_id, utcnow()))


@bp.post("/exams/admin/sessions/<int:exam_session_id>/staff")
@allow(Role.UNION_ADMIN)
def admin_add_staff(exam_session_id: int):
    form = StaffForm()
    form.user_id.choices = _staff_choices(get_session())
    if form.validate_on_submit():
        perform(lambda s: session_service.assign_staff(s, actor=current_user, exam_session_id=exam_session_id,
                                                       user_id=form.user_id.data, role=form.role.data, now=utcnow()))
    return redirect(url_for("exams.admin_session", exam_session_id=exam_session_id))


@bp.post("/exams/admin/sessions/<int:exam_session_id>/staff/<int:user_id>/<role>/remove")
@allow(Role.UNION_ADMIN)
def admin_remove_staff(exam_session_id: int, user_id: int, role: str):
    if ButtonForm().validate_on_submit():
        perform(lambda s: session_service.remove_staff(s, actor=current_user, exam_session_id=exam_session_id,
                                                       user_id=user_id, role=role, now=utcnow()))
    return redirect(url_for("exams.admin_session", exam_session_id=exam_session_id))


@bp.post("/exams/admin/sessions/<int:exam_session_id>/allowance")
@allow(Role.UNION_ADMIN)
def admin_allowance(exam_session_id: int):
    form = AllowanceForm()
    if form.validate_on_submit():
        booking = get_session().get(ExamBooking, form.booking_id.data)
        if booking is None or booking.exam_session_id != exam_session_id:
            abort(404)
        if perform(lambda s: booking_service.grant_allowance(s, actor=current_user, booking_id=booking.id,
                                                             minutes=form.minutes.data, now=utcnow())).ok:
            flash(_("Extra time granted."))
    return redirect(url_for("exams.admin_session", exam_session_id=exam_session_id))


@bp.post("/exams/admin/sessions/<int:exam_session_id>/release")
@allow(Role.UNION_ADMIN)
def admin_release(exam_session_id: int):
    if ButtonForm().validate_on_submit():
        if perform(lambda s: grading.release_results(s, actor=current_user, exam_session_id=exam_session_id,
                                                     now=utcnow())).ok:
            flash(_("Results released."))
    return redirect(url_for("exams.admin_session", exam_session_id=exam_session_id))


@bp.post("/exams/admin/sessions/<int:exam_session_id>/cancel")
@allow(Role.UNION_ADMIN)
def admin_cancel_session(exam_session_id: int):
    if ButtonForm().validate_on_submit():
        if perform(lambda s: session_service.cancel_session(s, actor=current_user, exam_session_id=exam_session_id,
                                                            now=utcnow())).ok:
            flash(_("Session cancelled."))
    return redirect(url_for("exams.admin_session", exam_session_id=exam_session_id))


@bp.get("/exams/admin/sessions/<int:exam_session_id>/results.xlsx")
@allow(Role.UNION_ADMIN)
def admin_results_xlsx(exam_session_id: int):
    session = get_session()
    exam_session = _session_or_404(exam_session_id)
    rows = session.execute(select(ExamBooking, ComponentResult, Attempt)
                           .outerjoin(ComponentResult, ComponentResult.booking_id == ExamBooking.id)
                           .outerjoin(Attempt, Attempt.booking_id == ExamBooking.id)
                           .where(ExamBooking.exam_session_id == exam_session_id)
                           .order_by(ExamBooking.seat_no)).all()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("成绩")
    sheet.append(["座位号", "姓名", "手机", "报考状态", "签到时间", "匿名编号", "成绩", "是否合格", "缺考", "有效期至"])
    for booking, result, attempt in rows:
        sheet.append([booking.seat_no, booking.user.name, booking.user.phone or booking.user.email,
                      str(booking.status), local_time(booking.checked_in_at) if booking.checked_in_at else "",
                      attempt.anon_code if attempt else "", result.score if result else None,
                      ("合格" if result.passed else "不合格") if result else "", "是" if result and result.absent else "",
                      local_time(result.valid_until, "yyyy-MM-dd") if result and result.valid_until else ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), 200, {
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Disposition": f'attachment; filename="exam-session-{exam_session.id}-results.xlsx"'}

