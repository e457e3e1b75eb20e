"""Shelf pages: provider admins manage courses and classes; union admins review and add industries."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import Role, allow
from app.auth.forms import EmptyForm
from app.db import get_session, utcnow
from app.forms import perform, submit
from app.i18n import SHANGHAI, localized
from courses.forms.shelf import ClassForm, CourseForm, IndustryForm, RejectForm, to_fen, to_yuan
from courses.models import Course, TrainingClass
from courses.permissions import can_manage_course
from courses.queries import catalog as queries
from courses.services import shelf
from courses.views import bp


def _local(value: datetime | None) -> datetime | None:
    return value.astimezone(SHANGHAI).replace(tzinfo=None) if value else None


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=SHANGHAI).astimezone(UTC) if value else None


def _managed_course(course_id: int) -> Course:
    course = get_session().get(Course, course_id)
    if course is None or not can_manage_course(current_user, course):
        abort(404)
    return course


def _course_choices(form: CourseForm, provider_id: int | None) -> None:
    session = get_session()
    form.industry_codes.choices = [(i.code, localized(i)) for i in queries.list_industries(session)]
    orgs = [g.organization for g in current_user.grants if g.role == Role.PROVIDER_ADMIN and g.organization]
    form.provider_id.choices = [(o.id, o.name) for o in orgs]
    pid = provider_id or (orgs[0].id if orgs else None)
    form.instructor_ids.choices = ([(u.id, u.name) for u in shelf.provider_instructors(session, pid)]
                                   if pid else [])


@bp.get("/provider/courses")
@allow(Role.PROVIDER_ADMIN)
def provider_courses():
    session = get_session()
    courses = queries.list_provider_courses(session, current_user.org_ids(Role.PROVIDER_ADMIN))
    return render_template("courses/shelf/provider_courses.html", courses=courses, form=EmptyForm())


@bp.route("/provider/courses/new", methods=["GET", "POST"])
@allow(Role.PROVIDER_ADMIN)
def new_course():
    form = CourseForm()
    _course_choices(form, form.provider_id.data if form.is_submitted() else None)
    if form.validate_on_submit():
        def create(session):
            course = shelf.create_course(session, actor=current_user, provider_id=form.provider_id.data or None,
                                         now=utcnow(), **form.changes())
            _save_cover(session, course, form)

        if submit(form, create).ok:
            flash(_("Draft saved. Add classes, then submit it for review."), "success")
            return redirect(url_for("courses.provider_courses"))
    return render_template("courses/shelf/course_form.html", form=form, course=None)


def _save_cover(session, course, form) -> None:
    """Store the cover uploaded with a course form, if any (same service as the API)."""
    if form.cover.data:
        shelf.set_course_cover(session, actor=current_user, course_id=course.id,
                               content=form.cover.data.read(shelf.COVER_MAX_BYTES + 1),
                               upload_folder=current_app.config["UPLOAD_FOLDER"], now=utcnow())


@bp.route("/provider/courses/<int:course_id>/edit", methods=["GET", "POST"])
@allow(Role.PROVIDER_ADMIN)
def edit_course(course_id: int):
    course = _managed_course(course_id)
    form = CourseForm(obj=course)
    _course_choices(form, course.provider_id)
    form.provider_id.choices = [(course.provider_id, course.provider.name)]
    if not form.is_submitted():
        form.provider_id.data = course.provider_id
        form.industry_codes.data = [i.code for i in course.industries]
        form.instructor_ids.data = [u.id for u in course.instructors]
        form.skills.data = "、".join(course.skills or [])
    if form.validate_on_submit():
        was_approved = course.status == "approved"

        def update(session):
            shelf.update_course(session, actor=current_user, course_id=course.id, changes=form.changes(),
                                now=utcnow())
            _save_cover(session, course, form)

        if submit(form, update).ok:
            if was_approved and course.status == "submitted":
                flash(_("Saved. The changes go to the union for review; the course is hidden until approved."),
                      "info")
            else:
                flash(_("Saved."), "success")
            return redirect(url_for("courses.provider_courses"))
    return render_template("courses/shelf/course_form.html", form=form, course=course)


@bp.post("/provider/courses/<int:course_id>/<any(submit, publish, unpublish):action>")
@allow(Role.PROVIDER_ADMIN)
def course_action(course_id: int, action: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    if action == "submit":
        done = perform(lambda session: shelf.submit_course(session, actor=current_user, course_id=course_id,
                                                           now=utcnow())).ok
        message = _("Submitted for review.")
    else:
        done = perform(lambda session: shelf.publish_course(
            session, actor=current_user, course_id=course_id, publish=action == "publish", now=utcnow())).ok
        message = _("Published.") if action == "publish" else _("Unpublished.")
    if done:
        flash(message, "success")
    return redirect(url_for("courses.provider_courses"))


def _class_choices(form: ClassForm, provider_id: int) -> None:
    staff = shelf.provider_instructors(get_session(), provider_id)
    form.instructor_id.choices = [(0, _("— none —"))] + [(u.id, u.name) for u in staff]


def _class_values(form: ClassForm) -> dict:
    return {
        "title": form.title.data, "mode": form.mode.data, "city": form.city.data or "",
        "venue": form.venue.data or "", "starts_on": form.starts_on.data, "ends_on": form.ends_on.data,
        "enroll_opens_at": _utc(form.enroll_opens_at.data), "enroll_closes_at": _utc(form.enroll_closes_at.data),
        "capacity": form.capacity.data, "price": to_fen(form.price.data), "member_price": to_fen(form.member_price.data),
        "free_for_members": form.free_for_members.data, "requires_membership": form.requires_membership.data,
        "refund_rule": form.refund_rule.data, "refund_deadline_days": form.refund_deadline_days.data or 0,
        "instructor_id": form.instructor_id.data or None,
    }


@bp.route("/provider/courses/<int:course_id>/classes/new", methods=["GET", "POST"])
@allow(Role.PROVIDER_ADMIN)
def new_class(course_id: int):
    course = _managed_course(course_id)
    form = ClassForm()
    _class_choices(form, course.provider_id)
    if form.validate_on_submit():
        if submit(form, lambda session: shelf.create_class(
                session, actor=current_user, course_id=course.id, now=utcnow(), **_class_values(form))).ok:
            flash(_("Class added."), "success")
            return redirect(url_for("courses.provider_courses"))
    return render_template("courses/shelf/class_form.html", form=form, course=course, training_class=None)


@bp.route("/provider/classes/<int:class_id>/edit", methods=["GET", "POST"])
@allow(Role.PROVIDER_ADMIN)
def edit_class(class_id: int):
    training_class = get_session().get(TrainingClass, class_id)
    if training_class is None or not can_manage_course(current_user, training_class.course):
        abort(404)
    course = training_class.course
    form = ClassForm(obj=training_class)
    _class_choices(form, course.provider_id)
    if not form.is_submitted():
        form.enroll_opens_at.data = _local(training_class.enroll_opens_at)
        form.enroll_closes_at.data = _local(training_class.enroll_closes_at)
        form.price.data = to_yuan(training_class.price)
        form.member_price.data = to_yuan(training_class.member_price)
        form.instructor_id.data = training_class.instructor_id or 0
    if form.validate_on_submit():
        if submit(form, lambda session: shelf.update_class(
                session, actor=current_user, class_id=class_id, changes=_class_values(form), now=utcnow())).ok:
            flash(_("Class saved."), "success")
            return redirect(url_for("courses.provider_courses"))
    return render_template("courses/shelf/class_form.html", form=form, course=course, training_class=training_class)


# --- union review -------------------------------------------------------------------------

@bp.get("/admin/courses")
@allow(Role.UNION_ADMIN)
def review_queue():
    courses = queries.list_review_queue(get_session())
    return render_template("courses/shelf/review_queue.html", courses=courses, form=RejectForm())


@bp.post("/admin/courses/<int:course_id>/<any(approve, reject):decision>")
@allow(Role.UNION_ADMIN)
def review_course(course_id: int, decision: str):
    form = RejectForm()
    if not form.validate_on_submit():
        abort(400)
    if decision == "approve":
        ok, course = perform(lambda session: shelf.approve_course(
            session, actor=current_user, course_id=course_id, now=utcnow()))
    else:
        ok, course = perform(lambda session: shelf.reject_course(
            session, actor=current_user, course_id=course_id, reason=form.reason.data or "", now=utcnow()))
    if ok:
        flash(_("%(title)s: approved", title=course.title) if decision == "approve"
              else _("%(title)s: rejected", title=course.title), "success")
    return redirect(url_for("courses.review_queue"))


@bp.route("/admin/industries", methods=["GET", "POST"])
@allow(Role.UNION_ADMIN)
def industries():
    session = get_session()
    form = IndustryForm()
    if form.validate_on_submit():
        if submit(form, lambda session: shelf.add_industry(
                session, actor=current_user, code=form.code.data, name_zh=form.name_zh.data,
                name_en=form.name_en.data, is_future=form.is_future.data)).ok:
            flash(_("Industry added."), "success")
            return redirect(url_for("courses.industries"))
    return render_template("courses/shelf/industries.html", form=form, industries=queries.list_industries(session))
