"""'My training': the worker's enrollments with progress and next steps (page, API, query count)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.access import Role
from app.db import utcnow
from courses.models import Attendance, AttendanceMethod, ClassMode, EnrollmentStatus
from courses.queries.learning import list_my_training, local_day
from courses.services import learning as svc
from tests.conftest import bearer, count_queries, sign_in


def test_next_steps(db, make_class, make_member, make_enrollment, make_lesson, now):
    worker = make_member()
    today = local_day(now)
    online = make_class(mode=ClassMode.ONLINE)
    lessons = [make_lesson(online), make_lesson(online)]
    started = make_class(mode=ClassMode.ONLINE)
    started_lessons = [make_lesson(started), make_lesson(started)]
    meeting = make_class(mode=ClassMode.OFFLINE, starts_on=today, days=2)
    make_lesson(meeting)
    unpaid = make_class()
    done_class = make_class(mode=ClassMode.ONLINE)
    e_online = make_enrollment(online, worker)
    make_enrollment(started, worker)
    make_enrollment(meeting, worker)
    e_unpaid = make_enrollment(unpaid, worker, status=EnrollmentStatus.PENDING_PAYMENT)
    e_unpaid.hold_expires_at = now + timedelta(minutes=30)
    make_enrollment(done_class, worker, status=EnrollmentStatus.COMPLETED)
    svc.mark_lesson_done(db, actor=worker, lesson_id=started_lessons[0].id, now=now)
    rows = {r.enrollment.class_id: r for r in list_my_training(db, worker.id, now=now)}
    assert rows[online.id].next_step == "start" and (rows[online.id].lessons_done, rows[online.id].lessons_total) == (0, 2)
    assert rows[started.id].next_step == "continue" and rows[started.id].percent == 50
    assert rows[meeting.id].next_step == "checkin" and rows[meeting.id].days_total == 2
    assert rows[unpaid.id].next_step == "pay"
    assert rows[done_class.id].next_step == "completed"
    for lesson in lessons:
        svc.mark_lesson_done(db, actor=worker, lesson_id=lesson.id, now=now)
    assert e_online.status == EnrollmentStatus.COMPLETED
    rows = {r.enrollment.class_id: r for r in list_my_training(db, worker.id, now=now)}
    assert rows[online.id].next_step == "completed"


def test_no_check_in_prompt_once_present_today(db, make_class, make_member, make_enrollment, make_lesson, now):
    worker = make_member()
    today = local_day(now)
    meeting = make_class(mode=ClassMode.OFFLINE, starts_on=today, days=2)
    make_lesson(meeting)
    enrollment = make_enrollment(meeting, worker)
    (row,) = list_my_training(db, worker.id, now=now)
    assert row.next_step == "checkin"
    first_day = next(d for d in svc.ensure_class_days(db, meeting) if d.day == today)
    db.add(Attendance(class_day_id=first_day.id, enrollment_id=enrollment.id, present=True,
                      method=AttendanceMethod.ROSTER))
    db.flush()
    (row,) = list_my_training(db, worker.id, now=now)
    assert (row.days_present, row.days_total) == (1, 2)
    assert row.next_step == "start"  # checked in today: on to the lessons, not "scan the code" again


def test_only_the_workers_own_enrollments(db, make_class, make_member, make_enrollment, now):
    mine, theirs = make_member(), make_member()
    make_enrollment(make_class(), mine)
    make_enrollment(make_class(), theirs)
    assert len(list_my_training(db, mine.id, now=now)) == 1


def test_page_shows_progress_and_next_steps(client, db, make_class, make_member, make_enrollment, make_lesson):
    worker = make_member()
    today = local_day(utcnow())
    online = make_class(mode=ClassMode.ONLINE, title="线上班")
    make_lesson(online)
    meeting = make_class(mode=ClassMode.OFFLINE, starts_on=today, days=2, title="线下班")
    unpaid = make_class(title="待付班")
    make_enrollment(online, worker)
    make_enrollment(meeting, worker)
    pending = make_enrollment(unpaid, worker, status=EnrollmentStatus.PENDING_PAYMENT)
    pending.hold_expires_at = utcnow() + timedelta(minutes=20)
    db.flush()
    sign_in(client, worker)
    html = client.get("/me/training").get_data(as_text=True)
    assert "线上班" in html and "线下班" in html and "待付班" in html
    assert f'href="/enrollments/{pending.id}"' in html
    assert f'href="/classes/{online.id}#lessons"' in html
    assert 'class="next-step next-checkin"' in html
    assert '<progress max="1" value="0">' in html


def test_page_with_nothing_yet(client, make_member):
    sign_in(client, make_member())
    assert 'href="/courses"' in client.get("/me/training").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.PROVIDER_ADMIN, Role.ENTERPRISE_ADMIN, Role.UNION_ADMIN])
def test_page_and_api_are_for_workers(client, make_user, role):
    """Every account is a worker too; staff see their own (empty) training."""
    user = make_user(role)
    sign_in(client, user)
    assert client.get("/me/training").status_code == 200
    assert client.get("/api/v1/me/training", headers=bearer(user)).status_code == 200


def test_needs_sign_in(client):
    response = client.get("/me/training")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/api/v1/me/training").status_code == 401


def test_navigation_links_by_role(client, make_member, make_user):
    sign_in(client, make_member())
    html = client.get("/me/training").get_data(as_text=True)
    assert 'href="/me/training"' in html and 'href="/instructor/classes"' not in html
    sign_in(client, make_user(Role.INSTRUCTOR))
    assert 'href="/instructor/classes"' in client.get("/me/training").get_data(as_text=True)


def test_api_lists_training(client, db, make_class, make_member, make_enrollment, make_lesson, now):
    worker = make_member()
    training_class = make_class(mode=ClassMode.BLENDED, days=4)
    lesson = make_lesson(training_class)
    enrollment = make_enrollment(training_class, worker)
    svc.mark_lesson_done(db, actor=worker, lesson_id=lesson.id, now=now)
    r = client.get("/api/v1/me/training", headers=bearer(worker))
    assert r.status_code == 200
    data = r.get_json()
    assert data["total"] == 1 and data["page"] == 1
    item = data["items"][0]
    assert item["enrollment_id"] == enrollment.id and item["status"] == "confirmed"
    assert item["class"]["id"] == training_class.id and item["class"]["mode"] == "blended"
    assert item["course"]["provider"] == "海南省电力学校"
    assert (item["lessons_done"], item["lessons_total"], item["days_present"], item["days_total"]) == (1, 1, 0, 4)
    assert item["next_step"] == "wait"
    assert client.get("/api/v1/me/training?per_page=0", headers=bearer(worker)).status_code == 422
    assert client.get("/api/v1/me/training?page=x", headers=bearer(worker)).status_code == 422


def _enroll_many(n, make_class, make_member, make_enrollment, make_lesson, db, now):
    worker = make_member()
    for i in range(n):
        training_class = make_class(mode=ClassMode.BLENDED if i % 2 else ClassMode.ONLINE)
        lesson = make_lesson(training_class)
        make_lesson(training_class)
        make_enrollment(training_class, worker)
        svc.mark_lesson_done(db, actor=worker, lesson_id=lesson.id, now=now)
    return worker


def test_query_count_does_not_grow_with_enrollments(client, db, make_class, make_member, make_enrollment,
                                                    make_lesson, now):
    counts = []
    for n in (2, 10):
        worker = _enroll_many(n, make_class, make_member, make_enrollment, make_lesson, db, now)
        db.commit()
        sign_in(client, worker)
        client.get("/me/training")   # warm-up: first-render template caches
        with count_queries(db) as page_statements:
            assert client.get("/me/training").status_code == 200
        with count_queries(db) as api_statements:
            assert client.get("/api/v1/me/training", headers=bearer(worker)).status_code == 200
        with count_queries(db) as list_statements:
            assert len(list_my_training(db, worker.id, now=now)) == n
        counts.append((len(page_statements), len(api_statements), len(list_statements)))
    assert counts[0] == counts[1], counts
    assert counts[0][2] <= 4
