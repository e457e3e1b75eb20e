"""Facts this domain publishes for others (``records`` reads them, never the tables)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from app.auth.models import Organization
from app.membership.models import MemberProfile, MembershipStatus
from courses.facts import month_start
from courses.models import Course, Enrollment, EnrollmentStatus, TrainingClass
from orders.models import Order, OrderEvent, OrderStatus, RosterEntry, RosterStatus


def order_training_of_member(session: Session, user_id: int, *, now: datetime) -> list[dict]:
    """The member's places on enterprise orders: by their account, or by their verified ID number (a
    person on a roster before they signed up; verifying the membership also attaches the place to
    the account at once, see ``roster.attach_verified_member``). An ID number typed into a link
    that is not verified yet finds nothing."""
    id_hash = (select(MemberProfile.id_number_hash).where(
        MemberProfile.user_id == user_id, MemberProfile.status == MembershipStatus.VERIFIED).scalar_subquery())
    who = or_(RosterEntry.user_id == user_id, RosterEntry.id_number_hash == id_hash)
    rows = session.execute(
        select(RosterEntry, Order).join(Order, Order.id == RosterEntry.order_id)
        .options(joinedload(Order.training_class).joinedload(TrainingClass.course))
        .where(who).order_by(Order.id.desc(), RosterEntry.id.desc())).unique().all()
    enrollments = {e.id: e for e in session.scalars(select(Enrollment).where(
        Enrollment.id.in_([entry.enrollment_id for entry, _ in rows if entry.enrollment_id])))} if rows else {}
    result = []
    for entry, order in rows:
        tc = order.training_class
        enrollment = enrollments.get(entry.enrollment_id)
        result.append({"order_id": order.id, "enterprise": order.enterprise.name,
                       "course": tc.course.title if tc else (order.course.title if order.course else ""),
                       "class": tc.title if tc else "", "status": str(order.status),
                       "roster_status": str(entry.status), "enrollment_id": entry.enrollment_id,
                       "enrollment_status": str(enrollment.status) if enrollment else None})
    return result


def stats_orders(session: Session, *, now: datetime) -> list[dict]:
    """For the union dashboard, per month (Asia/Shanghai), in total and per enterprise, provider,
    course (``kind``) and class city:

    - ``orders_trained``: employees on an order's roster (active place, order not cancelled) whose
      enrollment was completed that month;
    - ``subsidy``: the union's share (fen) granted to orders not cancelled, in the month the order
      was confirmed (when the grant is taken from the budget; a cancellation gives it back).

    Grouped statements only (one per metric and breakdown), never one row per order or person."""
    enterprise, provider = aliased(Organization), aliased(Organization)
    confirmed = (select(OrderEvent.order_id, func.min(OrderEvent.at).label("at"))
                 .where(OrderEvent.to_status == OrderStatus.CONFIRMED).group_by(OrderEvent.order_id).subquery())
    breakdowns = {"": None, "enterprise": enterprise.name, "provider": provider.name, "kind": Course.title,
                  "city": TrainingClass.city}
    out: list[dict] = []
    for dimension, key in breakdowns.items():
        # employees trained through orders
        month = month_start(session, Enrollment.completed_at).label("month")
        columns = [month] + ([key.label("key")] if key is not None else [])
        stmt = (select(*columns, func.count(RosterEntry.id)).select_from(RosterEntry)
                .join(Order, Order.id == RosterEntry.order_id)
                .join(Enrollment, Enrollment.id == RosterEntry.enrollment_id))
        stmt = _joins(stmt, dimension, enterprise, provider, class_of=Enrollment.class_id)
        stmt = stmt.where(RosterEntry.status == RosterStatus.ACTIVE, Order.status != OrderStatus.CANCELLED,
                          Enrollment.status == EnrollmentStatus.COMPLETED, Enrollment.completed_at <= now)
        out += _rows(session, stmt.group_by(*columns), dimension, key, "orders_trained")
        # the union's subsidy
        month = month_start(session, confirmed.c.at).label("month")
        columns = [month] + ([key.label("key")] if key is not None else [])
        stmt = (select(*columns, func.sum(Order.subsidy_amount)).select_from(Order)
                .join(confirmed, confirmed.c.order_id == Order.id))
        stmt = _joins(stmt, dimension, enterprise, provider, class_of=Order.class_id)
        stmt = stmt.where(Order.subsidy_amount > 0, Order.status != OrderStatus.CANCELLED, confirmed.c.at <= now)
        out += _rows(session, stmt.group_by(*columns), dimension, key, "subsidy")
    return out


def _joins(stmt, dimension: str, enterprise, provider, *, class_of):
    if dimension == "enterprise":
        stmt = stmt.join(enterprise, enterprise.id == Order.enterprise_id)
    elif dimension == "provider":
        stmt = stmt.join(provider, provider.id == Order.provider_id)
    elif dimension == "city":
        stmt = stmt.outerjoin(TrainingClass, TrainingClass.id == class_of)
    elif dimension == "kind":
        stmt = stmt.outerjoin(TrainingClass, TrainingClass.id == class_of).outerjoin(
            Course, Course.id == func.coalesce(TrainingClass.course_id, Order.course_id))
    return stmt


def _rows(session: Session, stmt, dimension: str, key, metric: str) -> list[dict]:
    out = []
    for row in session.execute(stmt):
        item = {"month": date.fromisoformat(row[0]), "dimension": dimension, "metric": metric,
                "value": max(int(row[-1] or 0), 0)}
        if key is not None:
            item[dimension] = row[1] or ""
        out.append(item)
    return out
