"""A double click on "mark as done" from two real transactions (PostgreSQL: real locks).

The first request has inserted its progress row but not committed; the second passes the
existence check, blocks on the unique index, and must end quietly once the first commits:
one progress row, one completion, one message.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import sessionmaker

from app.auth.models import Organization, OrgKind, OrgStatus, OutboxMessage, User
from courses.models import (
    ClassMode,
    Course,
    CourseStatus,
    Enrollment,
    EnrollmentStatus,
    Lesson,
    LessonKind,
    LessonProgress,
    TrainingClass,
)
from courses.services import learning as svc
from tests.conftest import requires_postgres

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def _wait_for_lock_waiter(engine, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(text("SELECT count(*) FROM pg_stat_activity "
                                        "WHERE wait_event_type = 'Lock' AND datname = current_database()")).scalar()
            conn.rollback()
            if waiting:
                return True
            time.sleep(0.01)
    return False


def test_concurrent_double_click_records_once_and_completes_once(app, db_url):
    requires_postgres(db_url)
    engine = app.extensions["db_engine"]
    make_session = sessionmaker(bind=engine, expire_on_commit=False)
    stamp = time.monotonic_ns()
    with make_session() as setup:
        org = Organization(kind=OrgKind.PROVIDER, name=f"并发机构{stamp}", status=OrgStatus.APPROVED)
        worker = User(name="并发学员", email=f"race{stamp}@example.com", password_hash="x")
        setup.add_all([org, worker])
        setup.flush()
        course = Course(provider_id=org.id, title="并发课程", status=CourseStatus.APPROVED, is_published=True)
        setup.add(course)
        setup.flush()
        training_class = TrainingClass(course_id=course.id, title="并发班", mode=ClassMode.ONLINE,
                                       starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 3),
                                       enroll_opens_at=NOW - timedelta(days=1), enroll_closes_at=NOW,
                                       capacity=5, seats_taken=1)
        setup.add(training_class)
        setup.flush()
        lesson = Lesson(class_id=training_class.id, title="唯一一课", kind=LessonKind.TEXT, body_html="<p>x</p>")
        enrollment = Enrollment(class_id=training_class.id, user_id=worker.id, status=EnrollmentStatus.CONFIRMED)
        setup.add_all([lesson, enrollment])
        setup.commit()
        ids = {"org": org.id, "user": worker.id, "course": course.id, "class": training_class.id,
               "lesson": lesson.id, "enrollment": enrollment.id}

    inserted, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    results: dict[str, svc.Progress] = {}

    def click(name: str, first: bool):
        try:
            with app.test_request_context(), make_session() as session:
                actor = session.get(User, ids["user"])
                results[name] = svc.mark_lesson_done(session, actor=actor, lesson_id=ids["lesson"], now=NOW)
                if first:
                    inserted.set()
                    release.wait(10)
                session.commit()
        except BaseException as exc:  # surfaced below
            errors.append(exc)
            inserted.set()

    first = threading.Thread(target=click, args=("first", True))
    second = threading.Thread(target=click, args=("second", False))
    try:
        first.start()
        assert inserted.wait(10)
        second.start()
        assert _wait_for_lock_waiter(engine), "the second click should wait on the first's row"
        release.set()
        first.join(10)
        second.join(10)
        assert not errors, errors
        assert results["first"].completed_now and not results["second"].completed_now
        assert results["second"].lessons_done == 1
        with make_session() as check:
            assert check.scalar(select(func.count()).select_from(LessonProgress)
                                .where(LessonProgress.enrollment_id == ids["enrollment"])) == 1
            assert check.scalar(select(Enrollment.status).where(Enrollment.id == ids["enrollment"])) == "completed"
            assert check.scalar(select(func.count()).select_from(OutboxMessage)
                                .where(OutboxMessage.recipient == f"race{stamp}@example.com")) == 1
    finally:
        release.set()
        with make_session() as cleanup:
            cleanup.execute(delete(OutboxMessage).where(OutboxMessage.recipient == f"race{stamp}@example.com"))
            cleanup.execute(delete(LessonProgress).where(LessonProgress.enrollment_id == ids["enrollment"]))
            cleanup.execute(delete(Enrollment).where(Enrollment.id == ids["enrollment"]))
            cleanup.execute(delete(Lesson).where(Lesson.id == ids["lesson"]))
            cleanup.execute(delete(TrainingClass).where(TrainingClass.id == ids["class"]))
            cleanup.execute(delete(Course).where(Course.id == ids["course"]))
            cleanup.execute(text("DELETE FROM role_grants WHERE user_id = :u"), {"u": ids["user"]})
            cleanup.execute(delete(User).where(User.id == ids["user"]))
            cleanup.execute(delete(Organization).where(Organization.id == ids["org"]))
            cleanup.commit()
