"""Pages of the instructor pool: my profile, qualifications, availability, relations,
invitations; public profiles; the pool search; qualification review; ratings."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.access import PUBLIC, SIGNED_IN, Role, allow
from app.auth.forms import EmptyForm
from app.auth.models import User
from app.db import get_session, utcnow
from app.forms import perform, submit
from app.i18n import SHANGHAI
from courses.models import TrainingClass
from instructors import services
from instructors.forms import (
    AvailabilityForm,
    DecisionForm,
    InviteForm,
    PoolSearchForm,
    ProfileForm,
    QualificationForm,
    RatingForm,
    RelationForm,
)
from instructors.models import DeclaredRelation, Qualification
from instructors.permissions import can_edit_profile, can_see_scan
from instructors.queries import pool as queries
from instructors.services.profiles import PHOTO_MAX_BYTES, SCAN_MAX_BYTES, stored_file

bp = Blueprint("instructors", __name__, template_folder="templates")


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=SHANGHAI).astimezone(UTC) if value else None


def _editable_person(user_id: int) -> User:
    person = get_session().get(User, user_id)
    if person is None or not can_edit_profile(current_user, person):
        abort(404)
    return person


# --- my profile (or a staff member's, for their provider's admins) -----------------------------

@bp.get("/instructors/me")
@allow(SIGNED_IN)
def my_profile():
    return redirect(url_for("instructors.edit_profile", user_id=current_user.id))


@bp.route("/instructors/<int:user_id>/edit", methods=["GET", "POST"])
@allow(SIGNED_IN)
def edit_profile(user_id: int):
    person = _editable_person(user_id)
    session = get_session()
    profile = queries.get_profile(session, user_id)
    form = ProfileForm(obj=profile)
    if not form.is_submitted() and profile is not None:
        form.titles.data = "、".join(profile.titles or [])
        form.trades.data = "\n".join(f"{t.trade} {t.level}".strip() for t in profile.trades)
    if form.validate_on_submit():
        def save(session):
            services.update_profile(session, actor=current_user, user_id=user_id, now=utcnow(), changes={
                "titles": form.titles.data or "", "years_experience": form.years_experience.data,
                "city": form.city.data or "", "trades": form.trades.data or "", "biography": form.biography.data or "",
                "in_pool": form.in_pool.data})
            if form.photo.data:
                services.set_photo(session, actor=current_user, user_id=user_id,
                                   content=form.photo.data.read(PHOTO_MAX_BYTES + 1),
                                   upload_folder=current_app.config["UPLOAD_FOLDER"], now=utcnow())

        if submit(form, save).ok:
            flash(_("Profile saved."), "success")
            return redirect(url_for("instructors.edit_profile", user_id=user_id))
    now = utcnow()
    return render_template(
        "instructors/edit_profile.html", person=person, profile=profile, form=form, own=person.id == current_user.id,
        qualifications=queries.qualifications_of(session, user_id), availability=queries.availability_of(
            session, user_id, now=now), bookings=queries.bookings_of(session, user_id, now=now),
        invitations=queries.invitations_for(session, user_id) if person.id == current_user.id else [],
        relations=list(session.query(DeclaredRelation).filter_by(user_id=user_id)) if person.id == current_user.id
        else [], today=now.astimezone(SHANGHAI).date(), empty=EmptyForm(), availability_form=AvailabilityForm(),
        relation_form=RelationForm())


@bp.route("/instructors/<int:user_id>/qualifications/new", methods=["GET", "POST"])
@allow(SIGNED_IN)
def new_qualification(user_id: int):
    person = _editable_person(user_id)
    form = QualificationForm()
    if form.validate_on_submit():
        def add(session):
            scan = form.scan.data
            return services.add_qualification(
                session, actor=current_user, user_id=user_id, role=form.role.data,
                certificate_type_code=form.certificate_type_code.data,
                certificate_type_name=form.certificate_type_name.data, level=form.level.data,
                number=form.number.data, issuer=form.issuer.data, issued_on=form.issued_on.data,
                expires_on=form.expires_on.data, scan=scan.read(SCAN_MAX_BYTES + 1) if scan else None,
                scan_name=getattr(scan, "filename", "") or "", upload_folder=current_app.config["UPLOAD_FOLDER"],
                now=utcnow())

        if submit(form, add).ok:
            flash(_("Qualification added. A union admin will verify it."), "success")
            return redirect(url_for("instructors.edit_profile", user_id=user_id))
    return render_template("instructors/qualification_form.html", form=form, person=person)


@bp.post("/instructors/qualifications/<int:qualification_id>/delete")
@allow(SIGNED_IN)
def delete_qualification(qualification_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    qualification = get_session().get(Qualification, qualification_id)
    if qualification is None or not can_edit_profile(current_user, qualification.user):
        abort(404)
    user_id = qualification.user_id
    if perform(lambda s: services.remove_qualification(s, actor=current_user,
                                                       qualification_id=qualification_id)).ok:
        flash(_("Qualification removed."), "success")
    return redirect(url_for("instructors.edit_profile", user_id=user_id))


@bp.get("/instructors/qualifications/<int:qualification_id>/scan")
@allow(SIGNED_IN)
def qualification_scan(qualification_id: int):
    qualification = get_session().get(Qualification, qualification_id)
    if qualification is None or not can_see_scan(current_user, qualification.user):
        abort(404)
    path = stored_file(current_app.config["UPLOAD_FOLDER"], qualification.scan_file)
    if path is None:
        abort(404)
    return send_file(path, download_name=qualification.scan_name or path.name, max_age=0)


@bp.post("/instructors/<int:user_id>/availability")
@allow(SIGNED_IN)
def add_availability(user_id: int):
    _editable_person(user_id)
    form = AvailabilityForm()
    if form.validate_on_submit():
        if perform(lambda s: services.add_availability(
                s, actor=current_user, user_id=user_id, kind=form.kind.data, starts_at=_utc(form.starts_at.data),
                ends_at=_utc(form.ends_at.data), note=form.note.data or "", now=utcnow())).ok:
            flash(_("Availability added."), "success")
    else:
        flash(_("Enter when you are available."), "error")
    return redirect(url_for("instructors.edit_profile", user_id=user_id) + "#availability")


@bp.post("/instructors/availability/<int:availability_id>/delete")
@allow(SIGNED_IN)
def delete_availability(availability_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    perform(lambda s: services.remove_availability(s, actor=current_user, availability_id=availability_id))
    return redirect(request.referrer or url_for("instructors.my_profile"))


@bp.post("/instructors/me/relations")
@allow(SIGNED_IN)
def add_relation():
    form = RelationForm()
    if form.validate_on_submit():
        if perform(lambda s: services.declare_relation(s, actor=current_user, related_account=form.related_account.data,
                                                       relation=form.relation.data, note=form.note.data or "",
                                                       now=utcnow())).ok:
            flash(_("Relation declared. You will not be assigned to examine this person."), "success")
    else:
        flash(_("Enter the person's phone number or e-mail."), "error")
    return redirect(url_for("instructors.edit_profile", user_id=current_user.id) + "#relations")


@bp.post("/instructors/relations/<int:relation_id>/delete")
@allow(SIGNED_IN)
def delete_relation(relation_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    perform(lambda s: services.remove_relation(s, actor=current_user, relation_id=relation_id))
    return redirect(url_for("instructors.edit_profile", user_id=current_user.id) + "#relations")


@bp.post("/instructors/invitations/<int:invitation_id>/<any(accept, decline):answer>")
@allow(SIGNED_IN)
def answer_invitation(invitation_id: int, answer: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    service = services.accept_invitation if answer == "accept" else services.decline_invitation
    if perform(lambda s: service(s, actor=current_user, invitation_id=invitation_id, now=utcnow())).ok:
        flash(_("You now teach this class.") if answer == "accept" else _("Invitation declined."), "success")
    return redirect(url_for("instructors.edit_profile", user_id=current_user.id) + "#invitations")


# --- public profile --------------------------------------------------------------------------

@bp.get("/instructors/<int:user_id>")
@allow(PUBLIC)
def profile(user_id: int):
    session = get_session()
    profile = queries.get_profile(session, user_id)
    if profile is None or not (profile.in_pool or (current_user.is_authenticated
                                                   and can_edit_profile(current_user, profile.user))):
        abort(404)
    now = utcnow()
    return render_template(
        "instructors/profile.html", profile=profile, person=profile.user,
        qualifications=queries.counting_qualifications(session, [user_id], now=now).get(user_id, []),
        record=queries.teaching_record(session, user_id, now=now),
        rating=queries.instructor_rating(session, user_id),
        ratings=queries.recent_ratings(session, instructor_user_id=user_id),
        can_edit=current_user.is_authenticated and can_edit_profile(current_user, profile.user))


@bp.get("/media/instructors/<name>")
@allow(PUBLIC)
def photo(name: str):
    """Profile photos only (scans are served with an access check above)."""
    session = get_session()
    from instructors.models import InstructorProfile

    if not session.query(InstructorProfile.id).filter_by(photo=name).first():
        abort(404)
    path = stored_file(current_app.config["UPLOAD_FOLDER"], name)
    if path is None:
        abort(404)
    return send_file(path, max_age=7 * 24 * 3600)


# --- the pool: search and invite ---------------------------------------------------------------

@bp.get("/instructors/pool")
@allow(Role.UNION_ADMIN, Role.PROVIDER_ADMIN)
def pool():
    session = get_session()
    form = PoolSearchForm(request.args)
    now = utcnow()
    profiles = []
    if form.validate():
        filters = queries.PoolFilters(
            trade=form.trade.data or "", certificate_type_code=form.certificate_type_code.data or "",
            level=form.level.data or "", city=form.city.data or "", available_from=_utc(form.available_from.data),
            available_until=_utc(form.available_until.data))
        profiles = list(session.scalars(queries.pool_select(filters, now=now).limit(100)))
    ids = [p.user_id for p in profiles]
    invite = InviteForm()
    invite.class_id.choices = [(c.id, f"{c.course.title} · {c.title} ({c.starts_on.isoformat()})")
                               for c in queries.invitable_classes(session, current_user.org_ids(Role.PROVIDER_ADMIN),
                                                                  now=now)]
    return render_template("instructors/pool.html", form=form, profiles=profiles,
                           qualifications=queries.counting_qualifications(session, ids, now=now),
                           ratings=queries.ratings_by_instructor(session, ids), invite=invite)


@bp.post("/instructors/<int:user_id>/invite")
@allow(Role.PROVIDER_ADMIN)
def invite(user_id: int):
    form = InviteForm()
    if not form.validate_on_submit() or not form.class_id.data:
        flash(_("Choose a class."), "error")
    elif perform(lambda s: services.invite_to_class(s, actor=current_user, class_id=form.class_id.data,
                                                    user_id=user_id, message=form.message.data or "",
                                                    now=utcnow())).ok:
        flash(_("Invitation sent."), "success")
    return redirect(request.referrer or url_for("instructors.pool"))


@bp.get("/provider/instructors")
@allow(Role.PROVIDER_ADMIN)
def staff():
    rows = queries.staff_of(get_session(), current_user.org_ids(Role.PROVIDER_ADMIN))
    return render_template("instructors/staff.html", rows=rows)


# --- union review --------------------------------------------------------------------------------

@bp.get("/admin/qualifications")
@allow(Role.UNION_ADMIN)
def review_queue():
    return render_template("instructors/review_queue.html", qualifications=queries.review_queue(get_session()),
                           form=DecisionForm())


@bp.post("/admin/qualifications/<int:qualification_id>/<any(verify, reject):decision>")
@allow(Role.UNION_ADMIN)
def decide(qualification_id: int, decision: str):
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    if perform(lambda s: services.decide_qualification(s, actor=current_user, qualification_id=qualification_id,
                                                       verify=decision == "verify", note=form.note.data or "",
                                                       now=utcnow())).ok:
        flash(_("Qualification verified.") if decision == "verify" else _("Qualification rejected."), "success")
    return redirect(url_for("instructors.review_queue"))


# --- ratings -----------------------------------------------------------------------------------

@bp.get("/instructors/ratings")
@allow(Role.WORKER)
def my_ratings():
    return render_template("instructors/rate_list.html",
                           classes=queries.ratable_classes(get_session(), current_user.id, now=utcnow()))


@bp.route("/classes/<int:class_id>/rate", methods=["GET", "POST"])
@allow(Role.WORKER)
def rate(class_id: int):
    training_class = get_session().get(TrainingClass, class_id)
    if training_class is None:
        abort(404)
    form = RatingForm()
    if form.validate_on_submit():
        if submit(form, lambda s: services.rate_class(s, actor=current_user, class_id=class_id, stars=form.stars.data,
                                                      comment=form.comment.data or "", now=utcnow())).ok:
            flash(_("Thank you for your rating."), "success")
            return redirect(url_for("courses.course_detail", course_id=training_class.course_id))
    elif not form.is_submitted():
        from instructors.services.ratings import may_rate

        if not may_rate(get_session(), user_id=current_user.id, training_class=training_class, now=utcnow()):
            abort(404)
    return render_template("instructors/rate.html", form=form, training_class=training_class)


def course_ratings(course_id: int) -> dict:
    """For the course page's ratings include (a Jinja global; reads only)."""
    session = get_session()
    return {"summary": queries.course_rating(session, course_id),
            "ratings": queries.recent_ratings(session, course_id=course_id, limit=5)}


def setup(app) -> None:
    app.jinja_env.globals["instructor_course_ratings"] = course_ratings
