"""Learners rate a class they attended or completed: 1–5 stars and a comment, once each."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.errors import Conflict, Invalid, NotFound
from app.i18n import SHANGHAI
from courses.models import Attendance, Enrollment, EnrollmentStatus, TrainingClass
from instructors.models import Rating


def may_rate(session: Session, *, user_id: int, training_class: TrainingClass, now: datetime) -> bool:
    """Completed the class, or was present at least once in a class that has ended."""
    enrollment = session.scalar(select(Enrollment).where(
        Enrollment.class_id == training_class.id, Enrollment.user_id == user_id,
        Enrollment.status.in_([EnrollmentStatus.COMPLETED, EnrollmentStatus.CONFIRMED])))
    if enrollment is None:
        return False
    if enrollment.status == EnrollmentStatus.COMPLETED:
        return True
    ended = now.astimezone(SHANGHAI).date() > training_class.ends_on
    present = session.scalar(select(func.count()).select_from(Attendance).where(
        Attendance.enrollment_id == enrollment.id, Attendance.present.is_(True))) or 0
    return ended and present > 0


def rate_class(session: Session, *, actor: User, class_id: int, stars: int, comment: str = "",
               now: datetime) -> Rating:
    """Raises NotFound (not the actor's class), Conflict (``not_finished``, ``already_rated``), Invalid."""
    training_class = session.get(TrainingClass, class_id)
    if training_class is None:
        raise NotFound(_("No such class."))
    enrolled = session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.class_id == class_id, Enrollment.user_id == actor.id)) or 0
    if not enrolled:
        raise NotFound(_("No such class."))
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        raise Invalid(_("Give one to five stars."), field="stars")
    comment = str(comment or "").strip()
    if len(comment) > 1000:
        raise Invalid(_("At most %(n)d characters.", n=1000), field="comment")
    if not may_rate(session, user_id=actor.id, training_class=training_class, now=now):
        raise Conflict(_("You can rate a class once you have completed it or it has ended."),
                       code="not_finished")
    if session.scalar(select(Rating.id).where(Rating.class_id == class_id, Rating.user_id == actor.id)):
        raise Conflict(_("You have already rated this class."), code="already_rated")
    rating = Rating(class_id=class_id, course_id=training_class.course_id, user_id=actor.id,
                    instructor_user_id=training_class.instructor_id, stars=stars, comment=comment, created_at=now)
    session.add(rating)
    session.flush()
    return rating
