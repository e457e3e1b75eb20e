"""Every write of payments: create, apply success/failure, offline confirmation, refunds, webhook events.

Domains declare a ``purpose`` with handlers (``Domain.payment_purposes``), so this module
imports no domain. A payment's status only moves by a conditional UPDATE on its current
status, so concurrent deliveries of the same news (webhook, reconciliation, a replay)
apply it exactly once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import User
from app.celery import enqueue
from app.db import after_commit
from app.domain import PaymentPurpose
from app.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from app.payments.gateway import GatewayError, StripeGateway
from app.payments.models import Payment, PaymentMethod, PaymentStatus, Refund, StripeEvent

log = logging.getLogger(__name__)

PURPOSES: dict[str, PaymentPurpose] = {}


class UnknownPurpose(RuntimeError):
    """A payment names a purpose no installed domain declared: its news cannot be applied.

    Not a DomainError: the caller's transaction must roll back, so a claimed webhook event
    stays unprocessed and reconciliation retries it once the domain is installed.
    """


def register_purpose(purpose: PaymentPurpose) -> None:
    """Register a domain's payment purpose (``app.domain.install`` calls this from declarations)."""
    PURPOSES[purpose.name] = purpose


def _tell_purpose(session: Session, payment: Payment, kind: str, now: datetime) -> None:
    """Run the ``kind`` handler ("succeeded", "failed", "refunded") of the payment's purpose.

    Raises UnknownPurpose when no domain declared the purpose.
    """
    purpose = PURPOSES.get(payment.purpose)
    if purpose is None:
        raise UnknownPurpose(f"payment {payment.id} has undeclared purpose {payment.purpose!r}")
    handler = getattr(purpose, kind)
    if handler:
        handler(session, payment, now)


# --- creating payments -------------------------------------------------------------------------

def create_payment(session: Session, *, purpose: str, reference_id: int, payer_id: int, payee_org_id: int | None,
                   amount: int, currency: str, online: bool, now: datetime) -> Payment:
    """A payment record: free (amount 0, succeeded at once), Stripe or offline (pending). Raises Invalid."""
    if amount < 0:
        raise Invalid("An amount cannot be negative.", code="invalid_amount")
    if amount == 0:
        method, status, paid_at = PaymentMethod.FREE, PaymentStatus.SUCCEEDED, now
    else:
        method = PaymentMethod.STRIPE if online else PaymentMethod.OFFLINE
        status, paid_at = PaymentStatus.PENDING, None
    payment = Payment(purpose=purpose, reference_id=reference_id, payer_id=payer_id, payee_org_id=payee_org_id,
                      amount=amount, currency=currency, method=method, status=status, paid_at=paid_at,
                      created_at=now, updated_at=now)
    session.add(payment)
    session.flush()
    return payment


def prepare_stripe_payment(session: Session, *, payment_id: int, gateway: StripeGateway | None,
                           now: datetime) -> Payment:
    """Give a pending payment a Stripe PaymentIntent (idempotent). Raises NotFound, Conflict, GatewayError.

    Creating an intent inside the transaction is safe: an intent nobody confirms charges nobody,
    and the idempotency key (payment id + creation time) returns the same intent on a retry.
    """
    payment = session.get(Payment, payment_id, with_for_update=True)
    if payment is None:
        raise NotFound("No such payment.")
    if payment.status not in (PaymentStatus.PENDING, PaymentStatus.FAILED):
        raise Conflict("This payment is not open.", code="payment_not_open")
    if gateway is None:
        raise DomainError("Online payment is not set up.", code="online_payment_unavailable", status=409)
    if payment.stripe_payment_intent_id:
        return payment
    intent = gateway.create_intent(
        amount=payment.amount, currency=payment.currency,
        metadata={"payment_id": str(payment.id), "purpose": payment.purpose, "reference_id": str(payment.reference_id)},
        idempotency_key=f"payment-{payment.id}-{int(payment.created_at.timestamp())}")
    payment.method = PaymentMethod.STRIPE
    payment.stripe_payment_intent_id = intent.id
    payment.stripe_client_secret = intent.client_secret
    payment.updated_at = now
    session.flush()
    return payment


@dataclass(frozen=True)
class Checkout:
    """What a payer needs to pay a payment online: Stripe's client secret and publishable key.

    ``unavailable`` says why online payment cannot be offered now (not set up, Stripe down);
    the payment itself stays open for offline payment either way.
    """

    payment: Payment
    client_secret: str | None = None
    publishable_key: str | None = None
    unavailable: str | None = None


def open_checkout(session: Session, *, actor: User, payment_id: int, gateway: StripeGateway | None,
                  now: datetime) -> Checkout:
    """Open (or reuse) online checkout for one of the actor's open payments, whatever its purpose.

    The one checkout service: enrollments, orders, exam and certificate fees all pay through it.
    Raises NotFound (not the actor's payment), Conflict ``payment_not_open``.
    """
    payment = session.get(Payment, payment_id)
    if payment is None or payment.payer_id != actor.id:
        raise NotFound("No such payment.")
    if payment.status not in (PaymentStatus.PENDING, PaymentStatus.FAILED) or payment.method == PaymentMethod.FREE:
        raise Conflict("This payment is not open.", code="payment_not_open")
    if gateway is None:
        return Checkout(payment, unavailable="Online payment is not set up yet. Please pay offline.")
    try:
        with session.begin_nested():
            payment = prepare_stripe_payment(session, payment_id=payment.id, gateway=gateway, now=now)
    except GatewayError as exc:
        return Checkout(session.get(Payment, payment_id), unavailable=exc.message)
    return Checkout(payment, client_secret=payment.stripe_client_secret, publishable_key=gateway.publishable_key)


def checkout_of(payment: Payment | None, gateway: StripeGateway | None) -> Checkout | None:
    """The checkout already opened for a payment (a read: GET pages and answers use this)."""
    if payment is None:
        return None
    open_ = payment.status in (PaymentStatus.PENDING, PaymentStatus.FAILED) and payment.method != PaymentMethod.FREE
    if not open_ or gateway is None or not payment.stripe_client_secret:
        return Checkout(payment)
    return Checkout(payment, client_secret=payment.stripe_client_secret, publishable_key=gateway.publishable_key)


# --- moving a payment's status (conditional UPDATEs) -------------------------------------------

def _transition(session: Session, payment_id: int, from_statuses, values: dict) -> bool:
    result = session.execute(
        update(Payment).where(Payment.id == payment_id, Payment.status.in_([str(s) for s in from_statuses]))
        .values(**values).execution_options(synchronize_session=False))
    changed = result.rowcount == 1
    if changed:
        payment = session.get(Payment, payment_id)
        if payment is not None:
            session.refresh(payment)
    return changed


def apply_payment_succeeded(session: Session, *, payment_id: int, now: datetime) -> bool:
    """Mark a payment paid and run its purpose's success handler, at most once; False if already applied.

    A payment cancelled because its hold ran out can still succeed (the money did arrive): the
    handler decides what to do with a late payment. Raises nothing for a repeat.
    """
    if not _transition(session, payment_id,
                       (PaymentStatus.PENDING, PaymentStatus.FAILED, PaymentStatus.CANCELLED),
                       {"status": PaymentStatus.SUCCEEDED, "paid_at": now, "updated_at": now}):
        return False
    payment = session.get(Payment, payment_id)
    _tell_purpose(session, payment, "succeeded", now)
    session.flush()
    return True


def apply_payment_failed(session: Session, *, payment_id: int, now: datetime) -> bool:
    """Record a failed attempt on a pending payment (the payer may retry); a paid payment is untouched."""
    if not _transition(session, payment_id, (PaymentStatus.PENDING,),
                       {"status": PaymentStatus.FAILED, "updated_at": now}):
        return False
    payment = session.get(Payment, payment_id)
    _tell_purpose(session, payment, "failed", now)
    session.flush()
    return True


def cancel_payment(session: Session, *, payment_id: int, now: datetime, gateway: StripeGateway | None) -> bool:
    """Cancel an unpaid payment; its PaymentIntent is cancelled at Stripe after commit (best effort)."""
    if not _transition(session, payment_id, (PaymentStatus.PENDING, PaymentStatus.FAILED),
                       {"status": PaymentStatus.CANCELLED, "updated_at": now}):
        return False
    payment = session.get(Payment, payment_id)
    if payment.stripe_payment_intent_id and gateway is not None:
        intent_id = payment.stripe_payment_intent_id

        def _cancel_at_stripe():
            try:
                gateway.cancel_intent(intent_id)
            except GatewayError as exc:   # already paid or gone: reconciliation sorts it out
                log.warning("could not cancel PaymentIntent %s: %s", intent_id, exc)

        after_commit(session, _cancel_at_stripe)
    return True


def record_offline_payment(session: Session, *, actor: User, payment_id: int, reference: str,
                           now: datetime, gateway: StripeGateway | None) -> Payment:
    """A provider admin confirms money received offline (bank transfer, at the venue).

    Raises NotFound (not the payee's admin), Forbidden (``own_payment``: the admin's own
    enrollment), Invalid (no reference), Conflict (not open).
    """
    payment = session.get(Payment, payment_id)
    if payment is None or payment.payee_org_id not in actor.org_ids(Role.PROVIDER_ADMIN):
        raise NotFound("No such payment.")
    if payment.payer_id == actor.id:
        raise Forbidden(_("Another administrator must confirm a payment for your own enrollment."),
                        code="own_payment")
    reference = (reference or "").strip()
    if not reference:
        raise Invalid("Give the bank slip or receipt number.", code="reference_required", field="reference")
    if len(reference) > 200:
        raise Invalid("The reference is too long.", code="reference_too_long", field="reference")
    if payment.status not in (PaymentStatus.PENDING, PaymentStatus.FAILED):
        raise Conflict("This payment is not waiting for money.", code="payment_not_open")
    intent_id = payment.stripe_payment_intent_id
    if not _transition(session, payment_id, (PaymentStatus.PENDING, PaymentStatus.FAILED),
                       {"method": PaymentMethod.OFFLINE, "offline_reference": reference, "confirmed_by_id": actor.id}):
        raise Conflict("This payment is not waiting for money.", code="payment_not_open")
    if intent_id and gateway is not None:
        after_commit(session, lambda: _cancel_quietly(gateway, intent_id))
    # The pending → succeeded step (and the domain handler) is the same as for Stripe.
    apply_payment_succeeded(session, payment_id=payment_id, now=now)
    return session.get(Payment, payment_id)


def _cancel_quietly(gateway: StripeGateway, intent_id: str) -> None:
    try:
        gateway.cancel_intent(intent_id)
    except GatewayError as exc:
        log.warning("could not cancel PaymentIntent %s: %s", intent_id, exc)


# --- refunds -------------------------------------------------------------------------------------

def refund_payment(session: Session, *, payment_id: int, amount: int | None = None, reason: str,
                   now: datetime) -> Refund | None:
    """Refund a paid payment (all of what is left by default); None when nothing is refundable.

    Stripe refunds are sent after commit by the ``app.send_stripe_refund`` task (idempotency key
    per refund); offline refunds are recorded as pending until the provider has paid them back.
    Raises Invalid for an amount above what is left.
    """
    payment = session.get(Payment, payment_id, with_for_update=True)
    if payment is None or payment.status not in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED):
        return None
    promised = sum(r.amount for r in payment.refunds if r.status != "failed")
    left = payment.amount - promised
    amount = left if amount is None else amount
    if amount <= 0:
        return None
    if amount > left:
        raise Invalid("The refund is larger than what was paid.", code="refund_too_large", field="amount")
    refund = Refund(payment_id=payment.id, amount=amount, reason=reason[:200], status="pending", created_at=now)
    session.add(refund)
    session.flush()
    if payment.method == PaymentMethod.STRIPE and payment.stripe_payment_intent_id:
        from app.payments.tasks import send_stripe_refund

        refund_id = refund.id
        after_commit(session, lambda: enqueue(send_stripe_refund, refund_id))
    return refund


def complete_refund(session: Session, *, refund_id: int, stripe_refund_id: str | None, now: datetime) -> bool:
    """Mark a refund paid back and update its payment; the purpose's refund handler runs once per refund."""
    result = session.execute(
        update(Refund).where(Refund.id == refund_id, Refund.status == "pending")
        .values(status="succeeded", stripe_refund_id=stripe_refund_id).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    refund = session.get(Refund, refund_id)
    session.refresh(refund)
    payment = session.get(Payment, refund.payment_id, with_for_update=True)
    session.refresh(payment)
    _set_refunded_amount(payment, payment.refunded_amount + refund.amount, now)
    _tell_purpose(session, payment, "refunded", now)
    session.flush()
    return True


def _set_refunded_amount(payment: Payment, refunded: int, now: datetime) -> None:
    payment.refunded_amount = min(refunded, payment.amount)
    payment.status = (PaymentStatus.REFUNDED if payment.refunded_amount >= payment.amount
                      else PaymentStatus.PARTIALLY_REFUNDED)
    payment.updated_at = now


def record_offline_refund(session: Session, *, actor: User, refund_id: int, now: datetime) -> Refund:
    """A provider admin records that an offline refund was paid back. Raises NotFound, Conflict."""
    refund = session.get(Refund, refund_id)
    if refund is None or refund.payment.payee_org_id not in actor.org_ids(Role.PROVIDER_ADMIN):
        raise NotFound("No such refund.")
    if refund.payment.method == PaymentMethod.STRIPE:
        raise Conflict("Stripe refunds are paid back by Stripe.", code="refund_online")
    if not complete_refund(session, refund_id=refund_id, stripe_refund_id=None, now=now):
        raise Conflict("This refund is already recorded.", code="refund_done")
    return refund


# --- webhook events ------------------------------------------------------------------------------

def record_stripe_event(session: Session, *, event: dict, now: datetime) -> bool:
    """Store a verified event by its id; False for a duplicate delivery (a no-op)."""
    try:
        with session.begin_nested():
            session.add(StripeEvent(id=event["id"], type=event["type"], created=int(event.get("created") or 0),
                                    payload=event, received_at=now))
            session.flush()
    except IntegrityError:
        return False
    return True


def _payment_for_intent(session: Session, intent: dict) -> Payment | None:
    payment = session.scalar(select(Payment).where(Payment.stripe_payment_intent_id == intent.get("id")))
    if payment is None:
        log.warning("Stripe event for unknown PaymentIntent %s", intent.get("id"))
    return payment


def process_stripe_event(session: Session, *, event_id: str, now: datetime) -> bool:
    """Apply a stored event once (processed_at guards repeats); False if it was already processed.

    ``payment_intent.succeeded`` applies success only if amount and currency match the payment;
    ``payment_intent.payment_failed`` after a success changes nothing (the status guard);
    ``charge.refunded`` sets the refunded total from Stripe's own figure, so repeats agree.
    """
    claimed = session.execute(
        update(StripeEvent).where(StripeEvent.id == event_id, StripeEvent.processed_at.is_(None))
        .values(processed_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return False
    event = session.get(StripeEvent, event_id)
    data = event.payload.get("data") if isinstance(event.payload, dict) else None
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict):
        log.warning("Stripe event %s carries no object; nothing to apply", event_id)
        return True
    if event.type == "payment_intent.succeeded":
        payment = _payment_for_intent(session, obj)
        if payment is not None:
            if int(obj.get("amount_received") or obj.get("amount") or 0) != payment.amount or \
                    str(obj.get("currency", "")).upper() != payment.currency.upper():
                log.error("PaymentIntent %s amount/currency differ from payment %s", obj.get("id"), payment.id)
            else:
                apply_payment_succeeded(session, payment_id=payment.id, now=now)
    elif event.type == "payment_intent.payment_failed":
        payment = _payment_for_intent(session, obj)
        if payment is not None:
            apply_payment_failed(session, payment_id=payment.id, now=now)
    elif event.type == "charge.refunded":
        intent_id = obj.get("payment_intent")
        if isinstance(intent_id, dict):
            intent_id = intent_id.get("id")
        payment = _payment_for_intent(session, {"id": intent_id})
        if payment is not None:
            _apply_stripe_refunded_total(session, payment, int(obj.get("amount_refunded") or 0), now)
    session.flush()
    return True


def _apply_stripe_refunded_total(session: Session, payment: Payment, refunded: int, now: datetime) -> None:
    session.refresh(payment, with_for_update=True)
    if refunded <= payment.refunded_amount:
        return   # old news: we already know about this much
    # Settle our pending refunds that this total covers; the task may not have recorded them yet.
    covered = payment.refunded_amount
    for refund in payment.refunds:
        if refund.status == "pending" and covered + refund.amount <= refunded:
            complete_refund(session, refund_id=refund.id, stripe_refund_id=refund.stripe_refund_id, now=now)
            covered += refund.amount
    session.refresh(payment)
    if refunded > payment.refunded_amount:   # refunded in the Stripe dashboard, not by us
        before = payment.status
        _set_refunded_amount(payment, refunded, now)
        if before != payment.status:
            _tell_purpose(session, payment, "refunded", now)


# --- reconciliation ----------------------------------------------------------------------------

def reconcile_payment(session: Session, *, payment_id: int, gateway: StripeGateway, now: datetime) -> str | None:
    """Ask Stripe for a pending payment's real state and apply it; returns the intent status seen."""
    payment = session.get(Payment, payment_id)
    if payment is None or not payment.stripe_payment_intent_id or \
            payment.status not in (PaymentStatus.PENDING, PaymentStatus.FAILED, PaymentStatus.CANCELLED):
        return None
    intent = gateway.retrieve_intent(payment.stripe_payment_intent_id)
    if intent.status == "succeeded":
        if intent.amount == payment.amount and intent.currency.upper() == payment.currency.upper():
            apply_payment_succeeded(session, payment_id=payment.id, now=now)
    elif intent.status == "canceled" and payment.status != PaymentStatus.CANCELLED:
        _transition(session, payment.id, (PaymentStatus.PENDING, PaymentStatus.FAILED),
                    {"status": PaymentStatus.FAILED, "updated_at": now})
    return intent.status
