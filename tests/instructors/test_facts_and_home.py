"""The published facts and the home page cards of the pool."""

from __future__ import annotations

from datetime import timedelta

from app.access import Role
from courses.models import EnrollmentStatus
from instructors import services
from tests.conftest import sign_in
from tests.instructors.conftest import NOW


def test_teaching_and_stats_facts(app, db, make_user, make_examiner, make_member, make_class, make_enrollment):
    teacher = make_examiner()
    finished = make_class(starts_on=(NOW - timedelta(days=10)).date(), days=2, instructor_id=teacher.id,
                          enroll_opens_at=NOW - timedelta(days=30), enroll_closes_at=NOW - timedelta(days=11))
    learner = make_member()
    make_enrollment(finished, learner, status=EnrollmentStatus.COMPLETED)
    services.rate_class(db, actor=learner, class_id=finished.id, stars=4, now=NOW)
    registry = app.extensions["domains"]
    [teaching] = registry.fact("teaching")
    [row] = teaching(db, teacher.id, now=NOW)
    assert (row["class_id"], row["learners"], row["completed"], row["rating"], row["finished"]) == (
        finished.id, 1, 1, 4.0, True)
    [stats] = registry.fact("stats_instructors")
    numbers = stats(db, now=NOW)
    assert numbers["qualified_examiners"] >= 1 and numbers["ratings"] >= 1 and numbers["pool"] >= 1


def test_home_cards_per_role(app, db, make_user):
    expectations = {Role.INSTRUCTOR: "Instructor profile", Role.UNION_ADMIN: "Qualification review",
                    Role.PROVIDER_ADMIN: "Our instructors", Role.WORKER: "Rate your classes"}
    for role, title in expectations.items():
        client = app.test_client()
        sign_in(client, make_user(role))
        page = client.get("/").get_data(as_text=True)
        assert title in page, role
    anonymous = app.test_client().get("/").get_data(as_text=True)
    assert "Qualification review" not in anonymous
