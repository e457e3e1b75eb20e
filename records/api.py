"""JSON API of the records domain (``/api/v1``): the record, the talent pool, the dashboard."""

from __future__ import annotations

import io

from flask import Blueprint, current_app, jsonify, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import Role, allow
from app.api import created, endpoint, page_of, parse_body, parse_query
from app.celery import enqueue
from app.db import after_commit, get_session, logs_reads, utcnow
from app.errors import DomainError
from records import credential
from records.pdf import render_record_pdf
from records.queries import dashboard as dash
from records.queries import talent as talent_queries
from records.queries.record import Record, build_record
from records.schemas import (
    ContactIn,
    ContactRequestOut,
    DashboardOut,
    DashboardQuery,
    PoolIn,
    PoolOut,
    RecordOut,
    RecordQuery,
    SentRequestList,
    SentRequestOut,
    TalentOut,
    TalentPage,
    TalentQueryIn,
    TargetIn,
    TargetOut,
    VisitOut,
)
from records.services import record as record_services
from records.services import talent as talent_services
from records.services import targets as target_services
from records.tasks import rebuild_stats

bp = Blueprint("records_api", __name__, url_prefix="/api/v1")
TAGS = ("records",)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def base_url() -> str:
    return current_app.config.get("SERVER_BASE_URL", request.host_url).rstrip("/")


def record_out(record: Record, verify_url: str | None = None) -> dict:
    t = record.totals
    return RecordOut(name=record.name, member_no=record.member_no, union_name=record.union_name,
                     totals=t.__dict__, sections=record.sections, verify_url=verify_url,
                     entries=[e.public() for e in record.entries]).model_dump(mode="json")


@bp.get("/me/record")
@logs_reads
@allow(Role.WORKER)
@endpoint("The caller's whole training record from every source, newest first, with totals; "
          "?format=pdf for a printable copy (registers the printout behind its QR code), "
          "?format=credential for a signed Verifiable Presentation", query=RecordQuery, response=RecordOut,
          media={"application/pdf": {"type": "string", "format": "binary"},
                 "application/vp+ld+json": {"type": "object"}}, tags=TAGS)
def my_record():
    args = parse_query(RecordQuery)
    session = get_session()
    now = utcnow()
    if args.format == "json":
        return jsonify(record_out(build_record(session, current_user, now=now)))
    record = build_record(session, current_user, now=now, for_member=False)
    if args.format == "credential":
        response = jsonify(credential.export_record(record, config=current_app.config, base_url=base_url(), now=now))
        response.headers["Content-Disposition"] = 'attachment; filename="training-record.vp.json"'
        response.mimetype = "application/vp+ld+json"   # a Verifiable Presentation, not the record's JSON
        return response
    # A printout must be checkable later: it is registered (reused while the record is unchanged).
    printout = record_services.record_printout(session, actor=current_user, record=record, now=now)
    session.commit()
    verify_url = base_url() + url_for("records.verify", token=printout.token)
    pdf = render_record_pdf(record, verify_url=verify_url, printed_at=printout.created_at)
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name="training-record.pdf")


# --- talent pool: the member ------------------------------------------------------------------

def pool_out(session, user) -> dict:
    profile = talent_services.get_profile(session, user.id)
    listed = profile is not None and profile.is_listed
    fields = talent_services.shown_fields(profile) if listed else ["trades", "certificates"]
    visitors = talent_queries.list_visitors(session, profile.id) if profile else []
    requests = talent_queries.list_member_requests(session, profile.id) if profile else []
    return PoolOut(
        listed=listed, shown_fields=talent_services.shown_fields(profile) if listed else [],
        card=profile.card if listed else {}, trades=list(profile.trades or []) if profile else [],
        city=profile.city if profile else "", years_experience=profile.years_experience if profile else None,
        consent_text=talent_services.consent_wording(fields), consent_version=talent_services.CONSENT_VERSION,
        consented_at=_iso(profile.consented_at) if profile else None,
        withdrawn_at=_iso(profile.withdrawn_at) if profile else None,
        visitors=[VisitOut(organization=v.organization, action=v.action, times=v.times, last_at=_iso(v.last_at))
                  for v in visitors],
        contact_requests=[ContactRequestOut(id=r.id, organization=r.organization.name, message=r.message,
                                            status=r.status, created_at=_iso(r.created_at)) for r in requests],
    ).model_dump(mode="json")


@bp.get("/me/talent-pool")
@allow(Role.WORKER)
@endpoint("The caller's place in the talent pool: what enterprises see, the consent text to show, who looked, "
          "contact requests", response=PoolOut, tags=TAGS)
def my_pool():
    return jsonify(pool_out(get_session(), current_user))


@bp.put("/me/talent-pool")
@allow(Role.WORKER)
@endpoint("Opt into the talent pool choosing what enterprises may see (with the consent_version shown), change "
          "it, or withdraw at once (listed: false)", body=PoolIn, response=PoolOut, errors=(403, 409, 422),
          tags=TAGS)
def put_pool():
    data = parse_body(PoolIn)
    session = get_session()
    choice = talent_services.PoolChoice(
        listed=data.listed, show_trades=data.show_trades, show_certificates=data.show_certificates,
        show_city=data.show_city, show_experience=data.show_experience, trades=tuple(data.trades), city=data.city,
        years_experience=data.years_experience, consent_version=data.consent_version)
    talent_services.set_pool_choice(session, actor=current_user, choice=choice, now=utcnow())
    session.commit()
    return jsonify(pool_out(session, current_user))


@bp.post("/me/contact-requests/<int:request_id>/<any(accept, decline):answer>")
@allow(Role.WORKER)
@endpoint("Accept (share your name and phone with the enterprise) or decline a contact request",
          response=ContactRequestOut, errors=(404, 409), tags=TAGS)
def answer_contact(request_id: int, answer: str):
    session = get_session()
    r = talent_services.answer_contact(session, actor=current_user, request_id=request_id,
                                       accept=answer == "accept", now=utcnow())
    session.commit()
    return jsonify(ContactRequestOut(id=r.id, organization=r.organization.name, message=r.message, status=r.status,
                                     created_at=_iso(r.created_at)).model_dump(mode="json"))


# --- talent pool: enterprises -----------------------------------------------------------------

@bp.get("/talent")
@logs_reads
@allow(Role.ENTERPRISE_ADMIN)
@endpoint("Search the talent pool (approved enterprise admins): only opted-in members, only what each chose to "
          "show; every search is logged", query=TalentQueryIn, response=TalentPage, errors=(403, 422), tags=TAGS)
def search_talent():
    args = parse_query(TalentQueryIn)
    session = get_session()
    query = talent_services.TalentQuery(skill=args.skill, certificate_type=args.certificate_type, level=args.level,
                                        city=args.city, page=args.page, per_page=args.per_page)
    profiles, total = talent_services.search_pool(session, actor=current_user, query=query, now=utcnow())
    items = [TalentOut(id=p.id, card=p.card).model_dump() for p in profiles]
    session.commit()   # the access log
    return jsonify(page_of(items, page=args.page, per_page=args.per_page, total=total))


@bp.get("/talent/<int:talent_id>")
@logs_reads
@allow(Role.ENTERPRISE_ADMIN)
@endpoint("One pool member's card (logged as a view); 404 once the member withdrew", response=TalentOut,
          errors=(403, 404), tags=TAGS)
def view_talent(talent_id: int):
    session = get_session()
    profile = talent_services.view_profile(session, actor=current_user, profile_id=talent_id, now=utcnow())
    out = TalentOut(id=profile.id, card=profile.card).model_dump()
    session.commit()   # the access log
    return jsonify(out)


def sent_out(row: talent_queries.SentRequest) -> SentRequestOut:
    r = row.request
    return SentRequestOut(id=r.id, talent_id=r.profile_id, status=r.status, message=r.message,
                          created_at=_iso(r.created_at), name=row.name, contact=row.contact)


@bp.post("/talent/<int:talent_id>/contact-requests")
@allow(Role.ENTERPRISE_ADMIN)
@endpoint("Ask a pool member for contact through the platform; details are shared only if the member accepts",
          body=ContactIn, response=SentRequestOut, status=201, errors=(403, 404, 409), tags=TAGS)
def request_contact(talent_id: int):
    data = parse_body(ContactIn)
    session = get_session()
    r = talent_services.request_contact(session, actor=current_user, profile_id=talent_id, message=data.message,
                                        now=utcnow())
    session.commit()
    return created(sent_out(talent_queries.SentRequest(request=r, name=None, contact=None)).model_dump())


@bp.get("/talent/contact-requests")
@allow(Role.ENTERPRISE_ADMIN)
@endpoint("The enterprise's contact requests; name and contact appear once accepted, members who left the pool "
          "are not listed", response=SentRequestList, errors=(403,), tags=TAGS)
def sent_requests():
    org = talent_services.enterprise_of(current_user)
    rows = talent_queries.list_enterprise_requests(get_session(), org.id)
    return jsonify(SentRequestList(items=[sent_out(r) for r in rows]).model_dump())


# --- the union's dashboard --------------------------------------------------------------------

def target_out(t: dash.TargetProgress) -> TargetOut:
    x = t.target
    return TargetOut(id=x.id, title=x.title, metric=x.metric, goal=x.goal, done=t.done, percent=t.percent,
                     starts_on=x.starts_on, ends_on=x.ends_on, dimension=x.dimension, value=x.value)


@bp.get("/dashboard")
@allow(Role.UNION_ADMIN)
@endpoint("The union's figures for a period (from/to as YYYY-MM; default this year) from the summary tables, "
          "broken down by one dimension, with the targets' progress", query=DashboardQuery, response=DashboardOut,
          errors=(422,), tags=TAGS)
def dashboard():
    from datetime import date

    from app.i18n import SHANGHAI

    args = parse_query(DashboardQuery)
    session = get_session()
    default = dash.Period.year_of(utcnow().astimezone(SHANGHAI).date())
    try:
        period = dash.Period(date.fromisoformat(args.from_ + "-01") if args.from_ else default.start,
                             date.fromisoformat(args.to + "-01") if args.to else default.end)
    except ValueError:
        raise DomainError(_("Give months as YYYY-MM."), code="invalid", field="from", status=422) from None
    if period.end < period.start:
        raise DomainError(_("The period ends before it starts."), code="invalid", field="to", status=422)
    totals = dash.totals(session, period)
    rebuild = dash.last_rebuild(session)
    return jsonify(DashboardOut(
        start=period.start, end=period.end, by=args.by, totals=totals, pass_rate=dash.pass_rate(totals),
        months=[{"month": m.strftime("%Y-%m"), "trained": v} for m, v in dash.monthly(session, period, "trained")],
        breakdown=[{"key": r.key, "values": r.values, "pass_rate": r.pass_rate}
                   for r in dash.breakdown(session, period, args.by)],
        targets=[target_out(t) for t in dash.list_targets(session)],
        rebuilt_at=_iso(rebuild.finished_at) if rebuild else None).model_dump(mode="json"))


@bp.post("/dashboard/rebuild")
@allow(Role.UNION_ADMIN)
@endpoint("Recalculate the summary tables now (also done by a periodic job)", status=202, tags=TAGS)
def rebuild():
    session = get_session()
    after_commit(session, lambda: enqueue(rebuild_stats))   # the job runs after this transaction
    session.commit()
    return jsonify({"status": "queued"}), 202


@bp.post("/targets")
@allow(Role.UNION_ADMIN)
@endpoint("Set a target, e.g. train 1,000 industrial workers this year", body=TargetIn, response=TargetOut,
          status=201, errors=(422,), tags=TAGS)
def add_target():
    data = parse_body(TargetIn)
    session = get_session()
    target = target_services.save_target(session, actor=current_user, title=data.title, metric=data.metric,
                                         goal=data.goal, starts_on=data.starts_on, ends_on=data.ends_on,
                                         dimension=data.dimension, value=data.value, now=utcnow())
    session.commit()
    done = next(t for t in dash.list_targets(session) if t.target.id == target.id)
    return created(target_out(done).model_dump(mode="json"))
