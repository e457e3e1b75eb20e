"""Lessons and progress over the JSON API, each role."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.access import Role
from courses.models import ClassMode, EnrollmentStatus, Lesson
from tests.conftest import bearer


@pytest.fixture
def world(make_user, make_member, make_class, make_enrollment, provider):
    teacher = make_user(Role.INSTRUCTOR)
    training_class = make_class(mode=ClassMode.ONLINE, instructor_id=teacher.id)
    learner = make_member()
    return {
        "class": training_class, "teacher": teacher, "learner": learner,
        "enrollment": make_enrollment(training_class, learner), "admin": make_user(Role.PROVIDER_ADMIN, org=provider),
        "stranger": make_member(), "other_teacher": make_user(Role.INSTRUCTOR),
        "other_admin": make_user(Role.PROVIDER_ADMIN), "union": make_user(Role.UNION_ADMIN),
    }


def test_list_lessons_for_a_learner_carries_done(client, world, make_lesson):
    a, b = make_lesson(world["class"], title="甲"), make_lesson(world["class"], title="乙")
    client.post(f"/api/v1/lessons/{a.id}/progress", headers=bearer(world["learner"]))
    r = client.get(f"/api/v1/classes/{world['class'].id}/lessons", headers=bearer(world["learner"]))
    assert r.status_code == 200
    data = r.get_json()
    assert data["total"] == 2 and [(x["id"], x["done"]) for x in data["items"]] == [(a.id, True), (b.id, False)]
    page2 = client.get(f"/api/v1/classes/{world['class'].id}/lessons?per_page=1&page=2",
                       headers=bearer(world["learner"])).get_json()
    assert [x["title"] for x in page2["items"]] == ["乙"]


@pytest.mark.parametrize("who,status", [("teacher", 200), ("admin", 200), ("stranger", 403),
                                        ("other_teacher", 403), ("other_admin", 403), ("union", 403)])
def test_list_lessons_by_role(client, world, make_lesson, who, status):
    make_lesson(world["class"])
    r = client.get(f"/api/v1/classes/{world['class'].id}/lessons", headers=bearer(world[who]))
    assert r.status_code == status
    if status == 200:
        assert r.get_json()["items"][0]["done"] is None
    else:
        assert r.get_json()["error"]["code"] == "not_enrolled"


def test_list_lessons_anonymous_and_missing(client, world):
    assert client.get(f"/api/v1/classes/{world['class'].id}/lessons").status_code == 401
    assert client.get("/api/v1/classes/999999/lessons", headers=bearer(world["learner"])).status_code == 404


def test_progress_returns_progress_and_completion(client, world, make_lesson):
    a, b = make_lesson(world["class"]), make_lesson(world["class"])
    headers = bearer(world["learner"])
    r = client.post(f"/api/v1/lessons/{a.id}/progress", headers=headers)
    assert r.status_code == 200
    data = r.get_json()
    assert (data["lessons_done"], data["lessons_total"], data["percent"], data["enrollment_status"]) == (
        1, 2, 50, "confirmed")
    again = client.post(f"/api/v1/lessons/{a.id}/progress", headers=headers).get_json()
    assert again["lessons_done"] == 1
    done = client.post(f"/api/v1/lessons/{b.id}/progress", headers=headers).get_json()
    assert done["enrollment_status"] == "completed" and done["completed_at"].endswith("+00:00")


def test_progress_refused_for_others(client, world, make_lesson, make_member, make_enrollment):
    lesson = make_lesson(world["class"])
    r = client.post(f"/api/v1/lessons/{lesson.id}/progress", headers=bearer(world["stranger"]))
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "not_enrolled"
    waiting = make_member()
    make_enrollment(world["class"], waiting, status=EnrollmentStatus.WAITLISTED)
    assert client.post(f"/api/v1/lessons/{lesson.id}/progress", headers=bearer(waiting)).status_code == 403
    assert client.post(f"/api/v1/lessons/{lesson.id}/progress").status_code == 401
    assert client.post("/api/v1/lessons/999999/progress", headers=bearer(world["learner"])).status_code == 404


def test_teacher_creates_edits_reorders_and_deletes(client, db, world):
    headers = bearer(world["teacher"])
    path = f"/api/v1/classes/{world['class'].id}/lessons"
    r = client.post(path, json={"title": "规程", "kind": "text", "body_html": "<p>a<script>x</script></p>"},
                    headers=headers)
    assert r.status_code == 201 and r.get_json()["body_html"] == "<p>a</p>"
    first = r.get_json()["id"]
    r = client.post(path, json={"title": "视频", "kind": "video", "video_url": "https://v.example/1", "minutes": 15},
                    headers=headers)
    assert r.status_code == 201 and r.get_json()["position"] == 1
    second = r.get_json()["id"]
    r = client.patch(f"/api/v1/lessons/{second}", json={"position": 0, "title": "示范视频"}, headers=headers)
    assert r.status_code == 200 and r.get_json()["title"] == "示范视频" and r.get_json()["position"] == 0
    titles = [x["title"] for x in client.get(path, headers=headers).get_json()["items"]]
    assert titles == ["示范视频", "规程"]
    assert client.delete(f"/api/v1/lessons/{first}", headers=headers).status_code == 204
    assert db.scalar(select(Lesson.id).where(Lesson.id == first)) is None


def test_lesson_input_errors(client, world):
    headers = bearer(world["admin"])
    path = f"/api/v1/classes/{world['class'].id}/lessons"
    r = client.post(path, json={"title": "v", "kind": "video", "video_url": "javascript:alert(1)"}, headers=headers)
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "bad_video_url"
    r = client.post(path, json={"title": "f", "kind": "file"}, headers=headers)
    assert r.status_code == 422 and r.get_json()["error"]["field"] == "kind"
    r = client.post(path, json={"title": "", "kind": "text", "body_html": "<p>x</p>"}, headers=headers)
    assert r.status_code == 422
    r = client.post(path, json={"title": "t", "kind": "text", "body_html": "<p>x</p>", "extra": 1}, headers=headers)
    assert r.status_code == 422
    r = client.post(path, json={"title": "t", "kind": "text", "body_html": "<script></script>"}, headers=headers)
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "body_required"
    r = client.post(path, data="[", headers={**headers, "Content-Type": "application/json"})
    assert r.status_code == 400
    r = client.post(path, json={"title": "t", "kind": "text", "body_html": "<p>x</p>", "minutes": -1},
                    headers=headers)
    assert r.status_code == 422


@pytest.mark.parametrize("who,status", [("other_teacher", 404), ("other_admin", 404), ("learner", 403),
                                        ("union", 403)])
def test_managing_lessons_by_role(client, db, world, make_lesson, who, status):
    lesson = make_lesson(world["class"])
    headers = bearer(world[who])
    body = {"title": "x", "kind": "text", "body_html": "<p>x</p>"}
    assert client.post(f"/api/v1/classes/{world['class'].id}/lessons", json=body, headers=headers).status_code == status
    assert client.patch(f"/api/v1/lessons/{lesson.id}", json={"title": "y"}, headers=headers).status_code == status
    assert client.delete(f"/api/v1/lessons/{lesson.id}", headers=headers).status_code == status
    assert db.scalar(select(Lesson.title).where(Lesson.id == lesson.id)) == lesson.title


def test_managing_lessons_needs_sign_in(client, world, make_lesson):
    lesson = make_lesson(world["class"])
    assert client.post(f"/api/v1/classes/{world['class'].id}/lessons", json={}).status_code == 401
    assert client.patch(f"/api/v1/lessons/{lesson.id}", json={}).status_code == 401
    assert client.delete(f"/api/v1/lessons/{lesson.id}").status_code == 401


def test_file_lessons_are_listed_with_a_download_url(client, db, world, make_lesson):
    lesson = make_lesson(world["class"], kind="file", file_name="讲义.pdf", file_path="lessons/abc.pdf")
    item = client.get(f"/api/v1/classes/{world['class'].id}/lessons", headers=bearer(world["learner"])
                      ).get_json()["items"][0]
    assert item["file_name"] == "讲义.pdf" and item["file_url"] == f"/lessons/{lesson.id}/file"


def test_openapi_describes_the_learning_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, method in [("/api/v1/classes/{class_id}/lessons", "get"), ("/api/v1/classes/{class_id}/lessons", "post"),
                         ("/api/v1/lessons/{lesson_id}", "patch"), ("/api/v1/lessons/{lesson_id}", "delete"),
                         ("/api/v1/lessons/{lesson_id}/progress", "post"), ("/api/v1/me/training", "get"),
                         ("/api/v1/classes/{class_id}/attendance", "put"), ("/api/v1/checkin", "post"),
                         ("/api/v1/classes/{class_id}/checkin-code", "get")]:
        assert method in paths[path], (path, method)
