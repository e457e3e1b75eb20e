"""JSON API of the exams domain (``/api/v1``): sessions, booking, attempts, grading, results."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from app.access import PUBLIC, Role, allow
from app.api import PageQuery, created, endpoint, page_of, parse_body, parse_query
from app.db import get_session, paginate, utcnow
from app.errors import DomainError, Invalid, NotFound
from app.money import money_json
from exams import queries
from exams.models import (
    Answer,
    Attempt,
    AttemptStatus,
    CertificateType,
    ExamBooking,
    ExamSession,
    Question,
    QuestionKind,
)
from exams.schemas import (
    AnswersIn,
    AppealIn,
    AppealOut,
    AttemptOut,
    BanIn,
    BanLiftIn,
    BanList,
    BanOut,
    BanQuery,
    BookingIn,
    BookingOut,
    BookingPage,
    CertificateTypePage,
    CheckInOut,
    ExamSessionOut,
    ExamSessionPage,
    GradeIn,
    GradeOut,
    GradingQueueOut,
    ImportReportOut,
    QuestionImageOut,
    QuestionIn,
    QuestionOut,
    ReleaseOut,
    ResultPage,
    SavedOut,
    SessionIn,
    SessionQuery,
)
from exams.services import attempts as attempt_service
from exams.services import bank, bans, grading, images
from exams.services import booking as booking_service
from exams.services import sessions as session_service
from exams.services.attempts import LETTERS, to_shown

bp = Blueprint("exams_api", __name__, url_prefix="/api/v1")
EXAMINER_ROLES = (Role.INSTRUCTOR,)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _image_url(q) -> str | None:
    return url_for("exams_api.question_image", question_id=q.id) if q.image else None


def type_ref(ctype: CertificateType) -> dict:
    return {"id": ctype.id, "code": ctype.code, "name": ctype.name_zh}


def session_json(s: ExamSession) -> dict:
    return {"id": s.id, "title": s.title, "certificate_type": type_ref(s.certificate_type),
            "component": s.component.kind, "mode": s.mode, "city": s.city, "venue": s.venue, "room": s.room,
            "starts_at": _iso(s.starts_at), "ends_at": _iso(s.ends_at), "capacity": s.capacity,
            "seats_left": s.seats_left, "booking_opens_at": _iso(s.booking_opens_at),
            "booking_closes_at": _iso(s.booking_closes_at), "cancel_deadline_at": _iso(s.cancel_deadline_at),
            "status": s.status, "fee": money_json(s.certificate_type.exam_fee, s.certificate_type.currency)}


def booking_json(b: ExamBooking, attempt: Attempt | None = None, payment=None) -> dict:
    return {"id": b.id, "status": b.status, "seat_no": b.seat_no, "exam_session": session_json(b.exam_session),
            "ticket_url": url_for("exams.ticket", booking_id=b.id),
            "ticket_pdf_url": url_for("exams.ticket_pdf", booking_id=b.id), "created_at": _iso(b.created_at),
            "payment": {"id": payment.id, "status": payment.status,
                        "amount": money_json(payment.amount, payment.currency)} if payment else None,
            "attempt_id": attempt.id if attempt else None}


def attempt_json(session, attempt: Attempt, now) -> dict:
    answers = list(session.scalars(select(Answer).where(Answer.attempt_id == attempt.id).order_by(Answer.position)))
    questions = []
    for a in answers:
        q = a.question
        options = [{"letter": LETTERS[i], "text": q.options[original]} for i, original in enumerate(a.option_order)]
        questions.append({"position": a.position, "kind": q.kind, "stem": q.stem, "options": options,
                          "points": a.points, "image": _image_url(q), "response": to_shown(a, a.response), "seq": a.seq})
    answered = sum(1 for a in answers if a.response)
    left = max(int((attempt.deadline_at - now).total_seconds()), 0) \
        if attempt.status == AttemptStatus.IN_PROGRESS else 0
    return {"id": attempt.id, "status": attempt.status, "exam_session_id": attempt.exam_session_id,
            "started_at": _iso(attempt.started_at), "deadline_at": _iso(attempt.deadline_at),
            "submitted_at": _iso(attempt.submitted_at), "time_left_seconds": left, "answered": answered,
            "unanswered": len(answers) - answered,
            "objective_score": attempt.objective_score if attempt.status != AttemptStatus.IN_PROGRESS else None,
            "questions": questions}


def result_json(session, r, appeal) -> dict:
    from datetime import timedelta

    return {"id": r.id, "certificate_type": type_ref(r.certificate_type), "component": r.component.kind,
            "exam_session_id": r.exam_session_id, "score": r.score, "max_score": r.component.max_score,
            "pass_mark": r.component.pass_mark, "passed": r.passed, "absent": r.absent, "sat_at": _iso(r.sat_at),
            "released_at": _iso(r.released_at), "valid_until": _iso(r.valid_until),
            "next_steps": grading.next_steps(session, r),
            "appeal_until": _iso(r.released_at + timedelta(days=r.certificate_type.appeal_days)),
            "appeal_status": appeal.status if appeal else None}


# --- certificate types and sessions -------------------------------------------------------------------

@bp.get("/certificate-types")
@allow(PUBLIC)
@endpoint("Certificate types with their exam rules and required training", query=PageQuery,
          response=CertificateTypePage, tags=("exams",))
def certificate_types():
    args = parse_query(PageQuery)
    session = get_session()
    rows, total = paginate(session, select(CertificateType).where(CertificateType.is_active.is_(True))
                           .order_by(CertificateType.id), page=args.page, per_page=args.per_page)
    courses = queries.required_courses(session, [t.id for t in rows])
    items = [{"id": t.id, "code": t.code, "name_zh": t.name_zh, "name_en": t.name_en, "level": t.level,
              "validity_months": t.validity_months, "review_every_months": t.review_every_months,
              "review_training_hours": t.review_training_hours, "exam_fee": money_json(t.exam_fee, t.currency),
              "components": [{"kind": c.kind, "max_score": c.max_score, "pass_mark": c.pass_mark,
                              "duration_minutes": c.duration_minutes, "retake_limit": c.retake_limit,
                              "pass_valid_months": c.pass_valid_months, "requires": c.requires_kind}
                             for c in t.components],
              "required_course_ids": courses[t.id]} for t in rows]
    return jsonify(page_of(items, page=args.page, per_page=args.per_page, total=total))


@bp.get("/exam-sessions")
@allow(PUBLIC)
@endpoint("Exam sessions, soonest first: ?certificate_type= (code or id), ?from=, ?to= (ISO 8601)",
          query=SessionQuery, response=ExamSessionPage, tags=("exams",))
def list_sessions():
    args = parse_query(SessionQuery)
    session = get_session()
    type_id = None
    if args.certificate_type:
        ctype = queries.find_type(session, args.certificate_type)
        if ctype is None:
            return jsonify(page_of([], page=args.page, per_page=args.per_page, total=0))
        type_id = ctype.id
    if not 1 <= args.per_page <= 100 or args.page < 1:
        raise Invalid("page starts at 1; per_page is 1 to 100", field="per_page")
    rows, total = paginate(session, queries.list_sessions(type_id=type_id, starts_from=args.from_,
                                                          starts_before=args.to),
                           page=args.page, per_page=args.per_page)
    return jsonify(page_of([session_json(s) for s in rows], page=args.page, per_page=args.per_page, total=total))


@bp.get("/exam-sessions/<int:exam_session_id>")
@allow(PUBLIC)
@endpoint("One exam session with seats left", response=ExamSessionOut, errors=(404,), tags=("exams",))
def get_exam_session(exam_session_id: int):
    exam_session = get_session().get(ExamSession, exam_session_id)
    if exam_session is None:
        raise NotFound("No such exam session.")
    return jsonify(session_json(exam_session))


@bp.post("/exam-sessions")
@allow(Role.UNION_ADMIN)
@endpoint("Schedule an exam session (union admins)", body=SessionIn, response=ExamSessionOut, status=201,
          errors=(404,), tags=("exams",))
def schedule_session():
    data = parse_body(SessionIn)
    session = get_session()
    exam_session = session_service.schedule_session(session, actor=current_user, now=utcnow(),
                                                    values=data.model_dump())
    session.commit()
    return created(session_json(exam_session))


@bp.post("/exam-sessions/<int:exam_session_id>/release")
@allow(Role.UNION_ADMIN)
@endpoint("Release a session's results once grading is done (union admins)", response=ReleaseOut,
          errors=(404, 409), tags=("exams",))
def release(exam_session_id: int):
    session = get_session()
    results = grading.release_results(session, actor=current_user, exam_session_id=exam_session_id, now=utcnow())
    session.commit()
    return jsonify({"exam_session_id": exam_session_id, "released": len(results)})


@bp.post("/certificate-types/<int:type_id>/questions")
@allow(Role.UNION_ADMIN)
@endpoint("Add one question to a type's bank (union admins)", body=QuestionIn, response=QuestionOut, status=201,
          errors=(404,), tags=("exams",))
def create_question(type_id: int):
    data = parse_body(QuestionIn)
    session = get_session()
    values = data.model_dump()
    values["rubric"] = [dict(r) for r in values["rubric"]]
    q = bank.create_question(session, actor=current_user, type_id=type_id, values=values, now=utcnow())
    session.commit()
    return created({"id": q.id, "kind": q.kind, "stem": q.stem, "options": q.options, "answer": q.answer,
                    "rubric": q.rubric, "explanation": q.explanation, "difficulty": q.difficulty,
                    "knowledge_point": q.knowledge_point, "image": _image_url(q)})


@bp.post("/certificate-types/<int:type_id>/questions/import")
@allow(Role.UNION_ADMIN)
@endpoint("Import questions from XLSX/CSV (题型, 题干, 选项A–F, 答案, 解析, 难度, 知识点): a report per row",
          response=ImportReportOut, errors=(404, 413, 422), tags=("exams",))
def import_questions(type_id: int):
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise Invalid("Upload an .xlsx or .csv file.", field="file")
    session = get_session()
    report = bank.import_questions(session, actor=current_user, type_id=type_id, filename=upload.filename,
                                   data=upload.read(), now=utcnow())
    session.commit()
    return jsonify({"added": report.added, "rejected": report.rejected, "rows": report.rows})


# --- booking -------------------------------------------------------------------------------------

@bp.post("/exam-sessions/<int:exam_session_id>/bookings")
@allow(Role.WORKER)
@endpoint("Book a seat: 201 booked / pending_payment / waitlisted (with {\"waitlist\": true}); 409 session_full; "
          "422 not_eligible with the reasons", response=BookingOut, status=201, errors=(404, 409, 422),
          tags=("exams",))
def book(exam_session_id: int):
    data = parse_body(BookingIn) if request.get_data() else BookingIn()
    session = get_session()
    booking = booking_service.book_exam_seat(session, actor=current_user, exam_session_id=exam_session_id,
                                             now=utcnow(), waitlist=data.waitlist)
    session.commit()
    return created(booking_json(booking, payment=booking_service.payment_of(session, booking.id)))


@bp.get("/me/bookings")
@allow(Role.WORKER)
@endpoint("The caller's exam bookings, latest first", query=PageQuery, response=BookingPage, tags=("exams",))
def my_bookings():
    args = parse_query(PageQuery)
    session = get_session()
    rows, total = paginate(session, queries.list_my_bookings(current_user.id), page=args.page,
                           per_page=args.per_page)
    attempts = queries.attempts_by_booking(session, [b.id for b in rows])
    return jsonify(page_of([booking_json(b, attempts.get(b.id)) for b in rows], page=args.page,
                           per_page=args.per_page, total=total))


@bp.post("/bookings/<int:booking_id>/cancel")
@allow(Role.WORKER)
@endpoint("Cancel a booking before the session's deadline; the seat goes to the waitlist",
          response=BookingOut, errors=(404, 409), tags=("exams",))
def cancel(booking_id: int):
    session = get_session()
    booking = booking_service.cancel_booking(session, actor=current_user, booking_id=booking_id, now=utcnow())
    session.commit()
    return jsonify(booking_json(booking))


@bp.post("/tickets/<token>/check-in")
@allow(Role.INSTRUCTOR, Role.UNION_ADMIN)
@endpoint("A proctor checks a candidate in by the ticket's QR", response=CheckInOut, errors=(404, 409),
          tags=("exams",))
def check_in(token: str):
    session = get_session()
    booking = booking_service.check_in(session, actor=current_user, ticket_token=token, now=utcnow())
    session.commit()
    return jsonify({"booking_id": booking.id, "status": booking.status, "candidate": booking.user.name,
                    "seat_no": booking.seat_no, "room": booking.exam_session.room})


# --- attempts ----------------------------------------------------------------------------------------

def _own_attempt(session, attempt_id: int) -> Attempt:
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        raise NotFound("No such attempt.")
    return attempt


@bp.post("/bookings/<int:booking_id>/attempt")
@allow(Role.WORKER)
@endpoint("Start (or resume) the online exam of a booking, inside the session's window",
          response=AttemptOut, status=201, errors=(404, 409), tags=("exams",))
def start_attempt(booking_id: int):
    session = get_session()
    now = utcnow()
    attempt = attempt_service.start_attempt(session, actor=current_user, booking_id=booking_id, now=now)
    session.commit()
    return created(attempt_json(session, attempt, now))


@bp.get("/attempts/<int:attempt_id>")
@allow(Role.WORKER)
@endpoint("The attempt's questions (without answers), the saved responses and the time left",
          response=AttemptOut, errors=(404,), tags=("exams",))
def get_attempt(attempt_id: int):
    session = get_session()
    attempt = _own_attempt(session, attempt_id)
    return jsonify(attempt_json(session, attempt, utcnow()))


@bp.put("/attempts/<int:attempt_id>/answers")
@allow(Role.WORKER)
@endpoint("Save answers (idempotent): each carries a sequence number; an older save never overwrites a newer "
          "one; 409 time_over once the deadline has passed (the attempt is then submitted)", body=AnswersIn,
          response=SavedOut, errors=(404, 409), tags=("exams",))
def save_answers(attempt_id: int):
    data = parse_body(AnswersIn)
    session = get_session()
    session.commit()   # end the read-only transaction of sign-in: the save's starts with its lock (SQLite)
    now = utcnow()
    try:
        result = attempt_service.save_answers(session, actor=current_user, attempt_id=attempt_id,
                                              answers=[a.model_dump() for a in data.answers], now=now)
    except DomainError as exc:
        if exc.code == "time_over":
            session.commit()   # the late save submitted the attempt: keep that, then answer the error
        raise
    deadline = session.scalar(select(Attempt.deadline_at).where(Attempt.id == attempt_id))   # not the whole attempt
    session.commit()
    return jsonify({**result, "time_left_seconds": max(int((deadline - now).total_seconds()), 0)})


@bp.post("/attempts/<int:attempt_id>/submit")
@allow(Role.WORKER)
@endpoint("Submit the attempt; objective questions are scored at once", response=AttemptOut, errors=(404,),
          tags=("exams",))
def submit(attempt_id: int):
    session = get_session()
    session.commit()   # end the read-only transaction of sign-in: the submit's starts with its lock (SQLite)
    now = utcnow()
    attempt = attempt_service.submit_attempt(session, actor=current_user, attempt_id=attempt_id, now=now)
    session.commit()
    return jsonify(attempt_json(session, attempt, now))


# --- grading -------------------------------------------------------------------------------------

@bp.get("/grading/queue")
@allow(*EXAMINER_ROLES)
@endpoint("Answers waiting for the caller's mark: blind (anonymous codes), with the rubric", query=PageQuery,
          response=GradingQueueOut, tags=("exams",))
def grading_queue():
    args = parse_query(PageQuery)
    items = grading.grading_queue(get_session(), examiner=current_user)
    start = (args.page - 1) * args.per_page
    page = [{"answer_id": i.answer.id, "candidate": i.anon_code, "exam_session_id": i.exam_session.id,
             "round": i.round, "kind": i.answer.question.kind, "stem": i.answer.question.stem,
             "points": i.answer.points, "response": i.answer.response,
             "reference_answer": i.answer.question.answer if i.answer.question.kind == QuestionKind.SHORT else [],
             "rubric": i.answer.question.rubric} for i in items[start:start + args.per_page]]
    return jsonify(page_of(page, page=args.page, per_page=args.per_page, total=len(items)))


@bp.post("/grading/<int:answer_id>")
@allow(*EXAMINER_ROLES)
@endpoint("Mark an answer: score (short answers) or item_scores (practical rubric) and a comment; marks are "
          "never changed, only added", body=GradeIn, response=GradeOut, status=201, errors=(404, 409),
          tags=("exams",))
def grade(answer_id: int):
    data = parse_body(GradeIn)
    session = get_session()
    result = grading.grade_answer(session, actor=current_user, answer_id=answer_id, now=utcnow(), score=data.score,
                                  item_scores=data.item_scores, comment=data.comment)
    session.commit()
    return created({"id": result.id, "answer_id": answer_id, "round": result.round, "score": result.score,
                    "created_at": _iso(result.created_at)})


# --- results -------------------------------------------------------------------------------------

@bp.get("/me/results")
@allow(Role.WORKER)
@endpoint("The caller's released results per component, with what they may do next", query=PageQuery,
          response=ResultPage, tags=("exams",))
def my_results():
    args = parse_query(PageQuery)
    session = get_session()
    rows, total = paginate(session, queries.list_my_results(current_user.id), page=args.page,
                           per_page=args.per_page)
    appeals = queries.appeals_by_result(session, [r.id for r in rows])
    return jsonify(page_of([result_json(session, r, appeals.get(r.id)) for r in rows], page=args.page,
                           per_page=args.per_page, total=total))


@bp.post("/results/<int:result_id>/appeal")
@allow(Role.WORKER)
@endpoint("Appeal a released result within the type's appeal days", body=AppealIn, response=AppealOut,
          status=201, errors=(404, 409), tags=("exams",))
def appeal(result_id: int):
    data = parse_body(AppealIn)
    session = get_session()
    filed = grading.file_appeal(session, actor=current_user, result_id=result_id, reason=data.reason, now=utcnow())
    session.commit()
    return created({"id": filed.id, "status": filed.status, "old_score": filed.old_score,
                    "new_score": filed.new_score})


# --- bans (union admins) ----------------------------------------------------------------------------

def ban_json(ban, now) -> dict:
    return {"id": ban.id, "user_id": ban.user_id, "user_name": ban.user.name,
            "certificate_type_id": ban.certificate_type_id, "until": _iso(ban.until), "active": ban.until > now,
            "reason": ban.reason, "created_by_id": ban.created_by_id, "created_at": _iso(ban.created_at)}


@bp.get("/exam-bans")
@allow(Role.UNION_ADMIN)
@endpoint("Candidates barred from exams (in force; `all=true` also ended ones), union admins", query=BanQuery,
          response=BanList, tags=("exams",))
def list_bans():
    args = parse_query(BanQuery)
    now = utcnow()
    rows = bans.list_bans(get_session(), now=now, active_only=not args.all)
    return jsonify({"items": [ban_json(b, now) for b in rows]})


@bp.post("/exam-bans")
@allow(Role.UNION_ADMIN)
@endpoint("Bar a candidate from a certificate type's exams (or all) until a time, with the reason (logged)",
          body=BanIn, response=BanOut, status=201, errors=(404,), tags=("exams",))
def create_ban():
    data = parse_body(BanIn)
    session = get_session()
    now = utcnow()
    ban = bans.ban_candidate(session, actor=current_user, user_id=data.user_id,
                             certificate_type_id=data.certificate_type_id, until=data.until, reason=data.reason,
                             now=now)
    session.commit()
    return created(ban_json(ban, now))


@bp.post("/exam-bans/<int:ban_id>/lift")
@allow(Role.UNION_ADMIN)
@endpoint("Lift a ban now, with the reason (logged)", body=BanLiftIn, response=BanOut, errors=(404, 409),
          tags=("exams",))
def lift_ban(ban_id: int):
    data = parse_body(BanLiftIn)
    session = get_session()
    now = utcnow()
    ban = bans.lift_ban(session, actor=current_user, ban_id=ban_id, reason=data.reason, now=now)
    session.commit()
    return jsonify(ban_json(ban, now))


# --- question images --------------------------------------------------------------------------------

@bp.post("/questions/<int:question_id>/image")
@allow(Role.UNION_ADMIN)
@endpoint("Upload a question's image (multipart field `image`; PNG, JPEG or WebP by content, at most 2 MB)",
          response=QuestionImageOut, errors=(404, 413, 422), tags=("exams",))
def upload_question_image(question_id: int):
    upload = request.files.get("image")
    if upload is None or not upload.filename:
        raise Invalid("Send the image as the multipart field 'image'.", field="image")
    session = get_session()
    question = images.set_question_image(session, actor=current_user, question_id=question_id,
                                         content=upload.read(images.IMAGE_MAX_BYTES + 1),
                                         upload_folder=current_app.config["UPLOAD_FOLDER"], now=utcnow())
    session.commit()
    return jsonify({"id": question.id, "image_url": _image_url(question)})


@bp.get("/questions/<int:question_id>/image")
@allow(Role.WORKER, Role.INSTRUCTOR, Role.UNION_ADMIN)
@endpoint("A question's image: to the candidate whose paper holds it, its examiners and union admins (else 404)",
          errors=(404,), tags=("exams",))
def question_image(question_id: int):
    session = get_session()
    question = session.get(Question, question_id)
    if question is None or not images.may_see_question(session, user=current_user, question_id=question_id):
        raise NotFound("No such question.")
    path = images.image_file(current_app.config["UPLOAD_FOLDER"], question.image)
    if path is None:
        raise NotFound("This question has no image.")
    response = send_file(path, max_age=3600)
    response.cache_control.public = False
    response.cache_control.private = True
    return response
