"""Payment edges: the Stripe webhook (the source of truth for online payments)."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, jsonify, redirect, request
from flask_login import current_user

from app.access import PUBLIC, SIGNED_IN, allow
from app.auth.views import safe_next
from app.db import get_session, utcnow
from app.errors import json_error
from app.forms import perform
from app.payments import services
from app.payments.gateway import InvalidSignature, current_gateway

log = logging.getLogger(__name__)

bp = Blueprint("payments", __name__, url_prefix="/payments")


@bp.post("/stripe/webhook")
@allow(PUBLIC)
def stripe_webhook():
    """Verify, store the event id (a duplicate is a no-op), commit, then process."""
    gateway = current_gateway()
    if gateway is None:
        return json_error("payments_not_configured", "Stripe is not configured.", 404)
    try:
        event = gateway.verify_event(request.get_data(), request.headers.get("Stripe-Signature"))
    except InvalidSignature as exc:
        log.warning("rejected Stripe webhook: %s", exc.message)
        return json_error(exc.code, exc.message, 400)
    session = get_session()
    now = utcnow()
    if not services.record_stripe_event(session, event=event, now=now):
        session.rollback()
        return jsonify({"received": True, "duplicate": True})
    session.commit()
    # Processing failures leave the event stored and unprocessed; reconciliation retries it.
    try:
        services.process_stripe_event(session, event_id=event["id"], now=now)
        session.commit()
    except Exception:
        session.rollback()
        log.exception("Stripe event %s stored but not processed", event["id"])
    return jsonify({"received": True})


stripe_webhook.csrf_exempt = True


@bp.post("/<int:payment_id>/checkout")
@allow(SIGNED_IN)
def checkout(payment_id: int):
    """The "Pay online" button of any payable page: open checkout, then back to that page."""
    ok, result = perform(lambda session: services.open_checkout(
        session, actor=current_user, payment_id=payment_id, gateway=current_gateway(), now=utcnow()))
    if ok and result.unavailable:
        flash(result.unavailable, "error")
    return redirect(safe_next("/"))
