"""Pages of enterprise orders: demands and quotes, orders, rosters, the progress dashboard, sign-off,
the provider's settlement report, the union's desk."""

from __future__ import annotations

import io

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

from app.access import Role, allow
from app.celery import enqueue
from app.db import after_commit, get_session, paginate, utcnow
from app.errors import DomainError
from app.forms import perform, submit
from app.payments import services as payments
from app.payments.gateway import current_gateway
from app.security import vault
from courses.models import ClassStatus, Course, TrainingClass
from courses.services.enrollment.rules import class_started
from orders import forms, queries
from orders.models import DemandStatus, OrderStatus, RosterUpload, UploadStatus
from orders.permissions import is_union, owns_demand, owns_order, provider_ids, supplies_order
from orders.services import demands, ordering, roster, subsidy
from orders.services.common import today

bp = Blueprint("orders", __name__, url_prefix="/orders", template_folder="templates", static_folder="static",
               static_url_path="/static/orders")

ENTERPRISE, PROVIDER, UNION = Role.ENTERPRISE_ADMIN, Role.PROVIDER_ADMIN, Role.UNION_ADMIN
PER_PAGE = 20


def setup(app) -> None:
    """This blueprint's own static files (CSS, JS) are public, like the platform's."""
    from app.access import PUBLIC

    app.view_functions["orders.static"] = allow(PUBLIC)(app.view_functions["orders.static"])


@bp.app_context_processor
def _catalog_include():
    """``provider_rating(provider_id)`` for the delimited include on the catalog's course page."""

    def provider_rating(provider_id: int):
        return queries.ratings_by_provider(get_session(), [provider_id]).get(provider_id)

    return {"provider_rating": provider_rating}


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


# --- home pages per role ----------------------------------------------------------------------------

@bp.get("/enterprise")
@allow(ENTERPRISE)
def enterprise_home():
    session = get_session()
    my_demands, _total = paginate(session, queries.enterprise_demands(current_user), page=1, per_page=50)
    counts = queries.quote_counts(session, [d.id for d in my_demands])
    my_orders, _total = paginate(session, queries.orders_of(current_user), page=_page(), per_page=PER_PAGE)
    return render_template("orders/enterprise_home.html", demands=my_demands, counts=counts, orders=my_orders)


@bp.get("/provider")
@allow(PROVIDER)
def provider_home():
    session = get_session()
    open_demands, _total = paginate(session, queries.provider_demands(current_user), page=1, per_page=50)
    mine = queries.my_quotes(session, current_user, [d.id for d in open_demands])
    my_orders, _total = paginate(session, queries.orders_of(current_user, as_provider=True), page=_page(),
                                 per_page=PER_PAGE)
    return render_template("orders/provider_home.html", demands=open_demands, mine=mine, orders=my_orders)


@bp.get("/provider/settlement")
@allow(PROVIDER)
def settlement():
    session = get_session()
    reports = [(org_id, queries.settlement(session, org_id)) for org_id in sorted(provider_ids(current_user))]
    return render_template("orders/settlement.html", reports=reports)


@bp.get("/union")
@allow(UNION)
def union_home():
    session = get_session()
    status = request.args.get("status") or None
    all_demands, _total = paginate(session, queries.union_demands(status), page=1, per_page=50)
    counts = queries.quote_counts(session, [d.id for d in all_demands])
    objected, _total = paginate(session, queries.all_orders(OrderStatus.OBJECTED), page=1, per_page=50)
    recent, _total = paginate(session, queries.all_orders(), page=_page(), per_page=PER_PAGE)
    rule = subsidy.rule_for(session, utcnow())
    form = forms.SubsidyForm(obj=None)
    if rule is not None and not form.is_submitted():
        form.year.data, form.kind.data = rule.year, rule.kind
        form.value.data = rule.value if rule.kind == "percent" else rule.value / 100
        form.budget.data = rule.budget / 100
    elif not form.is_submitted():
        form.year.data = today(utcnow()).year
    return render_template("orders/union_home.html", demands=all_demands, counts=counts, objected=objected,
                           orders=recent, rule=rule, subsidy_form=form)


@bp.post("/union/subsidy")
@allow(UNION)
def set_subsidy():
    form = forms.SubsidyForm()
    if form.validate_on_submit():
        value = form.value.data if form.kind.data == "percent" else forms.fen(form.value.data)
        if submit(form, lambda session: subsidy.set_rule(session, actor=current_user, year=form.year.data,
                                                          kind=form.kind.data, value=int(value),
                                                          budget=forms.fen(form.budget.data), now=utcnow())).ok:
            flash(_("Subsidy rule saved."), "success")
            return redirect(url_for("orders.union_home"))
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")
    return redirect(url_for("orders.union_home"))


# --- demands -----------------------------------------------------------------------------------------

@bp.route("/demands/new", methods=["GET", "POST"])
@allow(ENTERPRISE)
def new_demand():
    form = forms.DemandForm()
    if form.validate_on_submit():
        publish = request.form.get("action") == "publish"
        ok, demand = submit(form, lambda session: demands.create_demand(
            session, actor=current_user, values=form.values(), now=utcnow(), publish=publish))
        if ok:
            flash(_("Demand published: the union will direct it to providers.") if publish
                  else _("Draft saved."), "success")
            return redirect(url_for("orders.demand_detail", demand_id=demand.id))
    return render_template("orders/demand_form.html", form=form, demand=None)


@bp.route("/demands/<int:demand_id>/edit", methods=["GET", "POST"])
@allow(ENTERPRISE)
def edit_demand(demand_id: int):
    demand = _visible_demand(demand_id)
    if not owns_demand(current_user, demand) or demand.status != DemandStatus.DRAFT:
        abort(404)
    form = forms.DemandForm(obj=demand)
    if not form.is_submitted() and demand.budget is not None:
        form.budget.data = demand.budget / 100
    if form.validate_on_submit():
        publish = request.form.get("action") == "publish"

        def save(session):
            demands.update_demand(session, actor=current_user, demand_id=demand.id, values=form.values(), now=utcnow())
            if publish:
                demands.publish_demand(session, actor=current_user, demand_id=demand.id, now=utcnow())

        if submit(form, save).ok:
            flash(_("Demand published: the union will direct it to providers.") if publish else _("Draft saved."),
                  "success")
            return redirect(url_for("orders.demand_detail", demand_id=demand.id))
    return render_template("orders/demand_form.html", form=form, demand=demand)


def _visible_demand(demand_id: int):
    try:
        return demands.get_demand(get_session(), actor=current_user, demand_id=demand_id)
    except DomainError:
        abort(404)


@bp.get("/demands/<int:demand_id>")
@allow(ENTERPRISE, PROVIDER, UNION)
def demand_detail(demand_id: int):
    session = get_session()
    demand = _visible_demand(demand_id)
    privileged = owns_demand(current_user, demand) or is_union(current_user)
    quotes = queries.quotes_for_compare(session, demand.id, None if privileged else provider_ids(current_user))
    talk = queries.threads(session, [q.id for q in quotes])
    ratings = queries.ratings_by_provider(session, sorted({q.organization_id for q in quotes}))
    order = None
    if demand.status == DemandStatus.AWARDED:
        from orders.models import Order

        order = session.scalar(select(Order).where(Order.demand_id == demand.id))
    owner = owns_demand(current_user, demand)
    can_talk = owner or bool(provider_ids(current_user) and not is_union(current_user))
    context = {"demand": demand, "quotes": quotes, "talk": talk, "ratings": ratings, "order": order,
               "privileged": privileged, "owner": owner, "can_talk": can_talk, "button": forms.ButtonForm(), "ask_form": forms.AskForm()}
    if is_union(current_user) and demand.status == DemandStatus.PUBLISHED:
        direct = forms.DirectForm()
        direct.organization_ids.choices = [(o.id, o.name) for o in queries.provider_orgs(session)]
        direct.organization_ids.data = [i.organization_id for i in demand.invitations]
        context["direct_form"] = direct
    if provider_ids(current_user) and not privileged and demand.status == DemandStatus.PUBLISHED:
        mine = quotes[0] if quotes else None
        context["quote_form"] = _quote_form(session, demand, mine)
        context["my_quote"] = mine
    return render_template("orders/demand.html", **context)


def _quote_form(session, demand, quote=None) -> forms.QuoteForm:
    form = forms.QuoteForm(obj=quote) if quote and not request.form else forms.QuoteForm()
    orgs = sorted(provider_ids(current_user))
    courses = list(session.scalars(select(Course).where(Course.provider_id.in_(orgs)).order_by(Course.title)))
    classes = list(session.scalars(select(TrainingClass).join(Course).where(
        Course.provider_id.in_(orgs), TrainingClass.status == ClassStatus.SCHEDULED).order_by(TrainingClass.starts_on)))
    form.course_id.choices = [("", _("— choose —"))] + [(str(c.id), c.title) for c in courses]
    form.class_id.choices = [("", _("— a new class —"))] + [
        (str(c.id), f"{c.course.title} · {c.title} · {c.starts_on}") for c in classes]
    if quote and not request.form:
        form.price_per_person.data = quote.price_per_person / 100
        form.total.data = quote.total / 100
        form.course_id.data = str(quote.course_id or "")
        form.class_id.data = str(quote.class_id or "")
    elif not request.form:
        form.city.data, form.mode.data = demand.city, demand.mode if demand.mode != "any" else "offline"
        form.starts_on.data, form.ends_on.data = demand.preferred_start, demand.preferred_end
    return form


@bp.post("/demands/<int:demand_id>/publish")
@allow(ENTERPRISE)
def publish_demand(demand_id: int):
    if perform(lambda session: demands.publish_demand(session, actor=current_user, demand_id=demand_id,
                                                      now=utcnow())).ok:
        flash(_("Demand published: the union will direct it to providers."), "success")
    return redirect(url_for("orders.demand_detail", demand_id=demand_id))


@bp.post("/demands/<int:demand_id>/direct")
@allow(UNION)
def direct_demand(demand_id: int):
    session = get_session()
    form = forms.DirectForm()
    form.organization_ids.choices = [(o.id, o.name) for o in queries.provider_orgs(session)]
    if form.validate_on_submit():
        open_to_all = {"1": True, "0": False}.get(form.open_to_all.data)
        if submit(form, lambda s: demands.direct_demand(s, actor=current_user, demand_id=demand_id,
                                                        organization_ids=form.organization_ids.data or [],
                                                        open_to_all=open_to_all, now=utcnow())).ok:
            flash(_("Demand directed."), "success")
    for error in form.form_errors:
        flash(error, "error")
    return redirect(url_for("orders.demand_detail", demand_id=demand_id))


@bp.post("/demands/<int:demand_id>/reject")
@allow(ENTERPRISE)
def reject_quotes(demand_id: int):
    if perform(lambda session: demands.reject_all_quotes(session, actor=current_user, demand_id=demand_id,
                                                         now=utcnow())).ok:
        flash(_("All quotes rejected; the providers have been told."), "success")
    return redirect(url_for("orders.demand_detail", demand_id=demand_id))


@bp.post("/demands/<int:demand_id>/quote")
@allow(PROVIDER)
def submit_quote(demand_id: int):
    session = get_session()
    demand = _visible_demand(demand_id)
    form = _quote_form(session, demand)
    if form.validate_on_submit():
        if submit(form, lambda s: demands.submit_quote(s, actor=current_user, demand_id=demand_id,
                                                       values=form.values(), now=utcnow())).ok:
            flash(_("Quote sent to the enterprise."), "success")
            return redirect(url_for("orders.demand_detail", demand_id=demand_id))
    for name, errors in form.errors.items():
        for error in errors:
            flash(f"{getattr(form, name).label.text if hasattr(form, name) else ''}: {error}", "error")
    for error in form.form_errors:
        flash(error, "error")
    return redirect(url_for("orders.demand_detail", demand_id=demand_id))


@bp.post("/quotes/<int:quote_id>/ask")
@allow(ENTERPRISE, PROVIDER)
def ask(quote_id: int):
    form = forms.AskForm()
    session = get_session()
    try:
        quote = demands.get_quote(session, actor=current_user, quote_id=quote_id)
    except DomainError:
        abort(404)
    if form.validate_on_submit():
        perform(lambda s: demands.ask_on_quote(s, actor=current_user, quote_id=quote_id, body=form.body.data,
                                               now=utcnow()))
    return redirect(url_for("orders.demand_detail", demand_id=quote.demand_id, _anchor=f"quote-{quote_id}"))


@bp.post("/quotes/<int:quote_id>/accept")
@allow(ENTERPRISE)
def accept_quote(quote_id: int):
    ok, order = perform(lambda session: demands.accept_quote(session, actor=current_user, quote_id=quote_id,
                                                             now=utcnow()))
    if ok:
        flash(_("Quote accepted; the other providers have been told. Add your roster and submit the order."),
              "success")
        return redirect(url_for("orders.order_detail", order_id=order.id))
    return redirect(request.referrer or url_for("orders.enterprise_home"))


# --- ordering seats straight in a class ----------------------------------------------------------------

@bp.route("/courses/<int:course_id>/order", methods=["GET", "POST"])
@allow(ENTERPRISE)
def order_seats(course_id: int):
    session = get_session()
    course = session.get(Course, course_id)
    if course is None or not course.is_public:
        abort(404)
    now = utcnow()
    classes = [c for c in course.classes if c.status == ClassStatus.SCHEDULED and not class_started(c, now)]
    form = forms.ClassOrderForm()
    form.class_id.choices = [(c.id, f"{c.title} · {c.starts_on} · {c.city} · "
                                    + _("%(n)d seats left", n=c.seats_left)) for c in classes]
    if form.validate_on_submit():
        ok, order = submit(form, lambda s: ordering.order_class(s, actor=current_user, class_id=form.class_id.data,
                                                                seats=form.seats.data, now=now))
        if ok:
            flash(_("Draft order created. Add your roster and submit it."), "success")
            return redirect(url_for("orders.order_detail", order_id=order.id))
    return render_template("orders/order_seats.html", course=course, classes=classes, form=form)


# --- the order page --------------------------------------------------------------------------------

def _order(order_id: int):
    try:
        return ordering.get_order(get_session(), actor=current_user, order_id=order_id)
    except DomainError:
        abort(404)


@bp.get("/<int:order_id>")
@allow(ENTERPRISE, PROVIDER, UNION)
def order_detail(order_id: int):
    session = get_session()
    order = _order(order_id)
    mine, supplier = owns_order(current_user, order), supplies_order(current_user, order)
    entries, total = paginate(session, queries.roster_entries(session, order.id), page=_page(), per_page=100)
    upload_id = request.args.get("upload", type=int)
    upload = session.get(RosterUpload, upload_id) if upload_id else None
    if upload is not None and upload.order_id != order.id:
        upload = None
    confirm_form = forms.ConfirmOrderForm()
    if supplier and order.status == OrderStatus.SUBMITTED and not order.seats_reserved:
        classes = session.scalars(select(TrainingClass).join(Course).where(
            Course.provider_id == order.provider_id, TrainingClass.status == ClassStatus.SCHEDULED)
            .order_by(TrainingClass.starts_on))
        confirm_form.class_id.choices = [(str(c.id), f"{c.course.title} · {c.title} · {c.starts_on} · "
                                          + _("%(n)d seats left", n=c.seats_left)) for c in classes]
    pays = queries.payments_of(session, order.id)
    gateway = current_gateway()
    checkouts = {p.id: payments.checkout_of(p, gateway) for p in pays}
    submit_form = forms.SubmitOrderForm(obj=order if order.invoice_title else None)
    now = utcnow()
    return render_template(
        "orders/order.html", order=order, mine=mine, supplier=supplier, union=is_union(current_user),
        entries=entries, roster_total=total, page=_page(), upload=upload, uploads=queries.uploads_of(session, order.id),
        payments=pays, checkouts=checkouts, stripe=gateway, roster_open=order.status in ordering.ROSTER_OPEN and not (
            order.training_class is not None and class_started(order.training_class, now)),
        fee=ordering.cancel_fee(order), button=forms.ButtonForm(), submit_form=submit_form,
        confirm_form=confirm_form, cancel_form=forms.CancelOrderForm(), upload_form=forms.RosterUploadForm(),
        person_form=forms.PersonForm(), accept_form=forms.AcceptForm(), objection_form=forms.ObjectionForm(),
        resolve_form=forms.ResolveForm(), offline_form=forms.OfflinePaymentForm(),
        summary=roster.summary(upload.report) if upload else None)


def _back(order_id: int, **values):
    return redirect(url_for("orders.order_detail", order_id=order_id, **values))


@bp.post("/<int:order_id>/submit")
@allow(ENTERPRISE)
def submit_order(order_id: int):
    form = forms.SubmitOrderForm()
    if form.validate_on_submit() and perform(lambda s: ordering.submit_order(
            s, actor=current_user, order_id=order_id, pay_method=form.pay_method.data,
            invoice_title=form.invoice_title.data or "", invoice_tax_number=form.invoice_tax_number.data or "",
            notes=form.notes.data or "", now=utcnow())).ok:
        flash(_("Order submitted: the provider will confirm it."), "success")
    return _back(order_id)


@bp.post("/<int:order_id>/confirm")
@allow(PROVIDER)
def confirm_order(order_id: int):
    form = forms.ConfirmOrderForm()
    if not form.validate_on_submit() and form.csrf_token.errors:
        abort(400)
    raw = (form.class_id.raw_data or [""])[0]
    class_id = int(raw) if raw and raw.isdigit() else None
    online = bool(current_app.config.get("STRIPE_SECRET_KEY"))
    if perform(lambda s: ordering.confirm_order(s, actor=current_user, order_id=order_id, class_id=class_id,
                                                online=online, now=utcnow())).ok:
        flash(_("Order confirmed: seats reserved, the roster enrolled, payments due."), "success")
    return _back(order_id)


def _button(order_id: int, service, message: str, **kwargs):
    form = forms.ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    if perform(lambda s: service(s, actor=current_user, order_id=order_id, now=utcnow(), **kwargs)).ok:
        flash(message, "success")
    return _back(order_id)


@bp.post("/<int:order_id>/invoiced")
@allow(PROVIDER)
def mark_invoiced(order_id: int):
    return _button(order_id, ordering.mark_invoiced, _("Marked as invoiced."))


@bp.post("/<int:order_id>/start")
@allow(PROVIDER)
def start_delivery(order_id: int):
    return _button(order_id, ordering.start_delivery, _("Delivery started."))


@bp.post("/<int:order_id>/delivered")
@allow(PROVIDER)
def mark_delivered(order_id: int):
    return _button(order_id, ordering.mark_delivered, _("Marked as delivered: the enterprise is asked to accept."))


@bp.post("/<int:order_id>/settle")
@allow(UNION)
def settle(order_id: int):
    return _button(order_id, ordering.settle_order, _("Order settled."))


@bp.post("/<int:order_id>/cancel")
@allow(ENTERPRISE, PROVIDER)
def cancel_order(order_id: int):
    form = forms.CancelOrderForm()
    if form.validate_on_submit() and perform(lambda s: ordering.cancel_order(
            s, actor=current_user, order_id=order_id, reason=form.reason.data or "", now=utcnow(),
            gateway=current_gateway())).ok:
        flash(_("Order cancelled."), "success")
    return _back(order_id)


@bp.post("/<int:order_id>/accept")
@allow(ENTERPRISE)
def accept_order(order_id: int):
    form = forms.AcceptForm()
    if form.validate_on_submit() and perform(lambda s: ordering.accept_delivery(
            s, actor=current_user, order_id=order_id, rating=int(form.rating.data), comment=form.comment.data or "",
            now=utcnow())).ok:
        flash(_("Thank you: delivery accepted."), "success")
    return _back(order_id)


@bp.post("/<int:order_id>/objection")
@allow(ENTERPRISE)
def object_order(order_id: int):
    form = forms.ObjectionForm()
    if form.validate_on_submit() and perform(lambda s: ordering.raise_objection(
            s, actor=current_user, order_id=order_id, text=form.text.data, now=utcnow())).ok:
        flash(_("Objection sent to the union."), "success")
    return _back(order_id)


@bp.post("/<int:order_id>/resolve")
@allow(UNION)
def resolve(order_id: int):
    form = forms.ResolveForm()
    if form.validate_on_submit() and perform(lambda s: ordering.resolve_objection(
            s, actor=current_user, order_id=order_id, note=form.note.data, now=utcnow())).ok:
        flash(_("Objection resolved."), "success")
    return _back(order_id)


@bp.post("/<int:order_id>/payments/<int:payment_id>/offline")
@allow(PROVIDER)
def record_payment(order_id: int, payment_id: int):
    order = _order(order_id)
    form = forms.OfflinePaymentForm()
    if not supplies_order(current_user, order) or payment_id not in {p.id for p in queries.payments_of(
            get_session(), order.id)}:
        abort(404)
    if form.validate_on_submit() and perform(lambda s: payments.record_offline_payment(
            s, actor=current_user, payment_id=payment_id, reference=form.reference.data, now=utcnow(),
            gateway=current_gateway())).ok:
        flash(_("Payment recorded."), "success")
    return _back(order_id)


# --- roster --------------------------------------------------------------------------------------------

@bp.post("/<int:order_id>/roster")
@allow(ENTERPRISE)
def upload_roster(order_id: int):
    form = forms.RosterUploadForm()
    if not form.validate_on_submit():
        flash(_("Choose a CSV or XLSX file."), "error")
        return _back(order_id)
    file = form.file.data
    content, filename = file.read(), file.filename or "roster.csv"

    def run(session):
        upload, new = roster.start_import(session, actor=current_user, order_id=order_id, filename=filename,
                                          content=content, vault=vault(), now=utcnow())
        if new and upload.status == UploadStatus.QUEUED:
            from orders.tasks import import_roster

            upload_id = upload.id
            after_commit(session, lambda: enqueue(import_roster, upload_id))
        return upload, new

    ok, result = perform(run)
    if not ok:
        return _back(order_id)
    upload, new = result
    if not new:
        flash(_("This file was uploaded before: nothing changed."), "info")
    return _back(order_id, upload=upload.id, _anchor="roster")


@bp.post("/<int:order_id>/roster/add")
@allow(ENTERPRISE)
def add_person(order_id: int):
    form = forms.PersonForm()
    if form.validate_on_submit():
        ok, line = perform(lambda s: roster.add_person(s, actor=current_user, order_id=order_id, vault=vault(),
                                                       values=_person(form), now=utcnow()))
        if ok:
            flash(_("%(name)s added to the roster.", name=line["name"]), "success")
    else:
        flash(_("Give at least the name and the ID number."), "error")
    return _back(order_id, _anchor="roster")


def _person(form) -> dict:
    return {k: form.data.get(k) or "" for k in ("name", "phone", "id_number", "member_no", "department", "email")}


@bp.post("/<int:order_id>/roster/<int:entry_id>/remove")
@allow(ENTERPRISE)
def remove_person(order_id: int, entry_id: int):
    form = forms.ButtonForm()
    if form.validate_on_submit() and perform(lambda s: roster.remove_person(
            s, actor=current_user, order_id=order_id, entry_id=entry_id, now=utcnow())).ok:
        flash(_("Removed from the roster; the seat stays with the order."), "success")
    return _back(order_id, _anchor="roster")


@bp.post("/<int:order_id>/roster/<int:entry_id>/replace")
@allow(ENTERPRISE)
def replace_person(order_id: int, entry_id: int):
    form = forms.PersonForm()
    if form.validate_on_submit():
        if perform(lambda s: roster.replace_person(s, actor=current_user, order_id=order_id, entry_id=entry_id,
                                                   values=_person(form), vault=vault(), now=utcnow())).ok:
            flash(_("Replaced: the seat goes to the new person."), "success")
    else:
        flash(_("Give at least the name and the ID number."), "error")
    return _back(order_id, _anchor="roster")


# --- progress dashboard, export, printable summary -------------------------------------------------

@bp.get("/<int:order_id>/progress")
@allow(ENTERPRISE, PROVIDER, UNION)
def progress(order_id: int):
    session = get_session()
    order = _order(order_id)
    page = _page()
    report = queries.order_progress(session, order, now=utcnow(), page=page, per_page=100)
    return render_template("orders/progress.html", order=order, progress=report, page=page, per_page=100)


@bp.get("/<int:order_id>/progress.xlsx")
@allow(ENTERPRISE, PROVIDER, UNION)
def progress_xlsx(order_id: int):
    from openpyxl import Workbook

    session = get_session()
    order = _order(order_id)
    report = queries.order_progress(session, order, now=utcnow())
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Progress"))
    sheet.append([_("Name"), _("Department"), _("ID number"), _("Match"), _("Enrolled"), _("Lessons done"),
                  _("Lessons"), _("Days present"), _("Class days"), _("Attendance %"), _("Exams passed"),
                  _("Certificates")])
    for r in report.rows:
        sheet.append([r.name, r.department, r.id_masked, r.match, _("Yes") if r.enrolled else _("No"), r.lessons_done,
                      r.lessons_total, r.days_present, r.days_total, r.attendance_share,
                      sum(1 for e in r.exam_results if e.get("passed")), len(r.certificates)])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return send_file(out, as_attachment=True, download_name=f"order-{order.id}-progress.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/<int:order_id>/summary")
@allow(ENTERPRISE, PROVIDER, UNION)
def printable(order_id: int):
    session = get_session()
    order = _order(order_id)
    report = queries.order_progress(session, order, now=utcnow(), with_facts=False)
    return render_template("orders/summary.html", order=order, progress=report,
                           payments=queries.payments_of(session, order.id), now=utcnow())


