"""Reads of enrollment: a worker's places, a class's roster with payments."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.auth.models import User
from app.db import paginate
from app.errors import NotFound
from app.payments.models import Payment, Refund
from courses.models import ACTIVE, Enrollment, TrainingClass
from courses.permissions import can_manage_course, owns_enrollment
from courses.services.enrollment import PURPOSE


def get_own_enrollment(session: Session, *, actor: User, enrollment_id: int) -> Enrollment:
    """One of the actor's enrollments; NotFound for anyone else's (pages and API alike)."""
    enrollment = session.get(Enrollment, enrollment_id)
    if enrollment is None or not owns_enrollment(actor, enrollment):
        raise NotFound(_("No such enrollment."))
    return enrollment


def get_managed_class(session: Session, *, actor: User, class_id: int) -> TrainingClass:
    """A class of a course the actor's provider runs; NotFound otherwise."""
    training_class = session.get(TrainingClass, class_id)
    if training_class is None or not can_manage_course(actor, training_class.course):
        raise NotFound(_("No such class."))
    return training_class


def get_active_enrollment(session: Session, *, user_id: int, class_id: int) -> Enrollment | None:
    """The worker's active (held, confirmed, completed or waitlisted) enrollment in a class."""
    return session.scalar(select(Enrollment).where(Enrollment.user_id == user_id, Enrollment.class_id == class_id,
                                                   Enrollment.status.in_([str(s) for s in ACTIVE])))


def list_my_enrollments(session: Session, *, user_id: int, page: int, per_page: int) -> tuple[list[Enrollment], int]:
    """A worker's enrollments, newest first, with class and course loaded (one query per page)."""
    return paginate(session, select(Enrollment).where(Enrollment.user_id == user_id)
                    .options(joinedload(Enrollment.training_class).joinedload(TrainingClass.course))
                    .order_by(Enrollment.created_at.desc(), Enrollment.id.desc()), page=page, per_page=per_page)


def payments_by_enrollment(session: Session, enrollment_ids: list[int]) -> dict[int, Payment]:
    """The latest payment of each enrollment, refunds loaded, in one query."""
    if not enrollment_ids:
        return {}
    found: dict[int, Payment] = {}
    for payment in session.scalars(select(Payment).where(Payment.purpose == PURPOSE,
                                                         Payment.reference_id.in_(enrollment_ids))
                                   .options(selectinload(Payment.refunds)).order_by(Payment.id)):
        found[payment.reference_id] = payment
    return found


def count_class_roster(session: Session, class_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Enrollment).where(Enrollment.class_id == class_id)) or 0


def list_class_roster(session: Session, class_id: int, *, page: int = 1,
                      per_page: int | None = None) -> list[tuple[Enrollment, Payment | None]]:
    """Everyone who enrolled in a class, in order, with their payment (fixed number of queries)."""
    query = (select(Enrollment).where(Enrollment.class_id == class_id).options(joinedload(Enrollment.user))
             .order_by(Enrollment.created_at, Enrollment.id))
    if per_page:
        query = query.limit(per_page).offset((page - 1) * per_page)
    enrollments = list(session.scalars(query))
    payments = payments_by_enrollment(session, [e.id for e in enrollments])
    return [(e, payments.get(e.id)) for e in enrollments]


def pending_refunds(payment: Payment | None) -> list[Refund]:
    return [r for r in (payment.refunds if payment else []) if r.status == "pending"]
