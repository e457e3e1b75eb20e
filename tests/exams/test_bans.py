"""Barring candidates: union admins ban (a type or all exams) until a date with a reason, list and lift;
every change logged; the candidate sees the reason when booking is refused. Service, page, API, roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.access import Role
from app.db import utcnow
from app.errors import Conflict, Forbidden, Invalid, NotFound
from exams.models import CandidateBan, ExamLog
from exams.services import bans
from exams.services import booking as booking_service
from tests.conftest import bearer, post_form, sign_in
from tests.exams.conftest import NOW


def test_ban_refuses_booking_with_the_reason_and_lifting_restores_it(db, union_admin, make_session, make_candidate,
                                                                       special_ops):
    exam_session = make_session()
    candidate = make_candidate()
    ban = bans.ban_candidate(db, actor=union_admin, user_id=candidate.id, certificate_type_id=special_ops.id,
                             until=NOW + timedelta(days=365), reason="考试作弊（夹带）", now=NOW)
    with pytest.raises(Invalid) as refused:
        booking_service.book_exam_seat(db, actor=candidate, exam_session_id=exam_session.id, now=NOW)
    assert refused.value.code == "not_eligible" and "考试作弊（夹带）" in refused.value.message
    assert [b.id for b in bans.list_bans(db, now=NOW)] == [ban.id]

    lifted = bans.lift_ban(db, actor=union_admin, ban_id=ban.id, reason="申诉成立", now=NOW + timedelta(hours=1))
    assert lifted.until == NOW + timedelta(hours=1)
    assert bans.list_bans(db, now=NOW + timedelta(hours=1)) == []
    assert [b.id for b in bans.list_bans(db, now=NOW + timedelta(hours=1), active_only=False)] == [ban.id]
    booking = booking_service.book_exam_seat(db, actor=candidate, exam_session_id=exam_session.id,
                                             now=NOW + timedelta(hours=2))
    assert booking.seat_no == 1
    log = [(e.action, e.actor_id, e.created_at, e.detail["reason"]) for e in reversed(bans.ban_history(db))]
    assert log == [("ban_created", union_admin.id, NOW, "考试作弊（夹带）"),
                   ("ban_lifted", union_admin.id, NOW + timedelta(hours=1), "申诉成立")]
    with pytest.raises(Conflict):
        bans.lift_ban(db, actor=union_admin, ban_id=ban.id, reason="again", now=NOW + timedelta(hours=3))


def test_a_ban_from_all_exams_and_one_of_another_type(db, union_admin, make_session, make_candidate, skill_level):
    exam_session = make_session()
    other_type, everything = make_candidate(), make_candidate()
    bans.ban_candidate(db, actor=union_admin, user_id=other_type.id, certificate_type_id=skill_level.id,
                       until=NOW + timedelta(days=30), reason="替考", now=NOW)
    bans.ban_candidate(db, actor=union_admin, user_id=everything.id, certificate_type_id=None,
                       until=NOW + timedelta(days=30), reason="伪造证件", now=NOW)
    assert booking_service.book_exam_seat(db, actor=other_type, exam_session_id=exam_session.id, now=NOW)
    reasons = booking_service.eligibility_reasons(db, user=everything, exam_session=exam_session, now=NOW)
    assert any("伪造证件" in r for r in reasons)
    # Ended by its own date.
    assert not booking_service.eligibility_reasons(db, user=everything, exam_session=exam_session,
                                                   now=NOW + timedelta(days=30))


def test_ban_rules(db, union_admin, make_candidate, make_user, special_ops):
    candidate = make_candidate()
    with pytest.raises(Forbidden):
        bans.ban_candidate(db, actor=make_user(Role.INSTRUCTOR), user_id=candidate.id, certificate_type_id=None,
                           until=NOW + timedelta(days=1), reason="x", now=NOW)
    with pytest.raises(Invalid):
        bans.ban_candidate(db, actor=union_admin, user_id=candidate.id, certificate_type_id=None,
                           until=NOW + timedelta(days=1), reason="  ", now=NOW)
    with pytest.raises(Invalid):
        bans.ban_candidate(db, actor=union_admin, user_id=candidate.id, certificate_type_id=None,
                           until=NOW, reason="x", now=NOW)
    with pytest.raises(NotFound):
        bans.ban_candidate(db, actor=union_admin, user_id=987654, certificate_type_id=None,
                           until=NOW + timedelta(days=1), reason="x", now=NOW)
    with pytest.raises(NotFound):
        bans.ban_candidate(db, actor=union_admin, user_id=candidate.id, certificate_type_id=987654,
                           until=NOW + timedelta(days=1), reason="x", now=NOW)
    with pytest.raises(NotFound):
        bans.lift_ban(db, actor=union_admin, ban_id=987654, reason="x", now=NOW)
    assert db.scalar(select(CandidateBan)) is None


def test_ban_page_for_union_admins_only(client, db, union_admin, make_candidate, make_user, special_ops, make_session):
    live = make_session(base=utcnow())
    candidate = make_candidate()
    for role in (Role.WORKER, Role.INSTRUCTOR, Role.PROVIDER_ADMIN):
        other = client.application.test_client()
        sign_in(other, make_user(role))
        assert other.get("/exams/admin/bans").status_code in (403, 404)
        assert post_form(other, "/exams/admin/bans", {"candidate": candidate.phone}).status_code in (403, 404)
    assert client.get("/exams/admin/bans").status_code in (302, 401)

    sign_in(client, union_admin)
    page = client.get("/exams/admin/bans")
    assert page.status_code == 200 and "Nobody is barred" in page.get_data(as_text=True)
    until = (utcnow() + timedelta(days=400)).date().isoformat()
    response = post_form(client, "/exams/admin/bans", {"candidate": "+8613000000000", "certificate_type_id": "0",
                                                        "until": until, "reason": "作弊"})
    assert response.status_code == 200 and "No user has this phone or email" in response.get_data(as_text=True)
    response = post_form(client, "/exams/admin/bans", {"candidate": candidate.phone or candidate.email,
                                                        "certificate_type_id": str(special_ops.id),
                                                        "until": until, "reason": "考试时使用手机作弊"})
    assert response.status_code == 302
    ban = db.scalar(select(CandidateBan).where(CandidateBan.user_id == candidate.id))
    assert ban.created_by_id == union_admin.id and ban.certificate_type_id == special_ops.id
    listing = client.get("/exams/admin/bans").get_data(as_text=True)
    assert candidate.name in listing and "考试时使用手机作弊" in listing and "Lift the ban" in listing

    # The candidate sees why on the session page.
    worker = client.application.test_client()
    sign_in(worker, candidate)
    assert "考试时使用手机作弊" in worker.get(f"/exams/sessions/{live.id}").get_data(as_text=True)

    assert post_form(client, f"/exams/admin/bans/{ban.id}/lift", {"reason": "误判"}).status_code == 302
    db.refresh(ban)
    assert ban.until <= utcnow()
    assert db.scalar(select(ExamLog).where(ExamLog.action == "ban_lifted")).detail["reason"] == "误判"
    assert post_form(client, "/exams/admin/bans/987654/lift", {"reason": "x"}).status_code == 404
    assert "考试时使用手机作弊" not in worker.get(f"/exams/sessions/{live.id}").get_data(as_text=True)


def test_ban_api(client, db, union_admin, make_candidate, make_user, special_ops):
    candidate = make_candidate()
    until = (utcnow() + timedelta(days=90)).isoformat()
    body = {"user_id": candidate.id, "certificate_type_id": special_ops.id, "until": until, "reason": "作弊"}
    for role in (Role.WORKER, Role.INSTRUCTOR, Role.PROVIDER_ADMIN):
        outsider = make_user(role)
        assert client.post("/api/v1/exam-bans", json=body, headers=bearer(outsider)).status_code == 403
        assert client.get("/api/v1/exam-bans", headers=bearer(outsider)).status_code == 403
    assert client.get("/api/v1/exam-bans").status_code == 401
    admin = bearer(union_admin)
    assert client.post("/api/v1/exam-bans", json={**body, "reason": ""}, headers=admin).status_code == 422
    assert client.post("/api/v1/exam-bans", json={**body, "until": "soon"}, headers=admin).status_code == 422
    assert client.post("/api/v1/exam-bans", json={**body, "user_id": 987654}, headers=admin).status_code == 404
    response = client.post("/api/v1/exam-bans", json=body, headers=admin)
    assert response.status_code == 201, response.json
    ban = response.json
    assert ban["active"] and ban["reason"] == "作弊" and ban["created_by_id"] == union_admin.id
    assert [b["id"] for b in client.get("/api/v1/exam-bans", headers=admin).json["items"]] == [ban["id"]]
    lifted = client.post(f"/api/v1/exam-bans/{ban['id']}/lift", json={"reason": "撤销"}, headers=admin)
    assert lifted.status_code == 200 and not lifted.json["active"]
    assert client.get("/api/v1/exam-bans", headers=admin).json["items"] == []
    assert len(client.get("/api/v1/exam-bans?all=true", headers=admin).json["items"]) == 1
    again = client.post(f"/api/v1/exam-bans/{ban['id']}/lift", json={"reason": "x"}, headers=admin)
    assert (again.status_code, again.json["error"]["code"]) == (409, "not_active")
    assert client.post("/api/v1/exam-bans/987654/lift", json={"reason": "x"}, headers=admin).status_code == 404


def test_find_candidate_by_phone_as_typed_or_email(db, make_candidate):
    by_phone = make_candidate(phone="13912345678")
    by_mail = make_candidate(email="Li.Ming@example.com")
    assert bans.find_candidate(db, "139 1234 5678") == by_phone
    assert bans.find_candidate(db, "+8613912345678") == by_phone
    assert bans.find_candidate(db, "li.ming@example.com") == by_mail
    assert bans.find_candidate(db, "not a phone") is None
    assert bans.find_candidate(db, "") is None
