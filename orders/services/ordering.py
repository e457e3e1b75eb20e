"""Orders: from an accepted quote or straight for a class; submit, confirm, pay, deliver, sign off.

States: draft → submitted → confirmed → (invoiced) → paid → in_delivery → delivered →
accepted → settled, with objected (the union looks) and cancelled on the side. Every move is
a conditional UPDATE on the current status plus an ``OrderEvent`` (who, when).

Seats: an order holds a block of ``seats`` in its class, reserved by ONE conditional UPDATE
(``seats_taken + n <= capacity``), the same guard as ``courses``' ``take_seat``; roster
people are then enrolled into that block (source ``order``) without taking seats again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import User
from app.auth.services import require_approved_org
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.inputs import MAX_FEN
from app.membership.models import MemberProfile, MembershipStatus
from app.money import format_money
from app.payments import services as payments
from app.payments.gateway import StripeGateway
from app.payments.models import Payment, PaymentStatus
from courses.models import ClassStatus, Enrollment, EnrollmentStatus, TrainingClass
from courses.services.enrollment.rules import class_started, expire_seats
from orders.models import (
    Order,
    OrderEvent,
    OrderStatus,
    PayMethod,
    Quote,
    QuoteStatus,
    RosterEntry,
    RosterStatus,
)
from orders.permissions import can_see_order, is_union, owns_order, supplies_order
from orders.services import subsidy
from orders.services.common import admins_of, clean_int, clean_text, tell_all, union_admins

PURPOSE = "order"                 # the enterprise's share
SUBSIDY_PURPOSE = "order_subsidy"  # the union's share for verified members
CANCELLABLE_FREE = (OrderStatus.DRAFT, OrderStatus.SUBMITTED)
CANCELLABLE_WITH_FEE = (OrderStatus.CONFIRMED, OrderStatus.INVOICED, OrderStatus.PAID)
ROSTER_OPEN = (OrderStatus.DRAFT, OrderStatus.SUBMITTED, OrderStatus.CONFIRMED, OrderStatus.INVOICED,
               OrderStatus.PAID)


# --- seats -------------------------------------------------------------------------------------

def reserve_block(session: Session, class_id: int, seats: int) -> bool:
    """Reserve ``seats`` seats at once if that many are free (one atomic conditional UPDATE)."""
    result = session.execute(
        update(TrainingClass).where(TrainingClass.id == class_id, TrainingClass.status == ClassStatus.SCHEDULED,
                                    TrainingClass.seats_taken + seats <= TrainingClass.capacity)
        .values(seats_taken=TrainingClass.seats_taken + seats).execution_options(synchronize_session=False))
    expire_seats(session, class_id)
    return result.rowcount == 1


def release_block(session: Session, class_id: int, seats: int) -> None:
    if seats > 0:
        session.execute(update(TrainingClass).where(TrainingClass.id == class_id, TrainingClass.seats_taken >= seats)
                        .values(seats_taken=TrainingClass.seats_taken - seats)
                        .execution_options(synchronize_session=False))
        expire_seats(session, class_id)


# --- reading and moving ----------------------------------------------------------------------

def get_order(session: Session, *, actor: User, order_id: int, lock: bool = False) -> Order:
    """An order the actor may see (its enterprise, its provider, the union). Raises NotFound."""
    if lock and session.scalar(select(Order.id).where(Order.id == order_id).with_for_update()) is None:
        raise NotFound(_("No such order."))
    order = session.get(Order, order_id)
    if order is None or not can_see_order(actor, order):
        raise NotFound(_("No such order."))
    if lock:
        session.refresh(order)
    return order


def _own(session: Session, actor: User, order_id: int) -> Order:
    order = get_order(session, actor=actor, order_id=order_id, lock=True)
    if not owns_order(actor, order):
        raise Forbidden(_("Only the ordering enterprise can do this."))
    return order


def _supplied(session: Session, actor: User, order_id: int) -> Order:
    order = get_order(session, actor=actor, order_id=order_id, lock=True)
    if not supplies_order(actor, order):
        raise Forbidden(_("Only the provider can do this."))
    return order


def move(session: Session, order: Order, to: OrderStatus, *, actor: User | None, now: datetime,
         allowed: Iterable[OrderStatus], note: str = "") -> None:
    """Move an order from one of ``allowed`` states to ``to`` and log it. Raises Conflict ``order_state``."""
    before = order.status
    allowed = [str(s) for s in allowed]
    changed = session.execute(update(Order).where(Order.id == order.id, Order.status.in_(allowed))
                              .values(status=to, updated_at=now).execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise Conflict(_("This order cannot do that in its present state."), code="order_state")
    session.refresh(order)
    session.add(OrderEvent(order_id=order.id, from_status=str(before), to_status=str(to),
                           actor_id=actor.id if actor else None, note=note[:500], at=now))
    session.flush()


def _tell_enterprise(session: Session, order: Order, subject, body) -> None:
    tell_all(session, admins_of(session, order.enterprise_id, Role.ENTERPRISE_ADMIN), subject, body)


def _tell_provider(session: Session, order: Order, subject, body) -> None:
    tell_all(session, admins_of(session, order.provider_id, Role.PROVIDER_ADMIN), subject, body)


# --- creating ------------------------------------------------------------------------------------

def order_from_quote(session: Session, *, actor: User, quote: Quote, now: datetime) -> Order:
    """The draft order of an accepted quote (one per quote)."""
    if quote.status != QuoteStatus.ACCEPTED:
        raise Conflict(_("Only an accepted quote becomes an order."), code="quote_not_accepted")
    existing = session.scalar(select(Order).where(Order.quote_id == quote.id))
    if existing is not None:
        raise Conflict(_("This quote has already become an order."), code="already_ordered")
    demand = quote.demand
    order = Order(enterprise_id=demand.enterprise_id, provider_id=quote.organization_id, created_by_id=actor.id,
                  demand_id=demand.id, quote_id=quote.id, course_id=quote.course_id, class_id=quote.class_id,
                  seats=demand.headcount, price_per_person=quote.price_per_person, total=quote.total,
                  currency=quote.currency, cancel_fee_pct=quote.cancel_fee_pct, enterprise_amount=quote.total,
                  status=OrderStatus.DRAFT, created_at=now, updated_at=now)
    session.add(order)
    session.flush()
    session.add(OrderEvent(order_id=order.id, to_status=OrderStatus.DRAFT, actor_id=actor.id, at=now,
                           note=f"quote {quote.id}"))
    session.flush()
    return order


def order_class(session: Session, *, actor: User, class_id: int, seats: int, now: datetime,
                enterprise_id: int | None = None) -> Order:
    """A draft order for a block of seats straight in an existing public class, at its list price.

    Raises Forbidden (not an approved enterprise's admin), NotFound (no such public class),
    Conflict ``class_closed``, Invalid ``seats``.
    """
    enterprise = require_approved_org(actor, Role.ENTERPRISE_ADMIN, enterprise_id)
    seats = clean_int(seats, "seats", minimum=1, maximum=5000)
    training_class = session.get(TrainingClass, class_id)
    if training_class is None or not training_class.course.is_public:
        raise NotFound(_("No such class."))
    if training_class.status != ClassStatus.SCHEDULED or class_started(training_class, now):
        raise Conflict(_("This class no longer takes orders."), code="class_closed")
    if training_class.price * seats > MAX_FEN:   # money columns hold at most MAX_FEN
        raise Invalid(_("Enter a number between %(a)d and %(b)d.", a=1, b=max(1, MAX_FEN // training_class.price)),
                      field="seats")
    if seats > training_class.seats_left:
        raise Conflict(_("Only %(n)d seats are left in this class.", n=training_class.seats_left), code="seats_full",
                       field="seats")
    order = Order(enterprise_id=enterprise.id, provider_id=training_class.course.provider_id, created_by_id=actor.id,
                  course_id=training_class.course_id, class_id=training_class.id, seats=seats,
                  price_per_person=training_class.price, total=training_class.price * seats,
                  enterprise_amount=training_class.price * seats, currency=training_class.currency,
                  status=OrderStatus.DRAFT, created_at=now, updated_at=now)
    session.add(order)
    session.flush()
    session.add(OrderEvent(order_id=order.id, to_status=OrderStatus.DRAFT, actor_id=actor.id, at=now,
                           note=f"class {training_class.id}"))
    session.flush()
    return order


# --- submit and confirm --------------------------------------------------------------------------

def _reserve(session: Session, order: Order, class_id: int) -> None:
    if not reserve_block(session, class_id, order.seats):
        raise Conflict(_("Not enough free seats in this class for the order."), code="seats_full")
    order.class_id, order.seats_reserved = class_id, order.seats
    session.flush()


def submit_order(session: Session, *, actor: User, order_id: int, pay_method: str = PayMethod.ONLINE,
                 invoice_title: str = "", invoice_tax_number: str = "", notes: str = "", now: datetime) -> Order:
    """The enterprise submits a draft with how it pays; seats in a known class are reserved now.

    Bank transfer needs an invoice title and a tax number (统一社会信用代码 / 纳税人识别号).
    Raises Forbidden, NotFound, Conflict ``order_state`` / ``seats_full``, Invalid.
    """
    order = _own(session, actor, order_id)
    if pay_method not in {m.value for m in PayMethod}:
        raise Invalid(_("Choose how you pay."), field="pay_method")
    order.pay_method = PayMethod(pay_method)
    order.invoice_title = clean_text(invoice_title, "invoice_title", 200,
                                     required=pay_method == PayMethod.BANK_TRANSFER)
    tax = clean_text(invoice_tax_number, "invoice_tax_number", 20, required=pay_method == PayMethod.BANK_TRANSFER)
    if tax and not (15 <= len(tax) <= 20 and tax.isalnum()):
        raise Invalid(_("A tax number has 15 to 20 letters and digits."), field="invoice_tax_number")
    order.invoice_tax_number = tax.upper()
    order.notes = clean_text(notes, "notes", 1000)
    if order.status != OrderStatus.DRAFT:
        raise Conflict(_("This order cannot do that in its present state."), code="order_state")
    if order.class_id and not order.seats_reserved:
        _reserve(session, order, order.class_id)
    move(session, order, OrderStatus.SUBMITTED, actor=actor, now=now, allowed=(OrderStatus.DRAFT,))
    number, enterprise = order.id, order.enterprise.name
    _tell_provider(session, order, lambda: _("New order to confirm"),
                   lambda: _("%(enterprise)s submitted order #%(n)d. Please confirm it.", enterprise=enterprise,
                             n=number))
    return order


def verified_members_on(session: Session, order_id: int) -> int:
    """Active roster people who are verified union members now (one query)."""
    return session.scalar(
        select(func.count(RosterEntry.id)).join(MemberProfile, MemberProfile.user_id == RosterEntry.user_id)
        .where(RosterEntry.order_id == order_id, RosterEntry.status == RosterStatus.ACTIVE,
               MemberProfile.status == MembershipStatus.VERIFIED)) or 0


def confirm_order(session: Session, *, actor: User, order_id: int, now: datetime, class_id: int | None = None,
                  online: bool = False) -> Order:
    """The provider confirms: seats reserved (in the class it names if the order had none), the
    union's subsidy for verified members granted from the budget, the split recorded as two
    payments, roster people enrolled.

    Raises Forbidden, NotFound, Conflict ``order_state`` / ``seats_full`` / ``class_required``, Invalid.
    """
    order = _supplied(session, actor, order_id)
    if order.status != OrderStatus.SUBMITTED:
        raise Conflict(_("This order cannot do that in its present state."), code="order_state")
    if not order.seats_reserved:
        class_id = class_id or order.class_id
        if not class_id:
            raise Conflict(_("Choose the class this order is taught in."), code="class_required", field="class_id")
        training_class = session.get(TrainingClass, class_id)
        if training_class is None or training_class.course.provider_id != order.provider_id:
            raise Invalid(_("Choose one of your classes."), field="class_id")
        if class_started(training_class, now):
            raise Conflict(_("This class has already started."), code="class_closed")
        order.course_id = training_class.course_id
        _reserve(session, order, class_id)
    _grant_subsidy(session, order, now)
    move(session, order, OrderStatus.CONFIRMED, actor=actor, now=now, allowed=(OrderStatus.SUBMITTED,))
    _create_payments(session, order, online=online, now=now)
    enroll_roster(session, order, now=now)
    number, provider = order.id, order.provider.name
    share = format_money(order.enterprise_amount, order.currency)
    _tell_enterprise(session, order, lambda: _("Order confirmed"),
                     lambda: _("%(provider)s confirmed order #%(n)d. Your share to pay: %(amount)s.",
                               provider=provider, n=number, amount=share))
    return order


def _grant_subsidy(session: Session, order: Order, now: datetime) -> None:
    rule = subsidy.rule_for(session, now)
    if rule is None:
        return
    members = min(verified_members_on(session, order.id), order.seats)
    wanted = members * subsidy.per_member(rule, order.price_per_person)
    granted = subsidy.reserve(session, rule.id, min(wanted, order.total))
    order.subsidy_rule_id, order.subsidy_members, order.subsidy_amount = rule.id, members, granted
    order.enterprise_amount = order.total - granted
    session.flush()


def _create_payments(session: Session, order: Order, *, online: bool, now: datetime) -> None:
    enterprise_payment = payments.create_payment(
        session, purpose=PURPOSE, reference_id=order.id, payer_id=order.created_by_id, payee_org_id=order.provider_id,
        amount=order.enterprise_amount, currency=order.currency,
        online=online and order.pay_method == PayMethod.ONLINE, now=now)
    if order.subsidy_amount:
        rule = order.subsidy_rule_id and session.get(subsidy.SubsidyRule, order.subsidy_rule_id)
        payments.create_payment(session, purpose=SUBSIDY_PURPOSE, reference_id=order.id,
                                payer_id=rule.created_by_id, payee_org_id=order.provider_id,
                                amount=order.subsidy_amount, currency=order.currency, online=False, now=now)
    if enterprise_payment.amount == 0:   # fully subsidised or free: nothing for the enterprise to pay
        move(session, order, OrderStatus.PAID, actor=None, now=now, allowed=(OrderStatus.CONFIRMED,),
             note="nothing to pay")


def payments_of(session: Session, order_id: int) -> list[Payment]:
    return list(session.scalars(select(Payment).where(Payment.purpose.in_((PURPOSE, SUBSIDY_PURPOSE)),
                                                      Payment.reference_id == order_id).order_by(Payment.id)))


def enterprise_payment(session: Session, order_id: int) -> Payment | None:
    return session.scalar(select(Payment).where(Payment.purpose == PURPOSE, Payment.reference_id == order_id)
                          .order_by(Payment.id.desc()).limit(1))


# --- enrolling the roster ------------------------------------------------------------------------

def enroll_roster(session: Session, order: Order, *, now: datetime) -> int:
    """Enroll active roster people who have an account into the order's class (confirmed, no payment,
    price kind ``order``), inside the order's reserved block. Returns how many were enrolled."""
    if order.status not in (OrderStatus.CONFIRMED, OrderStatus.INVOICED, OrderStatus.PAID,
                            OrderStatus.IN_DELIVERY) or not order.class_id:
        return 0
    entries = session.execute(select(RosterEntry.id, RosterEntry.user_id).where(
        RosterEntry.order_id == order.id, RosterEntry.status == RosterStatus.ACTIVE,
        RosterEntry.user_id.is_not(None), RosterEntry.enrollment_id.is_(None))).all()
    if not entries:
        return 0
    active: dict[int, int] = {}
    for chunk in _chunks(sorted({row.user_id for row in entries}), 900):
        active.update(session.execute(select(Enrollment.user_id, Enrollment.id).where(
            Enrollment.class_id == order.class_id, Enrollment.user_id.in_(chunk),
            Enrollment.status.in_(("pending_payment", "confirmed", "completed", "waitlisted")))).all())
    new_users = sorted({row.user_id for row in entries if row.user_id not in active})
    if new_users:
        # One multi-row INSERT (no seat taken: the people fill the order's reserved block).
        created = session.execute(insert(Enrollment).returning(Enrollment.user_id, Enrollment.id), [
            {"class_id": order.class_id, "user_id": user_id, "status": EnrollmentStatus.CONFIRMED, "amount_due": 0,
             "currency": order.currency, "price_kind": "order", "source": "order", "created_at": now,
             "confirmed_at": now, "cancel_reason": ""} for user_id in new_users])
        active.update(dict(created.all()))
    # One UPDATE: each person's active enrollment in the class (the partial unique index keeps it to one).
    their_enrollment = (select(Enrollment.id).where(
        Enrollment.class_id == order.class_id, Enrollment.user_id == RosterEntry.user_id,
        Enrollment.status.in_(("pending_payment", "confirmed", "completed", "waitlisted")))
        .limit(1).scalar_subquery())
    session.execute(update(RosterEntry).where(
        RosterEntry.order_id == order.id, RosterEntry.status == RosterStatus.ACTIVE,
        RosterEntry.user_id.is_not(None), RosterEntry.enrollment_id.is_(None))
        .values(enrollment_id=their_enrollment).execution_options(synchronize_session=False))
    _expire_entries(session, order.id)
    session.flush()
    return len(new_users)


def _expire_entries(session: Session, order_id: int) -> None:
    """Loaded roster entries of the order read their enrollment again (changed by a bulk UPDATE)."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, RosterEntry) and obj.order_id == order_id:
            session.expire(obj, ["enrollment_id"])


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- money ---------------------------------------------------------------------------------------

def mark_invoiced(session: Session, *, actor: User, order_id: int, now: datetime) -> Order:
    """The provider has issued the invoice for a bank-transfer order: confirmed → invoiced."""
    order = _supplied(session, actor, order_id)
    if order.pay_method != PayMethod.BANK_TRANSFER:
        raise Conflict(_("This order is paid online."), code="not_bank_transfer")
    move(session, order, OrderStatus.INVOICED, actor=actor, now=now, allowed=(OrderStatus.CONFIRMED,))
    number = order.id
    _tell_enterprise(session, order, lambda: _("Invoice issued"),
                     lambda: _("The invoice for order #%(n)d has been issued. Please pay by bank transfer.", n=number))
    return order


def on_paid(session: Session, payment: Payment, now: datetime) -> None:
    """The enterprise's share arrived (Stripe webhook or a recorded bank transfer)."""
    order = session.get(Order, payment.reference_id)
    if order is None or order.status not in (OrderStatus.CONFIRMED, OrderStatus.INVOICED):
        return
    actor = session.get(User, payment.confirmed_by_id) if payment.confirmed_by_id else None
    move(session, order, OrderStatus.PAID, actor=actor, now=now,
         allowed=(OrderStatus.CONFIRMED, OrderStatus.INVOICED), note=f"payment {payment.id}")
    number, amount = order.id, format_money(payment.amount, payment.currency)
    _tell_enterprise(session, order, lambda: _("Payment received"),
                     lambda: _("We received %(amount)s for order #%(n)d.", amount=amount, n=number))
    _tell_provider(session, order, lambda: _("Order paid"),
                   lambda: _("Order #%(n)d is paid (%(amount)s).", amount=amount, n=number))


def on_subsidy_paid(session: Session, payment: Payment, now: datetime) -> None:
    """The union's share arrived: logged on the order."""
    order = session.get(Order, payment.reference_id)
    if order is not None:
        session.add(OrderEvent(order_id=order.id, from_status=str(order.status), to_status=str(order.status),
                               actor_id=payment.confirmed_by_id, note=f"subsidy payment {payment.id} received",
                               at=now))
        session.flush()


def on_refunded(session: Session, payment: Payment, now: datetime) -> None:
    order = session.get(Order, payment.reference_id)
    if order is not None:
        session.add(OrderEvent(order_id=order.id, from_status=str(order.status), to_status=str(order.status),
                               note=f"payment {payment.id} refunded {payment.refunded_amount}", at=now))
        session.flush()


# --- cancelling ----------------------------------------------------------------------------------

def cancel_fee(order: Order) -> int:
    return order.total * order.cancel_fee_pct // 100


def cancel_order(session: Session, *, actor: User, order_id: int, reason: str = "", now: datetime,
                 gateway: StripeGateway | None = None) -> Order:
    """Cancel by the rules agreed in the quote: free before confirmation; after it (before the
    class starts) the enterprise owes ``cancel_fee_pct`` of the total, the rest is refunded; a
    provider cancelling owes the enterprise everything back. Seats and subsidy go back.

    Raises Forbidden, NotFound, Conflict ``order_state`` / ``class_started``.
    """
    order = get_order(session, actor=actor, order_id=order_id, lock=True)
    by_enterprise, by_provider = owns_order(actor, order), supplies_order(actor, order)
    if not (by_enterprise or by_provider):
        raise Forbidden(_("Only the enterprise or the provider can cancel an order."))
    if order.status not in (*CANCELLABLE_FREE, *CANCELLABLE_WITH_FEE):
        raise Conflict(_("This order can no longer be cancelled."), code="order_state")
    if order.training_class is not None and class_started(order.training_class, now) \
            and order.status in CANCELLABLE_WITH_FEE:
        raise Conflict(_("The class has started; the order can no longer be cancelled."), code="class_started")
    paid_stage = order.status in CANCELLABLE_WITH_FEE
    fee = cancel_fee(order) if paid_stage and by_enterprise else 0
    move(session, order, OrderStatus.CANCELLED, actor=actor, now=now,
         allowed=(*CANCELLABLE_FREE, *CANCELLABLE_WITH_FEE), note=clean_text(reason, "reason", 500))
    order.cancel_reason = clean_text(reason, "reason", 500)
    _unenroll(session, order, now)
    if order.seats_reserved and order.class_id:
        release_block(session, order.class_id, order.seats_reserved)
        order.seats_reserved = 0
    if order.subsidy_amount and order.subsidy_rule_id:
        subsidy.release(session, order.subsidy_rule_id, order.subsidy_amount)
    _settle_cancelled_money(session, order, fee=fee, now=now, gateway=gateway)
    session.flush()
    number = order.id
    who = _tell_provider if by_enterprise else _tell_enterprise
    who(session, order, lambda: _("Order cancelled"), lambda: _("Order #%(n)d was cancelled.", n=number))
    return order


def _unenroll(session: Session, order: Order, now: datetime) -> None:
    ids = [e for e in session.scalars(select(RosterEntry.enrollment_id).where(
        RosterEntry.order_id == order.id, RosterEntry.enrollment_id.is_not(None)))]
    for chunk in _chunks(ids, 900):
        session.execute(update(Enrollment).where(Enrollment.id.in_(chunk), Enrollment.source == "order",
                                                 Enrollment.status == EnrollmentStatus.CONFIRMED)
                        .values(status=EnrollmentStatus.CANCELLED, cancelled_at=now, cancel_reason="order cancelled")
                        .execution_options(synchronize_session=False))


def _settle_cancelled_money(session: Session, order: Order, *, fee: int, now: datetime,
                            gateway: StripeGateway | None) -> None:
    left_fee = fee
    for payment in payments_of(session, order.id):
        if payment.purpose == SUBSIDY_PURPOSE or left_fee == 0:
            if payment.status in (PaymentStatus.PENDING, PaymentStatus.FAILED):
                payments.cancel_payment(session, payment_id=payment.id, now=now, gateway=gateway)
            else:
                payments.refund_payment(session, payment_id=payment.id, reason="order cancelled", now=now)
            continue
        if payment.status in (PaymentStatus.PENDING, PaymentStatus.FAILED):
            payments.cancel_payment(session, payment_id=payment.id, now=now, gateway=gateway)
            payments.create_payment(session, purpose=PURPOSE, reference_id=order.id, payer_id=payment.payer_id,
                                    payee_org_id=order.provider_id, amount=left_fee, currency=order.currency,
                                    online=False, now=now)
        elif payment.status == PaymentStatus.SUCCEEDED:
            refund = max(payment.amount - left_fee, 0)
            if refund:
                payments.refund_payment(session, payment_id=payment.id, amount=refund, reason="order cancelled",
                                        now=now)
        left_fee = 0


# --- delivery and sign-off -----------------------------------------------------------------------

def start_delivery(session: Session, *, actor: User, order_id: int, now: datetime) -> Order:
    order = _supplied(session, actor, order_id)
    move(session, order, OrderStatus.IN_DELIVERY, actor=actor, now=now,
         allowed=(OrderStatus.PAID, OrderStatus.INVOICED))
    number = order.id
    _tell_enterprise(session, order, lambda: _("Training started"),
                     lambda: _("Order #%(n)d is being delivered. Follow progress on the order page.", n=number))
    return order


def mark_delivered(session: Session, *, actor: User, order_id: int, now: datetime) -> Order:
    order = _supplied(session, actor, order_id)
    move(session, order, OrderStatus.DELIVERED, actor=actor, now=now, allowed=(OrderStatus.IN_DELIVERY,))
    number = order.id
    _tell_enterprise(session, order, lambda: _("Training delivered"),
                     lambda: _("Order #%(n)d is delivered. Please accept it (验收) or raise an objection.", n=number))
    return order


def accept_delivery(session: Session, *, actor: User, order_id: int, rating: int, comment: str = "",
                    now: datetime) -> Order:
    """The enterprise accepts delivery (验收) with a 1–5 star rating and a comment for the provider."""
    order = _own(session, actor, order_id)
    rating = clean_int(rating, "rating", minimum=1, maximum=5)
    comment = clean_text(comment, "comment", 1000)
    move(session, order, OrderStatus.ACCEPTED, actor=actor, now=now,
         allowed=(OrderStatus.DELIVERED, OrderStatus.OBJECTED), note=f"rating {rating}")
    order.rating, order.rating_comment = rating, comment
    session.flush()
    number = order.id
    _tell_provider(session, order, lambda: _("Delivery accepted"),
                   lambda: _("Order #%(n)d was accepted with %(r)d stars.", n=number, r=rating))
    return order


def raise_objection(session: Session, *, actor: User, order_id: int, text: str, now: datetime) -> Order:
    """The enterprise objects to the delivery; the union sees it and sorts it out."""
    order = _own(session, actor, order_id)
    text = clean_text(text, "objection", 1000, required=True)
    move(session, order, OrderStatus.OBJECTED, actor=actor, now=now, allowed=(OrderStatus.DELIVERED,), note=text)
    order.objection = text
    session.flush()
    number, enterprise = order.id, order.enterprise.name
    tell_all(session, [*union_admins(session), *admins_of(session, order.provider_id, Role.PROVIDER_ADMIN)],
             lambda: _("Objection to a delivery"),
             lambda: _("%(enterprise)s objects to the delivery of order #%(n)d: %(text)s", enterprise=enterprise,
                       n=number, text=text))
    return order


def resolve_objection(session: Session, *, actor: User, order_id: int, note: str, now: datetime) -> Order:
    """The union has looked into an objection: the order goes back to delivered for acceptance."""
    if not is_union(actor):
        raise Forbidden(_("Only the union resolves objections."))
    order = get_order(session, actor=actor, order_id=order_id, lock=True)
    note = clean_text(note, "note", 500, required=True)
    move(session, order, OrderStatus.DELIVERED, actor=actor, now=now, allowed=(OrderStatus.OBJECTED,), note=note)
    number = order.id
    _tell_enterprise(session, order, lambda: _("Objection answered"),
                     lambda: _("The union answered your objection on order #%(n)d: %(note)s", n=number, note=note))
    return order


def settle_order(session: Session, *, actor: User, order_id: int, now: datetime) -> Order:
    """The union settles an accepted order with the provider."""
    if not is_union(actor):
        raise Forbidden(_("Only the union settles orders."))
    order = get_order(session, actor=actor, order_id=order_id, lock=True)
    move(session, order, OrderStatus.SETTLED, actor=actor, now=now, allowed=(OrderStatus.ACCEPTED,))
    number = order.id
    _tell_provider(session, order, lambda: _("Order settled"), lambda: _("Order #%(n)d is settled.", n=number))
    return order
