"""Pages and API of the pool: who may do what, and nobody sees another's data."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from app.access import Role
from app.db import utcnow
from courses.models import EnrollmentStatus
from instructors.models import (
    InstructorProfile,
    Qualification,
    QualificationStatus,
    Rating,
    TeachingInvitation,
)
from tests.conftest import bearer, post_form, sign_in
from tests.instructors.conftest import TYPE_CODE

PDF = b"%PDF-1.4\n" + b"x" * 64


def test_an_instructor_completes_a_profile_with_a_qualification_and_the_union_verifies_it(
        app, db, client, make_user):
    me = make_user(Role.INSTRUCTOR, name="王立新")
    sign_in(client, me)
    assert client.get("/instructors/me").headers["Location"].endswith(f"/instructors/{me.id}/edit")
    response = post_form(client, f"/instructors/{me.id}/edit", {
        "titles": "高级技师、讲师", "years_experience": "21", "city": "海口", "trades": "低压电工作业 特种作业",
        "biography": "二十年电工", "in_pool": "y"})
    assert response.status_code == 302
    expires = (utcnow() + timedelta(days=800)).date().isoformat()
    response = post_form(client, f"/instructors/{me.id}/qualifications/new", {
        "role": "examiner", "certificate_type_code": TYPE_CODE, "certificate_type_name": "低压电工作业",
        "level": "特种作业", "number": "KP-77", "issuer": "应急管理厅", "expires_on": expires,
        "scan": (io.BytesIO(PDF), "kp.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    q = db.query(Qualification).filter_by(user_id=me.id).one()
    assert q.status == QualificationStatus.PENDING and q.scan_file
    assert client.get(f"/instructors/qualifications/{q.id}/scan").data == PDF
    assert client.get("/admin/qualifications").status_code == 403        # instructors do not verify

    union = make_user(Role.UNION_ADMIN)
    admin_client = app.test_client()
    sign_in(admin_client, union)
    page = admin_client.get("/admin/qualifications").get_data(as_text=True)
    assert "KP-77" in page and "王立新" in page
    assert admin_client.get(f"/instructors/qualifications/{q.id}/scan").status_code == 200
    assert post_form(admin_client, f"/admin/qualifications/{q.id}/verify").status_code == 302
    db.refresh(q)
    assert q.status == QualificationStatus.VERIFIED
    public = client.get(f"/instructors/{me.id}").get_data(as_text=True)
    assert "低压电工作业" in public and "KP-77" not in public     # numbers stay private


def test_nobody_edits_or_sees_anothers_profile_pages(app, db, client, make_user, make_examiner):
    other = make_examiner()
    q = db.query(Qualification).filter_by(user_id=other.id).one()
    sign_in(client, make_user(Role.INSTRUCTOR))
    assert client.get(f"/instructors/{other.id}/edit").status_code == 404
    assert post_form(client, f"/instructors/{other.id}/edit", {"years_experience": "1"}).status_code == 404
    assert client.get(f"/instructors/qualifications/{q.id}/scan").status_code == 404
    assert post_form(client, f"/instructors/qualifications/{q.id}/delete").status_code == 404
    assert client.get("/instructors/pool").status_code == 403
    assert client.get(f"/instructors/{other.id}").status_code == 200          # the public profile
    db.query(InstructorProfile).filter_by(user_id=other.id).update({"in_pool": False})
    assert client.get(f"/instructors/{other.id}").status_code == 404
    assert app.test_client().get("/instructors/me").status_code == 302          # anonymous: sign in


def test_the_pool_page_for_providers_and_union_admins(app, db, client, make_user, make_examiner, make_class, provider):
    make_examiner(name="符海涛", city="三亚")
    make_class(title="第九期")
    admin = make_user(Role.PROVIDER_ADMIN, org=provider)
    sign_in(client, admin)
    page = client.get("/instructors/pool?city=三亚").get_data(as_text=True)
    assert "符海涛" in page and "第九期" in page
    assert "符海涛" not in client.get("/instructors/pool?city=海口").get_data(as_text=True)
    union_client = app.test_client()
    sign_in(union_client, make_user(Role.UNION_ADMIN))
    assert "符海涛" in union_client.get("/instructors/pool").get_data(as_text=True)
    assert client.get("/provider/instructors").status_code == 200


def test_invite_page_flow(app, db, client, make_user, make_examiner, make_class, provider):
    teacher = make_examiner(name="黎明辉")
    training_class = make_class()
    admin = make_user(Role.PROVIDER_ADMIN, org=provider)
    sign_in(client, admin)
    assert post_form(client, f"/instructors/{teacher.id}/invite", {"class_id": training_class.id}).status_code == 302
    teacher_client = app.test_client()
    sign_in(teacher_client, teacher)
    page = teacher_client.get(f"/instructors/{teacher.id}/edit").get_data(as_text=True)
    assert training_class.title in page
    invitation_id = db.scalar(select(TeachingInvitation.id).where(TeachingInvitation.user_id == teacher.id))
    assert post_form(teacher_client, f"/instructors/invitations/{invitation_id}/accept").status_code == 302
    db.refresh(training_class)
    assert training_class.instructor_id == teacher.id


def test_learners_rate_a_finished_class_and_the_course_page_shows_it(app, db, client, make_member, make_class,
                                                                      make_enrollment, make_user):
    teacher = make_user(Role.INSTRUCTOR, name="王立新")
    db.add(InstructorProfile(user_id=teacher.id))
    today = utcnow()
    finished = make_class(starts_on=(today - timedelta(days=10)).date(), days=2, instructor_id=teacher.id,
                          enroll_opens_at=today - timedelta(days=30), enroll_closes_at=today - timedelta(days=11))
    learner, outsider = make_member(), make_member()
    make_enrollment(finished, learner, status=EnrollmentStatus.COMPLETED)
    sign_in(client, learner)
    assert finished.title in client.get("/instructors/ratings").get_data(as_text=True)
    assert client.get(f"/classes/{finished.id}/rate").status_code == 200
    response = post_form(client, f"/classes/{finished.id}/rate", {"stars": "4", "comment": "实操很扎实"})
    assert response.status_code == 302
    assert db.query(Rating).filter_by(user_id=learner.id).one().stars == 4
    again = post_form(client, f"/classes/{finished.id}/rate", {"stars": "5"})
    assert again.status_code == 200 and "already rated" in again.get_data(as_text=True)
    course_page = client.get(f"/courses/{finished.course_id}").get_data(as_text=True)
    assert "Learners' ratings" in course_page and "实操很扎实" in course_page and "1 ratings" in course_page
    assert "实操很扎实" in client.get(f"/instructors/{teacher.id}").get_data(as_text=True)
    other = app.test_client()
    sign_in(other, outsider)
    assert other.get(f"/classes/{finished.id}/rate").status_code == 404


def test_api_profile_qualification_availability_and_search(app, db, client, make_user, make_examiner):
    me = make_user(Role.INSTRUCTOR)
    headers = bearer(me)
    assert client.get("/api/v1/instructors/me", headers=headers).status_code == 404
    response = client.patch("/api/v1/instructors/me", headers=headers, json={
        "titles": ["技师"], "years_experience": 8, "city": "儋州", "trades": [{"trade": "电工", "level": "中级"}]})
    assert response.status_code == 200, response.json
    assert response.json["trades"] == [{"trade": "电工", "level": "中级"}]
    bad = client.patch("/api/v1/instructors/me", headers=headers, json={"years_experience": -1})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "years_experience"
    created = client.post("/api/v1/instructors/me/qualifications", headers=headers, json={
        "certificate_type_code": TYPE_CODE, "number": "N-1", "issuer": "中心", "expires_on": "2099-01-01"})
    assert created.status_code == 201 and created.json["status"] == "pending" and created.json["number"] == "N-1"
    assert client.post("/api/v1/instructors/me/qualifications", headers=headers,
                       json={"certificate_type_code": TYPE_CODE}).status_code == 422
    start = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    slot = client.post("/api/v1/instructors/me/availability", headers=headers, json={
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(days=2)).isoformat(), "kind": "examine"})
    assert slot.status_code == 201 and len(slot.json["items"]) == 1
    assert client.post("/api/v1/instructors/me/availability", headers=headers,
                       json={"starts_at": "tomorrow", "ends_at": "later"}).status_code == 422

    union = bearer(make_user(Role.UNION_ADMIN))
    decided = client.post(f"/api/v1/instructors/qualifications/{created.json['id']}/decision", headers=union,
                          json={"verify": True})
    assert decided.status_code == 200 and decided.json["counts"] is True
    assert client.post(f"/api/v1/instructors/qualifications/{created.json['id']}/decision", headers=headers,
                       json={"verify": True}).status_code == 403
    found = client.get("/api/v1/instructors?city=儋州", headers=union)
    assert found.status_code == 200 and [i["user_id"] for i in found.json["items"]] == [me.id]
    assert found.json["items"][0]["qualifications"][0]["number"] is None
    assert client.get("/api/v1/instructors", headers=headers).status_code == 403       # instructors do not search
    assert client.get("/api/v1/instructors").status_code == 401
    assert client.get("/api/v1/instructors?per_page=1000", headers=union).status_code == 422
    public = client.get(f"/api/v1/instructors/{me.id}")
    assert public.status_code == 200 and public.json["record"]["classes"] == 0
    assert client.get(f"/api/v1/instructors/{me.id}/availability", headers=union).status_code == 200
    stranger = make_examiner()
    assert client.get(f"/api/v1/instructors/{me.id}/availability", headers=bearer(stranger)).status_code == 404
    slot_id = slot.json["items"][0]["id"]
    assert client.delete(f"/api/v1/instructors/me/availability/{slot_id}", headers=bearer(stranger)).status_code == 404
    assert client.delete(f"/api/v1/instructors/me/availability/{slot_id}", headers=headers).status_code == 204


def test_api_ratings(app, db, client, make_member, make_class, make_enrollment, make_user):
    teacher = make_user(Role.INSTRUCTOR)
    db.add(InstructorProfile(user_id=teacher.id))
    today = utcnow()
    finished = make_class(starts_on=(today - timedelta(days=10)).date(), days=2, instructor_id=teacher.id,
                          enroll_opens_at=today - timedelta(days=30), enroll_closes_at=today - timedelta(days=11))
    learner = make_member(name="赵六")
    make_enrollment(finished, learner, status=EnrollmentStatus.COMPLETED)
    response = client.post("/api/v1/instructors/ratings", headers=bearer(learner),
                           json={"class_id": finished.id, "stars": 5, "comment": "好"})
    assert response.status_code == 201 and response.json["learner"] == "赵**"
    assert client.post("/api/v1/instructors/ratings", headers=bearer(learner),
                       json={"class_id": finished.id, "stars": 5}).json["error"]["code"] == "already_rated"
    assert client.post("/api/v1/instructors/ratings", headers=bearer(learner),
                       json={"class_id": finished.id, "stars": 0}).status_code == 422
    listed = client.get(f"/api/v1/instructors/{teacher.id}/ratings").json
    assert listed["summary"]["count"] == 1 and listed["summary"]["stars"]["5"] == 1


def test_openapi_lists_the_instructor_api(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/instructors", "/api/v1/instructors/me", "/api/v1/instructors/{user_id}",
                 "/api/v1/instructors/{user_id}/availability", "/api/v1/instructors/me/availability",
                 "/api/v1/instructors/{user_id}/ratings", "/api/v1/instructors/ratings"):
        assert path in paths, path


def test_api_invitations(app, db, client, make_user, make_examiner, make_class, provider):
    teacher = make_examiner()
    training_class = make_class()
    admin = bearer(make_user(Role.PROVIDER_ADMIN, org=provider))
    sent = client.post(f"/api/v1/instructors/{teacher.id}/invitations", headers=admin,
                       json={"class_id": training_class.id, "message": "欢迎"})
    assert sent.status_code == 201 and sent.json["status"] == "pending"
    assert client.post(f"/api/v1/instructors/{teacher.id}/invitations", headers=admin,
                       json={"class_id": training_class.id}).status_code == 409
    assert client.post(f"/api/v1/instructors/{teacher.id}/invitations", headers=bearer(teacher),
                       json={"class_id": training_class.id}).status_code == 403
    mine = client.get("/api/v1/instructors/me/invitations", headers=bearer(teacher)).json["items"]
    assert [i["id"] for i in mine] == [sent.json["id"]]
    assert client.post(f"/api/v1/instructors/invitations/{sent.json['id']}/accept",
                       headers=bearer(make_user(Role.INSTRUCTOR))).status_code == 404
    accepted = client.post(f"/api/v1/instructors/invitations/{sent.json['id']}/accept", headers=bearer(teacher))
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    db.refresh(training_class)
    assert training_class.instructor_id == teacher.id


def test_the_staff_page_lists_only_the_providers_own_instructors(app, db, client, make_user, make_org):
    org = make_org()
    admin = make_user(Role.PROVIDER_ADMIN, org=org)
    mine, theirs = make_user(Role.INSTRUCTOR, org=org, name="本校讲师"), make_user(Role.INSTRUCTOR, name="外校讲师")
    sign_in(client, admin)
    page = client.get("/provider/instructors").get_data(as_text=True)
    assert "本校讲师" in page and "外校讲师" not in page
    assert f"/instructors/{mine.id}/edit" in page
    assert client.get(f"/instructors/{mine.id}/edit").status_code == 200
    assert client.get(f"/instructors/{theirs.id}/edit").status_code == 404
    worker = app.test_client()
    sign_in(worker, make_user(Role.WORKER))
    assert worker.get("/provider/instructors").status_code == 403


def test_photos_are_public_but_scans_are_not_served_as_media(app, db, client, make_user):
    me = make_user(Role.INSTRUCTOR)
    sign_in(client, me)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    response = post_form(client, f"/instructors/{me.id}/edit", {
        "years_experience": "3", "in_pool": "y", "photo": (io.BytesIO(png), "me.png")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    profile = db.query(InstructorProfile).filter_by(user_id=me.id).one()
    assert app.test_client().get(f"/media/instructors/{profile.photo}").data == png
    bad = post_form(client, f"/instructors/{me.id}/edit", {"years_experience": "3", "photo": (io.BytesIO(b"GIF89a"),
                                                                                            "x.gif")},
                    content_type="multipart/form-data")
    assert bad.status_code == 200 and "PNG, JPEG or WebP" in bad.get_data(as_text=True)
    post_form(client, f"/instructors/{me.id}/qualifications/new", {
        "role": "examiner", "certificate_type_code": TYPE_CODE, "certificate_type_name": "低压电工作业",
        "number": "S-1", "issuer": "中心", "expires_on": "2099-01-01", "scan": (io.BytesIO(PDF), "s.pdf")},
        content_type="multipart/form-data")
    scan = db.query(Qualification).filter_by(user_id=me.id).one().scan_file
    assert app.test_client().get(f"/media/instructors/{scan}").status_code == 404
    assert post_form(client, f"/instructors/{me.id}/edit", {"years_experience": "abc"}).status_code == 200


def test_api_dates_beyond_the_platforms_years_are_422_not_500(client, make_user):
    # Year 9999 at UTC−5 and year 1 at UTC+8 cannot even be converted to UTC.
    me, union = make_user(Role.INSTRUCTOR), bearer(make_user(Role.UNION_ADMIN))
    for value in ("9999-12-31T23:00:00-05:00", "0001-01-01T01:00:00+08:00"):
        found = client.get("/api/v1/instructors", headers=union, query_string={"available_from": value})
        assert found.status_code == 422 and found.json["error"]["field"] == "available_from"
        slot = client.post("/api/v1/instructors/me/availability", headers=bearer(me),
                           json={"starts_at": "2099-12-30T00:00:00+08:00", "ends_at": value})
        assert slot.status_code == 422, slot.json
    qualification = client.post("/api/v1/instructors/me/qualifications", headers=bearer(me), json={
        "certificate_type_code": TYPE_CODE, "number": "N-2", "issuer": "中心", "expires_on": "9999-12-31"})
    assert qualification.status_code == 422 and qualification.json["error"]["field"] == "expires_on"
