"""HTML pages of the records domain: the member's record and printouts, the talent pool (member
and enterprise sides), the public printout check, the union's dashboard."""

from __future__ import annotations

import io
from datetime import date

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
from sqlalchemy import select

from app.access import PUBLIC, Role, allow
from app.celery import enqueue
from app.db import after_commit, get_session, logs_reads, utcnow
from app.errors import Invalid
from app.forms import perform, submit
from app.i18n import SHANGHAI
from records import charts, export
from records.credential import issuer_document
from records.forms import (
    ActionForm,
    ContactForm,
    PoolForm,
    TalentSearchForm,
    TargetForm,
)
from records.models import RecordPrintout
from records.pdf import render_record_pdf
from records.queries import dashboard as dash
from records.queries import talent as talent_queries
from records.queries.record import build_record
from records.services import record as record_services
from records.services import talent as talent_services
from records.services import targets as target_services
from records.services.stats import DIMENSIONS
from records.tasks import rebuild_stats

bp = Blueprint("records", __name__, template_folder="templates")


def base_url() -> str:
    return current_app.config.get("SERVER_BASE_URL", request.host_url).rstrip("/")


# --- the member's record --------------------------------------------------------------------

@bp.get("/records/me")
@allow(Role.WORKER)
def my_record():
    record = build_record(get_session(), current_user, now=utcnow())
    return render_template("records/my_record.html", record=record, form=ActionForm())


@bp.post("/records/me/printouts")
@allow(Role.WORKER)
def print_record():
    now = utcnow()

    def action(session):
        record = build_record(session, current_user, now=now, for_member=False)
        return record_services.record_printout(session, actor=current_user, record=record, now=now)

    outcome = perform(action)
    if not outcome.ok:
        return redirect(url_for("records.my_record"))
    return redirect(url_for("records.printout_pdf", token=outcome.value.token))


@bp.get("/records/printouts/<token>.pdf")
@allow(Role.WORKER)
def printout_pdf(token: str):
    session = get_session()
    printout = session.scalar(select(RecordPrintout).where(RecordPrintout.token == token))
    if printout is None or printout.user_id != current_user.id:
        abort(404)
    record = build_record(session, current_user, now=utcnow(), for_member=False)
    pdf = render_record_pdf(record, verify_url=base_url() + url_for("records.verify", token=token),
                            printed_at=printout.created_at)
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name="training-record.pdf")


@bp.get("/records/verify/<token>")
@allow(PUBLIC)
def verify(token: str):
    """Is this printout genuine, and does the record still say the same today?"""
    session = get_session()
    printout = session.scalar(select(RecordPrintout).where(RecordPrintout.token == token))
    if printout is None:
        return render_template("records/verify.html", printout=None), 404
    record = build_record(session, printout.user, now=utcnow(), for_member=False)
    current = record.snapshot_hash() == printout.snapshot_hash
    return render_template("records/verify.html", printout=printout, record=record, current=current)


@bp.get("/records/issuer.json")
@allow(PUBLIC)
def issuer():
    return issuer_document(current_app.config, base_url())


# --- talent pool: the member ------------------------------------------------------------------

@bp.route("/records/talent-pool", methods=["GET", "POST"])
@allow(Role.WORKER)
def my_pool():
    session = get_session()
    profile = talent_services.get_profile(session, current_user.id)
    form = PoolForm(obj=profile) if request.method == "GET" and profile else PoolForm()
    if request.method == "GET" and profile:
        form.trades.data = "，".join(profile.trades or [])
    chosen_now = [f for f in talent_services.FIELDS if getattr(form, "show_" + f).data]
    shown = [f for f in request.form.get("consent_fields", "").split(",") if f]
    if request.method == "POST" and form.validate() and shown != chosen_now:
        # the consent recorded must be the text the member read: ask again with the new text
        form.agree.errors = [_("Your choices changed the text above: read it and agree again.")]
    elif form.validate_on_submit():
        choice = talent_services.PoolChoice(
            listed=True, show_trades=form.show_trades.data, show_certificates=form.show_certificates.data,
            show_city=form.show_city.data, show_experience=form.show_experience.data,
            trades=tuple((form.trades.data or "").replace("，", ",").replace("、", ",").split(",")),
            city=form.city.data or "", years_experience=form.years_experience.data,
            consent_version=request.form.get("consent_version"))
        outcome = submit(form, lambda s: talent_services.set_pool_choice(s, actor=current_user, choice=choice,
                                                                         now=utcnow()))
        if outcome.ok:
            flash(_("You are in the talent pool. Enterprises see only what you chose."), "success")
            return redirect(url_for("records.my_pool"))
    chosen = chosen_now if request.method == "POST" else (
        talent_services.shown_fields(profile) if profile and profile.is_listed else ["trades", "certificates"])
    listed = profile is not None and profile.is_listed
    return render_template(
        "records/my_pool.html", form=form, profile=profile, listed=listed, action_form=ActionForm(),
        wording=talent_services.consent_wording(chosen), chosen=chosen, version=talent_services.CONSENT_VERSION,
        wordings={",".join(c): talent_services.consent_wording(c) for c in _combinations(talent_services.FIELDS)},
        visitors=talent_queries.list_visitors(session, profile.id) if profile else [],
        requests=talent_queries.list_member_requests(session, profile.id) if profile else [])


def _combinations(fields: tuple[str, ...]) -> list[list[str]]:
    """Every subset of the fields, in their order (the consent text of each, for the page's script)."""
    return [[f for i, f in enumerate(fields) if mask & (1 << i)] for mask in range(1 << len(fields))]


@bp.post("/records/talent-pool/withdraw")
@allow(Role.WORKER)
def withdraw_pool():
    choice = talent_services.PoolChoice(listed=False)
    if perform(lambda s: talent_services.set_pool_choice(s, actor=current_user, choice=choice, now=utcnow())).ok:
        flash(_("You left the talent pool. Enterprises can no longer find or see you."), "success")
    return redirect(url_for("records.my_pool"))


@bp.post("/records/contact-requests/<int:request_id>/<any(accept, decline):answer>")
@allow(Role.WORKER)
def answer_contact(request_id: int, answer: str):
    if perform(lambda s: talent_services.answer_contact(s, actor=current_user, request_id=request_id,
                                                        accept=answer == "accept", now=utcnow())).ok:
        flash(_("Your contact details were shared with the enterprise.") if answer == "accept"
              else _("You declined the request."), "success")
    return redirect(url_for("records.my_pool"))


# --- talent pool: enterprises -----------------------------------------------------------------

@bp.get("/talent")
@logs_reads
@allow(Role.ENTERPRISE_ADMIN)
def talent_search():
    form = TalentSearchForm(request.args)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    query = talent_services.TalentQuery(skill=form.skill.data or "", certificate_type=form.certificate_type.data or "",
                                        level=form.level.data or "", city=form.city.data or "", page=page)
    # every search is logged (the members see who looked): the one kind of write a GET here makes
    outcome = perform(lambda s: talent_services.search_pool(s, actor=current_user, query=query, now=utcnow()))
    if not outcome.ok:
        return render_template("records/talent_search.html", form=form, profiles=[], total=0, page=page,
                               blocked=True), 403
    profiles, total = outcome.value
    return render_template("records/talent_search.html", form=form, profiles=profiles, total=total, page=page,
                           blocked=False)


@bp.route("/talent/<int:profile_id>", methods=["GET", "POST"])
@logs_reads
@allow(Role.ENTERPRISE_ADMIN)
def talent_profile(profile_id: int):
    form = ContactForm()
    if form.validate_on_submit():
        outcome = submit(form, lambda s: talent_services.request_contact(
            s, actor=current_user, profile_id=profile_id, message=form.message.data or "", now=utcnow()))
        if outcome.ok:
            flash(_("Your request was sent. You will see the contact details once the member accepts."), "success")
            return redirect(url_for("records.talent_contacts"))
    outcome = perform(lambda s: talent_services.view_profile(s, actor=current_user, profile_id=profile_id,
                                                             now=utcnow()))
    if not outcome.ok:
        return redirect(url_for("records.talent_search"))
    return render_template("records/talent_profile.html", profile=outcome.value, form=form)


@bp.get("/talent/contacts")
@allow(Role.ENTERPRISE_ADMIN)
def talent_contacts():
    org = talent_services.enterprise_of(current_user)
    rows = talent_queries.list_enterprise_requests(get_session(), org.id)
    return render_template("records/talent_contacts.html", rows=rows)


# --- the union's dashboard --------------------------------------------------------------------

def _period() -> dash.Period:
    today = utcnow().astimezone(SHANGHAI).date()
    default = dash.Period.year_of(today)
    try:
        start = date.fromisoformat(request.args["from"] + "-01") if request.args.get("from") else default.start
        end = date.fromisoformat(request.args["to"] + "-01") if request.args.get("to") else default.end
    except ValueError:
        raise Invalid(_("Give months as YYYY-MM."), field="from") from None
    if end < start:
        raise Invalid(_("The period ends before it starts."), field="to")
    return dash.Period(start, end)


def _dimension() -> str:
    by = request.args.get("by", "industry")
    if by not in DIMENSIONS:
        raise Invalid(_("Choose a breakdown."), field="by")
    return by


@bp.get("/records/dashboard")
@allow(Role.UNION_ADMIN)
def dashboard():
    session = get_session()
    period, by = _period(), _dimension()
    totals = dash.totals(session, period)
    months = dash.monthly(session, period, "trained")
    rows = dash.breakdown(session, period, by)
    targets = dash.list_targets(session)
    return render_template(
        "records/dashboard.html", period=period, by=by, totals=totals, pass_rate=dash.pass_rate(totals),
        month_chart=charts.column_chart([(f"{m.month}月", v) for m, v in months], title=_("People trained by month")),
        breakdown_chart=charts.bar_list([(r.key or "—", r.values.get("trained", 0)) for r in rows[:12]],
                                        title=_("People trained")),
        rings={t.target.id: charts.progress_ring(t.percent, title=t.target.title) for t in targets},
        rows=rows, targets=targets, dimensions=DIMENSIONS, rebuild=dash.last_rebuild(session),
        form=ActionForm(), target_form=TargetForm())


@bp.get("/records/dashboard/<any(breakdown, targets, months):table>.xlsx")
@allow(Role.UNION_ADMIN)
def dashboard_xlsx(table: str):
    session = get_session()
    period, by = _period(), _dimension()
    data = export.dashboard_workbook(session, table=table, period=period, by=by)
    return send_file(io.BytesIO(data), download_name=f"{table}-{period.start:%Y%m}-{period.end:%Y%m}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.post("/records/dashboard/rebuild")
@allow(Role.UNION_ADMIN)
def dashboard_rebuild():
    session = get_session()
    after_commit(session, lambda: enqueue(rebuild_stats))   # the job runs after this transaction
    session.commit()
    flash(_("The figures are being recalculated."), "success")
    return redirect(url_for("records.dashboard"))


@bp.post("/records/targets")
@allow(Role.UNION_ADMIN)
def add_target():
    form = TargetForm()
    if form.validate_on_submit():
        outcome = submit(form, lambda s: target_services.save_target(
            s, actor=current_user, title=form.title.data, metric=form.metric.data, goal=form.goal.data,
            starts_on=form.starts_on.data, ends_on=form.ends_on.data, dimension=form.dimension.data or "",
            value=form.value.data or "", now=utcnow()))
        if outcome.ok:
            flash(_("Target saved."), "success")
            return redirect(url_for("records.dashboard"))
    for errors in [*form.errors.values(), form.form_errors]:
        for error in errors:
            flash(str(error), "error")
    return redirect(url_for("records.dashboard"))


@bp.post("/records/targets/<int:target_id>/delete")
@allow(Role.UNION_ADMIN)
def delete_target(target_id: int):
    perform(lambda s: target_services.delete_target(s, actor=current_user, target_id=target_id))
    return redirect(url_for("records.dashboard"))
