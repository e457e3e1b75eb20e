"""Factories of the catalog domain: courses, classes, enrollments, members."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.access import Role
from app.auth.models import OrgKind
from app.membership.models import MemberProfile, MembershipStatus
from courses.models import (
    ClassMode,
    Course,
    CourseStatus,
    Enrollment,
    EnrollmentStatus,
    Industry,
    TrainingClass,
)
from courses.services.learning import ensure_class_days

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)   # 10:00 in Asia/Shanghai
_n = itertools.count(1)


@pytest.fixture
def now(app) -> datetime:
    """The test's fixed moment; pages and API calls made by the test see the same clock."""
    app.config["CLOCK"] = lambda: NOW
    yield NOW
    app.config.pop("CLOCK", None)


@pytest.fixture
def industry(db):
    """``industry("electric")`` — the industry with that code, created on first use."""

    def get(code: str = "services", name_zh: str = "现代服务业", name_en: str = "Modern services") -> Industry:
        found = db.scalar(select(Industry).where(Industry.code == code))
        if found is None:
            found = Industry(code=code, name_zh=name_zh, name_en=name_en)
            db.add(found)
            db.flush()
        return found

    return get


@pytest.fixture
def provider(make_org):
    return make_org(OrgKind.PROVIDER, name="海南省电力学校")


@pytest.fixture
def make_course(db, provider):
    """An approved, published course by default; ``status=CourseStatus.DRAFT`` for a draft."""

    def make(*, title: str | None = None, status: CourseStatus = CourseStatus.APPROVED, published: bool = True,
             provider_org=None, industries=(), **values) -> Course:
        course = Course(provider_id=(provider_org or provider).id, title=title or f"课程{next(_n)}",
                        status=status, is_published=published and status == CourseStatus.APPROVED, **values)
        course.industries = list(industries)
        db.add(course)
        db.flush()
        return course

    return make


@pytest.fixture
def make_class(db, make_course):
    """A scheduled class open for enrollment at NOW; starts in 14 days unless told."""

    def make(*, course: Course | None = None, capacity: int = 30, price: int = 0, mode: ClassMode = ClassMode.OFFLINE,
             starts_on: date | None = None, days: int = 3, **values) -> TrainingClass:
        starts_on = starts_on or (NOW + timedelta(days=14)).date()
        values.setdefault("city", "海口")
        values.setdefault("venue", "海南省电力学校实训楼")
        training_class = TrainingClass(
            course_id=(course or make_course()).id, title=values.pop("title", f"第{next(_n)}期"), mode=mode,
            starts_on=starts_on, ends_on=starts_on + timedelta(days=days - 1),
            enroll_opens_at=values.pop("enroll_opens_at", NOW - timedelta(days=7)),
            enroll_closes_at=values.pop("enroll_closes_at", NOW + timedelta(days=13)),
            capacity=capacity, price=price, **values)
        db.add(training_class)
        db.flush()
        ensure_class_days(db, training_class)   # as scheduling a class does
        return training_class

    return make


@pytest.fixture
def make_member(db, make_user, app):
    """A worker with a membership link (verified unless told)."""
    from app.security import vault

    def make(*, status: MembershipStatus = MembershipStatus.VERIFIED, **user_kwargs):
        user = make_user(Role.WORKER, **user_kwargs)
        id_number = "460100199003071237"
        db.add(MemberProfile(user_id=user.id, member_no=f"M{user.id:06d}", union_name="测试工会",
                             employer_name="测试企业", real_name=user.name,
                             id_number_cipher=vault().encrypt(id_number),
                             id_number_hash=vault().lookup_hash(id_number), id_last4=id_number[-4:],
                             status=status))
        db.flush()
        return user

    return make


@pytest.fixture
def make_enrollment(db):
    """A confirmed enrollment inserted directly (takes a seat), for tests of what comes after."""

    def make(training_class: TrainingClass, user, *, status: EnrollmentStatus = EnrollmentStatus.CONFIRMED,
             amount_due: int = 0) -> Enrollment:
        enrollment = Enrollment(class_id=training_class.id, user_id=user.id, status=status, amount_due=amount_due,
                                confirmed_at=NOW if status == EnrollmentStatus.CONFIRMED else None)
        db.add(enrollment)
        if status in (EnrollmentStatus.CONFIRMED, EnrollmentStatus.PENDING_PAYMENT, EnrollmentStatus.COMPLETED):
            db.execute(update(TrainingClass).where(TrainingClass.id == training_class.id)
                       .values(seats_taken=TrainingClass.seats_taken + 1))
        db.flush()
        db.refresh(training_class)
        return enrollment

    return make


@pytest.fixture
def make_lesson(db):
    """``make_lesson(training_class)`` — a text lesson at the end of the class (learning area)."""
    from courses.models import Lesson, LessonKind

    def make(training_class: TrainingClass, *, title: str | None = None, kind: LessonKind = LessonKind.TEXT,
             **values) -> Lesson:
        values.setdefault("body_html", "<p>内容</p>")
        lesson = Lesson(class_id=training_class.id, title=title or f"第{next(_n)}课", kind=kind,
                        position=values.pop("position", next(_n)), **values)
        db.add(lesson)
        db.flush()
        return lesson

    return make
