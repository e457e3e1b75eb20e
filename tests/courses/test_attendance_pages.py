"""Roster and QR check-in over HTTP (pages and API), each role.

Pages use the real clock, so these classes run from yesterday to tomorrow in Shanghai.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.access import Role
from app.db import utcnow
from courses.models import Attendance, AttendanceMethod, ClassMode, EnrollmentStatus
from courses.queries.learning import local_day
from courses.services import learning as svc
from tests.conftest import bearer, post_form, sign_in


@pytest.fixture
def world(make_user, make_member, make_class, make_enrollment, provider):
    today = local_day(utcnow())
    teacher = make_user(Role.INSTRUCTOR)
    training_class = make_class(mode=ClassMode.OFFLINE, instructor_id=teacher.id,
                                starts_on=today - timedelta(days=1), days=3)
    learner, second = make_member(), make_member()
    return {
        "class": training_class, "today": today, "teacher": teacher, "learner": learner, "second": second,
        "enrollment": make_enrollment(training_class, learner), "enrollment2": make_enrollment(training_class, second),
        "admin": make_user(Role.PROVIDER_ADMIN, org=provider), "stranger": make_member(),
        "other_teacher": make_user(Role.INSTRUCTOR), "other_admin": make_user(Role.PROVIDER_ADMIN),
        "enterprise": make_user(Role.ENTERPRISE_ADMIN), "union": make_user(Role.UNION_ADMIN),
    }


def _code(db, world):
    return svc.make_checkin_code(db, actor=world["teacher"], class_id=world["class"].id,
                                 secret_key="test-secret-key-not-for-production", now=utcnow())[1]


# --- roster page --------------------------------------------------------------------------

@pytest.mark.parametrize("who,status", [("teacher", 200), ("admin", 200), ("other_teacher", 404),
                                        ("other_admin", 404), ("learner", 403), ("enterprise", 403),
                                        ("union", 403)])
def test_roster_page_by_role(client, world, who, status):
    sign_in(client, world[who])
    assert client.get(f"/instructor/classes/{world['class'].id}/attendance").status_code == status


def test_roster_page_needs_sign_in(client, world):
    response = client.get(f"/instructor/classes/{world['class'].id}/attendance")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_roster_lists_learners_and_saves_in_one_post(client, db, world):
    sign_in(client, world["teacher"])
    path = f"/instructor/classes/{world['class'].id}/attendance?day={world['today'].isoformat()}"
    page = client.get(path).get_data(as_text=True)
    assert world["learner"].name in page and world["second"].name in page
    assert f'name="e-{world["enrollment"].id}"' in page
    e1, e2 = world["enrollment"].id, world["enrollment2"].id
    r = post_form(client, path, {f"e-{e1}": "present", f"e-{e2}": "absent"})
    assert r.status_code == 302
    marks = {a.enrollment_id: a for a in db.scalars(select(Attendance))}
    assert marks[e1].present and not marks[e2].present and marks[e1].method == AttendanceMethod.ROSTER
    page = client.get(path).get_data(as_text=True)
    assert re.search(rf'id="p-{e1}"[^>]*checked', page) and re.search(rf'id="a-{e2}"[^>]*checked', page)


def test_roster_refuses_tomorrow(client, db, world):
    sign_in(client, world["teacher"])
    tomorrow = (world["today"] + timedelta(days=1)).isoformat()
    r = post_form(client, f"/instructor/classes/{world['class'].id}/attendance?day={tomorrow}",
                  {f"e-{world['enrollment'].id}": "present"})
    assert r.status_code == 200 and db.scalar(select(Attendance.id)) is None


def test_roster_of_a_bad_day_falls_back_to_today(client, world):
    sign_in(client, world["teacher"])
    page = client.get(f"/instructor/classes/{world['class'].id}/attendance?day=2020-13-45").get_data(as_text=True)
    assert f'day={world["today"].isoformat()}"' in page


def test_instructor_classes_list(client, world):
    sign_in(client, world["teacher"])
    page = client.get("/instructor/classes").get_data(as_text=True)
    assert f"/instructor/classes/{world['class'].id}/checkin" in page
    sign_in(client, world["admin"])
    assert f"/instructor/classes/{world['class'].id}/attendance" in client.get("/instructor/classes").get_data(
        as_text=True)
    sign_in(client, world["other_teacher"])
    assert f"/instructor/classes/{world['class'].id}/" not in client.get("/instructor/classes").get_data(
        as_text=True)
    sign_in(client, world["learner"])
    assert client.get("/instructor/classes").status_code == 403


def test_instructor_classes_needs_sign_in(client):
    assert client.get("/instructor/classes").status_code == 302


# --- QR code page -------------------------------------------------------------------------

@pytest.mark.parametrize("who,status", [("teacher", 200), ("admin", 200), ("other_teacher", 404),
                                        ("other_admin", 404), ("learner", 403), ("union", 403)])
def test_checkin_code_page_by_role(client, world, who, status):
    sign_in(client, world[who])
    response = client.get(f"/instructor/classes/{world['class'].id}/checkin")
    assert response.status_code == status
    if status == 200:
        html = response.get_data(as_text=True)
        assert "<svg" in html and "http://localhost/checkin/" in html


def test_checkin_code_page_on_a_day_without_class(client, make_class, world):
    later = make_class(mode=ClassMode.OFFLINE, instructor_id=world["teacher"].id)
    sign_in(client, world["teacher"])
    response = client.get(f"/instructor/classes/{later.id}/checkin")
    assert response.status_code == 409 and "<svg" not in response.get_data(as_text=True)


def test_checkin_code_page_needs_sign_in(client, world):
    assert client.get(f"/instructor/classes/{world['class'].id}/checkin").status_code == 302


# --- worker check-in page -----------------------------------------------------------------

def test_worker_scans_sees_the_class_and_checks_in_with_one_tap(client, db, world):
    code = _code(db, world)
    sign_in(client, world["learner"])
    page = client.get(f"/checkin/{code}").get_data(as_text=True)
    assert world["class"].title in page and world["today"].isoformat() in page
    r = post_form(client, f"/checkin/{code}")
    assert r.status_code == 302
    mark = db.scalar(select(Attendance).where(Attendance.enrollment_id == world["enrollment"].id))
    assert mark.present and mark.method == AttendanceMethod.QR
    assert post_form(client, f"/checkin/{code}").status_code == 302   # idempotent
    assert len(list(db.scalars(select(Attendance)))) == 1


def test_anonymous_scan_goes_to_sign_in_and_comes_back(client, db, world):
    code = _code(db, world)
    response = client.get(f"/checkin/{code}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "checkin" in response.headers["Location"]


@pytest.mark.parametrize("who", ["stranger", "other_teacher"])
def test_not_enrolled_scan_gets_a_clear_error(client, db, world, who):
    code = _code(db, world)
    sign_in(client, world[who])
    assert client.get(f"/checkin/{code}").status_code == 403
    assert post_form(client, f"/checkin/{code}").status_code == 403
    assert db.scalar(select(Attendance.id)) is None


def test_forged_code_page(client, world):
    sign_in(client, world["learner"])
    assert client.get("/checkin/forged.code").status_code == 422


# --- API ----------------------------------------------------------------------------------

def test_api_put_attendance(client, db, world):
    e1, e2 = world["enrollment"].id, world["enrollment2"].id
    body = {"day": world["today"].isoformat(), "present": [e1], "absent": [e2]}
    r = client.put(f"/api/v1/classes/{world['class'].id}/attendance", json=body, headers=bearer(world["teacher"]))
    assert r.status_code == 200, r.get_json()
    data = r.get_json()
    assert data["day"] == world["today"].isoformat()
    assert {(m["enrollment_id"], m["present"], m["method"]) for m in data["marks"]} == {
        (e1, True, "roster"), (e2, False, "roster")}


@pytest.mark.parametrize("who,status", [("admin", 200), ("other_teacher", 404), ("other_admin", 404),
                                        ("learner", 403), ("union", 403)])
def test_api_put_attendance_by_role(client, world, who, status):
    body = {"day": world["today"].isoformat(), "present": [world["enrollment"].id]}
    r = client.put(f"/api/v1/classes/{world['class'].id}/attendance", json=body, headers=bearer(world[who]))
    assert r.status_code == status


def test_api_put_attendance_errors(client, world):
    path = f"/api/v1/classes/{world['class'].id}/attendance"
    assert client.put(path, json={"day": world["today"].isoformat()}).status_code == 401
    headers = bearer(world["teacher"])
    r = client.put(path, json={"day": "22-11-2026"}, headers=headers)
    assert r.status_code == 422 and r.get_json()["error"]["field"] == "day"
    r = client.put(path, json={"day": world["today"].isoformat(), "present": ["x"]}, headers=headers)
    assert r.status_code == 422
    r = client.put(path, json={"day": world["today"].isoformat(), "present": [999999]}, headers=headers)
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "unknown_enrollment"
    r = client.put(path, data="nope", headers={**headers, "Content-Type": "application/json"})
    assert r.status_code == 400
    r = client.put(path, json={"day": "2020-01-01"}, headers=headers)
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "not_a_class_day"


def test_api_checkin(client, db, world):
    code = _code(db, world)
    r = client.post("/api/v1/checkin", json={"code": code}, headers=bearer(world["learner"]))
    assert r.status_code == 200, r.get_json()
    data = r.get_json()
    assert data["method"] == "qr" and data["already"] is False and data["day"] == world["today"].isoformat()
    r = client.post("/api/v1/checkin", json={"code": code}, headers=bearer(world["learner"]))
    assert r.get_json()["already"] is True


def test_api_checkin_errors(client, db, world):
    code = _code(db, world)
    assert client.post("/api/v1/checkin", json={"code": code}).status_code == 401
    r = client.post("/api/v1/checkin", json={"code": code}, headers=bearer(world["stranger"]))
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "not_enrolled"
    r = client.post("/api/v1/checkin", json={"code": "x.y"}, headers=bearer(world["learner"]))
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "checkin_invalid"
    r = client.post("/api/v1/checkin", json={}, headers=bearer(world["learner"]))
    assert r.status_code == 422 and r.get_json()["error"]["field"] == "code"


def test_api_checkin_code_for_teachers(client, world):
    r = client.get(f"/api/v1/classes/{world['class'].id}/checkin-code", headers=bearer(world["teacher"]))
    assert r.status_code == 200
    data = r.get_json()
    assert data["url"].endswith("/checkin/" + data["code"]) and data["expires_at"].endswith("+00:00")
    learner = client.post("/api/v1/checkin", json={"code": data["code"]}, headers=bearer(world["learner"]))
    assert learner.status_code == 200
    assert client.get(f"/api/v1/classes/{world['class'].id}/checkin-code",
                      headers=bearer(world["other_teacher"])).status_code == 404
    assert client.get(f"/api/v1/classes/{world['class'].id}/checkin-code",
                      headers=bearer(world["learner"])).status_code == 403


def test_cancelled_enrollments_are_not_on_the_roster(client, db, world, make_member, make_enrollment):
    gone = make_member(name="已取消学员")
    make_enrollment(world["class"], gone, status=EnrollmentStatus.CANCELLED)
    sign_in(client, world["teacher"])
    assert "已取消学员" not in client.get(f"/instructor/classes/{world['class'].id}/attendance").get_data(as_text=True)


def test_roster_and_class_list_query_counts_do_not_grow(client, db, make_user, make_member, make_class,
                                                        make_enrollment):
    from tests.conftest import count_queries

    teacher = make_user(Role.INSTRUCTOR)
    today = local_day(utcnow())
    counts = []
    for n in (2, 10):
        training_class = make_class(mode=ClassMode.OFFLINE, instructor_id=teacher.id, starts_on=today, days=2)
        for _ in range(n):
            make_enrollment(training_class, make_member())
        db.commit()
        sign_in(client, teacher)
        path = f"/instructor/classes/{training_class.id}/attendance"
        client.get(path)   # creates the class days
        with count_queries(db) as roster_statements:
            assert client.get(path).status_code == 200
        with count_queries(db) as list_statements:
            assert client.get("/instructor/classes").status_code == 200
        counts.append((len(roster_statements), len(list_statements)))
    assert counts[0] == counts[1], counts
