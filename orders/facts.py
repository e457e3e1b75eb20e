"""Facts this domain publishes for others (``records`` reads them, never the tables)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from app.membership.models import MemberProfile
from courses.models import Enrollment, TrainingClass
from orders.models import Order, RosterEntry


def order_training_of_member(session: Session, user_id: int, *, now: datetime) -> list[dict]:
    """The member's places on enterprise orders: by their account, or by their ID number (a person
    invited before they signed up is found as soon as they link their membership)."""
    id_hash = session.scalar(select(MemberProfile.id_number_hash).where(MemberProfile.user_id == user_id))
    who = RosterEntry.user_id == user_id
    if id_hash:
        who = or_(who, RosterEntry.id_number_hash == id_hash)
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
                       "roster_status": str(entry.status),
                       "enrollment_status": str(enrollment.status) if enrollment else None})
    return result
