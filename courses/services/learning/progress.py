"""Learning progress and the completion rule (see the package docstring)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.models import User
from app.errors import Forbidden, NotFound
from app.notify import queue_message, speaking_to
from courses.models import (
    Enrollment,
    EnrollmentStatus,
    Lesson,
    LessonProgress,
    TrainingClass,
)
from courses.queries.learning import (
    class_day_count,
    count_done,
    count_lessons,
    count_present,
    get_learning_enrollment,
    meets_in_person,
)

# --- progress and completion --------------------------------------------------------------

@dataclass
class Progress:
    enrollment: Enrollment
    lessons_done: int
    lessons_total: int
    days_present: int
    days_total: int
    completed_now: bool = False

    @property
    def percent(self) -> int:
        return round(100 * self.lessons_done / self.lessons_total) if self.lessons_total else 0


def progress_of(session: Session, enrollment: Enrollment) -> Progress:
    training_class = enrollment.training_class
    return Progress(enrollment=enrollment, lessons_done=count_done(session, enrollment.id),
                    lessons_total=count_lessons(session, training_class.id),
                    days_present=count_present(session, enrollment.id),
                    days_total=class_day_count(training_class))


def required_days(training_class: TrainingClass) -> int:
    """Days of presence the class's rule asks for (rounded up)."""
    return math.ceil(class_day_count(training_class) * training_class.attendance_required_pct / 100)


def evaluate_completion(session: Session, *, enrollment: Enrollment, now: datetime) -> Progress:
    """Complete a confirmed enrollment whose class rule is met and tell the worker (see module doc)."""
    progress = progress_of(session, enrollment)
    if enrollment.status != EnrollmentStatus.CONFIRMED:
        return progress
    training_class = enrollment.training_class
    lessons_ok = progress.lessons_done >= progress.lessons_total
    if meets_in_person(training_class):
        met = lessons_ok and progress.days_present >= required_days(training_class)
    else:
        met = lessons_ok and progress.lessons_total > 0
    if met:
        session.flush()
        # Two requests may both see the rule met (a double click, a scan while the roster is
        # saved); the conditional UPDATE lets exactly one of them complete and notify.
        result = session.execute(
            update(Enrollment).where(Enrollment.id == enrollment.id,
                                     Enrollment.status == EnrollmentStatus.CONFIRMED)
            .values(status=EnrollmentStatus.COMPLETED, completed_at=now)
            .execution_options(synchronize_session=False))
        session.refresh(enrollment, ["status", "completed_at"])
        if result.rowcount != 1:
            return progress
        progress.completed_now = True
        user = session.get(User, enrollment.user_id)
        if user is not None and user.contact:
            with speaking_to(user):
                queue_message(session, recipient=user.contact,
                              subject=_("You have completed %(title)s", title=training_class.course.title),
                              body=_("Congratulations! You have completed the class %(cls)s of %(title)s.",
                                     cls=training_class.title, title=training_class.course.title))
    return progress


def mark_lesson_done(session: Session, *, actor: User, lesson_id: int, now: datetime) -> Progress:
    """Record that the actor finished a lesson (idempotent) and check completion.

    Raises NotFound, Forbidden ``not_enrolled``.
    """
    lesson = session.get(Lesson, lesson_id)
    if lesson is None:
        raise NotFound(_("No such lesson."))
    enrollment = get_learning_enrollment(session, lesson.class_id, actor.id)
    if enrollment is None:
        raise Forbidden(_("Lessons open once your enrollment in this class is confirmed."), code="not_enrolled")
    exists = session.scalar(select(LessonProgress.id).where(
        LessonProgress.enrollment_id == enrollment.id, LessonProgress.lesson_id == lesson.id))
    if exists is None:
        try:
            # A double click may race us to the same row: the unique constraint decides, and
            # the loser's savepoint is rolled back so it just reads the winner's record.
            with session.begin_nested():
                session.add(LessonProgress(enrollment_id=enrollment.id, lesson_id=lesson.id, completed_at=now))
        except IntegrityError:
            pass
    return evaluate_completion(session, enrollment=enrollment, now=now)
