"""Finding 6 (payments): staff cannot confirm an offline payment for their own enrollment."""

from __future__ import annotations

from app.access import Role
from app.payments.models import PaymentStatus
from courses.models import EnrollmentStatus
from courses.services import enrollment as svc
from tests.conftest import bearer, post_form, sign_in


def test_a_provider_admin_cannot_confirm_their_own_payment(client, db, make_class, make_user, provider, now):
    c = make_class(price=5000)
    admin = make_user(Role.PROVIDER_ADMIN, Role.WORKER, org=provider)
    own = svc.enroll(db, actor=admin, class_id=c.id, now=now, settings=svc.Settings())
    response = client.post(f"/api/v1/enrollments/{own.id}/offline-payment", json={"reference": "自己的回单"},
                           headers=bearer(admin))
    assert response.status_code == 403 and response.json["error"]["code"] == "own_payment"
    sign_in(client, admin)
    post_form(client, f"/provider/enrollments/{own.id}/offline-payment", {"reference": "自己的回单"})
    db.refresh(own)
    assert own.status == EnrollmentStatus.PENDING_PAYMENT
    assert svc.payment_of(db, own.id).status == PaymentStatus.PENDING

    colleague = make_user(Role.PROVIDER_ADMIN, org=provider)
    response = client.post(f"/api/v1/enrollments/{own.id}/offline-payment", json={"reference": "同事确认"},
                           headers=bearer(colleague))
    assert response.status_code == 200 and response.json["status"] == EnrollmentStatus.CONFIRMED
