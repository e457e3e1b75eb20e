"""Races with real transactions on PostgreSQL: an order's block of seats against public enrollment,
a double-submitted roster upload, the subsidy budget against concurrent confirmations.

Each racer has its own session and commits for real, outside the rolled-back ``db`` fixture;
every test removes what it committed.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import sessionmaker

from app.access import Role
from app.auth.models import Organization, OrgKind, OrgStatus, OutboxMessage, RoleGrant, User
from app.db import make_engine
from app.errors import Conflict
from app.membership.models import MemberProfile, MembershipStatus
from app.payments.models import Payment
from courses.models import (
    SEAT_HOLDING,
    ClassMode,
    Course,
    CourseStatus,
    Enrollment,
    EnrollmentStatus,
    TrainingClass,
)
from courses.services import enrollment as enrolling
from orders.models import (
    Order,
    OrderEvent,
    OrderStatus,
    RosterEntry,
    RosterMatch,
    RosterUpload,
    SubsidyRule,
)
from orders.services import ordering, roster
from tests.conftest import requires_postgres
from tests.courses.test_enrollment_concurrency import run_all
from tests.orders.conftest import id_number

pytestmark = pytest.mark.postgres
ENGLISH = {"HTTP_COOKIE": "lang=en"}
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


class World:
    """Rows committed for one race, and their removal."""

    def __init__(self, make_session, stamp: int):
        self.make_session, self.stamp = make_session, stamp
        self.orgs, self.users, self.orders = [], [], []
        self.class_id = self.course_id = None

    def build(self, *, capacity: int, workers: int = 0) -> None:
        with self.make_session() as s:
            provider = Organization(kind=OrgKind.PROVIDER, name=f"并发机构{self.stamp}", status=OrgStatus.APPROVED)
            enterprise = Organization(kind=OrgKind.ENTERPRISE, name=f"并发企业{self.stamp}", status=OrgStatus.APPROVED)
            union = Organization(kind=OrgKind.UNION, name=f"并发工会{self.stamp}", status=OrgStatus.APPROVED)
            s.add_all([provider, enterprise, union])
            s.flush()
            course = Course(provider_id=provider.id, title="并发课程", status=CourseStatus.APPROVED, is_published=True)
            s.add(course)
            s.flush()
            tc = TrainingClass(course_id=course.id, title="并发班", mode=ClassMode.OFFLINE,
                               starts_on=(NOW + timedelta(days=14)).date(), ends_on=(NOW + timedelta(days=16)).date(),
                               enroll_opens_at=NOW - timedelta(days=1), enroll_closes_at=NOW + timedelta(days=10),
                               capacity=capacity, price=0)
            s.add(tc)
            admins = {key: User(name=key, email=f"race{self.stamp}-{key}@example.com", password_hash="x")
                      for key in ("enterprise", "provider", "union")}
            workers_ = [User(name=f"抢座{i}", email=f"race{self.stamp}-{i}@example.com", password_hash="x")
                        for i in range(workers)]
            s.add_all([*admins.values(), *workers_])
            s.flush()
            s.add_all([RoleGrant(user_id=admins["enterprise"].id, role=Role.ENTERPRISE_ADMIN,
                                 organization_id=enterprise.id),
                       RoleGrant(user_id=admins["provider"].id, role=Role.PROVIDER_ADMIN, organization_id=provider.id),
                       RoleGrant(user_id=admins["union"].id, role=Role.UNION_ADMIN, organization_id=union.id)])
            s.commit()
            self.orgs = [provider.id, enterprise.id, union.id]
            self.admins = {k: u.id for k, u in admins.items()}
            self.workers = [u.id for u in workers_]
            self.users = [*self.admins.values(), *self.workers]
            self.class_id, self.course_id = tc.id, course.id

    def user(self, s, key: str) -> User:
        return s.get(User, self.admins[key])

    def cleanup(self) -> None:
        with self.make_session() as s:
            orders = list(s.scalars(select(Order.id).where(Order.class_id == self.class_id))) if self.class_id else []
            s.execute(delete(RosterEntry).where(RosterEntry.order_id.in_(orders)))
            s.execute(delete(RosterUpload).where(RosterUpload.order_id.in_(orders)))
            s.execute(delete(OrderEvent).where(OrderEvent.order_id.in_(orders)))
            s.execute(delete(Payment).where(Payment.payer_id.in_(self.users)))
            s.execute(delete(Order).where(Order.id.in_(orders)))
            s.execute(delete(SubsidyRule).where(SubsidyRule.union_id.in_(self.orgs)))
            s.execute(delete(Enrollment).where(Enrollment.class_id == self.class_id))
            s.execute(delete(TrainingClass).where(TrainingClass.id == self.class_id))
            s.execute(delete(Course).where(Course.id == self.course_id))
            s.execute(delete(MemberProfile).where(MemberProfile.user_id.in_(self.users)))
            s.execute(delete(RoleGrant).where(RoleGrant.user_id.in_(self.users)))
            s.execute(delete(OutboxMessage).where(OutboxMessage.recipient.like(f"race{self.stamp}-%")))
            s.execute(delete(OutboxMessage).where(OutboxMessage.recipient.like("+86137%")))
            s.execute(delete(User).where(User.id.in_(self.users)))
            s.execute(delete(Organization).where(Organization.id.in_(self.orgs)))
            s.commit()


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


def _draft(app, racing, seats: int) -> int:
    with app.test_request_context(environ_base=ENGLISH), racing.make_session() as s:
        order = ordering.order_class(s, actor=racing.user(s, "enterprise"), class_id=racing.class_id, seats=seats,
                                     now=NOW)
        s.commit()
        return order.id


def test_a_block_reservation_racing_fifty_public_enrollments_never_oversells(app, racing):
    racing.build(capacity=20, workers=50)
    order_id = _draft(app, racing, seats=10)
    outcomes: list[str] = []

    def enroll(user_id: int):
        def go():
            with app.test_request_context(environ_base=ENGLISH), racing.make_session() as s:
                e = enrolling.enroll(s, actor=s.get(User, user_id), class_id=racing.class_id, now=NOW,
                                     settings=enrolling.Settings())
                s.commit()
                outcomes.append(str(e.status))
        return go

    def submit():
        with app.test_request_context(environ_base=ENGLISH), racing.make_session() as s:
            try:
                ordering.submit_order(s, actor=racing.user(s, "enterprise"), order_id=order_id, now=NOW)
                s.commit()
                outcomes.append("order")
            except Conflict as exc:
                outcomes.append(exc.code)

    targets = [enroll(uid) for uid in racing.workers]
    targets.insert(17, submit)
    errors = run_all(targets)
    assert not errors, errors[:3]
    with racing.make_session() as s:
        taken = s.scalar(select(TrainingClass.seats_taken).where(TrainingClass.id == racing.class_id))
        held = s.scalar(select(func.count()).select_from(Enrollment).where(
            Enrollment.class_id == racing.class_id, Enrollment.status.in_([str(x) for x in SEAT_HOLDING])))
        reserved = s.get(Order, order_id).seats_reserved
    assert taken == held + reserved <= 20
    if "order" in outcomes:
        assert reserved == 10 and held == 10
    else:
        assert "seats_full" in outcomes and reserved == 0 and held == 20
    assert outcomes.count(str(EnrollmentStatus.CONFIRMED)) == held


def test_a_double_submitted_roster_upload_makes_one_set_of_entries(app, racing):
    racing.build(capacity=50)
    order_id = _draft(app, racing, seats=30)
    lines = "\n".join(f"员工{n},1370000{n:04d},{id_number(500 + n)}," for n in range(25))
    content = ("姓名,手机号,身份证号,部门\n" + lines + "\n").encode()
    results: list[tuple[int, bool]] = []

    def upload():
        from app.security import vault

        with app.test_request_context(environ_base=ENGLISH), racing.make_session() as s:
            found, new = roster.start_import(s, actor=racing.user(s, "enterprise"), order_id=order_id,
                                             filename="r.csv", content=content, vault=vault(), now=NOW)
            s.commit()
            results.append((found.id, new))

    assert not run_all([upload for _ in range(6)])
    assert len({upload_id for upload_id, _ in results}) == 1
    assert sum(1 for _, new in results if new) == 1
    with racing.make_session() as s:
        assert s.scalar(select(func.count()).select_from(RosterEntry).where(RosterEntry.order_id == order_id)) == 25
        assert s.scalar(select(func.count()).select_from(RosterUpload).where(RosterUpload.order_id == order_id)) == 1


def test_the_subsidy_budget_raced_by_concurrent_confirmations_is_never_overspent(app, racing):
    racing.build(capacity=100, workers=10)
    from app.security import vault

    with app.test_request_context(environ_base=ENGLISH), racing.make_session() as s:
        s.add(SubsidyRule(union_id=racing.orgs[2], year=2026, kind="amount", value=20000, budget=5 * 20000 + 5000,
                          spent=0, created_by_id=racing.admins["union"]))
        order_ids = []
        for n, worker_id in enumerate(racing.workers):
            number = id_number(700 + n)
            s.add(MemberProfile(user_id=worker_id, member_no=f"R{racing.stamp % 10**6}{n}", union_name="工会",
                                employer_name="企业", real_name=f"抢座{n}", id_number_cipher=vault().encrypt(number),
                                id_number_hash=vault().lookup_hash(number), id_last4=number[-4:],
                                status=MembershipStatus.VERIFIED))
            order = ordering.order_class(s, actor=racing.user(s, "enterprise"), class_id=racing.class_id, seats=1,
                                         now=NOW)
            s.add(RosterEntry(order_id=order.id, name=f"抢座{n}", id_number_cipher=vault().encrypt(number),
                              id_number_hash=vault().lookup_hash(number), id_last4=number[-4:], user_id=worker_id,
                              match=RosterMatch.MEMBER))
            ordering.submit_order(s, actor=racing.user(s, "enterprise"), order_id=order.id, now=NOW)
            order_ids.append(order.id)
        s.commit()
    # Price 0 classes would grant nothing: give the orders a price per person.
    with racing.make_session() as s:
        s.execute(Order.__table__.update().where(Order.id.in_(order_ids))
                  .values(price_per_person=30000, total=30000, enterprise_amount=30000))
        s.commit()

    def confirm(order_id: int):
        def go():
            with app.test_request_context(environ_base=ENGLISH), racing.make_session() as s:
                ordering.confirm_order(s, actor=racing.user(s, "provider"), order_id=order_id, now=NOW)
                s.commit()
        return go

    errors = run_all([confirm(oid) for oid in order_ids])
    assert not errors, errors[:3]
    with racing.make_session() as s:
        rule = s.scalar(select(SubsidyRule).where(SubsidyRule.union_id == racing.orgs[2]))
        granted = s.scalars(select(Order.subsidy_amount).where(Order.id.in_(order_ids))).all()
        statuses = set(s.scalars(select(Order.status).where(Order.id.in_(order_ids))))
    assert statuses == {OrderStatus.CONFIRMED}
    assert sum(granted) == rule.spent == rule.budget          # spent to the last fen, never beyond
    assert sorted(granted, reverse=True)[:6] == [20000] * 5 + [5000]
