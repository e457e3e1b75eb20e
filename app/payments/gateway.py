"""The Stripe gateway: a small class around the real ``stripe`` SDK.

Only PaymentIntents are used (create, retrieve, cancel, refund) so that the same code runs
against Stripe and against a local ``localstripe`` server (``STRIPE_API_BASE``). Webhook
signatures are checked with ``stripe.Webhook.construct_event`` (HMAC-SHA256 over
``"{t}.{payload}"``, header ``Stripe-Signature: t=...,v1=...``) with a timestamp tolerance.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import stripe

from app.errors import DomainError

WEBHOOK_TOLERANCE_SECONDS = 300


class GatewayError(DomainError):
    """Stripe refused a request or could not be reached."""

    status, code = 502, "payment_gateway_error"


class InvalidSignature(DomainError):
    """A webhook payload whose signature or timestamp does not check out."""

    status, code = 400, "invalid_signature"


@dataclass(frozen=True)
class Intent:
    """What the platform needs of a PaymentIntent."""

    id: str
    status: str          # requires_payment_method | processing | succeeded | canceled | ...
    amount: int
    currency: str
    client_secret: str | None
    metadata: dict

    @classmethod
    def of(cls, obj: Any) -> Intent:
        obj = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
        return cls(id=obj["id"], status=obj["status"], amount=int(obj["amount"]), currency=str(obj["currency"]),
                   client_secret=obj.get("client_secret"), metadata=dict(obj.get("metadata") or {}))


class StripeGateway:
    """PaymentIntents, refunds and webhook verification through one ``StripeClient``."""

    def __init__(self, *, secret_key: str, publishable_key: str = "", webhook_secret: str = "",
                 api_base: str | None = None, js_url: str = "https://js.stripe.com/v3/"):
        kwargs: dict[str, Any] = {}
        if api_base:
            kwargs["base_addresses"] = {"api": api_base.rstrip("/")}
        self.client = stripe.StripeClient(secret_key, **kwargs)
        self.publishable_key = publishable_key
        self.webhook_secret = webhook_secret
        self.js_url = js_url

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> StripeGateway | None:
        """The configured gateway, or None when Stripe is not set up (the embedded default)."""
        if not config.get("STRIPE_SECRET_KEY"):
            return None
        return cls(secret_key=config["STRIPE_SECRET_KEY"], publishable_key=config.get("STRIPE_PUBLISHABLE_KEY") or "",
                   webhook_secret=config.get("STRIPE_WEBHOOK_SECRET") or "", api_base=config.get("STRIPE_API_BASE"),
                   js_url=config.get("STRIPE_JS_URL") or "https://js.stripe.com/v3/")

    # --- PaymentIntents -----------------------------------------------------------------

    def create_intent(self, *, amount: int, currency: str, metadata: dict[str, str], idempotency_key: str) -> Intent:
        """Create a PaymentIntent; the same idempotency key returns the same intent. Raises GatewayError."""
        try:
            obj = self.client.v1.payment_intents.create(
                params={"amount": amount, "currency": currency.lower(), "metadata": metadata},
                options={"idempotency_key": idempotency_key})
        except stripe.StripeError as exc:
            raise GatewayError(f"Stripe refused the payment: {exc.user_message or exc}") from exc
        return Intent.of(obj)

    def retrieve_intent(self, intent_id: str) -> Intent:
        """The PaymentIntent as Stripe sees it now. Raises GatewayError."""
        try:
            return Intent.of(self.client.v1.payment_intents.retrieve(intent_id))
        except stripe.StripeError as exc:
            raise GatewayError(f"Stripe could not be asked about the payment: {exc}") from exc

    def cancel_intent(self, intent_id: str) -> None:
        """Cancel a PaymentIntent that was not paid. Raises GatewayError."""
        try:
            self.client.v1.payment_intents.cancel(intent_id)
        except stripe.StripeError as exc:
            raise GatewayError(f"Stripe could not cancel the payment: {exc}") from exc

    def refund(self, *, intent_id: str, amount: int, idempotency_key: str) -> tuple[str, str]:
        """Refund ``amount`` of a paid PaymentIntent; returns (refund id, status). Raises GatewayError."""
        try:
            obj = self.client.v1.refunds.create(params={"payment_intent": intent_id, "amount": amount},
                                                options={"idempotency_key": idempotency_key})
        except stripe.StripeError as exc:
            raise GatewayError(f"Stripe refused the refund: {exc}") from exc
        return obj.id, obj.status

    # --- webhooks -------------------------------------------------------------------------

    def verify_event(self, payload: bytes, signature: str | None, *,
                     tolerance: int = WEBHOOK_TOLERANCE_SECONDS) -> dict:
        """The event in a webhook request, after checking signature and timestamp. Raises InvalidSignature."""
        if not self.webhook_secret:
            raise InvalidSignature("Webhooks are not configured.")
        try:
            # Only the signature here: the SDK's construct_event also builds an Event object and
            # fails with a TypeError on a validly signed body that is not a JSON object.
            stripe.WebhookSignature.verify_header(payload.decode("utf-8"), signature or "", self.webhook_secret,
                                                  tolerance)
        except (stripe.SignatureVerificationError, UnicodeDecodeError) as exc:
            raise InvalidSignature("The webhook signature is not valid.") from exc
        try:
            event = json.loads(payload)
        except (ValueError, RecursionError) as exc:
            raise InvalidSignature("The webhook payload is not a Stripe event.") from exc
        if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str) \
                or not 0 < len(event["id"]) <= 255 or len(event["type"]) > 64:
            raise InvalidSignature("The webhook payload is not a Stripe event.")
        created = event.get("created")
        if not isinstance(created, int) or isinstance(created, bool) or not 0 <= created < 2**31:
            event["created"] = 0
        return event


def current_gateway() -> StripeGateway | None:
    """The Stripe gateway of the running app (for edges and tasks; services receive it as an argument)."""
    from flask import current_app

    return StripeGateway.from_config(current_app.config)
