"""Finding 2: the embedded default (a SQLite file) serves a crowd correctly.

Real threads drive the real WSGI app against its own SQLite file and commit for real:
50 workers enrolling at once in a 3-seat class and 50 people signing up at once get no 5xx,
exactly 3 seats are confirmed, and every enrollment the database holds was reported to its
caller as exactly what it is. (The old deferred ``BEGIN`` answered 48 of 50 with a 500
``database is locked`` while 9 of them had been committed.)
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import func, select

from app.access import Role
from app.auth.models import Organization, OrgKind, OrgStatus, OutboxMessage, RoleGrant, User
from app.auth.tokens import API_SALT, make_token
from app.db import get_session, utcnow
from courses.models import (
    ClassMode,
    Course,
    CourseStatus,
    Enrollment,
    EnrollmentStatus,
    TrainingClass,
)
from tests.conftest import sign_up_link

CROWD = 50


def crowd(calls: list) -> list:
    """Run every call in its own thread, all released at once; their results in order."""
    results: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(i: int) -> None:
        barrier.wait(30)
        try:
            results[i] = calls[i]()
        except BaseException as exc:  # surfaced by the assertions
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 120
    for t in threads:
        t.join(max(0.1, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "a request hung"
    return results


def _seed(embedded) -> tuple[int, dict[int, str]]:
    now = utcnow()
    with embedded.app_context():
        s = get_session()
        org = Organization(kind=OrgKind.PROVIDER, name="并发培训学校", status=OrgStatus.APPROVED)
        s.add(org)
        s.flush()
        course = Course(provider_id=org.id, title="低压电工作业", status=CourseStatus.APPROVED, is_published=True)
        s.add(course)
        s.flush()
        tc = TrainingClass(course_id=course.id, title="三座班", mode=ClassMode.OFFLINE,
                           starts_on=(now + timedelta(days=14)).date(), ends_on=(now + timedelta(days=15)).date(),
                           enroll_opens_at=now - timedelta(days=1), enroll_closes_at=now + timedelta(days=10),
                           capacity=3, price=0)
        s.add(tc)
        users = [User(name=f"抢座{i}", email=f"crowd{i}@example.com", password_hash="x",
                      grants=[RoleGrant(role=Role.WORKER)]) for i in range(CROWD)]
        s.add_all(users)
        s.commit()
        secret = embedded.config["SECRET_KEY"]
        return tc.id, {u.id: make_token(secret, API_SALT, u) for u in users}


def test_fifty_enrollments_in_a_three_seat_class(embedded):
    class_id, tokens = _seed(embedded)

    def enroll(token: str):
        def call():
            response = embedded.test_client().post(f"/api/v1/classes/{class_id}/enrollments",
                                                   headers={"Authorization": f"Bearer {token}"})
            return response.status_code, response.get_json()
        return call

    results = crowd([enroll(t) for t in tokens.values()])
    assert not [r for r in results if isinstance(r, BaseException)], results
    statuses = [code for code, _ in results]
    assert [c for c in statuses if c >= 500] == []
    assert statuses == [201] * CROWD
    reported = {body["id"]: body["status"] for _, body in results}
    with embedded.app_context():
        stored = dict(get_session().execute(select(Enrollment.id, Enrollment.status)
                                            .where(Enrollment.class_id == class_id)).all())
        seats = get_session().get(TrainingClass, class_id).seats_taken
    assert reported == stored                       # every committed enrollment reported as what it is
    assert list(stored.values()).count(EnrollmentStatus.CONFIRMED) == 3
    assert list(stored.values()).count(EnrollmentStatus.WAITLISTED) == CROWD - 3
    assert seats == 3


def test_fifty_simultaneous_sign_ups(embedded):
    def call(path: str, body: dict, address: int):
        def run():
            response = embedded.test_client().post(
                path, json=body, environ_base={"REMOTE_ADDR": f"10.0.{address // 200}.{address % 200 + 1}"})
            return response.status_code
        return run

    def start(i: int, address: int):
        return call("/api/v1/auth/register", {"name": f"新会员{i}", "phone": f"1390000{i:04d}",
                                              "password": "Strong-pass-2026"}, address)

    # Fifty people sign up at once, and ten more try one phone number at the same moment.
    results = crowd([start(i, i) for i in range(CROWD)] + [start(CROWD, CROWD + k) for k in range(10)])
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert results == [202] * (CROWD + 10)
    with embedded.app_context():
        session = get_session()
        links = [sign_up_link(session, f"+861390000{i:04d}") for i in range(CROWD)]
        contested = list(session.scalars(select(OutboxMessage.body).where(
            OutboxMessage.recipient == f"+861390000{CROWD:04d}")))
    assert len(contested) == 10
    contested_links = [body[body.index("/signup/finish/"):].split()[0] for body in contested]

    # Everyone opens their link at once: fifty accounts, and one of the ten racers wins.
    def finish(link: str, address: int):
        return call("/api/v1/auth/register/confirm", {"token": link.rsplit("/", 1)[1]}, address)

    results = crowd([finish(link, i) for i, link in enumerate(links)]
                    + [finish(link, CROWD + k) for k, link in enumerate(contested_links)])
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert [c for c in results if c >= 500] == []
    assert results[:CROWD] == [201] * CROWD
    assert sorted(results[CROWD:]) == [201] + [409] * 9
    with embedded.app_context():
        assert get_session().scalar(select(func.count()).select_from(User)) == CROWD + 1
