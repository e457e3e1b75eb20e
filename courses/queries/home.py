"""Counts for the catalog domain's home-page cards (``courses.DOMAIN.home_cards``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import User
from courses.models import (
    ClassStatus,
    Course,
    CourseStatus,
    Enrollment,
    EnrollmentStatus,
    TrainingClass,
)
from courses.queries.learning import local_day


def count_my_active_enrollments(session: Session, user: User, now: datetime) -> int:
    """Places the worker holds or waits for in classes that have not ended."""
    return session.scalar(
        select(func.count()).select_from(Enrollment).join(TrainingClass)
        .where(Enrollment.user_id == user.id,
               Enrollment.status.in_([EnrollmentStatus.PENDING_PAYMENT, EnrollmentStatus.CONFIRMED,
                                      EnrollmentStatus.WAITLISTED]),
               TrainingClass.ends_on >= local_day(now))) or 0


def count_courses_to_review(session: Session, user: User, now: datetime) -> int:
    """Courses submitted for the union's review."""
    return session.scalar(select(func.count()).select_from(Course)
                          .where(Course.status == CourseStatus.SUBMITTED)) or 0


def count_provider_drafts(session: Session, user: User, now: datetime) -> int:
    """The provider's courses not yet approved (drafts, under review, sent back)."""
    org_ids = user.org_ids(Role.PROVIDER_ADMIN)
    if not org_ids:
        return 0
    return session.scalar(select(func.count()).select_from(Course)
                          .where(Course.provider_id.in_(org_ids), Course.status != CourseStatus.APPROVED)) or 0


def count_classes_to_teach(session: Session, user: User, now: datetime) -> int:
    """Scheduled classes the instructor teaches that have not ended."""
    return session.scalar(select(func.count()).select_from(TrainingClass)
                          .where(TrainingClass.instructor_id == user.id,
                                 TrainingClass.status == ClassStatus.SCHEDULED,
                                 TrainingClass.ends_on >= local_day(now))) or 0
