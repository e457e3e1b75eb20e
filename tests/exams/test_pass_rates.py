"""Pass rates in an instructor's teaching record: exams publishes ``pass_rates_of_classes``, the pool reads it
through the domain registry (never importing exams) for the teaching record page, the public profile and the API."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from app.access import Role
from courses.models import EnrollmentStatus
from exams.facts import pass_rates_of_classes
from exams.models import BookingStatus, CertificateTypeCourse, ComponentResult, ExamBooking
from instructors.models import InstructorProfile
from instructors.queries import pool as queries
from tests.conftest import count_queries
from tests.courses.conftest import make_enrollment, make_member  # noqa: F401 - fixtures
from tests.exams.conftest import NOW


def _result(db, exam_session, user, *, passed: bool, absent: bool = False, released: bool = True):
    booking = ExamBooking(exam_session_id=exam_session.id, user_id=user.id, status=BookingStatus.CHECKED_IN,
                          starts_at=exam_session.starts_at, ends_at=exam_session.ends_at,
                          ticket_token=secrets.token_hex(8))
    db.add(booking)
    db.flush()
    db.add(ComponentResult(booking_id=booking.id, user_id=user.id, certificate_type_id=exam_session.certificate_type_id,
                           component_id=exam_session.component_id, exam_session_id=exam_session.id,
                           score=None if absent else (90 if passed else 40), passed=passed, absent=absent,
                           sat_at=exam_session.starts_at,
                           released_at=exam_session.ends_at if released else None,
                           valid_until=exam_session.starts_at + timedelta(days=30) if passed else None))
    db.flush()


@pytest.fixture
def taught(db, make_user, make_class, make_course, make_member, make_enrollment, make_session, special_ops):  # noqa: F811
    """A finished class of a course preparing for 低压电工作业, taught by a pool instructor, with five learners:
    both parts passed, theory only, failed practical, absent, never sat; plus a cancelled enrollment who passed."""
    teacher = make_user(Role.INSTRUCTOR, name="王立新")
    db.add(InstructorProfile(user_id=teacher.id, city="海口", titles=["高级技师"], years_experience=20))
    course = make_course()
    db.add(CertificateTypeCourse(certificate_type_id=special_ops.id, course_id=course.id))
    finished = make_class(course=course, starts_on=(NOW - timedelta(days=60)).date(), days=5,
                          instructor_id=teacher.id, enroll_opens_at=NOW - timedelta(days=90),
                          enroll_closes_at=NOW - timedelta(days=61))
    theory = make_session(starts_in=timedelta(days=-40), booking_opens_at=NOW - timedelta(days=50))
    practical = make_session(component="practical", starts_in=timedelta(days=-39),
                             booking_opens_at=NOW - timedelta(days=50))
    both, only_theory, failed, absent, never, cancelled = (make_member() for _ in range(6))
    for user in (both, only_theory, failed, absent, never):
        make_enrollment(finished, user, status=EnrollmentStatus.COMPLETED)
    make_enrollment(finished, cancelled, status=EnrollmentStatus.CANCELLED)
    for user in (both, only_theory, failed, cancelled):
        _result(db, theory, user, passed=True)
    _result(db, practical, both, passed=True)
    _result(db, practical, cancelled, passed=True)
    _result(db, practical, failed, passed=False)
    _result(db, theory, absent, passed=False, absent=True)
    other = make_class(course=course, starts_on=(NOW - timedelta(days=30)).date(), days=2, instructor_id=teacher.id,
                       enroll_opens_at=NOW - timedelta(days=90), enroll_closes_at=NOW - timedelta(days=31))
    return teacher, finished, other, practical


def test_the_fact_counts_learners_who_sat_and_passed_every_part(db, taught):
    teacher, finished, other, practical = taught
    after = practical.ends_at + timedelta(hours=1)
    with count_queries(db) as statements:
        rates = pass_rates_of_classes(db, [finished.id, other.id], now=after)
    assert len(statements) == 1
    # sat: both, theory only, failed practical (absent and never-sat do not count; the cancelled one is no learner)
    assert rates == {finished.id: {"sat": 3, "passed": 1}, other.id: {"sat": 0, "passed": 0}}
    # before the practical results were released only the theory ones count: nobody passed every part yet
    before = practical.starts_at - timedelta(days=0, hours=1)
    assert pass_rates_of_classes(db, [finished.id], now=before) == {finished.id: {"sat": 3, "passed": 0}}
    assert pass_rates_of_classes(db, [], now=after) == {}


def test_a_class_of_a_course_that_prepares_for_no_exam_has_no_rate(db, make_class, make_member, make_enrollment,  # noqa: F811
                                                                     taught):
    plain = make_class(starts_on=(NOW - timedelta(days=20)).date())
    make_enrollment(plain, make_member(), status=EnrollmentStatus.COMPLETED)
    assert pass_rates_of_classes(db, [plain.id], now=NOW) == {plain.id: {"sat": 0, "passed": 0}}


def test_teaching_record_and_fact_carry_the_pass_rate(app, db, taught):
    teacher, finished, other, practical = taught
    record = queries.teaching_record(db, teacher.id, now=NOW)
    assert (record["classes"], record["learners"], record["sat"], record["passed"], record["pass_rate"]) == (
        2, 5, 3, 1, 33)
    [teaching] = app.extensions["domains"].fact("teaching")
    rows = {row["class_id"]: row for row in teaching(db, teacher.id, now=NOW)}
    assert (rows[finished.id]["sat"], rows[finished.id]["passed"], rows[finished.id]["pass_rate"]) == (3, 1, 33)
    assert rows[other.id]["pass_rate"] is None


def test_no_publisher_means_no_rate(app, db, taught, monkeypatch):
    """The pool still works without the exams domain installed: nobody sat, no rate."""
    teacher = taught[0]
    monkeypatch.setattr(app.extensions["domains"], "fact", lambda name: [])
    record = queries.teaching_record(db, teacher.id, now=NOW)
    assert (record["sat"], record["passed"], record["pass_rate"]) == (0, 0, None)


def test_profile_page_and_api_show_the_pass_rate(app, db, taught):
    teacher = taught[0]
    client = app.test_client()
    client.set_cookie("lang", "en")
    page = client.get(f"/instructors/{teacher.id}").get_data(as_text=True)
    assert "passed the exam" in page and "33%" in page
    assert "Of 3 learners who sat the exams their courses prepare for, 1 passed every part." in page
    client.set_cookie("lang", "zh_Hans")
    zh = client.get(f"/instructors/{teacher.id}").get_data(as_text=True)
    assert "鉴定通过率" in zh
    body = client.get(f"/api/v1/instructors/{teacher.id}").get_json()
    assert {k: body["record"][k] for k in ("sat", "passed", "pass_rate")} == {"sat": 3, "passed": 1, "pass_rate": 33}
