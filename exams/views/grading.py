"""Examiners: the blind grading queue, marking one answer (score or rubric items on a phone)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import Role, allow
from app.db import get_session, utcnow
from app.forms import submit
from exams.forms import GradeForm
from exams.models import QuestionKind
from exams.services import grading
from exams.views import bp


@bp.get("/exams/grading")
@allow(Role.INSTRUCTOR)
def grading_queue():
    session_filter = request.args.get("session", type=int)
    items = grading.grading_queue(get_session(), examiner=current_user, exam_session_id=session_filter)
    return render_template("exams/grading_queue.html", items=items)


def _item(answer_id: int):
    items = grading.grading_queue(get_session(), examiner=current_user)
    return next((i for i in items if i.answer.id == answer_id), None)


@bp.route("/exams/grading/<int:answer_id>", methods=["GET", "POST"])
@allow(Role.INSTRUCTOR)
def grade(answer_id: int):
    item = _item(answer_id)
    if item is None:
        abort(404)
    form = GradeForm()
    question = item.answer.question
    if form.validate_on_submit():
        item_scores = None
        if question.kind == QuestionKind.PRACTICAL:
            try:
                item_scores = [int(request.form.get(f"item_{i}", "")) for i in range(len(question.rubric))]
            except ValueError:
                form.form_errors.append(_("Score every rubric item."))
        if not form.form_errors:
            outcome = submit(form, lambda s: grading.grade_answer(
                s, actor=current_user, answer_id=answer_id, now=utcnow(), score=form.score.data,
                item_scores=item_scores, comment=form.comment.data or ""))
            if outcome.ok:
                flash(_("Mark recorded."))
                following = grading.grading_queue(get_session(), examiner=current_user,
                                                  exam_session_id=item.exam_session.id)
                if following:
                    return redirect(url_for("exams.grade", answer_id=following[0].answer.id))
                return redirect(url_for("exams.grading_queue"))
    return render_template("exams/grade.html", item=item, q=question, form=form)
