"""Studio pages: the public list and profile, proposing a studio, members editing the profile."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.access import PUBLIC, SIGNED_IN, Role, allow
from app.auth.forms import EmptyForm
from app.auth.models import Organization, OrgKind, OrgStatus
from app.db import get_session, utcnow
from app.errors import DomainError
from app.forms import perform, submit
from courses.models import Course, CourseStatus
from studios import queries
from studios.forms import (
    AchievementForm,
    MemberForm,
    PhotoForm,
    ProposeStudioForm,
    StudioProfileForm,
)
from studios.models import StudioLevel
from studios.permissions import can_edit_studio, can_manage_members, is_union_admin
from studios.services import help as help_services
from studios.services import profiles
from studios.views import bp

PER_PAGE = 20


def _studio(studio_id: int):
    try:
        return profiles.get_studio(get_session(), actor=current_user, studio_id=studio_id)
    except DomainError:
        abort(404)


def _editable(studio_id: int):
    studio = _studio(studio_id)
    if not can_edit_studio(current_user, studio):
        abort(403)
    return studio


@bp.get("/studios")
@allow(PUBLIC)
def index():
    session = get_session()
    filters = {key: (request.args.get(key) or "").strip() or None for key in ("trade", "industry", "city", "level",
                                                                              "q")}
    if filters["level"] not in (None, *[level.value for level in StudioLevel]):
        filters["level"] = None
    page = max(1, request.args.get("page", 1, type=int) or 1)
    studios, total = queries.list_studios(session, page=page, per_page=PER_PAGE, **filters)
    return render_template("studios/index.html", studios=studios, total=total, page=page, per_page=PER_PAGE,
                           filters=filters, choices=queries.filter_choices(session),
                           args={k: v for k, v in filters.items() if v})


@bp.get("/studios/<int:studio_id>")
@allow(PUBLIC)
def detail(studio_id: int):
    studio = _studio(studio_id)
    page = queries.studio_page(get_session(), studio)
    return render_template("studios/detail.html", page=page, studio=studio,
                           can_edit=can_edit_studio(current_user, studio),
                           can_manage=can_manage_members(current_user, studio),
                           is_union=is_union_admin(current_user))


@bp.get("/studios/media/<name>")
@allow(PUBLIC)
def media(name: str):
    path = profiles.stored_file(current_app.config["UPLOAD_FOLDER"], name)
    if path is None:
        abort(404)
    return send_file(path, max_age=7 * 24 * 3600)


@bp.route("/studios/propose", methods=["GET", "POST"])
@allow(Role.ENTERPRISE_ADMIN, Role.UNION_ADMIN)
def propose():
    session = get_session()
    form = ProposeStudioForm()
    if is_union_admin(current_user):
        orgs = _enterprises(session)
    else:
        orgs = [g.organization for g in current_user.grants
                if g.role == Role.ENTERPRISE_ADMIN and g.organization is not None]
    form.organization_id.choices = [(o.id, o.name) for o in orgs]
    if form.validate_on_submit():
        outcome = submit(form, lambda s: profiles.propose_studio(
            s, actor=current_user, name=form.name.data, organization_id=form.organization_id.data,
            leader_phone=form.leader_phone.data, level=form.level.data, city=form.city.data or "",
            summary=form.summary.data or "", note=form.note.data or "", now=utcnow()))
        if outcome.ok:
            flash(_("Proposed. The union will decide whether to name it."), "success")
            return redirect(url_for("studios.detail", studio_id=outcome.value.id))
    return render_template("studios/propose.html", form=form)


def _enterprises(session):
    return list(session.scalars(select(Organization).where(Organization.kind == OrgKind.ENTERPRISE,
                                                           Organization.status == OrgStatus.APPROVED)
                                .order_by(Organization.name)))


@bp.route("/studios/<int:studio_id>/edit", methods=["GET", "POST"])
@allow(SIGNED_IN)
def edit(studio_id: int):
    studio = _editable(studio_id)
    session = get_session()
    form = StudioProfileForm(obj=studio)
    choices = queries.filter_choices(session)
    form.industry_codes.choices = [(i.code, i.name_zh) for i in choices["industries"]]
    form.course_ids.choices = [(c.id, f"{c.title} · {c.provider.name}") for c in session.scalars(
        select(Course).where(Course.status == CourseStatus.APPROVED).order_by(Course.title).limit(500))]
    if not form.is_submitted():
        form.trades.data = "、".join(studio.trade_names)
        form.industry_codes.data = [i.code for i in studio.industries]
        form.course_ids.data = [c.id for c in studio.courses]
    if form.validate_on_submit():
        if submit(form, lambda s: profiles.update_studio(s, actor=current_user, studio_id=studio.id,
                                                         changes=form.changes(), now=utcnow())).ok:
            flash(_("Saved."), "success")
            return redirect(url_for("studios.detail", studio_id=studio.id))
    return render_template("studios/edit.html", form=form, studio=studio, member_form=MemberForm(),
                           photo_form=PhotoForm(), can_manage=can_manage_members(current_user, studio),
                           members=queries.studio_page(session, studio).members, remove_form=EmptyForm())


@bp.post("/studios/<int:studio_id>/members")
@allow(SIGNED_IN)
def add_member(studio_id: int):
    form = MemberForm()
    if form.validate_on_submit():
        if perform(lambda s: profiles.add_member(s, actor=current_user, studio_id=studio_id, phone=form.phone.data,
                                                 title=form.title.data or "", now=utcnow())).ok:
            flash(_("Member added."), "success")
    else:
        flash(_("Enter the member's mobile number."), "error")
    return redirect(url_for("studios.edit", studio_id=studio_id))


@bp.post("/studios/<int:studio_id>/members/<int:user_id>/remove")
@allow(SIGNED_IN)
def remove_member(studio_id: int, user_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    if perform(lambda s: profiles.remove_member(s, actor=current_user, studio_id=studio_id, user_id=user_id,
                                                now=utcnow())).ok:
        flash(_("Membership ended."), "success")
    return redirect(url_for("studios.edit", studio_id=studio_id))


@bp.post("/studios/<int:studio_id>/photos")
@allow(SIGNED_IN)
def add_photo(studio_id: int):
    form = PhotoForm()
    if form.validate_on_submit():
        if perform(lambda s: profiles.add_photo(
                s, actor=current_user, studio_id=studio_id, content=form.photo.data.read(profiles.PHOTO_MAX_BYTES + 1),
                caption=form.caption.data or "", upload_folder=current_app.config["UPLOAD_FOLDER"],
                now=utcnow())).ok:
            flash(_("Photo added."), "success")
    else:
        flash(_("Choose a photo."), "error")
    return redirect(url_for("studios.edit", studio_id=studio_id))


@bp.route("/studios/<int:studio_id>/achievements/new", methods=["GET", "POST"])
@allow(SIGNED_IN)
def new_achievement(studio_id: int):
    studio = _editable(studio_id)
    form = AchievementForm()
    if form.validate_on_submit():
        upload = form.evidence.data

        def add(session):
            return profiles.add_achievement(
                session, actor=current_user, studio_id=studio.id, kind=form.kind.data, title=form.title.data,
                achieved_on=form.achieved_on.data, description=form.description.data or "",
                patent_number=form.patent_number.data or None,
                evidence=upload.read(profiles.EVIDENCE_MAX_BYTES + 1) if upload else None,
                evidence_name=getattr(upload, "filename", "") or "", upload_folder=current_app.config["UPLOAD_FOLDER"],
                now=utcnow())

        if submit(form, add).ok:
            flash(_("Achievement recorded."), "success")
            return redirect(url_for("studios.detail", studio_id=studio.id))
    return render_template("studios/achievement_form.html", form=form, studio=studio)


@bp.get("/studios/mine")
@allow(SIGNED_IN)
def mine():
    session = get_session()
    return render_template("studios/mine.html", studios=queries.my_studios(session, current_user),
                           apprenticeships=queries.my_apprenticeships(session, current_user),
                           requests=queries.own_requests(session, current_user),
                           can_propose=current_user.has_any_role({Role.ENTERPRISE_ADMIN, Role.UNION_ADMIN}),
                           studio_ids=help_services.my_studio_ids(session, current_user))
