"""Celery tasks of payments: Stripe refunds after commit and reconciliation (which also retries stored events)."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from sqlalchemy import select

from app.celery import enqueue
from app.db import get_session, utcnow
from app.payments.gateway import GatewayError, current_gateway
from app.payments.models import Payment, PaymentMethod, PaymentStatus, Refund, StripeEvent

log = logging.getLogger(__name__)

RECONCILE_WINDOW = timedelta(days=3)


gateway = current_gateway


@shared_task(name="app.send_stripe_refund", ignore_result=True)
def send_stripe_refund(refund_id: int) -> None:
    """Send one pending refund to Stripe (idempotency key per refund); a done refund is skipped."""
    from app.payments.services import complete_refund

    session = get_session()
    refund = session.get(Refund, refund_id)
    stripe = gateway()
    if refund is None or refund.status != "pending" or stripe is None:
        return
    payment = refund.payment
    if payment.method != PaymentMethod.STRIPE or not payment.stripe_payment_intent_id:
        return
    try:
        stripe_refund_id, status = stripe.refund(intent_id=payment.stripe_payment_intent_id, amount=refund.amount,
                                                 idempotency_key=f"refund-{refund.id}")
    except GatewayError as exc:   # stays pending; reconciliation tries again
        log.warning("refund %s not sent: %s", refund_id, exc)
        return
    if status == "succeeded":
        complete_refund(session, refund_id=refund.id, stripe_refund_id=stripe_refund_id, now=utcnow())
    else:
        refund.stripe_refund_id = stripe_refund_id
    session.commit()


@shared_task(name="app.reconcile_payments", ignore_result=True)
def reconcile_payments() -> int:
    """Apply Stripe's real state to recent pending payments, stored unprocessed events and unsent refunds."""
    from app.payments import services

    session = get_session()
    now = utcnow()
    for event_id in list(session.scalars(select(StripeEvent.id).where(StripeEvent.processed_at.is_(None))
                                          .order_by(StripeEvent.created))):
        try:
            services.process_stripe_event(session, event_id=event_id, now=now)
            session.commit()
        except Exception:   # left unprocessed: the next run tries again
            session.rollback()
            log.exception("Stripe event %s still not processed", event_id)
    stripe = gateway()
    if stripe is None:
        return 0
    seen = 0
    payment_ids = list(session.scalars(
        select(Payment.id).where(Payment.method == PaymentMethod.STRIPE,
                                 Payment.stripe_payment_intent_id.is_not(None),
                                 Payment.status.in_([PaymentStatus.PENDING, PaymentStatus.FAILED,
                                                     PaymentStatus.CANCELLED]),
                                 Payment.created_at >= now - RECONCILE_WINDOW).order_by(Payment.id)))
    for payment_id in payment_ids:
        try:
            services.reconcile_payment(session, payment_id=payment_id, gateway=stripe, now=now)
            session.commit()
            seen += 1
        except GatewayError as exc:
            session.rollback()
            log.warning("reconcile payment %s: %s", payment_id, exc)
    for refund_id in list(session.scalars(select(Refund.id).join(Payment).where(
            Refund.status == "pending", Refund.stripe_refund_id.is_(None), Payment.method == PaymentMethod.STRIPE))):
        enqueue(send_stripe_refund, refund_id)
    return seen
