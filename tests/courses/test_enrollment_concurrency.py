"""Races with real transactions on PostgreSQL (real row locks): seats and payment success.

Each worker thread has its own session and commits for real, outside the rolled-back ``db``
fixture; every test removes what it committed.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import sessionmaker

from app.auth.models import Organization, OrgKind, OrgStatus, OutboxMessage, User
from app.db import make_engine
from app.errors import Conflict
from app.payments import services as payments
from app.payments.models import Payment, PaymentStatus, Refund, StripeEvent
from courses.models import (
    SEAT_HOLDING,
    ClassMode,
    Course,
    CourseStatus,
    Enrollment,
    EnrollmentStatus,
    TrainingClass,
)
from courses.services import enrollment as svc
from tests.conftest import requires_postgres

ENGLISH = {"HTTP_COOKIE": "lang=en"}  # the racers read English message subjects

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


class World:
    """Rows committed for one race, and their removal."""

    def __init__(self, make_session, stamp: int):
        self.make_session, self.stamp = make_session, stamp
        self.ids: dict[str, list[int]] = {"users": []}

    def build(self, *, capacity: int, price: int, workers: int) -> None:
        with self.make_session() as s:
            org = Organization(kind=OrgKind.PROVIDER, name=f"并发机构{self.stamp}", status=OrgStatus.APPROVED)
            s.add(org)
            s.flush()
            course = Course(provider_id=org.id, title="并发课程", status=CourseStatus.APPROVED, is_published=True)
            s.add(course)
            s.flush()
            tc = TrainingClass(course_id=course.id, title="并发班", mode=ClassMode.OFFLINE,
                               starts_on=(NOW + timedelta(days=14)).date(), ends_on=(NOW + timedelta(days=16)).date(),
                               enroll_opens_at=NOW - timedelta(days=1), enroll_closes_at=NOW + timedelta(days=10),
                               capacity=capacity, price=price)
            s.add(tc)
            users = [User(name=f"抢座{i}", email=f"race{self.stamp}-{i}@example.com", password_hash="x")
                     for i in range(workers)]
            s.add_all(users)
            s.commit()
            self.ids.update(org=[org.id], course=[course.id], cls=[tc.id], users=[u.id for u in users])

    @property
    def class_id(self) -> int:
        return self.ids["cls"][0]

    def cleanup(self) -> None:
        with self.make_session() as s:
            enrollment_ids = list(s.scalars(select(Enrollment.id).where(Enrollment.class_id.in_(self.ids.get("cls", [])))))
            payment_ids = list(s.scalars(select(Payment.id).where(Payment.purpose == svc.PURPOSE,
                                                                  Payment.reference_id.in_(enrollment_ids))))
            s.execute(delete(Refund).where(Refund.payment_id.in_(payment_ids)))
            s.execute(delete(Payment).where(Payment.id.in_(payment_ids)))
            s.execute(delete(StripeEvent).where(StripeEvent.id.like(f"evt_race{self.stamp}%")))
            s.execute(delete(OutboxMessage).where(OutboxMessage.recipient.like(f"race{self.stamp}-%")))
            s.execute(delete(Enrollment).where(Enrollment.id.in_(enrollment_ids)))
            s.execute(delete(TrainingClass).where(TrainingClass.id.in_(self.ids.get("cls", []))))
            s.execute(delete(Course).where(Course.id.in_(self.ids.get("course", []))))
            s.execute(delete(Organization).where(Organization.id.in_(self.ids.get("org", []))))
            s.execute(delete(User).where(User.id.in_(self.ids["users"])))
            s.commit()


def run_all(targets: list, timeout: float = 60) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(targets))

    def wrap(fn):
        def run():
            try:
                barrier.wait(10)
                fn()
            except BaseException as exc:   # surfaced by the test
                errors.append(exc)
        return run

    threads = [threading.Thread(target=wrap(fn)) for fn in targets]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.1, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "a racer hung"
    return errors


@pytest.fixture
def racing(app, db_url):
    requires_postgres(db_url)
    engine = make_engine(db_url, pool_size=60, max_overflow=0)
    world = World(sessionmaker(bind=engine, expire_on_commit=False), time.monotonic_ns())
    try:
        yield world
    finally:
        world.cleanup()
        engine.dispose()


def test_fifty_workers_race_for_ten_seats(app, racing):
    racing.build(capacity=10, price=0, workers=50)
    statuses: list[str] = []

    def enroll(user_id: int):
        def go():
            with app.test_request_context(environ_base=ENGLISH), racing.make_session() as s:
                e = svc.enroll(s, actor=s.get(User, user_id), class_id=racing.class_id, now=NOW,
                               settings=svc.Settings())
                s.commit()
                statuses.append(e.status)
        return go

    errors = run_all([enroll(uid) for uid in racing.ids["users"]])
    assert not errors, errors[:3]
    assert statuses.count(EnrollmentStatus.CONFIRMED) == 10
    assert statuses.count(EnrollmentStatus.WAITLISTED) == 40
    with racing.make_session() as s:
        assert s.scalar(select(TrainingClass.seats_taken).where(TrainingClass.id == racing.class_id)) == 10
        held = s.scalar(select(func.count()).select_from(Enrollment).where(
            Enrollment.class_id == racing.class_id, Enrollment.status.in_([str(x) for x in SEAT_HOLDING])))
        assert held == 10


def test_double_click_race_leaves_one_enrollment(app, racing):
    racing.build(capacity=10, price=0, workers=1)
    user_id = racing.ids["users"][0]
    codes: list[str] = []

    def enroll():
        with app.test_request_context(environ_base=ENGLISH), racing.make_session() as s:
            try:
                svc.enroll(s, actor=s.get(User, user_id), class_id=racing.class_id, now=NOW, settings=svc.Settings())
                s.commit()
                codes.append("ok")
            except Conflict as exc:
                codes.append(exc.code)

    assert not run_all([enroll for _ in range(8)])
    assert sorted(codes) == ["already_enrolled"] * 7 + ["ok"]
    with racing.make_session() as s:
        assert s.scalar(select(TrainingClass.seats_taken).where(TrainingClass.id == racing.class_id)) == 1


def test_payment_success_is_applied_once_under_concurrent_delivery(app, racing):
    racing.build(capacity=5, price=9900, workers=1)
    user_id = racing.ids["users"][0]
    with app.test_request_context(environ_base=ENGLISH), racing.make_session() as s:
        e = svc.enroll(s, actor=s.get(User, user_id), class_id=racing.class_id, now=NOW,
                       settings=svc.Settings(online=True))
        payment = svc.payment_of(s, e.id)
        payment.stripe_payment_intent_id = f"pi_race{racing.stamp}"
        intent = {"id": payment.stripe_payment_intent_id, "object": "payment_intent", "amount": 9900,
                  "amount_received": 9900, "currency": "cny", "status": "succeeded"}
        for suffix in ("a", "b"):   # the same news delivered as two events (a retry and a resend)
            payments.record_stripe_event(s, event={"id": f"evt_race{racing.stamp}{suffix}",
                                                   "type": "payment_intent.succeeded", "created": 1,
                                                   "data": {"object": intent}}, now=NOW)
        s.commit()
        enrollment_id, payment_id = e.id, payment.id

    def process(event_id: str):
        def go():
            with app.test_request_context(environ_base=ENGLISH), racing.make_session() as s:
                payments.process_stripe_event(s, event_id=event_id, now=NOW)
                s.commit()
        return go

    def apply_directly():   # what reconciliation does
        with app.test_request_context(environ_base=ENGLISH), racing.make_session() as s:
            payments.apply_payment_succeeded(s, payment_id=payment_id, now=NOW)
            s.commit()

    targets = [process(f"evt_race{racing.stamp}{'ab'[i % 2]}") for i in range(8)] + [apply_directly] * 4
    errors = run_all(targets)
    assert not errors, errors[:3]
    with racing.make_session() as s:
        assert s.get(Payment, payment_id).status == PaymentStatus.SUCCEEDED
        assert s.get(Enrollment, enrollment_id).status == EnrollmentStatus.CONFIRMED
        assert s.scalar(select(TrainingClass.seats_taken).where(TrainingClass.id == racing.class_id)) == 1
        contact = s.get(User, user_id).email
        assert s.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.recipient == contact, OutboxMessage.subject == "Payment received")) == 1
        assert s.scalar(select(func.count()).select_from(StripeEvent).where(
            StripeEvent.id.like(f"evt_race{racing.stamp}%"), StripeEvent.processed_at.is_not(None))) == 2


def test_hold_expiry_racing_a_payment_never_loses_the_money(app, racing):
    racing.build(capacity=1, price=9900, workers=1)
    user_id = racing.ids["users"][0]
    with app.test_request_context(environ_base=ENGLISH), racing.make_session() as s:
        e = svc.enroll(s, actor=s.get(User, user_id), class_id=racing.class_id, now=NOW, settings=svc.Settings())
        s.commit()
        enrollment_id, payment_id = e.id, svc.payment_of(s, e.id).id
    later = NOW + timedelta(hours=1)

    def expire():
        with app.test_request_context(environ_base=ENGLISH), racing.make_session() as s:
            svc.release_expired_holds(s, now=later, settings=svc.Settings(), gateway=None)
            s.commit()

    def pay():
        with app.test_request_context(environ_base=ENGLISH), racing.make_session() as s:
            payments.apply_payment_succeeded(s, payment_id=payment_id, now=later)
            s.commit()

    assert not run_all([expire, pay])
    with racing.make_session() as s:
        status = s.get(Enrollment, enrollment_id).status
        seats = s.scalar(select(TrainingClass.seats_taken).where(TrainingClass.id == racing.class_id))
        refunds = s.scalar(select(func.count()).select_from(Refund).where(Refund.payment_id == payment_id))
        assert s.get(Payment, payment_id).status == PaymentStatus.SUCCEEDED
        # Either the payment won (confirmed, seat kept) or the expiry won and the seat was re-taken.
        assert (status, seats, refunds) == (EnrollmentStatus.CONFIRMED, 1, 0)

