"""Shelf through HTTP: provider pages and API, union review pages and API, roles on every route."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from app.access import Role
from courses.models import Course, CourseStatus, TrainingClass
from courses.services import shelf
from tests.conftest import bearer, csrf_token, post_form, sign_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def people(make_user, provider):
    """One user per role; the provider admin and instructor belong to the fixture provider."""
    return {
        Role.WORKER: make_user(Role.WORKER),
        Role.ENTERPRISE_ADMIN: make_user(Role.ENTERPRISE_ADMIN),
        Role.PROVIDER_ADMIN: make_user(Role.PROVIDER_ADMIN, org=provider),
        Role.INSTRUCTOR: make_user(Role.INSTRUCTOR, org=provider),
        Role.UNION_ADMIN: make_user(Role.UNION_ADMIN),
    }


@pytest.fixture
def only_role(db, people):
    """Strip the worker role everyone gets at sign-up so each person holds exactly one role."""
    for role, user in people.items():
        user.grants = [g for g in user.grants if g.role == role]
    db.flush()
    return people


def signed_in(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


# --- roles on every shelf route -----------------------------------------------------------

PAGES = {  # path template → roles allowed
    "/provider/courses": {Role.PROVIDER_ADMIN},
    "/provider/courses/new": {Role.PROVIDER_ADMIN},
    "/provider/courses/{course}/edit": {Role.PROVIDER_ADMIN},
    "/provider/courses/{course}/classes/new": {Role.PROVIDER_ADMIN},
    "/provider/classes/{klass}/edit": {Role.PROVIDER_ADMIN},
    "/admin/courses": {Role.UNION_ADMIN},
    "/admin/industries": {Role.UNION_ADMIN},
}


def test_pages_by_role(app, only_role, make_class):
    tc = make_class()
    for template, allowed in PAGES.items():
        path = template.format(course=tc.course_id, klass=tc.id)
        response = app.test_client().get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
        for role, user in only_role.items():
            status = signed_in(app, user).get(path).status_code
            assert status == (200 if role in allowed else 403), (path, role, status)


def test_public_pages_for_everyone(app, only_role, make_class):
    tc = make_class()
    for path in ("/courses", f"/courses/{tc.course_id}", f"/classes/{tc.id}"):
        assert app.test_client().get(path).status_code == 200
        for user in only_role.values():
            assert signed_in(app, user).get(path).status_code == 200, path


API_WRITES = [  # (method, path template, roles allowed)
    ("POST", "/api/v1/courses", {Role.PROVIDER_ADMIN}),
    ("PATCH", "/api/v1/courses/{course}", {Role.PROVIDER_ADMIN}),
    ("POST", "/api/v1/courses/{course}/submit", {Role.PROVIDER_ADMIN}),
    ("POST", "/api/v1/courses/{course}/publish", {Role.PROVIDER_ADMIN}),
    ("POST", "/api/v1/courses/{course}/unpublish", {Role.PROVIDER_ADMIN}),
    ("POST", "/api/v1/courses/{course}/cover", {Role.PROVIDER_ADMIN}),
    ("POST", "/api/v1/courses/{course}/classes", {Role.PROVIDER_ADMIN}),
    ("PATCH", "/api/v1/classes/{klass}", {Role.PROVIDER_ADMIN}),
    ("POST", "/api/v1/courses/{course}/approve", {Role.UNION_ADMIN}),
    ("POST", "/api/v1/courses/{course}/reject", {Role.UNION_ADMIN}),
    ("POST", "/api/v1/industries", {Role.UNION_ADMIN}),
]


def test_api_writes_by_role(app, only_role, make_class):
    tc = make_class()
    client = app.test_client()
    for method, template, allowed in API_WRITES:
        path = template.format(course=tc.course_id, klass=tc.id)
        assert client.open(path, method=method, json={}).status_code == 401, path
        for role, user in only_role.items():
            response = client.open(path, method=method, json={}, headers=bearer(user))
            if role in allowed:
                assert response.status_code not in (401, 403, 500), (path, role, response.json)
            else:
                assert response.status_code == 403, (path, role, response.status_code)


def test_api_reads_are_public(client, make_class):
    tc = make_class()
    for path in ("/api/v1/courses", f"/api/v1/courses/{tc.course_id}", f"/api/v1/classes/{tc.id}",
                 "/api/v1/industries"):
        assert client.get(path).status_code == 200, path


# --- provider flow through the API --------------------------------------------------------

def test_provider_and_union_flow_through_the_api(app, db, people, now):
    shelf.seed_industries(db)
    client = app.test_client()
    admin, union = bearer(people[Role.PROVIDER_ADMIN]), bearer(people[Role.UNION_ADMIN])
    response = client.post("/api/v1/courses", headers=admin, json={
        "title": "低压电工作业培训", "summary": "第一期电工培训班", "industry_codes": ["hightech"],
        "skills": ["触电急救"], "hours": 64, "certificate_type": "特种作业操作证（低压电工作业）",
        "description_html": "<p>好课<script>x</script></p>", "instructor_ids": [people[Role.INSTRUCTOR].id]})
    assert response.status_code == 201, response.json
    course = response.json
    assert course["status"] == "draft" and course["description_html"] == "<p>好课</p>"
    assert course["instructors"][0]["id"] == people[Role.INSTRUCTOR].id
    cid = course["id"]
    assert client.get(f"/api/v1/courses/{cid}").status_code == 404, "a draft is hidden from the public"

    starts = (now + timedelta(days=20)).date()
    response = client.post(f"/api/v1/courses/{cid}/classes", headers=admin, json={
        "title": "第一期", "mode": "offline", "city": "海口", "venue": "海南省电力学校", "starts_on": starts.isoformat(),
        "ends_on": (starts + timedelta(days=7)).isoformat(), "enroll_opens_at": "2026-11-01T09:00:00+08:00",
        "enroll_closes_at": f"{starts.isoformat()}T00:00:00+08:00", "capacity": 40, "price": 128000,
        "member_price": 98000, "free_for_members": True})
    assert response.status_code == 201, response.json
    class_id = response.json["id"]
    response = client.patch(f"/api/v1/classes/{class_id}", headers=admin, json={"member_price": 200000})
    assert response.status_code == 422 and response.json["error"]["field"] == "member_price"
    response = client.patch(f"/api/v1/classes/{class_id}", headers=admin, json={"capacity": 45})
    assert response.status_code == 200 and response.json["capacity"] == 45

    assert client.post(f"/api/v1/courses/{cid}/publish", headers=admin).json["error"]["code"] == "not_approved"
    assert client.post(f"/api/v1/courses/{cid}/submit", headers=admin).json["status"] == "submitted"
    response = client.post(f"/api/v1/courses/{cid}/reject", headers=union, json={"reason": ""})
    assert response.status_code == 422
    response = client.post(f"/api/v1/courses/{cid}/reject", headers=union, json={"reason": "请补充实操安排"})
    assert response.json == {"id": cid, "status": "rejected", "is_published": False, "review_note": "请补充实操安排"}
    assert client.patch(f"/api/v1/courses/{cid}", headers=admin, json={"hours": 72}).json["status"] == "draft"
    client.post(f"/api/v1/courses/{cid}/submit", headers=admin)
    assert client.post(f"/api/v1/courses/{cid}/approve", headers=union).json["status"] == "approved"
    assert client.post(f"/api/v1/courses/{cid}/publish", headers=admin).json["is_published"] is True

    found = client.get("/api/v1/courses?q=电工").json["items"]
    assert [i["id"] for i in found] == [cid]
    assert found[0]["price_from"] == {"amount": 128000, "currency": "CNY"}
    assert client.get(f"/api/v1/courses/{cid}").json["classes"][0]["id"] == class_id

    # substance change: back to review, gone from the catalog until approved again
    assert client.patch(f"/api/v1/courses/{cid}", headers=admin, json={"title": "低压电工作业培训（2027版）"}
                        ).json["status"] == "submitted"
    assert client.get(f"/api/v1/courses/{cid}").status_code == 404
    assert client.get("/api/v1/courses?q=电工").json["total"] == 0


def test_api_input_errors(client, people, make_course):
    admin = bearer(people[Role.PROVIDER_ADMIN])
    assert client.post("/api/v1/courses", headers=admin, data="nope",
                       content_type="application/json").status_code == 400
    response = client.post("/api/v1/courses", headers=admin, json={"title": "x", "colour": "red"})
    assert response.status_code == 422 and response.json["error"]["field"] == "colour"
    course = make_course()
    response = client.post(f"/api/v1/courses/{course.id}/classes", headers=admin, json={
        "title": "x", "mode": "offline", "starts_on": "2026-12-01", "ends_on": "2026-12-02",
        "enroll_opens_at": "2026-11-01T09:00:00", "enroll_closes_at": "2026-11-30T09:00:00+08:00", "capacity": 3})
    assert response.status_code == 422 and response.json["error"]["field"] == "enroll_opens_at", "naive time"


def test_cover_upload_api_rejects_non_images(app, client, people, make_course, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    course = make_course()
    admin = bearer(people[Role.PROVIDER_ADMIN])
    response = client.post(f"/api/v1/courses/{course.id}/cover", headers=admin,
                           data={"cover": (io.BytesIO(b"<?php echo 1; ?>"), "cover.png")})
    assert response.status_code == 422 and response.json["error"]["code"] == "bad_image"
    response = client.post(f"/api/v1/courses/{course.id}/cover", headers=admin,
                           data={"cover": (io.BytesIO(PNG), "cover.png")})
    assert response.status_code == 200
    name = client.get(f"/api/v1/courses/{course.id}", headers=admin).json["cover_url"]
    served = client.get(name)
    assert served.status_code == 200 and served.data == PNG and served.mimetype == "image/png"
    assert client.get("/media/covers/..%2Fsecret_key").status_code == 404


def test_union_admin_adds_industry_through_api(client, people):
    response = client.post("/api/v1/industries", headers=bearer(people[Role.UNION_ADMIN]),
                           json={"code": "marine", "name_zh": "海洋经济", "name_en": "Marine economy"})
    assert response.status_code == 201 and response.json["code"] == "marine"
    assert "海洋经济" in [i["name"] for i in client.get("/api/v1/industries").json["items"]]


# --- provider and union pages -------------------------------------------------------------

def test_provider_creates_course_and_class_through_pages(app, db, people, now, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    shelf.seed_industries(db)
    client = signed_in(app, people[Role.PROVIDER_ADMIN])
    html = client.get("/provider/courses/new").get_data(as_text=True)
    assert people[Role.INSTRUCTOR].name in html and "High technology" in html   # stored English names in English
    response = post_form(client, "/provider/courses/new", {
        "title": "高处作业培训", "summary": "登高作业安全", "industry_codes": ["hightech"], "skills": "安全带使用、登高架设",
        "hours": "48", "certificate_type": "特种作业操作证（高处作业）", "instructor_ids": [str(people[Role.INSTRUCTOR].id)],
        "description_html": "<p>课程<b>介绍</b></p>", "cover": (io.BytesIO(PNG), "c.png")},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    from sqlalchemy import select

    course = db.scalar(select(Course).where(Course.title == "高处作业培训"))
    assert course.skills == ["安全带使用", "登高架设"] and course.cover_image.endswith(".png")
    assert "高处作业培训" in client.get("/provider/courses").get_data(as_text=True)

    starts = (now + timedelta(days=30)).date()
    form = {"title": "第一期", "mode": "offline", "city": "", "venue": "", "starts_on": starts.isoformat(),
            "ends_on": (starts + timedelta(days=5)).isoformat(), "enroll_opens_at": "2026-11-20T09:00",
            "enroll_closes_at": f"{starts.isoformat()}T08:00", "capacity": "30", "price": "980.00",
            "member_price": "780", "free_for_members": "y", "refund_rule": "full_before_start",
            "refund_deadline_days": "0", "instructor_id": "0"}
    response = post_form(client, f"/provider/courses/{course.id}/classes/new", form)
    assert response.status_code == 200 and 'id="city-error"' in response.get_data(as_text=True)
    response = post_form(client, f"/provider/courses/{course.id}/classes/new", {**form, "city": "海口", "venue": "实训场"})
    assert response.status_code == 302
    db.expire_all()
    tc = db.scalar(select(TrainingClass).where(TrainingClass.course_id == course.id))
    assert (tc.price, tc.member_price, tc.free_for_members) == (98000, 78000, True)
    assert tc.enroll_closes_at.hour == 0, "08:00 Beijing time is 00:00 UTC"
    assert course.price_from == 98000

    edit = client.get(f"/provider/classes/{tc.id}/edit").get_data(as_text=True)
    assert "980.00" in edit
    response = post_form(client, f"/provider/classes/{tc.id}/edit", {**form, "city": "三亚", "venue": "实训场",
                                                                       "capacity": "20"})
    db.expire_all()
    assert response.status_code == 302 and tc.capacity == 20 and course.cities == " 三亚 "

    assert post_form(client, f"/provider/courses/{course.id}/submit").status_code == 302
    db.expire_all()
    assert course.status == CourseStatus.SUBMITTED


def test_union_reviews_through_pages(app, db, people, make_course, now):
    course = make_course(status=CourseStatus.SUBMITTED, title="待审课程")
    course.submitted_at = now
    db.flush()
    client = signed_in(app, people[Role.UNION_ADMIN])
    assert "待审课程" in client.get("/admin/courses").get_data(as_text=True)
    response = post_form(client, f"/admin/courses/{course.id}/reject", {"reason": ""}, follow_redirects=True)
    assert 'class="flash error"' in response.get_data(as_text=True)
    db.refresh(course)
    assert course.status == CourseStatus.SUBMITTED
    post_form(client, f"/admin/courses/{course.id}/reject", {"reason": "课时不足"})
    db.refresh(course)
    assert course.status == CourseStatus.REJECTED and course.review_note == "课时不足"
    course.status = CourseStatus.SUBMITTED
    db.flush()
    post_form(client, f"/admin/courses/{course.id}/approve")
    db.refresh(course)
    assert course.status == CourseStatus.APPROVED


def test_provider_publishes_and_other_provider_gets_404(app, db, people, make_course, make_user):
    course = make_course(published=False)
    client = signed_in(app, people[Role.PROVIDER_ADMIN])
    post_form(client, f"/provider/courses/{course.id}/publish")
    db.refresh(course)
    assert course.is_published
    stranger = signed_in(app, make_user(Role.PROVIDER_ADMIN))
    assert post_form(stranger, f"/provider/courses/{course.id}/unpublish").status_code == 404
    assert stranger.get(f"/provider/courses/{course.id}/edit").status_code == 404
    assert course.is_published


def test_industries_page(app, db, people):
    client = signed_in(app, people[Role.UNION_ADMIN])
    response = post_form(client, "/admin/industries", {"code": "marine", "name_zh": "海洋经济", "name_en": "Marine"})
    assert response.status_code == 302
    assert "海洋经济" in client.get("/admin/industries").get_data(as_text=True)


def test_forms_need_csrf(app, people):
    client = signed_in(app, people[Role.PROVIDER_ADMIN])
    assert client.post("/provider/courses/new", data={"title": "x"}).status_code == 400
    assert csrf_token(client, "/provider/courses")
