"""Exams through HTTP: the API contract of API.md's Exams section and the pages, for every role.

Times are relative to the moment the test runs (the edges read the clock), never a fixed date."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.access import Role
from app.db import utcnow
from exams.models import Answer, Attempt, BookingStatus, QuestionKind, SessionMode
from exams.services import booking as booking_service
from exams.services import sessions as session_service
from tests.conftest import bearer, csrf_token, post_form, sign_in


@pytest.fixture
def live(make_session):
    """A theory session a week from now, booking open now."""
    return make_session(base=utcnow())


@pytest.fixture
def running(db, make_session, make_candidate, union_admin):
    """A theory session that started 5 minutes ago; a candidate booked and checked in: (session, candidate, booking)."""
    now = utcnow()
    exam_session = make_session(base=now - timedelta(days=2), starts_in=timedelta(days=2, minutes=-5))
    candidate = make_candidate()
    booking = booking_service.book_exam_seat(db, actor=candidate, exam_session_id=exam_session.id,
                                             now=now - timedelta(days=1))
    booking_service.check_in(db, actor=union_admin, ticket_token=booking.ticket_token, now=now)
    return exam_session, candidate, booking


def test_list_sessions_public_and_filtered(client, live, special_ops, skill_level):
    body = client.get("/api/v1/exam-sessions").json
    assert body["total"] >= 1 and {"items", "page", "per_page", "total"} <= body.keys()
    item = next(i for i in body["items"] if i["id"] == live.id)
    assert item["seats_left"] == 30 and item["certificate_type"]["code"] == special_ops.code
    assert client.get(f"/api/v1/exam-sessions?certificate_type={skill_level.code}").json["total"] == 0
    assert client.get(f"/api/v1/exam-sessions?certificate_type={special_ops.id}").json["total"] >= 1
    assert client.get("/api/v1/exam-sessions?from=yesterday").status_code == 422
    assert client.get("/api/v1/exam-sessions/987654").status_code == 404
    assert client.get("/api/v1/certificate-types").json["items"][0]["components"][0]["pass_mark"] == 80


def test_booking_statuses_by_role(client, db, make_session, make_candidate, make_user, union_admin):
    full = make_session(base=utcnow(), capacity=1)
    first, second = make_candidate(), make_candidate()
    response = client.post(f"/api/v1/exam-sessions/{full.id}/bookings", headers=bearer(first))
    assert response.status_code == 201, response.json
    assert response.json["status"] == "booked" and response.json["seat_no"] == 1
    response = client.post(f"/api/v1/exam-sessions/{full.id}/bookings", headers=bearer(second))
    assert (response.status_code, response.json["error"]["code"]) == (409, "session_full")
    response = client.post(f"/api/v1/exam-sessions/{full.id}/bookings", json={"waitlist": True},
                           headers=bearer(second))
    assert response.json["status"] == "waitlisted"
    practical = make_session(base=utcnow(), component="practical", mode=SessionMode.OFFLINE,
                             starts_in=timedelta(days=20))
    response = client.post(f"/api/v1/exam-sessions/{practical.id}/bookings", headers=bearer(make_candidate()))
    assert (response.status_code, response.json["error"]["code"]) == (422, "not_eligible")
    assert "theory" in response.json["error"]["message"].lower()
    assert client.post(f"/api/v1/exam-sessions/{full.id}/bookings").status_code == 401
    mine = client.get("/api/v1/me/bookings", headers=bearer(first)).json
    assert [b["exam_session"]["id"] for b in mine["items"]] == [full.id]
    booking_id = mine["items"][0]["id"]
    assert client.post(f"/api/v1/bookings/{booking_id}/cancel", headers=bearer(second)).status_code == 404
    response = client.post(f"/api/v1/bookings/{booking_id}/cancel", headers=bearer(first))
    assert response.json["status"] == "cancelled"
    assert client.get("/api/v1/me/bookings", headers=bearer(second)).json["items"][0]["status"] == "booked"


def test_attempt_api_flow(client, db, running, make_candidate):
    exam_session, candidate, booking = running
    headers = bearer(candidate)
    response = client.post(f"/api/v1/bookings/{booking.id}/attempt", headers=headers)
    assert response.status_code == 201, response.json
    attempt = response.json
    assert attempt["time_left_seconds"] > 60 * 100 and attempt["unanswered"] == 10
    assert all("answer" not in q and "explanation" not in q for q in attempt["questions"])
    assert client.get(f"/api/v1/attempts/{attempt['id']}", headers=bearer(make_candidate())).status_code == 404
    assert client.post(f"/api/v1/bookings/{booking.id}/attempt", headers=headers).json["id"] == attempt["id"]
    single = next(q for q in attempt["questions"] if q["kind"] == "single")
    url = f"/api/v1/attempts/{attempt['id']}/answers"
    assert client.put(url, json={"answers": [{"position": single["position"], "response": ["C"], "seq": 2}]},
                      headers=headers).json["saved"] == 1
    stale = client.put(url, json={"answers": [{"position": single["position"], "response": ["A"], "seq": 1}]},
                       headers=headers).json
    assert (stale["saved"], stale["stale"]) == (0, 1)
    assert client.put(url, json={"answers": [{"position": 99, "response": ["A"], "seq": 3}]},
                      headers=headers).status_code == 422
    assert client.put(url, json={"answers": []}, headers=headers).status_code == 422
    assert client.put(url, data="nope", headers=headers).status_code == 400
    again = client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).json
    assert next(q for q in again["questions"] if q["position"] == single["position"])["response"] == ["C"]
    assert again["unanswered"] == 9
    submitted = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers).json
    assert submitted["status"] == "graded" and submitted["objective_score"] in (0, 10)   # nothing left to mark
    assert client.put(url, json={"answers": [{"position": 1, "response": ["A"], "seq": 9}]},
                      headers=headers).json["error"]["code"] == "attempt_closed"


def test_grading_api_blind_and_results(client, db, running, make_examiner, union_admin):
    exam_session, candidate, booking = running
    client.post(f"/api/v1/bookings/{booking.id}/attempt", headers=bearer(candidate))
    attempt = db.scalar(select(Attempt).where(Attempt.booking_id == booking.id))
    short = db.scalar(select(Answer).join(Answer.question).where(Answer.attempt_id == attempt.id,
                                                                  Answer.question.has(kind=QuestionKind.SHORT)))
    client.put(f"/api/v1/attempts/{attempt.id}/answers", headers=bearer(candidate),
               json={"answers": [{"position": short.position, "response": ["先停电、验电，再挂接地线"], "seq": 1}]})
    client.post(f"/api/v1/attempts/{attempt.id}/submit", headers=bearer(candidate))
    examiners = [make_examiner(), make_examiner()]
    for examiner in examiners:
        session_service.assign_staff(db, actor=union_admin, exam_session_id=exam_session.id, user_id=examiner.id,
                                     role="examiner", now=utcnow())
    queue = client.get("/api/v1/grading/queue", headers=bearer(examiners[0])).json
    assert queue["total"] == 1
    item = queue["items"][0]
    assert item["candidate"] == attempt.anon_code and candidate.name not in str(queue)
    assert client.get("/api/v1/grading/queue", headers=bearer(candidate)).status_code == 403
    url = f"/api/v1/grading/{item['answer_id']}"
    assert client.post(url, json={"score": 99}, headers=bearer(examiners[0])).status_code == 422
    assert client.post(url, json={"score": 8, "comment": "要点齐全"}, headers=bearer(examiners[0])).status_code == 201
    assert client.post(url, json={"score": 8}, headers=bearer(examiners[0])).json["error"]["code"] == "already_marked"
    assert client.post(url, json={"score": 8}, headers=bearer(make_examiner())).status_code == 404
    assert client.post(url, json={"score": 7}, headers=bearer(examiners[1])).json["round"] == "second"
    # The session has not ended: release waits for the admin (or the end of grading after the session).
    assert client.get("/api/v1/me/results", headers=bearer(candidate)).json["total"] == 0
    release = client.post(f"/api/v1/exam-sessions/{exam_session.id}/release", headers=bearer(union_admin))
    assert release.json["error"]["code"] == "session_not_over"


def test_results_and_appeal_api(client, db, make_session, sitting, union_admin):
    from exams.services import attempts as attempt_service
    from exams.services import grading

    now = utcnow()
    exam_session = make_session(base=now - timedelta(days=3), starts_in=timedelta(days=1))
    attempt, candidate, _s = sitting(exam_session)
    attempt_service.submit_attempt(db, actor=candidate, attempt_id=attempt.id, now=attempt.deadline_at)
    grading.release_results(db, actor=union_admin, exam_session_id=exam_session.id, now=exam_session.ends_at)
    body = client.get("/api/v1/me/results", headers=bearer(candidate)).json
    assert body["total"] == 1
    result = body["items"][0]
    assert (result["passed"], result["next_steps"], result["component"]) == (False, ["retake"], "theory")
    url = f"/api/v1/results/{result['id']}/appeal"
    assert client.post(url, json={"reason": ""}, headers=bearer(candidate)).status_code == 422
    filed = client.post(url, json={"reason": "简答题请复核"}, headers=bearer(candidate))
    assert filed.status_code == 201 and filed.json["status"] == "open"
    assert client.post(url, json={"reason": "再次"}, headers=bearer(candidate)).json["error"]["code"] == \
        "already_appealed"
    assert client.get("/api/v1/me/results", headers=bearer(sitting()[1])).json["total"] == 0


def test_ticket_page_pdf_and_proctor_check_in(client, db, live, make_candidate, make_user, union_admin):
    candidate = make_candidate()
    booking = booking_service.book_exam_seat(db, actor=candidate, exam_session_id=live.id, now=utcnow())
    sign_in(client, candidate)
    page = client.get(f"/exams/bookings/{booking.id}/ticket").get_data(as_text=True)
    assert "Admission ticket" in page and "<svg" in page and live.room in page
    pdf = client.get(f"/exams/bookings/{booking.id}/ticket.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    other = client.application.test_client()
    sign_in(other, make_candidate())
    assert other.get(f"/exams/bookings/{booking.id}/ticket").status_code == 404
    proctor = make_user(Role.INSTRUCTOR)
    session_service.assign_staff(db, actor=union_admin, exam_session_id=live.id, user_id=proctor.id, role="proctor",
                                 now=utcnow())
    stranger = make_user(Role.INSTRUCTOR)
    staff = client.application.test_client()
    sign_in(staff, stranger)
    assert staff.get(f"/exams/check-in/{booking.ticket_token}").status_code == 404
    staff = client.application.test_client()
    sign_in(staff, proctor)
    assert staff.get(f"/exams/check-in/{booking.ticket_token}").status_code == 200
    response = post_form(staff, f"/exams/check-in/{booking.ticket_token}")
    # The session is a week away: check-in opens three hours before it.
    assert "three hours" in response.get_data(as_text=True)
    db.refresh(booking)
    assert booking.status == BookingStatus.BOOKED


def test_worker_pages(client, db, live, running, make_candidate):
    exam_session, candidate, booking = running
    sign_in(client, candidate)
    assert live.title in client.get("/exams").get_data(as_text=True)
    detail = client.get(f"/exams/sessions/{live.id}").get_data(as_text=True)
    assert "Book a seat" in detail
    response = post_form(client, f"/exams/sessions/{live.id}/book", {})
    assert response.status_code == 302 and "/ticket" in response.location
    my = client.get("/exams/my").get_data(as_text=True)
    assert live.title in my and exam_session.title in my and "Start the exam" in my
    started = post_form(client, f"/exams/bookings/{booking.id}/start", {})
    assert "/exams/attempts/" in started.location
    exam_page = client.get(started.location).get_data(as_text=True)
    assert "Time left" in exam_page and "Submit the exam" in exam_page
    attempt = db.scalar(select(Attempt).where(Attempt.booking_id == booking.id))
    answer = db.scalar(select(Answer).where(Answer.attempt_id == attempt.id, Answer.position == 1))
    done = post_form(client, f"/exams/attempts/{attempt.id}/submit", {"q1": "B"})
    assert done.status_code == 302
    db.refresh(answer)
    assert answer.response and answer.seq == 1   # the page without JavaScript saved the answer with the submit
    assert "Your exam is submitted." in client.get(f"/exams/attempts/{attempt.id}").get_data(as_text=True)


def test_pages_in_chinese_by_default(app, db, live):
    fresh = app.test_client()
    fresh.delete_cookie("lang")
    page = fresh.get("/exams").get_data(as_text=True)
    assert "考试场次" in page and "剩余" in page


def test_examiner_and_admin_pages(client, db, running, make_examiner, union_admin, make_user, special_ops):
    exam_session, candidate, booking = running
    examiner = make_examiner()
    session_service.assign_staff(db, actor=union_admin, exam_session_id=exam_session.id, user_id=examiner.id,
                                 role="examiner", now=utcnow())
    sign_in(client, examiner)
    assert client.get("/exams/grading").status_code == 200
    assert client.get("/exams/admin/sessions").status_code == 403
    admin = client.application.test_client()
    sign_in(admin, union_admin)
    for path in ("/exams/admin/types", f"/exams/admin/types/{special_ops.id}", "/exams/admin/types/new",
                 f"/exams/admin/types/{special_ops.id}/bank", f"/exams/admin/types/{special_ops.id}/papers",
                 "/exams/admin/sessions", "/exams/admin/sessions/new", f"/exams/admin/sessions/{exam_session.id}"):
        assert admin.get(path).status_code == 200, path
    sheet = admin.get(f"/exams/admin/sessions/{exam_session.id}/results.xlsx")
    assert sheet.status_code == 200 and sheet.data[:2] == b"PK"
    assert admin.get(f"/exams/admin/types/{special_ops.id}/bank.csv").data.startswith("\ufeff题型".encode())
    page = admin.get(f"/exams/admin/sessions/{exam_session.id}").get_data(as_text=True)
    assert candidate.name in page and "Checked in" in page
    response = post_form(admin, f"/exams/admin/types/{special_ops.id}", {
        "code": special_ops.code, "name_zh": "低压电工作业", "validity_months": 72, "review_every_months": 36,
        "review_training_hours": 8, "auto_issue": "y", "exam_fee_yuan": 80, "appeal_days": 7, "course_ids": "",
        "theory_enabled": "y", "theory_max_score": 100, "theory_pass_mark": 85, "theory_duration_minutes": 120,
        "theory_retake_limit": 1, "theory_pass_valid_months": 12, "theory_requires_kind": "",
        "theory_double_marking": "y", "theory_marking_tolerance": 5,
        "practical_enabled": "y", "practical_max_score": 100, "practical_pass_mark": 80,
        "practical_duration_minutes": 60, "practical_retake_limit": 1, "practical_pass_valid_months": 12,
        "practical_requires_kind": "theory", "practical_marking_tolerance": 5})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.refresh(special_ops)
    assert special_ops.component("theory").pass_mark == 85 and special_ops.exam_fee == 8000
    worker_client = client.application.test_client()
    sign_in(worker_client, candidate)
    for path in ("/exams/admin/types", "/exams/grading", f"/exams/check-in/{booking.ticket_token}"):
        assert worker_client.get(path).status_code == 403, path
    assert csrf_token(admin, "/exams/admin/types")


def test_course_page_links_its_certificate_type(client, db, special_ops, make_course, union_admin):
    from exams.services import types as type_service

    course = make_course(title="低压电工作业培训")
    type_service.set_required_courses(db, actor=union_admin, type_id=special_ops.id, course_ids=[course.id])
    page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert f"/exams/types/{special_ops.id}" in page and special_ops.name_zh in page
    assert client.get(f"/exams/types/{special_ops.id}").status_code == 200
