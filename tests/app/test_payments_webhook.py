"""The Stripe webhook: signature, timestamp, replay and out-of-order events, with a test purpose.

Payloads are signed with the documented scheme (HMAC-SHA256 over ``"{t}.{payload}"``).
The payments module knows no domain, so these tests register their own purpose.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.access import Role
from app.domain import PaymentPurpose
from app.payments import services
from app.payments.models import Payment, PaymentMethod, PaymentStatus, Refund, StripeEvent
from tests.stripe_support import (
    TEST_PUBLISHABLE_KEY,
    TEST_SECRET_KEY,
    TEST_WEBHOOK_SECRET,
    event_payload,
    post_event,
    sign_payload,
)

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
CALLS: list[tuple[str, int]] = []


@pytest.fixture(autouse=True)
def purpose():
    CALLS.clear()
    services.register_purpose(PaymentPurpose(
        "test", succeeded=lambda s, p, now: CALLS.append(("succeeded", p.id)),
        failed=lambda s, p, now: CALLS.append(("failed", p.id)),
        refunded=lambda s, p, now: CALLS.append(("refunded", p.id))))
    yield
    services.PURPOSES.pop("test", None)


@pytest.fixture
def stripe_on(app, monkeypatch):
    # Processing these events never calls Stripe, so no server is needed behind the base address.
    for key, value in {"STRIPE_SECRET_KEY": TEST_SECRET_KEY, "STRIPE_PUBLISHABLE_KEY": TEST_PUBLISHABLE_KEY,
                       "STRIPE_WEBHOOK_SECRET": TEST_WEBHOOK_SECRET,
                       "STRIPE_API_BASE": "http://127.0.0.1:9"}.items():
        monkeypatch.setitem(app.config, key, value)


@pytest.fixture
def payment(db, make_user):
    p = Payment(purpose="test", reference_id=1, payer_id=make_user(Role.WORKER).id, amount=12800, currency="CNY",
                method=PaymentMethod.STRIPE, status=PaymentStatus.PENDING, stripe_payment_intent_id="pi_test_123",
                stripe_client_secret="pi_test_123_secret_x")
    db.add(p)
    db.flush()
    return p


def intent(status: str = "succeeded", amount: int = 12800, currency: str = "cny", pi: str = "pi_test_123") -> dict:
    return {"id": pi, "object": "payment_intent", "amount": amount, "amount_received": amount if status == "succeeded"
            else 0, "currency": currency, "status": status, "metadata": {}}


def status_of(db, payment) -> str:
    db.expire_all()
    return db.get(Payment, payment.id).status


def test_valid_success_event_marks_paid_once(client, db, stripe_on, payment):
    r = post_event(client, event_payload("payment_intent.succeeded", intent(), event_id="evt_ok"))
    assert r.status_code == 200 and r.json == {"received": True}
    assert status_of(db, payment) == PaymentStatus.SUCCEEDED
    assert CALLS == [("succeeded", payment.id)]
    assert db.get(StripeEvent, "evt_ok").processed_at is not None


def test_tampered_payload_is_rejected_and_not_stored(client, db, stripe_on, payment):
    payload = event_payload("payment_intent.succeeded", intent(), event_id="evt_tampered")
    signature = sign_payload(payload)
    tampered = payload.replace(b"12800", b"1")
    r = post_event(client, tampered, signature=signature)
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_signature"
    assert db.get(StripeEvent, "evt_tampered") is None and status_of(db, payment) == PaymentStatus.PENDING


def test_wrong_secret_and_missing_signature_are_rejected(client, db, stripe_on, payment):
    payload = event_payload("payment_intent.succeeded", intent())
    assert post_event(client, payload, signature=sign_payload(payload, secret="whsec_other")).status_code == 400
    r = client.post("/payments/stripe/webhook", data=payload, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert status_of(db, payment) == PaymentStatus.PENDING


def test_stale_timestamp_is_rejected(client, db, stripe_on, payment):
    payload = event_payload("payment_intent.succeeded", intent())
    r = post_event(client, payload, signature=sign_payload(payload, timestamp=int(time.time()) - 3600))
    assert r.status_code == 400
    assert status_of(db, payment) == PaymentStatus.PENDING


def test_replayed_event_is_a_no_op(client, db, stripe_on, payment):
    payload = event_payload("payment_intent.succeeded", intent(), event_id="evt_replay")
    assert post_event(client, payload).status_code == 200
    r = post_event(client, payload)   # the same delivery again, freshly signed
    assert r.status_code == 200 and r.json["duplicate"] is True
    assert CALLS == [("succeeded", payment.id)]
    assert db.scalar(select(func.count()).select_from(StripeEvent).where(StripeEvent.id == "evt_replay")) == 1


def test_a_second_success_event_for_the_same_intent_applies_nothing(client, db, stripe_on, payment):
    post_event(client, event_payload("payment_intent.succeeded", intent(), event_id="evt_a"))
    post_event(client, event_payload("payment_intent.succeeded", intent(), event_id="evt_b"))
    assert CALLS == [("succeeded", payment.id)]


def test_failure_arriving_after_success_changes_nothing(client, db, stripe_on, payment):
    post_event(client, event_payload("payment_intent.succeeded", intent(), event_id="evt_s", created=200))
    r = post_event(client, event_payload("payment_intent.payment_failed", intent("requires_payment_method"),
                                         event_id="evt_f", created=100))
    assert r.status_code == 200
    assert status_of(db, payment) == PaymentStatus.SUCCEEDED and CALLS == [("succeeded", payment.id)]


def test_success_after_a_failed_attempt_applies(client, db, stripe_on, payment):
    post_event(client, event_payload("payment_intent.payment_failed", intent("requires_payment_method")))
    assert status_of(db, payment) == PaymentStatus.FAILED
    post_event(client, event_payload("payment_intent.succeeded", intent()))
    assert status_of(db, payment) == PaymentStatus.SUCCEEDED
    assert CALLS == [("failed", payment.id), ("succeeded", payment.id)]


def test_amount_or_currency_mismatch_is_not_applied(client, db, stripe_on, payment):
    post_event(client, event_payload("payment_intent.succeeded", intent(amount=100)))
    post_event(client, event_payload("payment_intent.succeeded", intent(currency="usd")))
    assert status_of(db, payment) == PaymentStatus.PENDING and CALLS == []


def test_unknown_intent_and_other_event_types_are_stored_and_ignored(client, db, stripe_on, payment):
    assert post_event(client, event_payload("payment_intent.succeeded", intent(pi="pi_unknown"))).status_code == 200
    assert post_event(client, event_payload("customer.created", {"id": "cus_1"}, event_id="evt_cus")).status_code == 200
    assert db.get(StripeEvent, "evt_cus") is not None and CALLS == []


def test_charge_refunded_sets_the_refunded_total_and_settles_our_refund(client, db, stripe_on, payment):
    now = NOW
    services.apply_payment_succeeded(db, payment_id=payment.id, now=now)
    refund = services.refund_payment(db, payment_id=payment.id, amount=2800, reason="partial", now=now)
    db.commit()
    charge = {"id": "ch_1", "object": "charge", "payment_intent": "pi_test_123", "amount": 12800,
              "amount_refunded": 2800, "refunded": False}
    post_event(client, event_payload("charge.refunded", charge))
    db.expire_all()
    p = db.get(Payment, payment.id)
    assert (p.status, p.refunded_amount) == (PaymentStatus.PARTIALLY_REFUNDED, 2800)
    assert db.get(Refund, refund.id).status == "succeeded"
    post_event(client, event_payload("charge.refunded", charge))   # the same news again: nothing changes
    post_event(client, event_payload("charge.refunded", {**charge, "amount_refunded": 12800, "refunded": True}))
    db.expire_all()
    p = db.get(Payment, payment.id)
    assert (p.status, p.refunded_amount) == (PaymentStatus.REFUNDED, 12800)
    assert CALLS.count(("refunded", payment.id)) == 2


def test_webhook_without_stripe_configured_is_404(client, db, payment):
    payload = event_payload("payment_intent.succeeded", intent())
    assert post_event(client, payload).status_code == 404


def test_webhook_needs_no_csrf_token_but_a_signature(client, db, stripe_on, payment):
    r = client.post("/payments/stripe/webhook", data=json.dumps({"id": "x"}), headers={"Stripe-Signature": "t=1,v1=0"})
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_signature"


def test_unprocessed_event_is_picked_up_by_reconciliation(db, stripe_on, payment):
    from app.payments.tasks import reconcile_payments

    event = json.loads(event_payload("payment_intent.succeeded", intent(), event_id="evt_later"))
    assert services.record_stripe_event(db, event=event, now=NOW)
    db.commit()
    reconcile_payments.delay()
    assert status_of(db, payment) == PaymentStatus.SUCCEEDED and CALLS == [("succeeded", payment.id)]
    assert services.process_stripe_event(db, event_id="evt_later", now=NOW) is False


def test_an_undeclared_purpose_leaves_the_event_unprocessed_for_reconciliation(client, db, stripe_on, payment):
    payment.purpose = "no_domain_declares_this"
    db.flush()
    r = post_event(client, event_payload("payment_intent.succeeded", intent(), event_id="evt_orphan"))
    assert r.status_code == 200   # stored: Stripe must not retry forever; reconciliation will
    db.expire_all()
    assert db.get(StripeEvent, "evt_orphan").processed_at is None
    assert status_of(db, payment) == PaymentStatus.PENDING and CALLS == []

    # once the purpose is declared, the next reconciliation applies the stored event
    payment = db.get(Payment, payment.id)
    payment.purpose = "test"
    db.flush()
    from app.payments.tasks import reconcile_payments

    reconcile_payments.run()
    db.expire_all()
    assert db.get(StripeEvent, "evt_orphan").processed_at is not None
    assert status_of(db, payment) == PaymentStatus.SUCCEEDED and CALLS == [("succeeded", payment.id)]
