"""JSON API of payments: open online checkout for any of the caller's open payments."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user
from pydantic import BaseModel

from app.access import SIGNED_IN, allow
from app.api import endpoint
from app.db import get_session, utcnow
from app.money import money_json
from app.payments import services
from app.payments.gateway import current_gateway

bp = Blueprint("payments_api", __name__, url_prefix="/api/v1")


class MoneyOut(BaseModel):
    amount: int
    currency: str


class CheckoutOut(BaseModel):
    payment_id: int
    purpose: str
    status: str
    amount: MoneyOut
    client_secret: str | None
    publishable_key: str | None
    unavailable: str | None


def checkout_json(checkout: services.Checkout) -> dict:
    payment = checkout.payment
    return CheckoutOut(payment_id=payment.id, purpose=payment.purpose, status=payment.status,
                       amount=MoneyOut(**money_json(payment.amount, payment.currency)),
                       client_secret=checkout.client_secret, publishable_key=checkout.publishable_key,
                       unavailable=checkout.unavailable).model_dump()


@bp.post("/payments/<int:payment_id>/checkout")
@allow(SIGNED_IN)
@endpoint("Open (or reuse) online checkout for one of the caller's open payments, whatever it pays for",
          response=CheckoutOut, errors=(404, 409), tags=("payments",))
def open_checkout(payment_id: int):
    session = get_session()
    checkout = services.open_checkout(session, actor=current_user, payment_id=payment_id,
                                      gateway=current_gateway(), now=utcnow())
    session.commit()
    return jsonify(checkout_json(checkout))
