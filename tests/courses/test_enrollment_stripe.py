"""Paying for a place with the real ``stripe`` SDK against a local localstripe server.

The worker's card payment is confirmed at localstripe (``pm_card_visa``); the webhook event is
built from the real PaymentIntent retrieved from localstripe, signed with the test secret and
posted to the webhook, which is the only thing that marks a payment paid.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.access import Role
from app.db import utcnow
from app.payments.gateway import StripeGateway
from app.payments.models import Payment, PaymentMethod, PaymentStatus, Refund
from courses.models import Enrollment, EnrollmentStatus
from courses.services import enrollment as svc
from tests.conftest import bearer, sign_in
from tests.stripe_support import event_payload, localstripe_url, post_event, stripe_config  # noqa: F401


@pytest.fixture
def stripe_on(app, localstripe_url, monkeypatch):  # noqa: F811
    for key, value in stripe_config(localstripe_url).items():
        monkeypatch.setitem(app.config, key, value)
    return StripeGateway.from_config(app.config)


@pytest.fixture
def future_class(make_class):
    """A paid class whose enrollment window is open now (the webhook and tasks use the real clock)."""
    def make(**values):
        now = utcnow()
        values.setdefault("price", 12800)
        return make_class(enroll_opens_at=now - timedelta(days=1), enroll_closes_at=now + timedelta(days=10),
                          starts_on=(now + timedelta(days=14)).date(), **values)

    return make


def pay_at_stripe(gateway: StripeGateway, intent_id: str) -> dict:
    """What Stripe.js does in the browser: attach a card and confirm. Returns the real PaymentIntent."""
    gateway.client.v1.payment_intents.update(intent_id, params={"payment_method": "pm_card_visa"})
    gateway.client.v1.payment_intents.confirm(intent_id)
    return gateway.client.v1.payment_intents.retrieve(intent_id).to_dict()


def fresh(db, obj):
    db.expire_all()
    return db.get(type(obj), obj.id)


def enroll_via_api(client, worker, training_class) -> dict:
    r = client.post(f"/api/v1/classes/{training_class.id}/enrollments", headers=bearer(worker))
    assert r.status_code == 201, r.json
    return r.json


def test_pay_online_end_to_end(client, db, stripe_on, future_class, make_user):
    c = future_class()
    worker = make_user(Role.WORKER)
    body = enroll_via_api(client, worker, c)
    assert body["status"] == "pending_payment"
    pay = body["payment"]
    assert pay["method"] == "stripe" and pay["client_secret"] and pay["publishable_key"].startswith("pk_test")
    payment = db.get(Payment, pay["id"])
    intent = stripe_on.retrieve_intent(payment.stripe_payment_intent_id)
    assert (intent.amount, intent.currency, intent.metadata["payment_id"]) == (12800, "cny", str(payment.id))

    paid = pay_at_stripe(stripe_on, payment.stripe_payment_intent_id)
    assert paid["status"] == "succeeded"
    # Paid at Stripe but no webhook yet: the page must not call it paid.
    sign_in(client, worker)
    page = client.get(f"/enrollments/{body['id']}").get_data(as_text=True)
    assert "status-pending_payment" in page
    assert fresh(db, payment).status == PaymentStatus.PENDING

    assert post_event(client, event_payload("payment_intent.succeeded", paid)).status_code == 200
    assert fresh(db, payment).status == PaymentStatus.SUCCEEDED
    assert client.get(f"/api/v1/enrollments/{body['id']}", headers=bearer(worker)).json["status"] == "confirmed"


def test_enrollment_page_shows_the_stripe_form(client, db, stripe_on, future_class, make_user):
    c = future_class()
    worker = make_user(Role.WORKER)
    body = enroll_via_api(client, worker, c)
    sign_in(client, worker)
    r = client.get(f"/enrollments/{body['id']}")
    page = r.get_data(as_text=True)
    assert 'id="stripe-pay"' in page and 'data-client-secret="pi_' in page and "pk_test_localstripe" in page
    assert "js/enrollment.js" in page and f'src="{stripe_on.js_url}"' in page
    assert "Pay offline" in page


def test_cancel_after_paying_refunds_through_stripe(client, db, stripe_on, future_class, make_user):
    c = future_class()
    worker = make_user(Role.WORKER)
    body = enroll_via_api(client, worker, c)
    payment = db.get(Payment, body["payment"]["id"])
    paid = pay_at_stripe(stripe_on, payment.stripe_payment_intent_id)
    post_event(client, event_payload("payment_intent.succeeded", paid))
    r = client.post(f"/api/v1/enrollments/{body['id']}/cancel", json={}, headers=bearer(worker))
    assert r.status_code == 200 and r.json["refund"] == {"amount": 12800, "currency": "CNY"}
    refund = db.scalar(select(Refund).where(Refund.payment_id == payment.id))
    db.refresh(refund)
    assert refund.status == "succeeded" and refund.stripe_refund_id.startswith("re_")
    payment = fresh(db, payment)
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.REFUNDED, 12800)
    charge_id = paid["latest_charge"]["id"] if isinstance(paid["latest_charge"], dict) else paid["latest_charge"]
    charge = stripe_on.client.v1.charges.retrieve(charge_id).to_dict()
    assert charge["amount_refunded"] == 12800
    # Stripe's own charge.refunded event then arrives: nothing is counted twice.
    post_event(client, event_payload("charge.refunded", charge))
    assert fresh(db, payment).refunded_amount == 12800


def test_reconciliation_applies_a_payment_whose_webhook_was_lost(client, db, stripe_on, future_class, make_user):
    from app.payments.tasks import reconcile_payments

    c = future_class()
    worker = make_user(Role.WORKER)
    body = enroll_via_api(client, worker, c)
    payment = db.get(Payment, body["payment"]["id"])
    pay_at_stripe(stripe_on, payment.stripe_payment_intent_id)
    reconcile_payments.delay()
    assert fresh(db, payment).status == PaymentStatus.SUCCEEDED
    assert client.get(f"/api/v1/enrollments/{body['id']}", headers=bearer(worker)).json["status"] == "confirmed"


def test_expired_hold_cancels_the_intent_at_stripe(client, db, stripe_on, future_class, make_user):
    from courses.tasks import release_expired_holds

    c = future_class()
    body = enroll_via_api(client, make_user(Role.WORKER), c)
    payment = db.get(Payment, body["payment"]["id"])
    db.execute(update(Enrollment).where(Enrollment.id == body["id"])
               .values(hold_expires_at=utcnow() - timedelta(minutes=1)))
    db.commit()
    assert release_expired_holds.delay().result == 1
    assert fresh(db, payment).status == PaymentStatus.CANCELLED
    assert stripe_on.retrieve_intent(payment.stripe_payment_intent_id).status == "canceled"


def test_late_payment_with_no_seat_left_is_refunded_at_stripe(client, db, stripe_on, future_class, make_user):
    c = future_class(capacity=1)
    late = make_user(Role.WORKER)
    body = enroll_via_api(client, late, c)
    payment = db.get(Payment, body["payment"]["id"])
    intent_id = payment.stripe_payment_intent_id
    # The worker pays at Stripe just as the hold is released and someone else takes the seat.
    paid = pay_at_stripe(stripe_on, intent_id)
    svc.release_expired_holds(db, now=utcnow() + timedelta(hours=1), settings=svc.Settings(), gateway=None)
    db.commit()
    enroll_via_api(client, make_user(Role.WORKER), c)
    post_event(client, event_payload("payment_intent.succeeded", paid))
    payment = fresh(db, payment)
    assert payment.status == PaymentStatus.REFUNDED and payment.refunded_amount == 12800
    refund = db.scalar(select(Refund).where(Refund.payment_id == payment.id))
    assert refund.stripe_refund_id.startswith("re_")
    e = db.get(Enrollment, body["id"])
    assert e.status == EnrollmentStatus.EXPIRED


def test_offline_confirmation_cancels_the_open_intent(client, db, stripe_on, future_class, make_user, provider):
    c = future_class()
    body = enroll_via_api(client, make_user(Role.WORKER), c)
    payment = db.get(Payment, body["payment"]["id"])
    admin = make_user(Role.PROVIDER_ADMIN, org=provider)
    r = client.post(f"/api/v1/enrollments/{body['id']}/offline-payment", json={"reference": "现场收款 12"},
                    headers=bearer(admin))
    assert r.status_code == 200 and r.json["status"] == "confirmed"
    payment = fresh(db, payment)
    assert payment.method == PaymentMethod.OFFLINE and payment.status == PaymentStatus.SUCCEEDED
    assert stripe_on.retrieve_intent(payment.stripe_payment_intent_id).status == "canceled"
