"""Enrollment rules, called through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.access import Role
from app.auth.models import OutboxMessage
from app.errors import DomainError
from app.i18n import SHANGHAI
from app.membership.models import MembershipStatus
from app.payments import services as payments
from app.payments.models import Payment, PaymentMethod, PaymentStatus, Refund
from courses.models import ClassStatus, CourseStatus, EnrollmentStatus, RefundRule, ReminderLog
from courses.services import enrollment as svc

SETTINGS = svc.Settings(hold_minutes=30, online=False)


def enroll(db, user, training_class, now, settings=SETTINGS):
    return svc.enroll(db, actor=user, class_id=training_class.id, now=now, settings=settings)


def messages_to(db, user) -> list[str]:
    return list(db.scalars(select(OutboxMessage.subject).where(OutboxMessage.recipient == user.contact)
                           .order_by(OutboxMessage.id)))


def test_free_class_confirms_at_once_with_a_free_payment_record(db, make_class, make_user, now):
    c = make_class(price=0)
    worker = make_user(Role.WORKER)
    e = enroll(db, worker, c, now)
    assert e.status == EnrollmentStatus.CONFIRMED and e.confirmed_at == now
    p = svc.payment_of(db, e.id)
    assert p.method == PaymentMethod.FREE and p.status == PaymentStatus.SUCCEEDED and p.amount == 0
    assert c.seats_taken == 1
    assert "Enrollment confirmed" in messages_to(db, worker)


def test_member_free_place_needs_a_verified_membership(db, make_class, make_member, now):
    c = make_class(price=50000, free_for_members=True)
    verified = make_member()
    pending = make_member(status=MembershipStatus.PENDING)
    assert enroll(db, verified, c, now).status == EnrollmentStatus.CONFIRMED
    e = enroll(db, pending, c, now)
    assert e.status == EnrollmentStatus.PENDING_PAYMENT and e.amount_due == 50000 and e.price_kind == "list"


def test_member_price_applies_to_verified_members(db, make_class, make_member, now):
    c = make_class(price=50000, member_price=40000)
    e = enroll(db, make_member(), c, now)
    assert e.status == EnrollmentStatus.PENDING_PAYMENT and e.amount_due == 40000 and e.price_kind == "member"


def test_requires_membership(db, make_class, make_user, make_member, now):
    c = make_class(price=0, requires_membership=True)
    with pytest.raises(DomainError) as err:
        enroll(db, make_user(Role.WORKER), c, now)
    assert err.value.code == "membership_required" and err.value.status == 403
    with pytest.raises(DomainError):
        enroll(db, make_member(status=MembershipStatus.REJECTED), c, now)
    assert enroll(db, make_member(), c, now).status == EnrollmentStatus.CONFIRMED


def test_paid_class_holds_a_seat_with_an_offline_payment_when_stripe_is_off(db, make_class, make_user, now):
    c = make_class(price=12800)
    e = enroll(db, make_user(Role.WORKER), c, now)
    assert e.status == EnrollmentStatus.PENDING_PAYMENT
    assert e.hold_expires_at == now + timedelta(minutes=30)
    p = svc.payment_of(db, e.id)
    assert (p.method, p.status, p.amount, p.payee_org_id) == (PaymentMethod.OFFLINE, PaymentStatus.PENDING, 12800,
                                                              c.course.provider_id)
    assert c.seats_taken == 1


def test_hold_minutes_come_from_settings(db, make_class, make_user, now):
    e = enroll(db, make_user(Role.WORKER), make_class(price=100), now, svc.Settings(hold_minutes=5, online=True))
    assert e.hold_expires_at == now + timedelta(minutes=5)
    assert svc.payment_of(db, e.id).method == PaymentMethod.STRIPE


def test_full_class_waitlists(db, make_class, make_user, now):
    c = make_class(capacity=1)
    enroll(db, make_user(Role.WORKER), c, now)
    late = make_user(Role.WORKER)
    e = enroll(db, late, c, now)
    assert e.status == EnrollmentStatus.WAITLISTED and c.seats_taken == 1
    assert svc.payment_of(db, e.id) is None
    assert "You are on the waiting list" in messages_to(db, late)


@pytest.mark.parametrize("change", ["cancelled", "not_open_yet", "closed", "started", "draft_course"])
def test_closed_classes_refuse(db, make_class, make_course, make_user, now, change):
    values = {}
    if change == "not_open_yet":
        values["enroll_opens_at"] = now + timedelta(hours=1)
    elif change == "closed":
        values["enroll_closes_at"] = now
    elif change == "started":
        values.update(starts_on=now.date(), enroll_closes_at=now + timedelta(days=3))
    if change == "draft_course":
        c = make_class(course=make_course(status=CourseStatus.DRAFT))
    else:
        c = make_class(**values)
    if change == "cancelled":
        c.status = ClassStatus.CANCELLED
    with pytest.raises(DomainError) as err:
        enroll(db, make_user(Role.WORKER), c, now)
    expected = ("not_found", 404) if change == "draft_course" else ("class_closed", 409)
    assert (err.value.code, err.value.status) == expected


def test_already_enrolled(db, make_class, make_user, now):
    c = make_class()
    worker = make_user(Role.WORKER)
    enroll(db, worker, c, now)
    with pytest.raises(DomainError) as err:
        enroll(db, worker, c, now)
    assert err.value.code == "already_enrolled" and err.value.status == 409
    assert c.seats_taken == 1


def test_already_waitlisted_counts_as_enrolled(db, make_class, make_user, now):
    c = make_class(capacity=1)
    enroll(db, make_user(Role.WORKER), c, now)
    worker = make_user(Role.WORKER)
    enroll(db, worker, c, now)
    with pytest.raises(DomainError) as err:
        enroll(db, worker, c, now)
    assert err.value.code == "already_enrolled"


def test_may_enroll_again_after_cancelling(db, make_class, make_user, now):
    c = make_class()
    worker = make_user(Role.WORKER)
    first = enroll(db, worker, c, now)
    svc.cancel_enrollment(db, actor=worker, enrollment_id=first.id, now=now, settings=SETTINGS, gateway=None)
    assert enroll(db, worker, c, now).status == EnrollmentStatus.CONFIRMED
    assert c.seats_taken == 1


def test_seats_never_exceed_capacity(db, make_class, make_user, now):
    c = make_class(capacity=3)
    statuses = [enroll(db, make_user(Role.WORKER), c, now).status for _ in range(5)]
    assert statuses.count(EnrollmentStatus.CONFIRMED) == 3 and statuses.count(EnrollmentStatus.WAITLISTED) == 2
    assert c.seats_taken == 3
    assert svc.take_seat(db, c.id) is False


# --- cancellation ------------------------------------------------------------------------------

def pay_offline(db, enrollment, provider_admin, now):
    p = svc.payment_of(db, enrollment.id)
    return payments.record_offline_payment(db, actor=provider_admin, payment_id=p.id, reference="BANK-1", now=now,
                                           gateway=None)


@pytest.fixture
def provider_admin(make_user, provider):
    return make_user(Role.PROVIDER_ADMIN, org=provider)


def test_cancel_frees_the_seat_and_promotes_the_first_waitlisted(db, make_class, make_user, now):
    c = make_class(capacity=1, price=0)
    first, second, third = (make_user(Role.WORKER) for _ in range(3))
    e1 = enroll(db, first, c, now)
    e2 = enroll(db, second, c, now)
    e3 = enroll(db, third, c, now + timedelta(minutes=1))
    _, refunded = svc.cancel_enrollment(db, actor=first, enrollment_id=e1.id, now=now, settings=SETTINGS,
                                        gateway=None)
    assert refunded == 0 and e1.status == EnrollmentStatus.CANCELLED
    assert e2.status == EnrollmentStatus.CONFIRMED and e3.status == EnrollmentStatus.WAITLISTED
    assert c.seats_taken == 1
    assert "A place is free for you" in messages_to(db, second)


def test_promoted_paid_place_gets_the_same_payment_window(db, make_class, make_user, now):
    c = make_class(capacity=1, price=5000)
    first, second = make_user(Role.WORKER), make_user(Role.WORKER)
    e1 = enroll(db, first, c, now)
    e2 = enroll(db, second, c, now)
    later = now + timedelta(hours=2)
    svc.cancel_enrollment(db, actor=first, enrollment_id=e1.id, now=later, settings=SETTINGS, gateway=None)
    assert e2.status == EnrollmentStatus.PENDING_PAYMENT and e2.hold_expires_at == later + timedelta(minutes=30)
    assert svc.payment_of(db, e2.id).status == PaymentStatus.PENDING
    assert svc.payment_of(db, e1.id).status == PaymentStatus.CANCELLED


def test_cancel_paid_place_refunds_by_rule(db, make_class, make_user, provider_admin, now):
    c = make_class(price=8000, refund_rule=RefundRule.FULL_BEFORE_START)
    worker = make_user(Role.WORKER)
    e = enroll(db, worker, c, now)
    pay_offline(db, e, provider_admin, now)
    assert e.status == EnrollmentStatus.CONFIRMED
    _, refunded = svc.cancel_enrollment(db, actor=worker, enrollment_id=e.id, now=now, settings=SETTINGS,
                                        gateway=None)
    assert refunded == 8000
    refund = db.scalar(select(Refund))
    assert refund.amount == 8000 and refund.status == "pending"   # offline: the provider pays it back
    assert c.seats_taken == 0


@pytest.mark.parametrize(("rule", "days_before", "deadline", "expected"), [
    (RefundRule.NONE, 10, 0, 0),
    (RefundRule.FULL_UNTIL_DEADLINE, 10, 7, 8000),
    (RefundRule.FULL_UNTIL_DEADLINE, 5, 7, 0),
    (RefundRule.FULL_BEFORE_START, 1, 0, 8000),
])
def test_refund_rules(db, make_class, make_user, provider_admin, now, rule, days_before, deadline, expected):
    c = make_class(price=8000, refund_rule=rule, refund_deadline_days=deadline)
    worker = make_user(Role.WORKER)
    e = enroll(db, worker, c, now)
    pay_offline(db, e, provider_admin, now)
    when = now + (timedelta(days=14) - timedelta(days=days_before))
    _, refunded = svc.cancel_enrollment(db, actor=worker, enrollment_id=e.id, now=when, settings=SETTINGS,
                                        gateway=None)
    assert refunded == expected


def test_cannot_cancel_after_start_or_someone_elses(db, make_class, make_user, now):
    c = make_class()
    worker = make_user(Role.WORKER)
    e = enroll(db, worker, c, now)
    with pytest.raises(DomainError) as err:
        svc.cancel_enrollment(db, actor=make_user(Role.WORKER), enrollment_id=e.id, now=now, settings=SETTINGS,
                              gateway=None)
    assert err.value.status == 404
    with pytest.raises(DomainError) as err:
        svc.cancel_enrollment(db, actor=worker, enrollment_id=e.id, now=now + timedelta(days=14), settings=SETTINGS,
                              gateway=None)
    assert err.value.code == "class_started"
    svc.cancel_enrollment(db, actor=worker, enrollment_id=e.id, now=now, settings=SETTINGS, gateway=None)
    with pytest.raises(DomainError) as err:
        svc.cancel_enrollment(db, actor=worker, enrollment_id=e.id, now=now, settings=SETTINGS, gateway=None)
    assert err.value.code == "not_cancellable"


def test_provider_cancels_class_refunds_everyone_and_tells_them(db, make_class, make_user, provider_admin, now):
    c = make_class(capacity=2, price=6000, refund_rule=RefundRule.NONE)
    paid, held, waiting = (make_user(Role.WORKER) for _ in range(3))
    e_paid = enroll(db, paid, c, now)
    pay_offline(db, e_paid, provider_admin, now)
    e_held = enroll(db, held, c, now)
    e_wait = enroll(db, waiting, c, now)
    svc.cancel_class(db, actor=provider_admin, class_id=c.id, reason="教室维修", now=now, gateway=None)
    assert c.status == ClassStatus.CANCELLED and c.seats_taken == 0
    assert {e_paid.status, e_held.status, e_wait.status} == {EnrollmentStatus.CANCELLED}
    assert db.scalar(select(Refund.amount)) == 6000   # the refund rule does not apply: full refund
    assert svc.payment_of(db, e_held.id).status == PaymentStatus.CANCELLED
    for user in (paid, held, waiting):
        assert "Class cancelled" in messages_to(db, user)


def test_only_the_classes_provider_cancels_it(db, make_class, make_user, provider_admin, now):
    c = make_class()
    with pytest.raises(DomainError) as err:
        svc.cancel_class(db, actor=make_user(Role.PROVIDER_ADMIN), class_id=c.id, reason="x", now=now, gateway=None)
    assert err.value.status == 404
    with pytest.raises(DomainError) as err:
        svc.cancel_class(db, actor=provider_admin, class_id=c.id, reason=" ", now=now, gateway=None)
    assert err.value.code == "reason_required"
    svc.cancel_class(db, actor=provider_admin, class_id=c.id, reason="x", now=now, gateway=None)
    with pytest.raises(DomainError) as err:
        svc.cancel_class(db, actor=provider_admin, class_id=c.id, reason="x", now=now, gateway=None)
    assert err.value.code == "already_cancelled"


# --- holds, late payments, offline payments ---------------------------------------------------------

def test_expired_holds_are_released_and_the_waitlist_promoted(db, make_class, make_user, now):
    c = make_class(capacity=1, price=5000)
    first, second = make_user(Role.WORKER), make_user(Role.WORKER)
    e1 = enroll(db, first, c, now)
    e2 = enroll(db, second, c, now)
    assert svc.release_expired_holds(db, now=now + timedelta(minutes=29), settings=SETTINGS, gateway=None) == 0
    later = now + timedelta(minutes=30)
    assert svc.release_expired_holds(db, now=later, settings=SETTINGS, gateway=None) == 1
    assert e1.status == EnrollmentStatus.EXPIRED and svc.payment_of(db, e1.id).status == PaymentStatus.CANCELLED
    assert e2.status == EnrollmentStatus.PENDING_PAYMENT and c.seats_taken == 1
    assert svc.release_expired_holds(db, now=later, settings=SETTINGS, gateway=None) == 0   # idempotent


def test_late_payment_retakes_a_free_seat(db, make_class, make_user, now):
    c = make_class(capacity=2, price=5000)
    e = enroll(db, make_user(Role.WORKER), c, now)
    svc.release_expired_holds(db, now=now + timedelta(hours=1), settings=SETTINGS, gateway=None)
    assert c.seats_taken == 0
    assert payments.apply_payment_succeeded(db, payment_id=svc.payment_of(db, e.id).id, now=now + timedelta(hours=2))
    assert e.status == EnrollmentStatus.CONFIRMED and c.seats_taken == 1
    assert not db.scalar(select(func.count()).select_from(Refund))


def test_late_payment_without_a_seat_is_refunded(db, make_class, make_user, now):
    c = make_class(capacity=1, price=5000)
    late = make_user(Role.WORKER)
    e = enroll(db, late, c, now)
    svc.release_expired_holds(db, now=now + timedelta(hours=1), settings=SETTINGS, gateway=None)
    enroll(db, make_user(Role.WORKER), c, now + timedelta(hours=1))   # someone else takes the seat
    payment = svc.payment_of(db, e.id)
    payments.apply_payment_succeeded(db, payment_id=payment.id, now=now + timedelta(hours=2))
    assert e.status == EnrollmentStatus.EXPIRED and c.seats_taken == 1
    assert db.scalar(select(Refund.amount).where(Refund.payment_id == payment.id)) == 5000
    assert "Payment refunded" in messages_to(db, late)


def test_success_is_applied_once_and_failure_after_success_changes_nothing(db, make_class, make_user, now):
    c = make_class(price=5000)
    worker = make_user(Role.WORKER)
    e = enroll(db, worker, c, now)
    pid = svc.payment_of(db, e.id).id
    assert payments.apply_payment_succeeded(db, payment_id=pid, now=now) is True
    assert payments.apply_payment_succeeded(db, payment_id=pid, now=now) is False
    assert payments.apply_payment_failed(db, payment_id=pid, now=now) is False
    assert db.get(Payment, pid).status == PaymentStatus.SUCCEEDED and e.status == EnrollmentStatus.CONFIRMED
    assert messages_to(db, worker).count("Payment received") == 1 and c.seats_taken == 1


def test_failed_attempt_keeps_the_hold_and_a_later_success_confirms(db, make_class, make_user, now):
    e = enroll(db, make_user(Role.WORKER), make_class(price=5000), now)
    pid = svc.payment_of(db, e.id).id
    assert payments.apply_payment_failed(db, payment_id=pid, now=now)
    assert e.status == EnrollmentStatus.PENDING_PAYMENT
    assert payments.apply_payment_succeeded(db, payment_id=pid, now=now)
    assert e.status == EnrollmentStatus.CONFIRMED


def test_offline_payment_only_by_the_payees_admin_with_a_reference(db, make_class, make_user, provider_admin, now):
    e = enroll(db, make_user(Role.WORKER), make_class(price=5000), now)
    pid = svc.payment_of(db, e.id).id
    with pytest.raises(DomainError) as err:
        payments.record_offline_payment(db, actor=make_user(Role.PROVIDER_ADMIN), payment_id=pid, reference="X",
                                        now=now, gateway=None)
    assert err.value.status == 404
    with pytest.raises(DomainError) as err:
        payments.record_offline_payment(db, actor=provider_admin, payment_id=pid, reference=" ", now=now,
                                        gateway=None)
    assert err.value.field == "reference"
    p = payments.record_offline_payment(db, actor=provider_admin, payment_id=pid, reference="BANK-7", now=now,
                                        gateway=None)
    assert (p.status, p.method, p.offline_reference, p.confirmed_by_id) == (
        PaymentStatus.SUCCEEDED, PaymentMethod.OFFLINE, "BANK-7", provider_admin.id)
    assert e.status == EnrollmentStatus.CONFIRMED
    with pytest.raises(DomainError) as err:
        payments.record_offline_payment(db, actor=provider_admin, payment_id=pid, reference="again", now=now,
                                        gateway=None)
    assert err.value.code == "payment_not_open"


def test_offline_refund_is_recorded_by_the_provider(db, make_class, make_user, provider_admin, now):
    c = make_class(price=5000)
    worker = make_user(Role.WORKER)
    e = enroll(db, worker, c, now)
    pay_offline(db, e, provider_admin, now)
    svc.cancel_enrollment(db, actor=worker, enrollment_id=e.id, now=now, settings=SETTINGS, gateway=None)
    refund = db.scalar(select(Refund))
    payments.record_offline_refund(db, actor=provider_admin, refund_id=refund.id, now=now)
    assert refund.status == "succeeded" and refund.payment.status == PaymentStatus.REFUNDED
    assert "Refund completed" in messages_to(db, worker)
    with pytest.raises(DomainError):
        payments.record_offline_refund(db, actor=provider_admin, refund_id=refund.id, now=now)


# --- reminders ---------------------------------------------------------------------------------------

def test_reminders_go_once_the_day_before(db, make_class, make_user, now):
    c = make_class(starts_on=(now + timedelta(days=1)).date(), enroll_closes_at=now + timedelta(hours=5))
    other = make_class()   # starts in 14 days
    worker = make_user(Role.WORKER)
    enroll(db, worker, c, now)
    enroll(db, worker, other, now)
    assert svc.send_class_reminders(db, now=now) == 1
    assert svc.send_class_reminders(db, now=now) == 0
    assert messages_to(db, worker).count("Your class starts tomorrow") == 1
    assert db.scalar(select(func.count()).select_from(ReminderLog)) == 1


def test_cancelling_a_class_refreshes_the_course_listing(db, make_class, make_course, provider_admin, now):
    from courses.services.shelf import refresh_course_listing

    course = make_course()
    c = make_class(course=course, price=3000)
    refresh_course_listing(db, course.id, now=now)
    assert course.price_from == 3000
    svc.cancel_class(db, actor=provider_admin, class_id=c.id, reason="停课", now=now, gateway=None)
    assert course.price_from is None and course.next_start_on is None


def test_cancel_while_the_payment_just_succeeded_refunds_it(db, make_class, make_user, now):
    c = make_class(price=5000)
    worker = make_user(Role.WORKER)
    e = enroll(db, worker, c, now)
    payment = svc.payment_of(db, e.id)
    # Paid at Stripe a moment ago: the row says succeeded while this session still read "pending".
    db.execute(update(Payment).where(Payment.id == payment.id).values(status=PaymentStatus.SUCCEEDED)
               .execution_options(synchronize_session=False))
    _, refunded = svc.cancel_enrollment(db, actor=worker, enrollment_id=e.id, now=now, settings=SETTINGS,
                                        gateway=None)
    assert refunded == 5000


def test_reminder_task_sends_once(db, make_class, make_user):
    from app.db import utcnow
    from courses.tasks import send_class_reminders

    real_now = utcnow()
    tomorrow = (real_now.astimezone(SHANGHAI) + timedelta(days=1)).date()
    c = make_class(starts_on=tomorrow, enroll_opens_at=real_now - timedelta(days=2),
                   enroll_closes_at=real_now + timedelta(hours=1))
    worker = make_user(Role.WORKER)
    enroll(db, worker, c, real_now)
    db.commit()
    assert send_class_reminders.delay().result == 1
    assert send_class_reminders.delay().result == 0
    assert messages_to(db, worker).count("Your class starts tomorrow") == 1


def test_payments_module_imports_no_domain():
    from pathlib import Path

    import app.payments

    for path in Path(app.payments.__file__).parent.glob("*.py"):
        source = path.read_text()
        assert "import courses" not in source and "from courses" not in source, path


def test_messages_are_written_in_each_recipients_language(db, make_class, make_user, now):
    """A provider cancelling a class writes to each worker in the worker's own language."""
    c = make_class(price=0)
    english, chinese = make_user(Role.WORKER), make_user(Role.WORKER)
    english.locale, chinese.locale = "en", "zh_Hans"
    enroll(db, english, c, now)
    enroll(db, chinese, c, now)
    provider_admin = make_user(Role.PROVIDER_ADMIN, org=c.course.provider)
    svc.cancel_class(db, actor=provider_admin, class_id=c.id, reason="场地检修", now=now, gateway=None)
    assert "Class cancelled" in messages_to(db, english)
    assert "培训班已取消" in messages_to(db, chinese)
