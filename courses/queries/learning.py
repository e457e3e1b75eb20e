"""Reads of the learning area: lessons, progress, class days, rosters, "My training".

Every list here runs a fixed number of statements whatever the number of rows (the
aggregates are grouped queries keyed by id, never one query per row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.access import Role
from app.auth.models import User
from app.i18n import SHANGHAI
from courses.models import (
    Attendance,
    ClassDay,
    ClassMode,
    Course,
    Enrollment,
    EnrollmentStatus,
    Lesson,
    LessonProgress,
    TrainingClass,
)

# Enrollments that learn and are counted on the roster.
LEARNING = (EnrollmentStatus.CONFIRMED, EnrollmentStatus.COMPLETED)


def local_day(moment: datetime) -> date:
    """The calendar day of ``moment`` in Asia/Shanghai (a class "day")."""
    return moment.astimezone(SHANGHAI).date()


def meets_in_person(training_class: TrainingClass) -> bool:
    return training_class.mode in (ClassMode.OFFLINE, ClassMode.BLENDED)


def class_day_count(training_class: TrainingClass) -> int:
    """Number of class days (one per calendar day) of an offline or blended class; 0 online."""
    if not meets_in_person(training_class):
        return 0
    return max((training_class.ends_on - training_class.starts_on).days + 1, 0)


def get_learning_enrollment(session: Session, class_id: int, user_id: int) -> Enrollment | None:
    """The user's confirmed or completed enrollment in the class, if any."""
    return session.scalar(select(Enrollment).where(
        Enrollment.class_id == class_id, Enrollment.user_id == user_id, Enrollment.status.in_(LEARNING)))


def list_lessons(session: Session, class_id: int) -> list[Lesson]:
    return list(session.scalars(select(Lesson).where(Lesson.class_id == class_id)
                                .order_by(Lesson.position, Lesson.id)))


def done_lesson_ids(session: Session, enrollment_id: int) -> set[int]:
    return set(session.scalars(select(LessonProgress.lesson_id)
                               .where(LessonProgress.enrollment_id == enrollment_id)))


def count_lessons(session: Session, class_id: int) -> int:
    return session.scalar(select(func.count(Lesson.id)).where(Lesson.class_id == class_id)) or 0


def count_done(session: Session, enrollment_id: int) -> int:
    return session.scalar(select(func.count(LessonProgress.id))
                          .where(LessonProgress.enrollment_id == enrollment_id)) or 0


def count_present(session: Session, enrollment_id: int) -> int:
    return session.scalar(select(func.count(Attendance.id)).where(
        Attendance.enrollment_id == enrollment_id, Attendance.present.is_(True))) or 0


def list_class_days(session: Session, class_id: int) -> list[ClassDay]:
    return list(session.scalars(select(ClassDay).where(ClassDay.class_id == class_id).order_by(ClassDay.day)))


# --- roster -------------------------------------------------------------------------------

@dataclass
class RosterRow:
    enrollment: Enrollment
    present: bool | None          # None: not marked yet
    method: str | None
    lessons_done: int
    days_present: int


def roster(session: Session, training_class: TrainingClass, class_day: ClassDay | None) -> list[RosterRow]:
    """Confirmed and completed enrollments of a class with the day's marks and their progress."""
    enrollments = list(session.scalars(
        select(Enrollment).options(joinedload(Enrollment.user))
        .where(Enrollment.class_id == training_class.id, Enrollment.status.in_(LEARNING))
        .join(User, User.id == Enrollment.user_id).order_by(User.name, Enrollment.id)))
    ids = [e.id for e in enrollments]
    marks: dict[int, Attendance] = {}
    if class_day is not None and ids:
        marks = {a.enrollment_id: a for a in session.scalars(select(Attendance).where(
            Attendance.class_day_id == class_day.id, Attendance.enrollment_id.in_(ids)))}
    done = _done_by_enrollment(session, ids)
    present = _present_by_enrollment(session, ids)
    return [RosterRow(enrollment=e, present=marks[e.id].present if e.id in marks else None,
                      method=marks[e.id].method if e.id in marks else None,
                      lessons_done=done.get(e.id, 0), days_present=present.get(e.id, (0, None))[0])
            for e in enrollments]


def _done_by_enrollment(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return dict(session.execute(select(LessonProgress.enrollment_id, func.count(LessonProgress.id))
                                .where(LessonProgress.enrollment_id.in_(ids))
                                .group_by(LessonProgress.enrollment_id)).all())


def _present_by_enrollment(session: Session, ids: list[int]) -> dict[int, tuple[int, date]]:
    """Per enrollment: the number of days present and the last of them."""
    if not ids:
        return {}
    rows = session.execute(select(Attendance.enrollment_id, func.count(Attendance.id), func.max(ClassDay.day))
                           .join(ClassDay, ClassDay.id == Attendance.class_day_id)
                           .where(Attendance.enrollment_id.in_(ids), Attendance.present.is_(True))
                           .group_by(Attendance.enrollment_id))
    return {enrollment_id: (count, last_day) for enrollment_id, count, last_day in rows}


def _lessons_by_class(session: Session, class_ids: list[int]) -> dict[int, int]:
    if not class_ids:
        return {}
    return dict(session.execute(select(Lesson.class_id, func.count(Lesson.id))
                                .where(Lesson.class_id.in_(class_ids)).group_by(Lesson.class_id)).all())


def _with_course(course_load):
    """Load the course with its provider in the same statement; its tag lists only if used."""
    return (course_load.joinedload(Course.provider), course_load.lazyload(Course.industries),
            course_load.lazyload(Course.instructors))


# --- "My training" ------------------------------------------------------------------------

@dataclass
class TrainingRow:
    enrollment: Enrollment
    lessons_total: int
    lessons_done: int
    days_total: int
    days_present: int
    meets_today: bool
    next_step: str   # pay | start | continue | checkin | wait | completed | none

    @property
    def training_class(self) -> TrainingClass:
        return self.enrollment.training_class

    @property
    def percent(self) -> int:
        return round(100 * self.lessons_done / self.lessons_total) if self.lessons_total else 0


def _next_step(enrollment: Enrollment, lessons_total: int, lessons_done: int, meets_today: bool, today: date) -> str:
    status = enrollment.status
    if status == EnrollmentStatus.PENDING_PAYMENT:
        return "pay"
    if status == EnrollmentStatus.COMPLETED:
        return "completed"
    if status != EnrollmentStatus.CONFIRMED:
        return "none"
    if meets_today:  # (and not yet marked present today)
        return "checkin"
    if lessons_done < lessons_total:
        return "continue" if lessons_done else "start"
    return "wait"


def list_my_training(session: Session, user_id: int, *, now: datetime) -> list[TrainingRow]:
    """The worker's enrollments (newest first) with progress and the next step, in 4 statements."""
    enrollments = list(session.scalars(
        select(Enrollment)
        .options(*_with_course(joinedload(Enrollment.training_class).joinedload(TrainingClass.course)))
        .where(Enrollment.user_id == user_id)
        .order_by(Enrollment.created_at.desc(), Enrollment.id.desc())))
    ids = [e.id for e in enrollments]
    lessons = _lessons_by_class(session, sorted({e.class_id for e in enrollments}))
    done = _done_by_enrollment(session, ids)
    present = _present_by_enrollment(session, ids)
    today = local_day(now)
    rows = []
    for e in enrollments:
        tc = e.training_class
        meets_today = meets_in_person(tc) and tc.starts_on <= today <= tc.ends_on
        total, n_done = lessons.get(e.class_id, 0), done.get(e.id, 0)
        days_present, last_present = present.get(e.id, (0, None))
        # Already checked in (or marked present) today: no need to ask for the check-in again.
        needs_checkin = meets_today and last_present != today
        rows.append(TrainingRow(enrollment=e, lessons_total=total, lessons_done=n_done,
                                days_total=class_day_count(tc), days_present=days_present,
                                meets_today=meets_today,
                                next_step=_next_step(e, total, n_done, needs_checkin, today)))
    return rows


# --- instructor's classes -----------------------------------------------------------------

@dataclass
class TeachingRow:
    training_class: TrainingClass
    learners: int
    lessons: int


def teaching_classes_stmt(user: User) -> Select:
    """Classes the user teaches or whose provider the user administers, latest start first."""
    provider_ids = user.org_ids(Role.PROVIDER_ADMIN)
    conditions = [TrainingClass.instructor_id == user.id]
    if provider_ids:
        conditions.append(Course.provider_id.in_(provider_ids))
    return (select(TrainingClass).join(Course, Course.id == TrainingClass.course_id)
            .options(*_with_course(joinedload(TrainingClass.course)))
            .where(or_(*conditions)).order_by(TrainingClass.starts_on.desc(), TrainingClass.id.desc()))


def list_teaching_classes(session: Session, user: User) -> list[TeachingRow]:
    """The user's classes with their number of learners and lessons (3 statements)."""
    classes = list(session.scalars(teaching_classes_stmt(user)).unique())
    ids = [c.id for c in classes]
    learners: dict[int, int] = {}
    if ids:
        learners = dict(session.execute(select(Enrollment.class_id, func.count(Enrollment.id))
                                        .where(Enrollment.class_id.in_(ids), Enrollment.status.in_(LEARNING))
                                        .group_by(Enrollment.class_id)).all())
    lessons = _lessons_by_class(session, ids)
    return [TeachingRow(training_class=c, learners=learners.get(c.id, 0), lessons=lessons.get(c.id, 0))
            for c in classes]
