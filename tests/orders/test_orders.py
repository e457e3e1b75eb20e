"""Orders through the services: block seats, submit, confirm, subsidy split, payments, cancel, sign-off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.access import Role
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.payments import services as payments
from app.payments.models import PaymentMethod, PaymentStatus
from courses.models import Enrollment, EnrollmentStatus, TrainingClass
from orders.models import OrderEvent, OrderStatus, PayMethod, RosterEntry
from orders.services import ordering, subsidy
from tests.orders.conftest import NOW, id_number


@pytest.fixture
def rule(db, union_admin):
    return subsidy.set_rule(db, actor=union_admin, year=2026, kind="amount", value=20000, budget=1_000_000, now=NOW)


def test_a_class_order_reserves_its_block_on_submit_and_releases_it_on_free_cancel(db, make_order, enterprise_admin):
    order = make_order(seats=10)
    tc = db.get(TrainingClass, order.class_id)
    assert order.status == OrderStatus.DRAFT and order.total == 10 * 50000 and tc.seats_taken == 0
    ordering.submit_order(db, actor=enterprise_admin, order_id=order.id, now=NOW)
    assert order.status == OrderStatus.SUBMITTED and order.seats_reserved == 10
    db.refresh(tc)
    assert tc.seats_taken == 10
    ordering.cancel_order(db, actor=enterprise_admin, order_id=order.id, reason="计划变更", now=NOW)
    db.refresh(tc)
    assert order.status == OrderStatus.CANCELLED and tc.seats_taken == 0
    log = db.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)).all()
    assert [(e.from_status, e.to_status) for e in log] == [("", "draft"), ("draft", "submitted"),
                                                          ("submitted", "cancelled")]
    assert all(e.actor_id == enterprise_admin.id and e.at == NOW for e in log)


def test_a_block_never_oversells(db, make_order, make_class, enterprise_admin):
    tc = make_class(capacity=10, price=100)
    first = make_order(seats=8, training_class=tc)
    with pytest.raises(Conflict):
        make_order(seats=11, training_class=tc)
    second = make_order(seats=3, training_class=tc)
    ordering.submit_order(db, actor=enterprise_admin, order_id=first.id, now=NOW)
    with pytest.raises(Conflict) as caught:
        ordering.submit_order(db, actor=enterprise_admin, order_id=second.id, now=NOW)
    assert caught.value.code == "seats_full"
    db.refresh(tc)
    assert tc.seats_taken == 8


def test_bank_transfer_needs_invoice_title_and_tax_number(db, make_order, enterprise_admin):
    order = make_order()
    with pytest.raises(Invalid) as caught:
        ordering.submit_order(db, actor=enterprise_admin, order_id=order.id, pay_method="bank_transfer", now=NOW)
    assert caught.value.field == "invoice_title"
    with pytest.raises(Invalid) as caught:
        ordering.submit_order(db, actor=enterprise_admin, order_id=order.id, pay_method="bank_transfer",
                              invoice_title="海南电网有限责任公司", invoice_tax_number="12", now=NOW)
    assert caught.value.field == "invoice_tax_number"
    ordering.submit_order(db, actor=enterprise_admin, order_id=order.id, pay_method="bank_transfer",
                          invoice_title="海南电网有限责任公司", invoice_tax_number="91460000708850372x", now=NOW)
    assert order.pay_method == PayMethod.BANK_TRANSFER and order.invoice_tax_number == "91460000708850372X"


def _roster(db, order, people):
    from app.security import vault
    from orders.models import RosterMatch

    for n, user in enumerate(people):
        number = id_number(900 + n)
        db.add(RosterEntry(order_id=order.id, name=user.name if user else f"员工{n}", phone="",
                           id_number_cipher=vault().encrypt(number), id_number_hash=vault().lookup_hash(number),
                           id_last4=number[-4:], user_id=user.id if user else None,
                           match=RosterMatch.MEMBER if user else RosterMatch.INVITED))
    db.flush()


def test_confirm_splits_the_bill_with_the_union_subsidy_and_enrolls_the_roster(
        db, make_order, enterprise_admin, provider_admin, make_member, make_user, rule, union_admin):
    order = make_order(seats=5)
    members = [make_member(), make_member()]
    unverified = make_user(Role.WORKER)
    _roster(db, order, [*members, unverified, None])
    ordering.submit_order(db, actor=enterprise_admin, order_id=order.id, now=NOW)
    ordering.confirm_order(db, actor=provider_admin, order_id=order.id, now=NOW)
    assert order.status == OrderStatus.CONFIRMED
    assert order.subsidy_members == 2 and order.subsidy_amount == 2 * 20000
    assert order.enterprise_amount == 5 * 50000 - 40000
    db.refresh(rule)
    assert rule.spent == 40000
    pays = ordering.payments_of(db, order.id)
    assert [(p.purpose, p.amount, p.payer_id) for p in pays] == [
        ("order", order.enterprise_amount, enterprise_admin.id), ("order_subsidy", 40000, union_admin.id)]
    enrolled = db.scalars(select(Enrollment).where(Enrollment.class_id == order.class_id)).all()
    assert len(enrolled) == 3 and {e.price_kind for e in enrolled} == {"order"}
    assert {e.status for e in enrolled} == {EnrollmentStatus.CONFIRMED} and {e.source for e in enrolled} == {"order"}
    tc = db.get(TrainingClass, order.class_id)
    db.refresh(tc)
    assert tc.seats_taken == 5     # the block, not one more per person


def test_payment_moves_the_order_to_paid_then_delivery_and_acceptance(db, make_order, enterprise_admin,
                                                                      provider_admin, union_admin):
    order = make_order(seats=2)
    ordering.submit_order(db, actor=enterprise_admin, order_id=order.id, pay_method="bank_transfer",
                          invoice_title="海南电网", invoice_tax_number="91460000708850372X", now=NOW)
    ordering.confirm_order(db, actor=provider_admin, order_id=order.id, now=NOW)
    ordering.mark_invoiced(db, actor=provider_admin, order_id=order.id, now=NOW)
    payment = ordering.enterprise_payment(db, order.id)
    assert payment.method == PaymentMethod.OFFLINE and payment.status == PaymentStatus.PENDING
    payments.record_offline_payment(db, actor=provider_admin, payment_id=payment.id, reference="BANK-001",
                                    now=NOW, gateway=None)
    assert order.status == OrderStatus.PAID
    with pytest.raises(Forbidden):
        ordering.start_delivery(db, actor=enterprise_admin, order_id=order.id, now=NOW)
    ordering.start_delivery(db, actor=provider_admin, order_id=order.id, now=NOW)
    ordering.mark_delivered(db, actor=provider_admin, order_id=order.id, now=NOW)
    ordering.raise_objection(db, actor=enterprise_admin, order_id=order.id, text="缺一天实操", now=NOW)
    assert order.status == OrderStatus.OBJECTED
    ordering.resolve_objection(db, actor=union_admin, order_id=order.id, note="已补课", now=NOW)
    with pytest.raises(Invalid):
        ordering.accept_delivery(db, actor=enterprise_admin, order_id=order.id, rating=6, now=NOW)
    ordering.accept_delivery(db, actor=enterprise_admin, order_id=order.id, rating=5, comment="很好", now=NOW)
    assert order.status == OrderStatus.ACCEPTED and order.rating == 5
    ordering.settle_order(db, actor=union_admin, order_id=order.id, now=NOW)
    assert order.status == OrderStatus.SETTLED
    with pytest.raises(Conflict):
        ordering.cancel_order(db, actor=enterprise_admin, order_id=order.id, now=NOW)


def test_cancel_after_payment_keeps_the_agreed_fee_and_returns_the_subsidy(
        db, make_demand, provider, make_quote, enterprise_admin, provider_admin, make_class, make_course, rule,
        make_member):
    demand = make_demand(to=[provider], headcount=2)
    course = make_course()
    tc = make_class(course=course, capacity=30)
    quote = make_quote(demand, provider, admin=provider_admin, price_per_person=100000, course_id=course.id,
                       cancel_fee_pct=10)
    from orders.services import demands

    order = demands.accept_quote(db, actor=enterprise_admin, quote_id=quote.id, now=NOW)
    _roster(db, order, [make_member()])
    ordering.submit_order(db, actor=enterprise_admin, order_id=order.id, now=NOW)
    with pytest.raises(Conflict) as caught:
        ordering.confirm_order(db, actor=provider_admin, order_id=order.id, now=NOW)
    assert caught.value.code == "class_required"
    ordering.confirm_order(db, actor=provider_admin, order_id=order.id, class_id=tc.id, now=NOW)
    assert order.subsidy_amount == 20000 and order.enterprise_amount == 180000
    payment = ordering.enterprise_payment(db, order.id)
    payments.record_offline_payment(db, actor=provider_admin, payment_id=payment.id, reference="B1", now=NOW,
                                    gateway=None)
    ordering.cancel_order(db, actor=enterprise_admin, order_id=order.id, reason="停工", now=NOW)
    db.refresh(rule)
    db.refresh(tc)
    assert rule.spent == 0 and tc.seats_taken == 0
    db.refresh(payment)
    assert [r.amount for r in payment.refunds] == [180000 - 20000]   # fee: 10% of the 200000 total
    enrollments = db.scalars(select(Enrollment).where(Enrollment.class_id == tc.id)).all()
    assert {e.status for e in enrollments} == {EnrollmentStatus.CANCELLED}


def test_no_cancel_once_the_class_started(db, make_order, enterprise_admin, provider_admin):
    order = make_order(seats=1)
    ordering.submit_order(db, actor=enterprise_admin, order_id=order.id, now=NOW)
    ordering.confirm_order(db, actor=provider_admin, order_id=order.id, now=NOW)
    later = NOW + timedelta(days=15)
    with pytest.raises(Conflict) as caught:
        ordering.cancel_order(db, actor=enterprise_admin, order_id=order.id, now=later)
    assert caught.value.code == "class_started"


def test_the_subsidy_budget_is_never_overspent(db, make_order, enterprise_admin, provider_admin, make_member,
                                               union_admin):
    subsidy.set_rule(db, actor=union_admin, year=2026, kind="percent", value=50, budget=30000, now=NOW)
    first, second = make_order(seats=1), make_order(seats=1)
    for order in (first, second):
        _roster(db, order, [make_member()])
        ordering.submit_order(db, actor=enterprise_admin, order_id=order.id, now=NOW)
        ordering.confirm_order(db, actor=provider_admin, order_id=order.id, now=NOW)
    assert first.subsidy_amount == 25000 and second.subsidy_amount == 5000   # what was left
    assert second.enterprise_amount == 45000


def test_nobody_else_sees_or_moves_an_order(db, make_order, make_user, provider_admin):
    order = make_order()
    for stranger in (make_user(Role.ENTERPRISE_ADMIN), make_user(Role.PROVIDER_ADMIN), make_user(Role.WORKER)):
        with pytest.raises(NotFound):
            ordering.get_order(db, actor=stranger, order_id=order.id)
        with pytest.raises(NotFound):
            ordering.submit_order(db, actor=stranger, order_id=order.id, now=NOW)
    with pytest.raises(Forbidden):
        ordering.submit_order(db, actor=provider_admin, order_id=order.id, now=NOW)


def test_online_payment_success_from_the_webhook_moves_the_order_to_paid(db, make_order, enterprise_admin,
                                                                         provider_admin):
    order = make_order(seats=2)
    ordering.submit_order(db, actor=enterprise_admin, order_id=order.id, now=NOW)
    ordering.confirm_order(db, actor=provider_admin, order_id=order.id, now=NOW, online=True)
    payment = ordering.enterprise_payment(db, order.id)
    assert payment.method == PaymentMethod.STRIPE and payment.amount == 100000
    assert payments.apply_payment_succeeded(db, payment_id=payment.id, now=NOW)
    assert order.status == OrderStatus.PAID
    assert not payments.apply_payment_succeeded(db, payment_id=payment.id, now=NOW)   # once
    assert [e.to_status for e in order.events][-1] == "paid"


def test_the_order_training_fact_finds_a_member_by_account_or_id_number(db, make_order, make_member,
                                                                        enterprise_admin, provider_admin):
    from orders.facts import order_training_of_member

    order = make_order(seats=2)
    member = make_member()
    _roster(db, order, [None])
    entry = db.scalar(select(RosterEntry).where(RosterEntry.order_id == order.id))
    from app.membership.models import MemberProfile

    profile = db.scalar(select(MemberProfile).where(MemberProfile.user_id == member.id))
    entry.id_number_hash = profile.id_number_hash   # invited before they signed up
    db.flush()
    facts = order_training_of_member(db, member.id, now=NOW)
    assert facts == [{"order_id": order.id, "enterprise": "海南电网", "course": order.training_class.course.title,
                      "class": order.training_class.title, "status": "draft", "roster_status": "active",
                      "enrollment_id": None, "enrollment_status": None}]
    assert order_training_of_member(db, enterprise_admin.id, now=NOW) == []


def test_the_right_people_are_told_at_each_step(db, make_order, enterprise_admin, provider_admin, union_admin):
    from app.auth.models import OutboxMessage

    def inbox(user):
        return [m.subject for m in db.scalars(select(OutboxMessage).where(OutboxMessage.recipient == user.contact)
                                              .order_by(OutboxMessage.id))]

    order = make_order(seats=1)
    ordering.submit_order(db, actor=enterprise_admin, order_id=order.id, now=NOW)
    assert inbox(provider_admin) == ["New order to confirm"]
    ordering.confirm_order(db, actor=provider_admin, order_id=order.id, now=NOW)
    assert inbox(enterprise_admin) == ["Order confirmed"]
    payments.record_offline_payment(db, actor=provider_admin, payment_id=ordering.enterprise_payment(db, order.id).id,
                                    reference="B1", now=NOW, gateway=None)
    ordering.start_delivery(db, actor=provider_admin, order_id=order.id, now=NOW)
    ordering.mark_delivered(db, actor=provider_admin, order_id=order.id, now=NOW)
    ordering.raise_objection(db, actor=enterprise_admin, order_id=order.id, text="少了一天", now=NOW)
    assert inbox(enterprise_admin) == ["Order confirmed", "Payment received", "Training started",
                                       "Training delivered"]
    assert inbox(union_admin) == ["Objection to a delivery"]
    assert inbox(provider_admin)[-2:] == ["Order paid", "Objection to a delivery"]
