"""The online exam page (phone-first): start, answer with autosave, time left, submit."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.access import Role, allow
from app.db import get_session, utcnow
from app.forms import perform
from exams.forms import ButtonForm
from exams.models import Answer, Attempt, AttemptStatus, Question
from exams.services import attempts as attempt_service
from exams.services import images
from exams.services.attempts import LETTERS, to_shown
from exams.views import bp


@bp.post("/exams/bookings/<int:booking_id>/start")
@allow(Role.WORKER)
def start(booking_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    outcome = perform(lambda s: attempt_service.start_attempt(s, actor=current_user, booking_id=booking_id,
                                                              now=utcnow()))
    if not outcome.ok:
        return redirect(url_for("exams.my_exams"))
    return redirect(url_for("exams.attempt", attempt_id=outcome.value.id))


@bp.get("/exams/attempts/<int:attempt_id>")
@allow(Role.WORKER)
def attempt(attempt_id: int):
    session = get_session()
    found = session.get(Attempt, attempt_id)
    if found is None or found.user_id != current_user.id:
        abort(404)
    now = utcnow()
    overdue = found.status == AttemptStatus.IN_PROGRESS and now >= found.deadline_at
    answers = list(session.scalars(select(Answer).where(Answer.attempt_id == found.id).order_by(Answer.position)))
    questions = [{"answer": a, "question": a.question, "response": to_shown(a, a.response) or [],
                  "options": [(LETTERS[i], a.question.options[o]) for i, o in enumerate(a.option_order)]}
                 for a in answers]
    return render_template("exams/attempt.html", attempt=found, s=found.booking.exam_session, questions=questions,
                           overdue=overdue, now=now, form=ButtonForm(),
                           left=max(int((found.deadline_at - now).total_seconds()), 0))


def _form_answers(session, attempt_id: int) -> list[dict]:
    """Answers posted with the submit form (the page without JavaScript), newer than what is saved."""
    found = []
    for answer in session.scalars(select(Answer).where(Answer.attempt_id == attempt_id)):
        key = f"q{answer.position}"
        if key not in request.form:
            continue
        values = [v for v in request.form.getlist(key)]
        if not any(v.strip() for v in values):
            values = []
        if to_shown(answer, answer.response) != values:
            found.append({"position": answer.position, "response": values, "seq": answer.seq + 1})
    return found


@bp.post("/exams/attempts/<int:attempt_id>/submit")
@allow(Role.WORKER)
def submit(attempt_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)

    def finish(session):
        now = utcnow()
        found = attempt_service.lock_attempt(session, attempt_id)   # first, before any read (SQLite)
        if found is not None and found.user_id == current_user.id and found.status == AttemptStatus.IN_PROGRESS \
                and now < found.deadline_at:
            answers = _form_answers(session, attempt_id)
            if answers:
                attempt_service.save_answers(session, actor=current_user, attempt_id=attempt_id, answers=answers,
                                             now=now)
        return attempt_service.submit_attempt(session, actor=current_user, attempt_id=attempt_id, now=now)

    get_session().commit()   # end the read-only transaction of sign-in: the submit's starts with its lock
    if perform(finish).ok:
        flash(_("Your exam is submitted."))
    return redirect(url_for("exams.attempt", attempt_id=attempt_id))


@bp.get("/exams/questions/<int:question_id>/image")
@allow(Role.WORKER, Role.INSTRUCTOR, Role.UNION_ADMIN)
def question_image(question_id: int):
    """A question's image, only to those who may see the question (else 404, as if it did not exist)."""
    session = get_session()
    question = session.get(Question, question_id)
    if question is None or not images.may_see_question(session, user=current_user, question_id=question_id):
        abort(404)
    path = images.image_file(current_app.config["UPLOAD_FOLDER"], question.image)
    if path is None:
        abort(404)
    response = send_file(path, max_age=3600)
    response.cache_control.public = False
    response.cache_control.private = True
    return response
