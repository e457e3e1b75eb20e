"""Union admins bar candidates from exams (e.g. caught cheating), list and lift bans."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.access import Role, allow
from app.auth.models import User
from app.db import get_session, utcnow
from app.forms import perform, submit
from app.i18n import SHANGHAI, local_time
from exams.forms import BanForm, LiftBanForm
from exams.models import CertificateType
from exams.services import bans
from exams.views import bp


def start_of_local_day(day) -> datetime:
    """Midnight of ``day`` in Asia/Shanghai, in UTC (a ban "until 1 July" lets the candidate book on 1 July)."""
    return datetime.combine(day, time(0), tzinfo=SHANGHAI).astimezone(UTC)


@bp.route("/exams/admin/bans", methods=["GET", "POST"])
@allow(Role.UNION_ADMIN)
def admin_bans():
    session = get_session()
    now = utcnow()
    types = list(session.scalars(select(CertificateType).order_by(CertificateType.id)))
    form = BanForm()
    form.certificate_type_id.choices = [(0, _("All exams"))] + [(t.id, t.name_zh) for t in types]
    if form.validate_on_submit():
        candidate = bans.find_candidate(session, form.candidate.data)
        if candidate is None:
            form.candidate.errors = [_("No user has this phone or email.")]
        else:
            def ban(s):
                return bans.ban_candidate(s, actor=current_user, user_id=candidate.id,
                                          certificate_type_id=form.certificate_type_id.data or None,
                                          until=start_of_local_day(form.until.data), reason=form.reason.data, now=now)

            if submit(form, ban).ok:
                flash(_("%(name)s is barred from these exams.", name=candidate.name))
                return redirect(url_for("exams.admin_bans"))
    show_all = request.args.get("all") == "1"
    rows = bans.list_bans(session, now=now, active_only=not show_all)
    history = bans.ban_history(session)
    actor_ids = {e.actor_id for e in history if e.actor_id} | {e.detail.get("user_id") for e in history}
    people = {u.id: u for u in session.scalars(select(User).where(User.id.in_(actor_ids)))} if actor_ids else {}
    type_names = {t.id: t.name_zh for t in types}
    until_shown = {e.id: local_time(datetime.fromisoformat(e.detail["until"])) for e in history if "until" in e.detail}
    return render_template("exams/admin_bans.html", form=form, rows=rows, history=history, people=people,
                           type_names=type_names, until_shown=until_shown, lift_form=LiftBanForm(), now=now, show_all=show_all)


@bp.post("/exams/admin/bans/<int:ban_id>/lift")
@allow(Role.UNION_ADMIN)
def admin_lift_ban(ban_id: int):
    form = LiftBanForm()
    if not form.validate_on_submit():
        flash(_("Say why the ban is lifted."), "error")
    elif perform(lambda s: bans.lift_ban(s, actor=current_user, ban_id=ban_id, reason=form.reason.data,
                                         now=utcnow())).ok:
        flash(_("The ban is lifted."))
    return redirect(url_for("exams.admin_bans"))
