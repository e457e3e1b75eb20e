"""Enrollment pages and API through HTTP, for every role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.access import Role
from app.db import utcnow
from app.payments.models import Payment, PaymentStatus, Refund
from courses.models import ClassStatus, Enrollment, EnrollmentStatus
from courses.services import enrollment as svc
from tests.conftest import bearer, post_form, sign_in


@pytest.fixture
def now():
    """The real clock: these requests run the views, which read it."""
    return utcnow()


@pytest.fixture
def make_class(make_class, now):
    """Classes open for enrollment around the real clock, starting in 14 days unless told."""
    def make(**values):
        values.setdefault("enroll_opens_at", now - timedelta(days=7))
        values.setdefault("enroll_closes_at", now + timedelta(days=13))
        values.setdefault("starts_on", (now + timedelta(days=14)).date())
        return make_class(**values)

    return make


@pytest.fixture
def provider_admin(make_user, provider):
    return make_user(Role.PROVIDER_ADMIN, org=provider)


@pytest.fixture
def staff_only(db, make_user):
    """A provider admin who does not also hold the worker role everyone gets at sign-up."""
    user = make_user(Role.PROVIDER_ADMIN)
    user.grants = [g for g in user.grants if g.role != Role.WORKER]
    db.flush()
    return user


def enroll_directly(db, user, training_class, now):
    return svc.enroll(db, actor=user, class_id=training_class.id, now=now, settings=svc.Settings())


# --- the enroll box on the class page -----------------------------------------------------------

def test_enroll_box_for_anonymous_worker_and_enrolled(client, db, make_class, make_user, now):
    c = make_class(price=0, capacity=5)
    page = client.get(f"/classes/{c.id}").get_data(as_text=True)
    assert "enroll-box" in page and "Sign in to enroll" in page and "5 seats left" in page
    worker = make_user(Role.WORKER)
    sign_in(client, worker)
    page = client.get(f"/classes/{c.id}").get_data(as_text=True)
    assert f'action="/classes/{c.id}/enroll"' in page
    r = post_form(client, f"/classes/{c.id}/enroll")
    assert r.status_code == 302 and "/enrollments/" in r.headers["Location"]
    page = client.get(f"/classes/{c.id}").get_data(as_text=True)
    assert "View my enrollment" in page and "status-confirmed" in page


def test_enroll_box_offers_the_waitlist_when_full(client, db, make_class, make_user, now):
    c = make_class(capacity=1)
    enroll_directly(db, make_user(Role.WORKER), c, now)
    sign_in(client, make_user(Role.WORKER))
    assert "Join the waiting list" in client.get(f"/classes/{c.id}").get_data(as_text=True)


# --- POST /classes/<id>/enroll ------------------------------------------------------------------------

def test_enroll_is_for_workers(client, db, make_class, staff_only):
    c = make_class(price=12800)
    sign_in(client, staff_only)
    assert post_form(client, f"/classes/{c.id}/enroll").status_code == 403


def test_enroll_anonymous_goes_to_sign_in(client, db, make_class):
    c = make_class()
    r = post_form(client, f"/classes/{c.id}/enroll")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_enroll_paid_class_shows_hold_and_offline_payment(client, db, make_class, make_user):
    c = make_class(price=12800)
    worker = make_user(Role.WORKER)
    sign_in(client, worker)
    r = post_form(client, f"/classes/{c.id}/enroll", follow_redirects=True)
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "status-pending_payment" in page and "hold-deadline" in page
    assert "Online payment is not set up" in page and "Pay offline" in page and "¥128.00" in page
    e = db.scalar(select(Enrollment).where(Enrollment.user_id == worker.id))
    assert e.status == EnrollmentStatus.PENDING_PAYMENT


def test_enroll_twice_shows_an_error(client, db, make_class, make_user):
    c = make_class()
    sign_in(client, make_user(Role.WORKER))
    post_form(client, f"/classes/{c.id}/enroll")
    r = post_form(client, f"/classes/{c.id}/enroll", follow_redirects=True)
    assert "already enrolled" in r.get_data(as_text=True)


def test_enroll_unknown_class_is_404(client, db, make_user):
    sign_in(client, make_user(Role.WORKER))
    assert post_form(client, "/classes/999999/enroll").status_code == 404


# --- the enrollment page and cancellation ----------------------------------------------------------------

def test_enrollment_page_roles(client, db, make_class, make_user, staff_only, now):
    c = make_class()
    owner = make_user(Role.WORKER)
    e = enroll_directly(db, owner, c, now)
    r = client.get(f"/enrollments/{e.id}")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    sign_in(client, make_user(Role.WORKER))
    assert client.get(f"/enrollments/{e.id}").status_code == 404
    assert post_form(client, f"/enrollments/{e.id}/cancel").status_code == 404
    other = client.application.test_client()
    sign_in(other, staff_only)
    assert other.get(f"/enrollments/{e.id}").status_code == 403
    mine = client.application.test_client()
    sign_in(mine, owner)
    page = mine.get(f"/enrollments/{e.id}").get_data(as_text=True)
    assert "status-confirmed" in page and "Cancel my enrollment" in page


def test_cancel_from_the_page(client, db, make_class, make_user, now):
    c = make_class(price=0)
    owner = make_user(Role.WORKER)
    e = enroll_directly(db, owner, c, now)
    sign_in(client, owner)
    r = post_form(client, f"/enrollments/{e.id}/cancel", {"reason": "有事"}, follow_redirects=True)
    assert "status-cancelled" in r.get_data(as_text=True)
    db.refresh(e)
    assert e.status == EnrollmentStatus.CANCELLED and e.cancel_reason == "有事"


# --- the provider's roster -----------------------------------------------------------------------------------

def test_roster_roles(client, db, make_class, make_user, provider_admin, now):
    c = make_class(price=5000)
    worker = make_user(Role.WORKER)
    enroll_directly(db, worker, c, now)
    path = f"/provider/classes/{c.id}/enrollments"
    r = client.get(path)
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    sign_in(client, make_user(Role.WORKER))
    assert client.get(path).status_code == 403
    c2 = client.application.test_client()
    sign_in(c2, make_user(Role.PROVIDER_ADMIN))
    assert c2.get(path).status_code == 404
    c3 = client.application.test_client()
    sign_in(c3, provider_admin)
    page = c3.get(path).get_data(as_text=True)
    assert worker.name in page and "Confirm offline payment" in page and "Cancel the class" in page


def test_provider_confirms_offline_payment_and_records_the_refund(client, db, make_class, make_user, provider_admin,
                                                                  now):
    c = make_class(price=5000)
    worker = make_user(Role.WORKER)
    e = enroll_directly(db, worker, c, now)
    sign_in(client, provider_admin)
    r = post_form(client, f"/provider/enrollments/{e.id}/offline-payment", {"reference": "银行回单 001"})
    assert r.status_code == 302
    db.refresh(e)
    payment = svc.payment_of(db, e.id)
    db.refresh(payment)
    assert e.status == EnrollmentStatus.CONFIRMED and payment.offline_reference == "银行回单 001"
    r = post_form(client, f"/provider/classes/{c.id}/cancel", {"reason": "讲师生病"}, follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "Refund owed" in page
    refund = db.scalar(select(Refund).where(Refund.payment_id == payment.id))
    r = post_form(client, f"/provider/refunds/{refund.id}/paid")
    assert r.status_code == 302
    db.refresh(refund)
    assert refund.status == "succeeded"


def test_other_provider_cannot_confirm_or_cancel(client, db, make_class, make_user, now):
    c = make_class(price=5000)
    e = enroll_directly(db, make_user(Role.WORKER), c, now)
    sign_in(client, make_user(Role.PROVIDER_ADMIN))
    assert post_form(client, f"/provider/enrollments/{e.id}/offline-payment", {"reference": "x"}).status_code == 404
    assert post_form(client, f"/provider/classes/{c.id}/cancel", {"reason": "x"}).status_code == 404
    db.refresh(c)
    assert c.status == ClassStatus.SCHEDULED


# --- API ---------------------------------------------------------------------------------------------------------

def test_api_enroll_shapes(client, db, make_class, make_user):
    free, paid, full = make_class(price=0), make_class(price=9900), make_class(capacity=1)
    worker = make_user(Role.WORKER)
    client.post(f"/api/v1/classes/{full.id}/enrollments", headers=bearer(make_user(Role.WORKER)))
    r = client.post(f"/api/v1/classes/{free.id}/enrollments", headers=bearer(worker))
    assert r.status_code == 201 and r.json["status"] == "confirmed" and "payment" not in r.json
    r = client.post(f"/api/v1/classes/{paid.id}/enrollments", headers=bearer(worker))
    assert r.status_code == 201 and r.json["status"] == "pending_payment"
    pay = r.json["payment"]
    assert pay["amount"] == {"amount": 9900, "currency": "CNY"} and pay["method"] == "offline"
    assert pay["client_secret"] is None and pay["hold_expires_at"].endswith("+00:00")
    r = client.post(f"/api/v1/classes/{full.id}/enrollments", headers=bearer(worker))
    assert r.status_code == 201 and r.json["status"] == "waitlisted"
    r = client.post(f"/api/v1/classes/{free.id}/enrollments", headers=bearer(worker))
    assert r.status_code == 409 and r.json["error"]["code"] == "already_enrolled"


def test_api_enroll_errors_and_roles(client, db, make_class, make_user, staff_only, now):
    closed = make_class(enroll_closes_at=now - timedelta(days=1))
    assert client.post(f"/api/v1/classes/{closed.id}/enrollments").status_code == 401
    r = client.post(f"/api/v1/classes/{closed.id}/enrollments", headers=bearer(make_user(Role.WORKER)))
    assert r.status_code == 409 and r.json["error"]["code"] == "class_closed"
    assert client.post(f"/api/v1/classes/{closed.id}/enrollments", headers=bearer(staff_only)).status_code == 403
    assert client.get("/api/v1/me/enrollments", headers=bearer(staff_only)).status_code == 403
    r = client.post("/api/v1/classes/999999/enrollments", headers=bearer(make_user(Role.WORKER)))
    assert r.status_code == 404


def test_api_my_enrollments_get_and_cancel(client, db, make_class, make_user, now):
    worker, other = make_user(Role.WORKER), make_user(Role.WORKER)
    classes = [make_class(price=0) for _ in range(3)]
    ids = [enroll_directly(db, worker, c, now).id for c in classes]
    r = client.get("/api/v1/me/enrollments?per_page=2", headers=bearer(worker))
    assert r.status_code == 200 and r.json["total"] == 3 and len(r.json["items"]) == 2
    item = r.json["items"][0]
    assert item["class"]["course_title"] and item["payment"]["method"] == "free"
    assert client.get("/api/v1/me/enrollments?per_page=500", headers=bearer(worker)).status_code == 422
    assert client.get("/api/v1/me/enrollments").status_code == 401
    assert client.get(f"/api/v1/enrollments/{ids[0]}", headers=bearer(worker)).json["status"] == "confirmed"
    assert client.get(f"/api/v1/enrollments/{ids[0]}", headers=bearer(other)).status_code == 404
    assert client.post(f"/api/v1/enrollments/{ids[0]}/cancel", json={}, headers=bearer(other)).status_code == 404
    r = client.post(f"/api/v1/enrollments/{ids[0]}/cancel", json={"reason": "改期"}, headers=bearer(worker))
    assert r.status_code == 200 and r.json == {"id": ids[0], "status": "cancelled",
                                               "refund": {"amount": 0, "currency": "CNY"}}
    r = client.post(f"/api/v1/enrollments/{ids[0]}/cancel", json={}, headers=bearer(worker))
    assert r.status_code == 409
    r = client.post(f"/api/v1/enrollments/{ids[1]}/cancel", data="nope", headers=bearer(worker))
    assert r.status_code == 400


def test_my_enrollments_has_no_n_plus_one(client, db, make_class, make_user, now):
    from tests.conftest import count_queries

    worker = make_user(Role.WORKER)
    for _ in range(2):
        enroll_directly(db, worker, make_class(), now)
    with count_queries(db) as few:
        client.get("/api/v1/me/enrollments", headers=bearer(worker))
    for _ in range(4):
        enroll_directly(db, worker, make_class(), now)
    with count_queries(db) as more:
        client.get("/api/v1/me/enrollments", headers=bearer(worker))
    assert len(more) == len(few)


def test_api_provider_roster_offline_payment_and_class_cancel(client, db, make_class, make_user, provider_admin, now):
    c = make_class(price=5000)
    worker = make_user(Role.WORKER)
    e = enroll_directly(db, worker, c, now)
    other_provider = make_user(Role.PROVIDER_ADMIN)
    assert client.get(f"/api/v1/classes/{c.id}/enrollments").status_code == 401
    assert client.get(f"/api/v1/classes/{c.id}/enrollments", headers=bearer(worker)).status_code == 403
    assert client.get(f"/api/v1/classes/{c.id}/enrollments", headers=bearer(other_provider)).status_code == 404
    r = client.get(f"/api/v1/classes/{c.id}/enrollments", headers=bearer(provider_admin))
    assert r.status_code == 200 and r.json["total"] == 1 and r.json["items"][0]["user"]["name"] == worker.name
    assert r.json["items"][0]["payment"]["client_secret"] is None
    path = f"/api/v1/enrollments/{e.id}/offline-payment"
    assert client.post(path, json={"reference": "x"}, headers=bearer(worker)).status_code == 403
    assert client.post(path, json={"reference": "x"}, headers=bearer(other_provider)).status_code == 404
    assert client.post(path, json={"reference": ""}, headers=bearer(provider_admin)).status_code == 422
    r = client.post(path, json={"reference": "POS-88"}, headers=bearer(provider_admin))
    assert r.status_code == 200 and r.json["status"] == "confirmed"
    assert r.json["payment"]["offline_reference"] == "POS-88"
    assert client.post(path, json={"reference": "again"}, headers=bearer(provider_admin)).status_code == 409
    cancel = f"/api/v1/classes/{c.id}/cancel"
    assert client.post(cancel, json={"reason": "x"}, headers=bearer(worker)).status_code == 403
    assert client.post(cancel, json={"reason": "x"}, headers=bearer(other_provider)).status_code == 404
    assert client.post(cancel, json={}, headers=bearer(provider_admin)).status_code == 422
    r = client.post(cancel, json={"reason": "场地不可用"}, headers=bearer(provider_admin))
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    assert client.post(cancel, json={"reason": "again"}, headers=bearer(provider_admin)).status_code == 409
    payment = db.scalar(select(Payment).where(Payment.reference_id == e.id))
    db.refresh(payment)
    assert payment.status == PaymentStatus.SUCCEEDED and db.scalar(select(Refund.amount)) == 5000


def test_openapi_lists_the_enrollment_contract(client, db):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/classes/{class_id}/enrollments", "/api/v1/me/enrollments",
                 "/api/v1/enrollments/{enrollment_id}/cancel", "/api/v1/enrollments/{enrollment_id}",
                 "/api/v1/enrollments/{enrollment_id}/offline-payment", "/api/v1/classes/{class_id}/cancel"):
        assert path in paths
    assert "201" in paths["/api/v1/classes/{class_id}/enrollments"]["post"]["responses"]


def test_enroll_box_for_members_only_and_closed_classes(client, db, make_class, make_user, now):
    members_only = make_class(requires_membership=True)
    closed = make_class(enroll_closes_at=now - timedelta(days=1))
    sign_in(client, make_user(Role.WORKER))
    page = client.get(f"/classes/{members_only.id}").get_data(as_text=True)
    assert "for verified union members" in page and f"/classes/{members_only.id}/enroll" not in page
    page = client.get(f"/classes/{closed.id}").get_data(as_text=True)
    assert "Enrollment is closed." in page


def test_waitlisted_enrollment_page(client, db, make_class, make_user, now):
    c = make_class(capacity=1)
    enroll_directly(db, make_user(Role.WORKER), c, now)
    worker = make_user(Role.WORKER)
    e = enroll_directly(db, worker, c, now)
    sign_in(client, worker)
    page = client.get(f"/enrollments/{e.id}").get_data(as_text=True)
    assert "status-waitlisted" in page and "waiting list" in page and "Pay to keep your seat" not in page


def test_provider_reaches_the_roster_from_the_class_page(client, db, make_class, provider_admin):
    c = make_class()
    sign_in(client, provider_admin)
    assert f"/provider/classes/{c.id}/enrollments" in client.get(f"/classes/{c.id}").get_data(as_text=True)


def test_roster_page_has_no_n_plus_one(client, db, make_class, make_user, provider_admin, now):
    from tests.conftest import count_queries

    c = make_class(price=5000, capacity=20)
    sign_in(client, provider_admin)
    for _ in range(2):
        enroll_directly(db, make_user(Role.WORKER), c, now)
    with count_queries(db) as few:
        assert client.get(f"/provider/classes/{c.id}/enrollments").status_code == 200
    for _ in range(5):
        enroll_directly(db, make_user(Role.WORKER), c, now)
    with count_queries(db) as more:
        client.get(f"/provider/classes/{c.id}/enrollments")
    assert len(more) == len(few)
