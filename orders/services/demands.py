"""Demands (需求清单) and quotes (报价): post, publish, direct, quote, ask, accept or reject all.

The names here are a stable seam: ``studios`` reuses them so an enterprise can ask a studio
for help (``kind=technical_service``) the way it asks a provider, by inviting the studio's
organization with :func:`direct_demand`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import Organization, OrgKind, OrgStatus, User
from app.auth.services import require_approved_org
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.inputs import MAX_FEN
from app.money import format_money
from courses.models import ClassMode, Course, TrainingClass
from orders.models import (
    DemandInvitation,
    DemandKind,
    DemandMode,
    DemandStatus,
    Quote,
    QuoteMessage,
    QuoteStatus,
    TrainingDemand,
)
from orders.permissions import can_see_demand, demand_open_to, is_union, owns_demand, provider_ids
from orders.services.common import (
    admins_of,
    clean_date,
    clean_int,
    clean_text,
    tell_all,
    today,
    union_admins,
)

DEMAND_FIELDS = ("kind", "title", "skill", "certificate_type", "headcount", "city", "venue_preference", "mode",
                 "preferred_start", "preferred_end", "budget", "notes")
INCLUSIONS = ("materials", "exam_fee", "meals", "accommodation", "certificate_fee", "transport")
MAX_THREAD = 50


# --- demands ---------------------------------------------------------------------------------

def _apply_demand(demand: TrainingDemand, values: Mapping[str, Any]) -> None:
    kind = str(values.get("kind") or DemandKind.TRAINING)
    if kind not in {k.value for k in DemandKind}:
        raise Invalid(_("Unknown kind of demand."), field="kind")
    mode = str(values.get("mode") or DemandMode.ANY)
    if mode not in {m.value for m in DemandMode}:
        raise Invalid(_("Unknown mode."), field="mode")
    demand.kind, demand.mode = DemandKind(kind), DemandMode(mode)
    demand.skill = clean_text(values.get("skill"), "skill", 200, required=True)
    demand.title = clean_text(values.get("title"), "title", 200) or demand.skill
    demand.certificate_type = clean_text(values.get("certificate_type"), "certificate_type", 100)
    demand.headcount = clean_int(values.get("headcount"), "headcount", minimum=1, maximum=5000)
    demand.city = clean_text(values.get("city"), "city", 50)
    demand.venue_preference = clean_text(values.get("venue_preference"), "venue_preference", 200)
    demand.preferred_start = clean_date(values.get("preferred_start"), "preferred_start")
    demand.preferred_end = clean_date(values.get("preferred_end"), "preferred_end")
    if demand.preferred_start and demand.preferred_end and demand.preferred_end < demand.preferred_start:
        raise Invalid(_("The end date is before the start date."), field="preferred_end")
    demand.budget = clean_int(values.get("budget"), "budget", minimum=0, maximum=MAX_FEN, required=False)
    demand.notes = clean_text(values.get("notes"), "notes", 2000)


def create_demand(session: Session, *, actor: User, values: Mapping[str, Any], now: datetime,
                  enterprise_id: int | None = None, publish: bool = False) -> TrainingDemand:
    """An approved enterprise's admin saves a draft demand (and publishes it when asked).

    Raises Forbidden (not an approved enterprise's admin), Invalid (a value, naming its field).
    """
    enterprise = require_approved_org(actor, Role.ENTERPRISE_ADMIN, enterprise_id)
    demand = TrainingDemand(enterprise_id=enterprise.id, created_by_id=actor.id, status=DemandStatus.DRAFT,
                            created_at=now, updated_at=now)
    _apply_demand(demand, values)
    session.add(demand)
    session.flush()
    if publish:
        publish_demand(session, actor=actor, demand_id=demand.id, now=now)
    return demand


def get_demand(session: Session, *, actor: User, demand_id: int) -> TrainingDemand:
    """A demand the actor may see. Raises NotFound otherwise."""
    demand = session.get(TrainingDemand, demand_id)
    if demand is None or not can_see_demand(actor, demand):
        raise NotFound(_("No such demand."))
    return demand


def _own_demand(session: Session, actor: User, demand_id: int, *, lock: bool = False) -> TrainingDemand:
    if lock:   # row-locked on PostgreSQL (the eager join of the enterprise cannot be locked)
        session.scalar(select(TrainingDemand.id).where(TrainingDemand.id == demand_id).with_for_update())
    demand = session.get(TrainingDemand, demand_id)
    if demand is None or not owns_demand(actor, demand):
        raise NotFound(_("No such demand."))
    if lock:
        session.refresh(demand)
    return demand


def update_demand(session: Session, *, actor: User, demand_id: int, values: Mapping[str, Any],
                  now: datetime) -> TrainingDemand:
    """Edit a draft. Raises NotFound, Conflict ``not_draft``, Invalid."""
    demand = _own_demand(session, actor, demand_id)
    if demand.status != DemandStatus.DRAFT:
        raise Conflict(_("Only a draft can be edited."), code="not_draft")
    _apply_demand(demand, values)
    demand.updated_at = now
    session.flush()
    return demand


def publish_demand(session: Session, *, actor: User, demand_id: int, now: datetime) -> TrainingDemand:
    """Draft → published; the union is told so it can direct or open the demand."""
    demand = _own_demand(session, actor, demand_id)
    require_approved_org(actor, Role.ENTERPRISE_ADMIN, demand.enterprise_id)
    changed = session.execute(update(TrainingDemand).where(TrainingDemand.id == demand.id,
                                                           TrainingDemand.status == DemandStatus.DRAFT)
                              .values(status=DemandStatus.PUBLISHED, published_at=now, updated_at=now)
                              .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise Conflict(_("This demand is already published."), code="not_draft")
    session.refresh(demand)
    name, enterprise = demand.title, demand.enterprise.name
    tell_all(session, union_admins(session),
             lambda: _("New training demand"),
             lambda: _("%(enterprise)s published the demand “%(title)s”. Direct it to providers or open it to all.",
                       enterprise=enterprise, title=name))
    return demand


def withdraw_demand(session: Session, *, actor: User, demand_id: int, now: datetime) -> TrainingDemand:
    """The enterprise closes a draft or published demand; open quotes are declined."""
    demand = _own_demand(session, actor, demand_id, lock=True)
    if demand.status not in (DemandStatus.DRAFT, DemandStatus.PUBLISHED):
        raise Conflict(_("This demand is already closed."), code="demand_closed")
    demand.status, demand.closed_at, demand.updated_at = DemandStatus.CLOSED, now, now
    _decline_others(session, demand, keep_id=None, now=now)
    session.flush()
    return demand


def direct_demand(session: Session, *, actor: User, demand_id: int, organization_ids: Iterable[int],
                  now: datetime, open_to_all: bool | None = None) -> TrainingDemand:
    """The union directs a demand to chosen organizations (and/or opens it to every approved provider).

    Any approved organization that is not an enterprise can be invited (providers; studios
    through their organization record). Inviting twice changes nothing. Invited organizations
    are told. Raises Forbidden (not the union), NotFound, Conflict ``demand_not_published``,
    Invalid ``organization_ids``.
    """
    if not is_union(actor):
        raise Forbidden(_("Only the union directs demands."))
    demand = session.get(TrainingDemand, demand_id)
    if demand is None:
        raise NotFound(_("No such demand."))
    if demand.status != DemandStatus.PUBLISHED:
        raise Conflict(_("Only a published demand can be directed."), code="demand_not_published")
    wanted = {int(i) for i in organization_ids}
    orgs = {o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(wanted)))} if wanted else {}
    for org_id in wanted:
        org = orgs.get(org_id)
        if org is None or org.kind == OrgKind.ENTERPRISE or org.status != OrgStatus.APPROVED:
            raise Invalid(_("Choose approved providers."), field="organization_ids")
    already = {i.organization_id for i in demand.invitations}
    invited = []
    for org_id in sorted(wanted - already):
        invitation = DemandInvitation(demand_id=demand.id, organization_id=org_id, invited_by_id=actor.id,
                                      created_at=now)
        demand.invitations.append(invitation)
        invited.append(org_id)
    if open_to_all is not None:
        demand.open_to_all = bool(open_to_all)
    demand.updated_at = now
    session.flush()
    title, enterprise = demand.title, demand.enterprise.name
    for org_id in invited:
        kind = orgs[org_id].kind
        role = Role.PROVIDER_ADMIN if kind == OrgKind.PROVIDER else Role.UNION_ADMIN
        tell_all(session, admins_of(session, org_id, role), lambda: _("A training demand for you"),
                 lambda: _("The union invites you to quote on “%(title)s” by %(enterprise)s.",
                           title=title, enterprise=enterprise))
    return demand


def open_demand_to_all(session: Session, *, actor: User, demand_id: int, now: datetime) -> TrainingDemand:
    """The union opens a published demand to every approved provider."""
    return direct_demand(session, actor=actor, demand_id=demand_id, organization_ids=(), now=now, open_to_all=True)


# --- quotes ----------------------------------------------------------------------------------

def _apply_quote(session: Session, quote: Quote, demand: TrainingDemand, values: Mapping[str, Any],
                 now: datetime) -> None:
    quote.price_per_person = clean_int(values.get("price_per_person"), "price_per_person", maximum=MAX_FEN)
    total = values.get("total")
    if total in (None, ""):
        total = quote.price_per_person * demand.headcount
        if total > MAX_FEN:   # money columns hold at most MAX_FEN (a 32-bit integer on PostgreSQL)
            raise Invalid(_("Enter a number between %(a)d and %(b)d.", a=0, b=MAX_FEN // demand.headcount),
                          field="price_per_person")
    quote.total = clean_int(total, "total", maximum=MAX_FEN)
    course_id = clean_int(values.get("course_id"), "course_id", minimum=1, required=False)
    class_id = clean_int(values.get("class_id"), "class_id", minimum=1, required=False)
    quote.course_id = quote.class_id = None
    if class_id:
        training_class = session.get(TrainingClass, class_id)
        if training_class is None or training_class.course.provider_id != quote.organization_id:
            raise Invalid(_("Choose one of your classes."), field="class_id")
        quote.class_id, course_id = class_id, training_class.course_id
        plan = {"starts_on": training_class.starts_on, "ends_on": training_class.ends_on,
                "city": training_class.city, "venue": training_class.venue, "mode": training_class.mode}
        values = {**plan, **{k: v for k, v in values.items() if v not in (None, "")}}
    if course_id:
        course = session.get(Course, course_id)
        if course is None or course.provider_id != quote.organization_id:
            raise Invalid(_("Choose one of your courses."), field="course_id")
        quote.course_id = course_id
    quote.starts_on = clean_date(values.get("starts_on"), "starts_on")
    quote.ends_on = clean_date(values.get("ends_on"), "ends_on")
    if quote.starts_on and quote.ends_on and quote.ends_on < quote.starts_on:
        raise Invalid(_("The end date is before the start date."), field="ends_on")
    quote.city = clean_text(values.get("city"), "city", 50)
    quote.venue = clean_text(values.get("venue"), "venue", 200)
    mode = str(values.get("mode") or ClassMode.OFFLINE)
    if mode not in {m.value for m in ClassMode}:
        raise Invalid(_("Unknown mode."), field="mode")
    quote.mode = mode
    quote.instructors = clean_text(values.get("instructors"), "instructors", 500)
    inclusions = values.get("inclusions") or []
    if isinstance(inclusions, str):
        inclusions = [i for i in inclusions.replace(",", " ").split() if i]
    if any(i not in INCLUSIONS for i in inclusions):
        raise Invalid(_("Unknown inclusion."), field="inclusions")
    quote.inclusions = sorted(set(inclusions), key=INCLUSIONS.index)
    quote.notes = clean_text(values.get("notes"), "notes", 2000)
    quote.valid_until = clean_date(values.get("valid_until"), "valid_until")
    if quote.valid_until and quote.valid_until < today(now):
        raise Invalid(_("The validity date has passed."), field="valid_until")
    quote.cancel_fee_pct = clean_int(values.get("cancel_fee_pct") or 0, "cancel_fee_pct", maximum=100)


def submit_quote(session: Session, *, actor: User, demand_id: int, values: Mapping[str, Any], now: datetime,
                 organization_id: int | None = None, role: Role = Role.PROVIDER_ADMIN) -> Quote:
    """A provider quotes on a demand open to it (a second submission revises its open quote).

    ``role`` is the role through which the actor speaks for the quoting organization (another
    domain, e.g. studios, may pass its own). Raises NotFound (the demand is not open to the
    organization), Forbidden (not an approved organization's admin), Conflict
    ``demand_not_open`` / ``quote_decided``, Invalid.
    """
    org = require_approved_org(actor, role, organization_id)
    demand = session.get(TrainingDemand, demand_id)
    if demand is None or not demand_open_to(demand, org.id, org_approved=True):
        raise NotFound(_("No such demand."))
    if demand.status != DemandStatus.PUBLISHED:
        raise Conflict(_("This demand no longer takes quotes."), code="demand_not_open")
    quote = session.scalar(select(Quote).where(Quote.demand_id == demand.id, Quote.organization_id == org.id))
    if quote is None:
        quote = Quote(demand_id=demand.id, organization_id=org.id, submitted_by_id=actor.id, created_at=now)
        session.add(quote)
    elif quote.status not in (QuoteStatus.SUBMITTED, QuoteStatus.WITHDRAWN):
        raise Conflict(_("This quote has been decided."), code="quote_decided")
    quote.status, quote.submitted_by_id, quote.created_at = QuoteStatus.SUBMITTED, actor.id, now
    _apply_quote(session, quote, demand, values, now)
    session.flush()
    title, provider, total = demand.title, org.name, format_money(quote.total, quote.currency)
    tell_all(session, admins_of(session, demand.enterprise_id, Role.ENTERPRISE_ADMIN), lambda: _("New quote"),
             lambda: _("%(provider)s quoted %(total)s for “%(title)s”.", provider=provider, total=total, title=title))
    return quote


def list_quotes(session: Session, *, actor: User, demand_id: int) -> list[Quote]:
    """The quotes an actor may see on a demand: all for the enterprise and the union, its own for a provider."""
    demand = get_demand(session, actor=actor, demand_id=demand_id)
    stmt = select(Quote).where(Quote.demand_id == demand.id).order_by(Quote.total, Quote.id)
    if not (owns_demand(actor, demand) or is_union(actor)):
        stmt = stmt.where(Quote.organization_id.in_(provider_ids(actor)))
    return list(session.scalars(stmt))


def get_quote(session: Session, *, actor: User, quote_id: int) -> Quote:
    from orders.permissions import can_see_quote

    quote = session.get(Quote, quote_id)
    if quote is None or not can_see_quote(actor, quote):
        raise NotFound(_("No such quote."))
    return quote


def ask_on_quote(session: Session, *, actor: User, quote_id: int, body: str, now: datetime) -> QuoteMessage:
    """A question from the enterprise, or the provider's answer, on a quote (a short thread)."""
    quote = get_quote(session, actor=actor, quote_id=quote_id)
    if owns_demand(actor, quote.demand):
        side = "enterprise"
    elif quote.organization_id in provider_ids(actor):
        side = "provider"
    else:
        raise Forbidden(_("Only the enterprise and the provider write on a quote."))
    text = clean_text(body, "body", 1000, required=True)
    count = len(session.scalars(select(QuoteMessage.id).where(QuoteMessage.quote_id == quote.id)).all())
    if count >= MAX_THREAD:
        raise Conflict(_("This thread is full."), code="thread_full")
    message = QuoteMessage(quote_id=quote.id, author_id=actor.id, side=side, body=text, created_at=now)
    session.add(message)
    session.flush()
    if side == "enterprise":
        recipients = admins_of(session, quote.organization_id, Role.PROVIDER_ADMIN)
    else:
        recipients = admins_of(session, quote.demand.enterprise_id, Role.ENTERPRISE_ADMIN)
    title = quote.demand.title
    tell_all(session, recipients, lambda: _("A message on a quote"),
             lambda: _("New message on the quote for “%(title)s”: %(body)s", title=title, body=text))
    return message


def thread_of(session: Session, quote_id: int) -> list[QuoteMessage]:
    return list(session.scalars(select(QuoteMessage).where(QuoteMessage.quote_id == quote_id)
                                .order_by(QuoteMessage.id)))


def _decline_others(session: Session, demand: TrainingDemand, *, keep_id: int | None, now: datetime) -> None:
    others = list(session.scalars(select(Quote).where(Quote.demand_id == demand.id,
                                                      Quote.status == QuoteStatus.SUBMITTED,
                                                      Quote.id != (keep_id or 0))))
    title = demand.title
    for quote in others:
        quote.status, quote.decided_at = QuoteStatus.DECLINED, now
        tell_all(session, admins_of(session, quote.organization_id, Role.PROVIDER_ADMIN),
                 lambda: _("Quote not chosen"),
                 lambda: _("Your quote for “%(title)s” was not chosen. Thank you for quoting.", title=title))


def accept_quote(session: Session, *, actor: User, quote_id: int, now: datetime):
    """The enterprise accepts one quote: the demand is awarded, the others are declined and told,
    and the quote becomes a draft order (returned).

    Raises NotFound, Conflict ``demand_not_open`` / ``quote_not_open`` / ``quote_expired``.
    """
    from orders.services.ordering import order_from_quote

    quote = get_quote(session, actor=actor, quote_id=quote_id)
    demand = _own_demand(session, actor, quote.demand_id)
    if quote.status != QuoteStatus.SUBMITTED:
        raise Conflict(_("This quote is not open."), code="quote_not_open")
    if quote.valid_until and quote.valid_until < today(now):
        raise Conflict(_("This quote has expired."), code="quote_expired")
    awarded = session.execute(update(TrainingDemand).where(TrainingDemand.id == demand.id,
                                                           TrainingDemand.status == DemandStatus.PUBLISHED)
                              .values(status=DemandStatus.AWARDED, closed_at=now, updated_at=now)
                              .execution_options(synchronize_session=False)).rowcount
    if awarded != 1:
        raise Conflict(_("This demand no longer takes quotes."), code="demand_not_open")
    session.refresh(demand)
    quote.status, quote.decided_at = QuoteStatus.ACCEPTED, now
    _decline_others(session, demand, keep_id=quote.id, now=now)
    title = demand.title
    tell_all(session, admins_of(session, quote.organization_id, Role.PROVIDER_ADMIN), lambda: _("Quote accepted"),
             lambda: _("Your quote for “%(title)s” was accepted. An order follows.", title=title))
    session.flush()
    return order_from_quote(session, actor=actor, quote=quote, now=now)


def reject_all_quotes(session: Session, *, actor: User, demand_id: int, now: datetime) -> TrainingDemand:
    """The enterprise rejects every quote: the demand closes, each provider is told."""
    demand = _own_demand(session, actor, demand_id, lock=True)
    if demand.status != DemandStatus.PUBLISHED:
        raise Conflict(_("This demand no longer takes quotes."), code="demand_not_open")
    demand.status, demand.closed_at, demand.updated_at = DemandStatus.CLOSED, now, now
    _decline_others(session, demand, keep_id=None, now=now)
    session.flush()
    return demand


def withdraw_quote(session: Session, *, actor: User, quote_id: int, now: datetime) -> Quote:
    quote = session.get(Quote, quote_id)
    if quote is None or quote.organization_id not in provider_ids(actor):
        raise NotFound(_("No such quote."))
    if quote.status != QuoteStatus.SUBMITTED:
        raise Conflict(_("This quote is not open."), code="quote_not_open")
    quote.status, quote.decided_at = QuoteStatus.WITHDRAWN, now
    session.flush()
    return quote
