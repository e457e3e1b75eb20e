"""JSON API of enterprise orders (``/api/v1``): demands, quotes, orders, rosters, progress."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user

from app.access import Role, allow
from app.api import PageQuery, created, endpoint, page_of, parse_body, parse_query
from app.celery import enqueue
from app.db import after_commit, get_session, paginate, utcnow
from app.errors import DomainError, Invalid
from app.money import money_json
from app.payments.gateway import current_gateway
from app.security import vault
from orders import queries
from orders.models import Order, Quote, RosterUpload, TrainingDemand, UploadStatus
from orders.permissions import is_union, owns_demand
from orders.schemas import (
    AcceptIn,
    CancelIn,
    ConfirmIn,
    DemandIn,
    DemandOut,
    DemandPage,
    DirectIn,
    MessageIn,
    MessageOut,
    ObjectionIn,
    OrderIn,
    OrderOut,
    OrderPage,
    ProgressOut,
    QuoteIn,
    QuoteList,
    QuoteOut,
    RosterIn,
    RosterReport,
    SubmitIn,
)
from orders.services import demands, ordering, roster

bp = Blueprint("orders_api", __name__, url_prefix="/api/v1")

ENTERPRISE, PROVIDER, UNION = Role.ENTERPRISE_ADMIN, Role.PROVIDER_ADMIN, Role.UNION_ADMIN
TAGS = ("orders",)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _org(org) -> dict:
    return {"id": org.id, "name": org.name}


def demand_json(demand: TrainingDemand, *, quotes: int | None = None) -> dict:
    privileged = owns_demand(current_user, demand) or is_union(current_user)
    return {
        "id": demand.id, "kind": demand.kind, "status": demand.status, "title": demand.title, "skill": demand.skill,
        "certificate_type": demand.certificate_type, "headcount": demand.headcount, "city": demand.city,
        "venue_preference": demand.venue_preference, "mode": demand.mode,
        "preferred_start": _iso(demand.preferred_start), "preferred_end": _iso(demand.preferred_end),
        "budget": money_json(demand.budget, demand.currency) if demand.budget is not None else None,
        "notes": demand.notes, "enterprise": _org(demand.enterprise), "open_to_all": demand.open_to_all,
        "invited": [_org(i.organization) for i in demand.invitations] if privileged else None,
        "published_at": _iso(demand.published_at), "quotes": quotes if privileged else None,
    }


def quote_json(quote: Quote, *, messages=(), rating=None) -> dict:
    return {
        "id": quote.id, "demand_id": quote.demand_id, "status": quote.status, "provider": _org(quote.organization),
        "price_per_person": money_json(quote.price_per_person, quote.currency),
        "total": money_json(quote.total, quote.currency), "course_id": quote.course_id,
        "course_title": quote.course.title if quote.course else None, "class_id": quote.class_id,
        "starts_on": _iso(quote.starts_on), "ends_on": _iso(quote.ends_on), "city": quote.city, "venue": quote.venue,
        "mode": quote.mode, "instructors": quote.instructors, "inclusions": list(quote.inclusions or []),
        "notes": quote.notes, "valid_until": _iso(quote.valid_until), "cancel_fee_pct": quote.cancel_fee_pct,
        "provider_rating": rating[0] if rating else None,
        "messages": [message_json(m) for m in messages],
    }


def message_json(message) -> dict:
    return {"id": message.id, "side": message.side, "author": message.author.name, "body": message.body,
            "created_at": _iso(message.created_at)}


def order_json(session, order: Order) -> dict:
    pays = queries.payments_of(session, order.id)
    return {
        "id": order.id, "status": order.status, "enterprise": _org(order.enterprise), "provider": _org(order.provider),
        "demand_id": order.demand_id, "quote_id": order.quote_id, "course_id": order.course_id,
        "class_id": order.class_id, "class_title": order.training_class.title if order.training_class else None,
        "seats": order.seats, "seats_reserved": order.seats_reserved,
        "price_per_person": money_json(order.price_per_person, order.currency),
        "total": money_json(order.total, order.currency),
        "enterprise_share": money_json(order.enterprise_amount, order.currency),
        "subsidy": money_json(order.subsidy_amount, order.currency), "subsidy_members": order.subsidy_members,
        "pay_method": order.pay_method, "invoice_title": order.invoice_title,
        "invoice_tax_number": order.invoice_tax_number, "cancel_fee_pct": order.cancel_fee_pct,
        "roster_size": roster.roster_count(session, order.id), "rating": order.rating,
        "rating_comment": order.rating_comment, "objection": order.objection,
        "payments": [{"id": p.id, "purpose": p.purpose, "status": p.status, "method": p.method,
                      "amount": money_json(p.amount, p.currency), "refunded": money_json(p.refunded_amount, p.currency)}
                     for p in pays],
        "events": [{"from_status": e.from_status, "to_status": e.to_status, "actor": e.actor.name if e.actor else None,
                    "at": _iso(e.at), "note": e.note} for e in order.events],
    }


def report_json(upload: RosterUpload, *, repeated: bool) -> dict:
    lines = [{k: line[k] for k in ("row", "name", "id", "outcome", "code", "reason")} for line in upload.report]
    return {"upload_id": upload.id, "status": upload.status, "repeated": repeated, "total_rows": upload.total_rows,
            "processed_rows": upload.processed_rows, "summary": roster.summary(upload.report), "rows": lines}


def _optional(model):
    """An optional JSON body: absent or empty means the model's defaults."""
    if not request.get_data(cache=True):
        return model()
    return parse_body(model)


# --- demands -------------------------------------------------------------------------------------

@bp.post("/demands")
@allow(ENTERPRISE)
@endpoint("An enterprise posts a training demand (a draft, or published with publish: true)", body=DemandIn,
          response=DemandOut, status=201, errors=(403,), tags=TAGS)
def create_demand():
    data = parse_body(DemandIn)
    session = get_session()
    demand = demands.create_demand(session, actor=current_user, values=data.model_dump(exclude={"publish"}),
                                   now=utcnow(), publish=data.publish)
    session.commit()
    return created(demand_json(demand, quotes=0))


@bp.get("/demands")
@allow(ENTERPRISE, PROVIDER, UNION)
@endpoint("Demands the caller may see: its own (enterprise), those open to it (provider), all published (union)",
          query=PageQuery, response=DemandPage, tags=TAGS)
def list_demands():
    args = parse_query(PageQuery)
    session = get_session()
    if current_user.has_role(ENTERPRISE):
        stmt = queries.enterprise_demands(current_user)
    elif current_user.has_role(UNION):
        stmt = queries.union_demands()
    else:
        stmt = queries.provider_demands(current_user)
    rows, total = paginate(session, stmt, page=args.page, per_page=args.per_page)
    counts = queries.quote_counts(session, [d.id for d in rows])
    return jsonify(page_of([demand_json(d, quotes=counts.get(d.id, 0)) for d in rows], page=args.page,
                           per_page=args.per_page, total=total))


@bp.get("/demands/<int:demand_id>")
@allow(ENTERPRISE, PROVIDER, UNION)
@endpoint("One demand (404 for a demand the caller may not see)", response=DemandOut, errors=(404,), tags=TAGS)
def get_demand(demand_id: int):
    session = get_session()
    demand = demands.get_demand(session, actor=current_user, demand_id=demand_id)
    return jsonify(demand_json(demand, quotes=queries.quote_counts(session, [demand.id]).get(demand.id, 0)))


@bp.post("/demands/<int:demand_id>/publish")
@allow(ENTERPRISE)
@endpoint("Publish a draft demand", response=DemandOut, errors=(404, 409), tags=TAGS)
def publish_demand(demand_id: int):
    session = get_session()
    demand = demands.publish_demand(session, actor=current_user, demand_id=demand_id, now=utcnow())
    session.commit()
    return jsonify(demand_json(demand, quotes=0))


@bp.post("/demands/<int:demand_id>/direct")
@allow(UNION)
@endpoint("The union directs a demand to chosen providers and/or opens it to all approved providers",
          body=DirectIn, response=DemandOut, errors=(404, 409), tags=TAGS)
def direct_demand(demand_id: int):
    data = parse_body(DirectIn)
    session = get_session()
    demand = demands.direct_demand(session, actor=current_user, demand_id=demand_id,
                                   organization_ids=data.organization_ids, open_to_all=data.open_to_all, now=utcnow())
    session.commit()
    return jsonify(demand_json(demand))


@bp.post("/demands/<int:demand_id>/reject-quotes")
@allow(ENTERPRISE)
@endpoint("The enterprise rejects every quote; the demand closes and each provider is told", response=DemandOut,
          errors=(404, 409), tags=TAGS)
def reject_quotes(demand_id: int):
    session = get_session()
    demand = demands.reject_all_quotes(session, actor=current_user, demand_id=demand_id, now=utcnow())
    session.commit()
    return jsonify(demand_json(demand))


# --- quotes --------------------------------------------------------------------------------------

@bp.get("/demands/<int:demand_id>/quotes")
@allow(ENTERPRISE, PROVIDER, UNION)
@endpoint("Quotes on a demand, cheapest first: all of them for the enterprise and the union, its own for a provider",
          response=QuoteList, errors=(404,), tags=TAGS)
def list_quotes(demand_id: int):
    session = get_session()
    found = demands.list_quotes(session, actor=current_user, demand_id=demand_id)
    talk = queries.threads(session, [q.id for q in found])
    ratings = queries.ratings_by_provider(session, sorted({q.organization_id for q in found}))
    return jsonify({"items": [quote_json(q, messages=talk[q.id], rating=ratings.get(q.organization_id))
                              for q in found]})


@bp.post("/demands/<int:demand_id>/quotes")
@allow(PROVIDER)
@endpoint("A provider quotes on a demand open to it (again: revises its open quote)", body=QuoteIn,
          response=QuoteOut, status=201, errors=(404, 409), tags=TAGS)
def submit_quote(demand_id: int):
    data = parse_body(QuoteIn)
    session = get_session()
    quote = demands.submit_quote(session, actor=current_user, demand_id=demand_id,
                                 organization_id=data.organization_id,
                                 values=data.model_dump(exclude={"organization_id"}), now=utcnow())
    session.commit()
    return created(quote_json(quote))


@bp.post("/quotes/<int:quote_id>/messages")
@allow(ENTERPRISE, PROVIDER)
@endpoint("A question (enterprise) or an answer (provider) on a quote", body=MessageIn, response=MessageOut,
          status=201, errors=(404, 409), tags=TAGS)
def post_message(quote_id: int):
    data = parse_body(MessageIn)
    session = get_session()
    message = demands.ask_on_quote(session, actor=current_user, quote_id=quote_id, body=data.body, now=utcnow())
    session.commit()
    return created(message_json(message))


@bp.post("/quotes/<int:quote_id>/accept")
@allow(ENTERPRISE)
@endpoint("Accept a quote: the others are declined and told; returns the draft order", response=OrderOut,
          status=201, errors=(404, 409), tags=TAGS)
def accept_quote(quote_id: int):
    session = get_session()
    order = demands.accept_quote(session, actor=current_user, quote_id=quote_id, now=utcnow())
    session.commit()
    return created(order_json(session, order))


# --- orders --------------------------------------------------------------------------------------

@bp.post("/orders")
@allow(ENTERPRISE)
@endpoint("An order from a quote (quote_id: accepts it) or straight for a class (class_id and seats)",
          body=OrderIn, response=OrderOut, status=201, errors=(403, 404, 409), tags=TAGS)
def create_order():
    data = parse_body(OrderIn)
    session = get_session()
    now = utcnow()
    if data.quote_id and not data.class_id:
        order = demands.accept_quote(session, actor=current_user, quote_id=data.quote_id, now=now)
    elif data.class_id and data.seats and not data.quote_id:
        order = ordering.order_class(session, actor=current_user, class_id=data.class_id, seats=data.seats, now=now)
    else:
        raise Invalid("Give either quote_id, or class_id with seats.", field="quote_id")
    session.commit()
    return created(order_json(session, order))


@bp.get("/orders")
@allow(ENTERPRISE, PROVIDER, UNION)
@endpoint("Orders of the caller's enterprise, of its provider, or all (union)", query=PageQuery,
          response=OrderPage, tags=TAGS)
def list_orders():
    args = parse_query(PageQuery)
    session = get_session()
    if current_user.has_role(ENTERPRISE):
        stmt = queries.orders_of(current_user)
    elif current_user.has_role(UNION):
        stmt = queries.all_orders()
    else:
        stmt = queries.orders_of(current_user, as_provider=True)
    rows, total = paginate(session, stmt, page=args.page, per_page=args.per_page)
    return jsonify(page_of([order_json(session, o) for o in rows], page=args.page, per_page=args.per_page,
                           total=total))


@bp.get("/orders/<int:order_id>")
@allow(ENTERPRISE, PROVIDER, UNION)
@endpoint("One order with its split, payments and log", response=OrderOut, errors=(404,), tags=TAGS)
def get_order(order_id: int):
    session = get_session()
    return jsonify(order_json(session, ordering.get_order(session, actor=current_user, order_id=order_id)))


def _act(fn, **kwargs):
    session = get_session()
    order = fn(session, actor=current_user, now=utcnow(), **kwargs)
    session.commit()
    return jsonify(order_json(session, order))


@bp.post("/orders/<int:order_id>/submit")
@allow(ENTERPRISE)
@endpoint("Submit a draft order with how the enterprise pays (seats in a known class are reserved now)",
          body=SubmitIn, response=OrderOut, errors=(404, 409), tags=TAGS)
def submit_order(order_id: int):
    data = _optional(SubmitIn)
    return _act(ordering.submit_order, order_id=order_id, **data.model_dump())


@bp.post("/orders/<int:order_id>/confirm")
@allow(PROVIDER)
@endpoint("The provider confirms: seats reserved, subsidy granted, payments due, roster enrolled", body=ConfirmIn,
          response=OrderOut, errors=(404, 409), tags=TAGS)
def confirm_order(order_id: int):
    data = _optional(ConfirmIn)
    online = bool(current_app.config.get("STRIPE_SECRET_KEY"))
    return _act(ordering.confirm_order, order_id=order_id, class_id=data.class_id, online=online)


@bp.post("/orders/<int:order_id>/cancel")
@allow(ENTERPRISE, PROVIDER)
@endpoint("Cancel by the agreed rules (free before confirmation, the quote's fee after it)", body=CancelIn,
          response=OrderOut, errors=(404, 409), tags=TAGS)
def cancel_order(order_id: int):
    data = _optional(CancelIn)
    return _act(ordering.cancel_order, order_id=order_id, reason=data.reason, gateway=current_gateway())


@bp.post("/orders/<int:order_id>/invoiced")
@allow(PROVIDER)
@endpoint("The provider has issued the invoice of a bank-transfer order", response=OrderOut, errors=(404, 409),
          tags=TAGS)
def mark_invoiced(order_id: int):
    return _act(ordering.mark_invoiced, order_id=order_id)


@bp.post("/orders/<int:order_id>/start-delivery")
@allow(PROVIDER)
@endpoint("The provider starts delivering a paid (or invoiced) order", response=OrderOut, errors=(404, 409),
          tags=TAGS)
def start_delivery(order_id: int):
    return _act(ordering.start_delivery, order_id=order_id)


@bp.post("/orders/<int:order_id>/delivered")
@allow(PROVIDER)
@endpoint("The provider marks the training delivered", response=OrderOut, errors=(404, 409), tags=TAGS)
def mark_delivered(order_id: int):
    return _act(ordering.mark_delivered, order_id=order_id)


@bp.post("/orders/<int:order_id>/accept")
@allow(ENTERPRISE)
@endpoint("The enterprise accepts delivery (验收) with a 1–5 star rating", body=AcceptIn, response=OrderOut,
          errors=(404, 409), tags=TAGS)
def accept_order(order_id: int):
    data = parse_body(AcceptIn)
    return _act(ordering.accept_delivery, order_id=order_id, rating=data.rating, comment=data.comment)


@bp.post("/orders/<int:order_id>/objection")
@allow(ENTERPRISE)
@endpoint("The enterprise objects to the delivery; the union sees it", body=ObjectionIn, response=OrderOut,
          errors=(404, 409), tags=TAGS)
def object_order(order_id: int):
    data = parse_body(ObjectionIn)
    return _act(ordering.raise_objection, order_id=order_id, text=data.text)


# --- roster and progress ---------------------------------------------------------------------------

@bp.post("/orders/<int:order_id>/roster")
@allow(ENTERPRISE)
@endpoint("Upload the roster: JSON {rows: [{name, phone, id_number, member_no, department}]}, or a CSV body "
          "(text/csv), or a CSV/XLSX file (multipart 'file'). 201 with the per-row report; 200 when this exact "
          "roster was uploaded before (nothing changes); 202 when a large file is imported in the background "
          "(poll GET .../roster/uploads/{upload_id})", body=RosterIn, response=RosterReport, status=201,
          also=(200, 202), errors=(404, 409, 415), tags=TAGS)
def upload_roster(order_id: int):
    filename, content = _roster_content()
    session = get_session()
    upload, new = roster.start_import(session, actor=current_user, order_id=order_id, filename=filename,
                                      content=content, vault=vault(), now=utcnow())
    queued = new and upload.status == UploadStatus.QUEUED
    if queued:
        from orders.tasks import import_roster

        upload_id = upload.id
        after_commit(session, lambda: enqueue(import_roster, upload_id))
    session.commit()
    body = report_json(upload, repeated=not new)
    response = jsonify(body)
    response.status_code = 202 if queued else (201 if new else 200)
    return response


def _roster_content() -> tuple[str, bytes]:
    if "file" in request.files:
        file = request.files["file"]
        return file.filename or "roster.csv", file.read()
    if request.mimetype in ("text/csv", "text/plain"):
        return "roster.csv", request.get_data()
    if request.mimetype == "application/json" or request.is_json:
        data = parse_body(RosterIn)
        return roster.rows_from_json([r.model_dump() for r in data.rows])
    raise DomainError("Send JSON rows, a CSV body or a file.", code="unsupported_media_type", status=415)


@bp.get("/orders/<int:order_id>/roster/uploads/<int:upload_id>")
@allow(ENTERPRISE)
@endpoint("A roster upload's progress and per-row report", response=RosterReport, errors=(404,), tags=TAGS)
def roster_upload(order_id: int, upload_id: int):
    session = get_session()
    order = ordering.get_order(session, actor=current_user, order_id=order_id)
    upload = session.get(RosterUpload, upload_id)
    if upload is None or upload.order_id != order.id or order.enterprise_id not in current_user.org_ids(ENTERPRISE):
        raise DomainError("No such upload.", code="not_found", status=404)
    return jsonify(report_json(upload, repeated=False))


@bp.get("/orders/<int:order_id>/progress")
@allow(ENTERPRISE, PROVIDER, UNION)
@endpoint("Per employee: enrolled, lessons, attendance, exam results, certificates; with totals", query=PageQuery,
          response=ProgressOut, errors=(404,), tags=TAGS)
def order_progress(order_id: int):
    args = parse_query(PageQuery)
    session = get_session()
    order = ordering.get_order(session, actor=current_user, order_id=order_id)
    progress = queries.order_progress(session, order, now=utcnow(), page=args.page, per_page=args.per_page)
    items = [{"name": r.name, "department": r.department, "id": r.id_masked, "match": r.match,
              "enrolled": r.enrolled, "enrollment_status": r.enrollment_status, "lessons_done": r.lessons_done,
              "lessons_total": r.lessons_total, "days_present": r.days_present, "days_total": r.days_total,
              "attendance_share": r.attendance_share, "exam_results": _plain(r.exam_results),
              "certificates": _plain(r.certificates)} for r in progress.rows]
    return jsonify({"order_id": order.id, "employees": progress.total, "enrolled": progress.enrolled,
                    "avg_lessons": progress.avg_lessons, "avg_attendance": progress.avg_attendance,
                    "finished": progress.finished, "items": items, "page": args.page, "per_page": args.per_page,
                    "total": progress.total})


def _plain(facts: list) -> list[dict]:
    """Facts as JSON: dates and datetimes as ISO strings."""
    out = []
    for fact in facts:
        item = dict(fact) if isinstance(fact, dict) else dict(vars(fact))
        out.append({k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in item.items()})
    return out


