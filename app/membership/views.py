"""HTML pages of the membership domain."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import Role, allow
from app.auth.forms import DecisionForm
from app.db import get_session, utcnow
from app.forms import perform, submit
from app.membership import queries, services
from app.membership.forms import LinkMembershipForm, RegisterImportForm
from app.membership.models import RegisterImport
from app.security import vault

bp = Blueprint("membership", __name__)


@bp.route("/membership", methods=["GET", "POST"])
@allow(Role.WORKER)
def link():
    session = get_session()
    profile = queries.get_profile(session, current_user.id)
    form = LinkMembershipForm()
    if form.validate_on_submit():
        data = services.MembershipInput(member_no=form.member_no.data, union_name=form.union_name.data,
                                        employer=form.employer.data, real_name=form.real_name.data,
                                        id_number=form.id_number.data)
        form.id_number.data = ""  # never echo an ID number back into the page
        ok, linked = submit(form, lambda session: services.link_membership(
            session, actor=current_user, data=data, vault=vault(), now=utcnow()))
        if ok:
            if linked.is_verified:
                flash(_("Your membership is verified. Member prices now apply."), "success")
            else:
                flash(_("Submitted. The union will check your membership shortly."), "info")
            return redirect(url_for("membership.link"))
    elif profile is not None and not form.is_submitted():
        form.member_no.data, form.union_name.data = profile.member_no, profile.union_name
        form.employer.data, form.real_name.data = profile.employer_name, profile.real_name
    return render_template("membership/link.html", form=form, profile=profile)


@bp.route("/admin/membership", methods=["GET", "POST"])
@allow(Role.UNION_ADMIN)
def admin():
    session = get_session()
    form = RegisterImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        ok, batch = submit(form, lambda session: services.import_register(
            session, actor=current_user, filename=upload.filename or "register", content=upload.read(),
            vault=vault(), now=utcnow()))
        if ok:
            return redirect(url_for("membership.import_report", import_id=batch.id))
    pending = list(session.scalars(queries.list_pending_links()))
    imports = list(session.scalars(queries.list_imports()))
    return render_template("membership/admin.html", form=form, pending=pending, imports=imports,
                           decision_form=DecisionForm())


@bp.get("/admin/membership/imports/<int:import_id>")
@allow(Role.UNION_ADMIN)
def import_report(import_id: int):
    batch = get_session().get(RegisterImport, import_id)
    if batch is None:
        abort(404)
    return render_template("membership/import_report.html", batch=batch)


@bp.post("/admin/membership/<int:profile_id>/<any(approve, reject):decision>")
@allow(Role.UNION_ADMIN)
def decide(profile_id: int, decision: str):
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    if perform(lambda session: services.decide_membership(
            session, actor=current_user, profile_id=profile_id, approve=decision == "approve",
            note=form.note.data or "", now=utcnow())).ok:
        flash(_("Decision saved."), "success")
    return redirect(url_for("membership.admin"))
