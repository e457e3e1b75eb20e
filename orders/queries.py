"""Reads of enterprise orders: lists per role, the order's progress dashboard, settlement, ratings.

Every list runs a fixed number of statements whatever the number of rows (grouped
aggregates keyed by id; the employees of an order are joined, never visited one by one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.access import Role
from app.auth.models import Organization, User
from app.payments.models import Payment, PaymentStatus, Refund
from courses.models import (
    Attendance,
    Enrollment,
    EnrollmentStatus,
    Lesson,
    LessonProgress,
    TrainingClass,
)
from courses.queries.learning import class_day_count
from orders.models import (
    DemandInvitation,
    DemandStatus,
    Order,
    OrderStatus,
    Quote,
    QuoteMessage,
    RosterEntry,
    RosterStatus,
    RosterUpload,
    TrainingDemand,
)
from orders.permissions import enterprise_ids, provider_ids
from orders.services.ordering import PURPOSE, SUBSIDY_PURPOSE

OPEN_ORDER = (OrderStatus.DRAFT, OrderStatus.SUBMITTED, OrderStatus.CONFIRMED, OrderStatus.INVOICED, OrderStatus.PAID,
              OrderStatus.IN_DELIVERY, OrderStatus.DELIVERED, OrderStatus.OBJECTED)
LEARNING = (EnrollmentStatus.CONFIRMED, EnrollmentStatus.COMPLETED)


# --- lists ---------------------------------------------------------------------------------------

def enterprise_demands(user: User) -> Select:
    return (select(TrainingDemand).where(TrainingDemand.enterprise_id.in_(enterprise_ids(user)))
            .order_by(TrainingDemand.created_at.desc(), TrainingDemand.id.desc()))


def provider_demands(user: User) -> Select:
    """Published demands open to one of the user's approved providers (directed or open to all)."""
    orgs = list(provider_ids(user))
    invited = exists().where(DemandInvitation.demand_id == TrainingDemand.id,
                             DemandInvitation.organization_id.in_(orgs))
    approved = any(g.organization is not None and g.organization.is_approved for g in user.grants
                   if g.role == Role.PROVIDER_ADMIN)
    visible = or_(invited, and_(TrainingDemand.open_to_all.is_(True), approved))
    return (select(TrainingDemand).where(TrainingDemand.status != DemandStatus.DRAFT, visible)
            .order_by(TrainingDemand.published_at.desc(), TrainingDemand.id.desc()))


def union_demands(status: str | None = None) -> Select:
    stmt = select(TrainingDemand).where(TrainingDemand.status != DemandStatus.DRAFT)
    if status:
        stmt = stmt.where(TrainingDemand.status == status)
    return stmt.order_by(TrainingDemand.published_at.desc(), TrainingDemand.id.desc())


def quote_counts(session: Session, demand_ids: list[int]) -> dict[int, int]:
    if not demand_ids:
        return {}
    return dict(session.execute(select(Quote.demand_id, func.count(Quote.id)).where(Quote.demand_id.in_(demand_ids))
                                .group_by(Quote.demand_id)).all())


def my_quotes(session: Session, user: User, demand_ids: list[int]) -> dict[int, Quote]:
    if not demand_ids:
        return {}
    rows = session.scalars(select(Quote).where(Quote.demand_id.in_(demand_ids),
                                               Quote.organization_id.in_(provider_ids(user))))
    return {q.demand_id: q for q in rows}


def orders_of(user: User, *, as_provider: bool = False, status: str | None = None) -> Select:
    column = Order.provider_id if as_provider else Order.enterprise_id
    ids = provider_ids(user) if as_provider else enterprise_ids(user)
    stmt = (select(Order).options(joinedload(Order.training_class).joinedload(TrainingClass.course))
            .where(column.in_(ids)).order_by(Order.created_at.desc(), Order.id.desc()))
    return stmt.where(Order.status == status) if status else stmt


def all_orders(status: str | None = None) -> Select:
    stmt = (select(Order).options(joinedload(Order.training_class).joinedload(TrainingClass.course))
            .order_by(Order.created_at.desc(), Order.id.desc()))
    return stmt.where(Order.status == status) if status else stmt


def quotes_for_compare(session: Session, demand_id: int, organization_ids: set[int] | None = None) -> list[Quote]:
    stmt = (select(Quote).options(joinedload(Quote.course), joinedload(Quote.training_class))
            .where(Quote.demand_id == demand_id).order_by(Quote.total, Quote.id))
    if organization_ids is not None:
        stmt = stmt.where(Quote.organization_id.in_(organization_ids))
    return list(session.scalars(stmt).unique())


def threads(session: Session, quote_ids: list[int]) -> dict[int, list[QuoteMessage]]:
    found: dict[int, list[QuoteMessage]] = {q: [] for q in quote_ids}
    if quote_ids:
        for message in session.scalars(select(QuoteMessage).where(QuoteMessage.quote_id.in_(quote_ids))
                                       .order_by(QuoteMessage.id)):
            found[message.quote_id].append(message)
    return found


def ratings_by_provider(session: Session, provider_ids_: list[int]) -> dict[int, tuple[float, int]]:
    """Average acceptance rating and number of ratings per provider (one grouped query)."""
    if not provider_ids_:
        return {}
    rows = session.execute(select(Order.provider_id, func.avg(Order.rating), func.count(Order.rating))
                           .where(Order.provider_id.in_(provider_ids_), Order.rating.is_not(None))
                           .group_by(Order.provider_id))
    return {pid: (round(float(avg), 1), count) for pid, avg, count in rows}


def uploads_of(session: Session, order_id: int) -> list[RosterUpload]:
    return list(session.scalars(select(RosterUpload).where(RosterUpload.order_id == order_id)
                                .order_by(RosterUpload.id.desc()).limit(10)))


def roster_entries(session: Session, order_id: int, *, include_gone: bool = False) -> Select:
    stmt = select(RosterEntry).where(RosterEntry.order_id == order_id)
    if not include_gone:
        stmt = stmt.where(RosterEntry.status == RosterStatus.ACTIVE)
    return stmt.order_by(RosterEntry.department, RosterEntry.id)


def payments_of(session: Session, order_id: int) -> list[Payment]:
    return list(session.scalars(select(Payment).where(Payment.purpose.in_((PURPOSE, SUBSIDY_PURPOSE)),
                                                      Payment.reference_id == order_id).order_by(Payment.id)))


# --- the progress dashboard ------------------------------------------------------------------------

@dataclass
class ProgressRow:
    entry_id: int
    name: str
    department: str
    id_masked: str
    match: str
    user_id: int | None
    enrollment_status: str | None
    lessons_done: int
    lessons_total: int
    days_present: int
    days_total: int
    exam_results: list = field(default_factory=list)
    certificates: list = field(default_factory=list)

    @property
    def enrolled(self) -> bool:
        return self.enrollment_status in LEARNING

    @property
    def lesson_share(self) -> int:
        return round(100 * self.lessons_done / self.lessons_total) if self.lessons_total else 0

    @property
    def attendance_share(self) -> int:
        return round(100 * self.days_present / self.days_total) if self.days_total else 0


@dataclass
class Progress:
    rows: list[ProgressRow]
    total: int
    enrolled: int
    lessons_total: int
    days_total: int
    avg_lessons: int
    avg_attendance: int
    finished: int                  # all lessons done and attendance at the class's required share
    attendance_buckets: list[int]  # employees per 20-point band of attendance share: 0-19 ... 80-100
    lesson_buckets: list[int]
    exam_passed: int = 0
    certificates: int = 0


def _band(share: int) -> int:
    return min(share // 20, 4)


def order_progress(session: Session, order: Order, *, now: datetime, page: int | None = None,
                   per_page: int = 100, with_facts: bool = True) -> Progress:
    """Per employee of the order: enrollment, lesson progress, attendance share, exams and
    certificates (from other domains' facts, for the rows shown); totals over everyone.

    Five statements for any number of employees, plus the fact publishers for the page's rows.
    """
    tc: TrainingClass | None = order.training_class
    lessons_total = (session.scalar(select(func.count(Lesson.id)).where(Lesson.class_id == tc.id)) or 0) if tc else 0
    days_total = class_day_count(tc) if tc else 0
    on_order = and_(RosterEntry.order_id == order.id, RosterEntry.status == RosterStatus.ACTIVE)
    done = dict(session.execute(
        select(LessonProgress.enrollment_id, func.count(LessonProgress.id))
        .join(RosterEntry, RosterEntry.enrollment_id == LessonProgress.enrollment_id).where(on_order)
        .group_by(LessonProgress.enrollment_id)).all())
    present = dict(session.execute(
        select(Attendance.enrollment_id, func.count(Attendance.id))
        .join(RosterEntry, RosterEntry.enrollment_id == Attendance.enrollment_id)
        .where(on_order, Attendance.present.is_(True)).group_by(Attendance.enrollment_id)).all())
    people = session.execute(
        select(RosterEntry.id, RosterEntry.name, RosterEntry.department, RosterEntry.id_last4, RosterEntry.match,
               RosterEntry.user_id, RosterEntry.enrollment_id, Enrollment.status)
        .outerjoin(Enrollment, Enrollment.id == RosterEntry.enrollment_id)
        .where(on_order).order_by(RosterEntry.department, RosterEntry.id)).all()
    rows = []
    for entry_id, name, dept, last4, match, user_id, enrollment_id, status in people:
        rows.append(ProgressRow(entry_id=entry_id, name=name, department=dept, id_masked="**************" + last4,
                                match=str(match), user_id=user_id, enrollment_status=str(status) if status else None,
                                lessons_done=done.get(enrollment_id, 0) if enrollment_id else 0,
                                lessons_total=lessons_total,
                                days_present=present.get(enrollment_id, 0) if enrollment_id else 0,
                                days_total=days_total))
    enrolled = [r for r in rows if r.enrolled]
    required = tc.attendance_required_pct if tc else 0
    att_buckets, lesson_buckets = [0] * 5, [0] * 5
    for r in enrolled:
        att_buckets[_band(r.attendance_share)] += 1
        lesson_buckets[_band(r.lesson_share)] += 1
    shown = rows if page is None else rows[(page - 1) * per_page: page * per_page]
    progress = Progress(
        rows=shown, total=len(rows), enrolled=len(enrolled), lessons_total=lessons_total, days_total=days_total,
        avg_lessons=round(sum(r.lesson_share for r in enrolled) / len(enrolled)) if enrolled else 0,
        avg_attendance=round(sum(r.attendance_share for r in enrolled) / len(enrolled)) if enrolled else 0,
        finished=sum(1 for r in enrolled if r.lesson_share == 100 and (not days_total or r.attendance_share >= required)),
        attendance_buckets=att_buckets, lesson_buckets=lesson_buckets)
    if with_facts:
        _add_facts(session, progress, shown, now)
    return progress


def _publishers(name: str) -> list:
    if not has_app_context():
        return []
    registry = current_app.extensions.get("domains")
    return registry.fact(name) if registry else []


def _add_facts(session: Session, progress: Progress, rows: list[ProgressRow], now: datetime) -> None:
    """Exam results and certificates of the rows shown, from the exams/certificates domains if installed.

    A domain that publishes ``<fact>_of_many`` answers for all rows at once (a fixed number of
    statements); otherwise the per-member fact is asked once per row.
    """
    user_ids = [row.user_id for row in rows if row.user_id is not None]
    if not user_ids:
        return
    exams = _gather(session, "exam_results", user_ids, now, include_failed=True)
    certificates = _gather(session, "certificates", user_ids, now)
    for row in rows:
        if row.user_id is None:
            continue
        row.exam_results.extend(exams.get(row.user_id, []))
        row.certificates.extend(certificates.get(row.user_id, []))
        progress.exam_passed += sum(1 for r in row.exam_results if r.get("passed"))
        progress.certificates += len(row.certificates)


def _gather(session: Session, name: str, user_ids: list[int], now: datetime, **options) -> dict[int, list]:
    found: dict[int, list] = {user_id: [] for user_id in user_ids}
    batched = _publishers(f"{name}_of_many")
    for fn in batched:
        for user_id, items in fn(session, user_ids, now=now, **options).items():
            found[user_id].extend(items)
    if not batched:
        for fn in _publishers(name):
            for user_id in user_ids:
                found[user_id].extend(fn(session, user_id, now=now, **options))
    return found


# --- settlement and counts -----------------------------------------------------------------------

@dataclass
class SettlementRow:
    order: Order
    paid: int
    subsidy: int
    refunds: int


def settlement(session: Session, provider_id: int) -> list[SettlementRow]:
    """The provider's accepted and settled orders with money received and refunded (3 statements)."""
    orders = list(session.scalars(select(Order).options(joinedload(Order.training_class))
                                  .where(Order.provider_id == provider_id,
                                         Order.status.in_((OrderStatus.ACCEPTED, OrderStatus.SETTLED)))
                                  .order_by(Order.id.desc())))
    ids = [o.id for o in orders]
    paid: dict[tuple[int, str], int] = {}
    refunds: dict[int, int] = {}
    if ids:
        ok = (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED)
        for ref, purpose, amount in session.execute(
                select(Payment.reference_id, Payment.purpose, func.sum(Payment.amount))
                .where(Payment.purpose.in_((PURPOSE, SUBSIDY_PURPOSE)), Payment.reference_id.in_(ids),
                       Payment.status.in_(ok)).group_by(Payment.reference_id, Payment.purpose)):
            paid[(ref, purpose)] = amount or 0
        refunds = dict(session.execute(
            select(Payment.reference_id, func.sum(Refund.amount)).join(Refund, Refund.payment_id == Payment.id)
            .where(Payment.purpose.in_((PURPOSE, SUBSIDY_PURPOSE)), Payment.reference_id.in_(ids),
                   Refund.status == "succeeded").group_by(Payment.reference_id)).all())
    return [SettlementRow(order=o, paid=paid.get((o.id, PURPOSE), 0), subsidy=paid.get((o.id, SUBSIDY_PURPOSE), 0),
                          refunds=refunds.get(o.id, 0) or 0) for o in orders]


def count_enterprise_open(session: Session, user: User, now: datetime) -> int:
    return session.scalar(select(func.count(Order.id)).where(Order.enterprise_id.in_(enterprise_ids(user)),
                                                             Order.status.in_(OPEN_ORDER))) or 0


def count_provider_todo(session: Session, user: User, now: datetime) -> int:
    return session.scalar(select(func.count(Order.id)).where(Order.provider_id.in_(provider_ids(user)),
                                                             Order.status == OrderStatus.SUBMITTED)) or 0


def count_union_todo(session: Session, user: User, now: datetime) -> int:
    undirected = select(func.count(TrainingDemand.id)).where(
        TrainingDemand.status == DemandStatus.PUBLISHED, TrainingDemand.open_to_all.is_(False),
        ~exists().where(DemandInvitation.demand_id == TrainingDemand.id))
    objected = select(func.count(Order.id)).where(Order.status == OrderStatus.OBJECTED)
    return (session.scalar(undirected) or 0) + (session.scalar(objected) or 0)


def provider_orgs(session: Session) -> list[Organization]:
    from app.auth.models import OrgKind, OrgStatus

    return list(session.scalars(select(Organization).where(Organization.kind == OrgKind.PROVIDER,
                                                           Organization.status == OrgStatus.APPROVED)
                                .order_by(Organization.name)))


