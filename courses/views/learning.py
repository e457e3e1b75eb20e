"""HTML pages of the learning area: lessons, "My training", the instructor's classes, roster,
daily QR check-in."""

from __future__ import annotations

from datetime import date
from functools import wraps

import segno
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from app.access import Role, allow
from app.db import get_session, utcnow
from app.errors import DomainError
from app.forms import perform, show_error, submit
from app.links import public_url
from app.security import csrf
from courses.forms.learning import ActionForm, EditLessonForm, LessonForm
from courses.models import LessonKind
from courses.permissions import can_manage_course, can_teach_class
from courses.queries import learning as queries
from courses.services import learning as services
from courses.services.learning import MAX_LESSON_FILE_BYTES, Upload
from courses.views import bp

TEACHERS = (Role.INSTRUCTOR, Role.PROVIDER_ADMIN)


def lesson_upload(view):
    """Let a lesson form carry a file of up to 50 MB.

    The app-wide CSRF check reads the body under the default 16 MB limit, so this view
    raises the limit for itself first and then runs the same CSRF check.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        if request.method == "POST":
            request.max_content_length = MAX_LESSON_FILE_BYTES + 1024 * 1024
            try:
                csrf.protect()
            except RequestEntityTooLarge:
                flash(_("The file is larger than %(mb)d MB.", mb=MAX_LESSON_FILE_BYTES // (1024 * 1024)), "error")
                return redirect(request.path)
        return view(*args, **kwargs)

    wrapper.csrf_exempt = True
    return wrapper


def _upload_of(form) -> Upload | None:
    data = form.file.data
    if data is None or not getattr(data, "filename", None):
        return None
    return Upload(filename=data.filename, stream=data.stream)


def _upload_folder() -> str:
    return current_app.config["UPLOAD_FOLDER"]


def _parse_day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@bp.app_template_global()
def learning_panel(training_class) -> dict:
    """What the class page's lessons partial shows to the current viewer."""
    session = get_session()
    lessons = queries.list_lessons(session, training_class.id)
    enrollment, done = None, set()
    if current_user.is_authenticated:
        enrollment = queries.get_learning_enrollment(session, training_class.id, current_user.id)
        if enrollment is not None:
            done = queries.done_lesson_ids(session, enrollment.id)
    return {"lessons": lessons, "enrollment": enrollment, "done": done,
            "can_teach": current_user.is_authenticated and can_teach_class(current_user, training_class)}


# --- workers ------------------------------------------------------------------------------

@bp.get("/me/training")
@allow(Role.WORKER)
def my_training():
    rows = queries.list_my_training(get_session(), current_user.id, now=utcnow())
    return render_template("courses/learning/my_training.html", rows=rows)


@bp.get("/lessons/<int:lesson_id>")
@allow(Role.WORKER, *TEACHERS)
def lesson(lesson_id: int):
    session = get_session()
    item, enrollment = services.get_lesson_for_viewer(session, actor=current_user, lesson_id=lesson_id)
    lessons = queries.list_lessons(session, item.class_id)
    index = [x.id for x in lessons].index(item.id)
    done = queries.done_lesson_ids(session, enrollment.id) if enrollment else set()
    return render_template("courses/learning/lesson.html", lesson=item, enrollment=enrollment, done=done,
                           lessons=lessons, training_class=item.training_class,
                           previous=lessons[index - 1] if index > 0 else None,
                           next=lessons[index + 1] if index + 1 < len(lessons) else None, form=ActionForm())


@bp.post("/lessons/<int:lesson_id>/done")
@allow(Role.WORKER)
def lesson_done(lesson_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    ok, progress = perform(lambda session: services.mark_lesson_done(
        session, actor=current_user, lesson_id=lesson_id, now=utcnow()))
    if not ok:
        return redirect(url_for("courses.my_training"))
    if progress.completed_now:
        flash(_("Congratulations! You have completed this class."), "success")
    else:
        flash(_("Marked as done: %(done)d of %(total)d lessons.", done=progress.lessons_done,
                total=progress.lessons_total), "success")
    nxt = request.form.get("next_lesson", type=int)
    if nxt:
        return redirect(url_for("courses.lesson", lesson_id=nxt))
    return redirect(url_for("courses.lesson", lesson_id=lesson_id))


@bp.get("/lessons/<int:lesson_id>/file")
@allow(Role.WORKER, *TEACHERS)
def lesson_file(lesson_id: int):
    session = get_session()
    try:
        item, _enrollment = services.get_lesson_for_viewer(session, actor=current_user, lesson_id=lesson_id)
    except DomainError:
        abort(404)  # files are only for the class's learners and teachers: do not reveal them
    if item.kind != LessonKind.FILE or not item.file_path:
        abort(404)
    return send_from_directory(_upload_folder(), item.file_path, as_attachment=True,
                               download_name=item.file_name or "lesson")


@bp.route("/checkin/<code>", methods=["GET", "POST"])
@allow(Role.WORKER)
def checkin(code: str):
    session = get_session()
    form = ActionForm()
    secret = current_app.config["SECRET_KEY"]
    if form.validate_on_submit():
        try:
            result = services.check_in(session, actor=current_user, code=code, secret_key=secret, now=utcnow())
        except DomainError as exc:
            session.rollback()
            return render_template("courses/learning/checkin.html", error=exc, checkin=None, form=form), exc.status
        session.commit()
        flash(_("You are checked in for %(day)s.", day=result.class_day.day.isoformat())
              if result.recorded_now else _("You were already checked in today."), "success")
        return redirect(url_for("courses.checkin", code=code))
    try:
        seen = services.read_checkin(session, actor=current_user, code=code, secret_key=secret, now=utcnow())
    except DomainError as exc:
        return render_template("courses/learning/checkin.html", error=exc, checkin=None, form=form), exc.status
    return render_template("courses/learning/checkin.html", error=None, checkin=seen, form=form)


# --- instructors and provider admins ------------------------------------------------------

@bp.get("/instructor/classes")
@allow(*TEACHERS)
def instructor_classes():
    rows = queries.list_teaching_classes(get_session(), current_user)
    return render_template("courses/learning/instructor_classes.html", rows=rows, today=queries.local_day(utcnow()))


@bp.route("/instructor/classes/<int:class_id>/attendance", methods=["GET", "POST"])
@allow(*TEACHERS)
def attendance(class_id: int):
    session = get_session()
    training_class = services.get_class_for_teacher(session, actor=current_user, class_id=class_id)
    today = queries.local_day(utcnow())
    wanted = _parse_day(request.values.get("day"))

    def pick_day():
        days = queries.list_class_days(session, training_class.id)
        if wanted is not None and any(d.day == wanted for d in days):
            day = wanted
        else:
            day = today if any(d.day == today for d in days) else (days[0].day if days else None)
        return days, day, next((d for d in days if d.day == day), None)

    days, day, class_day = pick_day()
    form = ActionForm()
    if form.validate_on_submit() and class_day is not None:
        marks = {key[2:]: value for key, value in request.form.items() if key.startswith("e-")}
        present = [int(k) for k, v in marks.items() if k.isdigit() and v == "present"]
        absent = [int(k) for k, v in marks.items() if k.isdigit() and v == "absent"]
        try:
            services.mark_attendance(session, actor=current_user, class_id=class_id, day=day, present=present,
                                     absent=absent, now=utcnow())
        except DomainError as exc:
            session.rollback()
            show_error(form, exc)
            days, day, class_day = pick_day()  # the rollback also dropped days created by this request
        else:
            session.commit()
            flash(_("Attendance saved for %(day)s.", day=day.isoformat()), "success")
            return redirect(url_for("courses.attendance", class_id=class_id, day=day.isoformat()))
    session.commit()  # the class days created on first view
    rows = queries.roster(session, training_class, class_day)
    return render_template("courses/learning/attendance.html", training_class=training_class, days=days,
                           day=day, today=today, rows=rows, form=form,
                           lessons_total=queries.count_lessons(session, class_id),
                           days_total=queries.class_day_count(training_class),
                           required_days=services.required_days(training_class))


@bp.get("/instructor/classes/<int:class_id>/checkin")
@allow(*TEACHERS)
def class_checkin_code(class_id: int):
    session = get_session()
    now = utcnow()
    training_class = services.get_class_for_teacher(session, actor=current_user, class_id=class_id)
    try:
        class_day, code = services.make_checkin_code(session, actor=current_user, class_id=class_id,
                                                     secret_key=current_app.config["SECRET_KEY"], now=now)
    except DomainError as exc:
        return render_template("courses/learning/checkin_code.html", training_class=training_class, error=exc,
                               qr=None), exc.status
    url = public_url("courses.checkin", code=code)
    qr = segno.make(url, error="m").svg_inline(scale=6, border=2, omitsize=True, title=_("Check-in code"))
    return render_template("courses/learning/checkin_code.html", training_class=training_class,
                           class_day=class_day, url=url, qr=qr, error=None,
                           expires_at=services.checkin_expires_at(now))


def _lesson_form_values(form) -> dict:
    return {"title": form.title.data, "body_html": form.body_html.data or "",
            "video_url": form.video_url.data or None, "minutes": form.minutes.data or 0}


@bp.route("/provider/classes/<int:class_id>/lessons", methods=["GET", "POST"])
@lesson_upload
@allow(*TEACHERS)
def manage_lessons(class_id: int):
    session = get_session()
    training_class = services.get_class_for_teacher(session, actor=current_user, class_id=class_id)
    form = LessonForm()
    if form.validate_on_submit():
        if submit(form, lambda session: services.add_lesson(
                session, actor=current_user, class_id=class_id, kind=LessonKind(form.kind.data),
                upload=_upload_of(form), upload_folder=_upload_folder(), **_lesson_form_values(form))).ok:
            flash(_("Lesson added."), "success")
            return redirect(url_for("courses.manage_lessons", class_id=class_id))
    return render_template("courses/learning/manage_lessons.html", training_class=training_class,
                           lessons=queries.list_lessons(session, class_id), form=form, action_form=ActionForm(),
                           is_admin=can_manage_course(current_user, training_class.course))


@bp.route("/provider/lessons/<int:lesson_id>/edit", methods=["GET", "POST"])
@lesson_upload
@allow(*TEACHERS)
def edit_lesson(lesson_id: int):
    session = get_session()
    item = services.get_lesson_for_teacher(session, actor=current_user, lesson_id=lesson_id)
    form = EditLessonForm(obj=item) if request.method == "GET" else EditLessonForm()
    if form.validate_on_submit():
        if submit(form, lambda session: services.update_lesson(
                session, actor=current_user, lesson_id=lesson_id, upload=_upload_of(form),
                upload_folder=_upload_folder(), **_lesson_form_values(form))).ok:
            flash(_("Lesson saved."), "success")
            return redirect(url_for("courses.manage_lessons", class_id=item.class_id))
    return render_template("courses/learning/edit_lesson.html", lesson=item, training_class=item.training_class,
                           form=form)


@bp.post("/provider/lessons/<int:lesson_id>/move/<any(up, down):direction>")
@allow(*TEACHERS)
def move_lesson(lesson_id: int, direction: str):
    session = get_session()
    item = services.move_lesson(session, actor=current_user, lesson_id=lesson_id,
                                offset=-1 if direction == "up" else 1)
    session.commit()
    return redirect(url_for("courses.manage_lessons", class_id=item.class_id) + f"#lesson-{item.id}")


@bp.post("/provider/lessons/<int:lesson_id>/delete")
@allow(*TEACHERS)
def delete_lesson(lesson_id: int):
    session = get_session()
    item = services.get_lesson_for_teacher(session, actor=current_user, lesson_id=lesson_id)
    class_id = item.class_id
    services.delete_lesson(session, actor=current_user, lesson_id=lesson_id, now=utcnow(),
                           upload_folder=_upload_folder())
    session.commit()
    flash(_("Lesson deleted."), "success")
    return redirect(url_for("courses.manage_lessons", class_id=class_id))
