"""Question images: uploaded on the bank page and through the API (PNG/JPEG/WebP by magic bytes,
size-limited), served only to the candidate whose paper holds the question, its examiners and union
admins; shown on the exam page and in the grading view."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.access import Role
from app.db import utcnow
from app.errors import Forbidden, Invalid
from exams.models import Answer, Attempt, Question, QuestionKind
from exams.services import booking as booking_service
from exams.services import images
from exams.services import sessions as session_service
from tests.conftest import bearer, post_form, sign_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64


@pytest.fixture
def running(db, make_session, make_candidate, union_admin):
    """A theory session that started 5 minutes ago; a candidate booked and checked in."""
    now = utcnow()
    exam_session = make_session(base=now - timedelta(days=2), starts_in=timedelta(days=2, minutes=-5))
    candidate = make_candidate()
    booking = booking_service.book_exam_seat(db, actor=candidate, exam_session_id=exam_session.id,
                                             now=now - timedelta(days=1))
    booking_service.check_in(db, actor=union_admin, ticket_token=booking.ticket_token, now=now)
    return exam_session, candidate, booking


@pytest.fixture
def uploads(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    return tmp_path


@pytest.mark.parametrize("content, ext", [(PNG, "png"), (JPEG, "jpg"), (WEBP, "webp")])
def test_upload_checks_magic_bytes_and_size(db, uploads, union_admin, make_questions, special_ops, make_user,
                                            content, ext):
    question = make_questions(special_ops, QuestionKind.SINGLE, 1)[0]
    stored = images.set_question_image(db, actor=union_admin, question_id=question.id, content=content,
                                       upload_folder=str(uploads), now=utcnow())
    assert stored.image.endswith("." + ext)
    assert images.image_file(str(uploads), stored.image).read_bytes() == content
    assert images.image_file(str(uploads), "../../etc/passwd") is None


def test_upload_refuses_bad_files_and_non_admins(db, uploads, union_admin, make_questions, special_ops, make_user):
    question = make_questions(special_ops, QuestionKind.SINGLE, 1)[0]
    with pytest.raises(Invalid) as bad:
        images.set_question_image(db, actor=union_admin, question_id=question.id, content=b"GIF89a" + b"\x00" * 9,
                                  upload_folder=str(uploads), now=utcnow())
    assert bad.value.code == "bad_image"
    with pytest.raises(Invalid) as big:
        images.set_question_image(db, actor=union_admin, question_id=question.id,
                                  content=PNG + b"\x00" * images.IMAGE_MAX_BYTES, upload_folder=str(uploads),
                                  now=utcnow())
    assert big.value.code == "image_too_large"
    with pytest.raises(Forbidden):
        images.set_question_image(db, actor=make_user(Role.INSTRUCTOR), question_id=question.id, content=PNG,
                                  upload_folder=str(uploads), now=utcnow())
    assert question.image is None


def _started(client, db, running):
    exam_session, candidate, booking = running
    client.post(f"/api/v1/bookings/{booking.id}/attempt", headers=bearer(candidate))
    attempt = db.scalar(select(Attempt).where(Attempt.booking_id == booking.id))
    short = db.scalar(select(Answer).where(Answer.attempt_id == attempt.id,
                                           Answer.question.has(kind=QuestionKind.SHORT)))
    return exam_session, candidate, attempt, short


def test_image_served_only_to_those_who_may_see_the_question(client, db, uploads, running, union_admin,
                                                             make_candidate, make_examiner, make_user,
                                                             make_questions, special_ops):
    exam_session, candidate, attempt, short = _started(client, db, running)
    admin = bearer(union_admin)
    url = f"/api/v1/questions/{short.question_id}/image"
    # Upload through the API: refused for others and for bad content; stored for a union admin.
    assert client.post(url, data={"image": (io.BytesIO(PNG), "a.png")}, headers=bearer(candidate)).status_code == 403
    bad = client.post(url, data={"image": (io.BytesIO(b"<svg/>"), "a.png")}, headers=admin)
    assert (bad.status_code, bad.json["error"]["code"]) == (422, "bad_image")
    assert client.post(url, data={}, headers=admin).status_code == 422
    assert client.post("/api/v1/questions/987654/image", data={"image": (io.BytesIO(PNG), "a.png")},
                       headers=admin).status_code == 404
    response = client.post(url, data={"image": (io.BytesIO(PNG), "a.png")}, headers=admin)
    assert response.status_code == 200 and response.json["image_url"] == url

    # The candidate: in the attempt's JSON and as the file itself.
    shown = client.get(f"/api/v1/attempts/{attempt.id}", headers=bearer(candidate)).json
    assert url in [q["image"] for q in shown["questions"]]
    got = client.get(url, headers=bearer(candidate))
    assert got.status_code == 200 and got.data == PNG and got.mimetype == "image/png"
    assert "private" in got.headers["Cache-Control"]

    examiner, outsider_examiner = make_examiner(), make_examiner()
    session_service.assign_staff(db, actor=union_admin, exam_session_id=exam_session.id, user_id=examiner.id,
                                 role="examiner", now=utcnow())
    assert client.get(url, headers=bearer(examiner)).status_code == 200
    assert client.get(url, headers=admin).status_code == 200
    assert client.get(url, headers=bearer(outsider_examiner)).status_code == 404
    assert client.get(url, headers=bearer(make_candidate())).status_code == 404
    assert client.get(url, headers=bearer(make_user(Role.PROVIDER_ADMIN))).status_code in (403, 404)
    assert client.get(url).status_code == 401
    # A bank question that is in nobody's paper stays hidden from candidates.
    unused = make_questions(special_ops, QuestionKind.SINGLE, 1)[0]
    images.set_question_image(db, actor=union_admin, question_id=unused.id, content=WEBP, upload_folder=str(uploads),
                              now=utcnow())
    assert client.get(f"/api/v1/questions/{unused.id}/image", headers=bearer(candidate)).status_code == 404
    assert client.get(f"/api/v1/questions/{unused.id}/image", headers=admin).status_code == 200


def test_image_on_the_exam_page_and_in_grading(client, db, uploads, running, union_admin, make_examiner,
                                               make_candidate):
    exam_session, candidate, attempt, short = _started(client, db, running)
    page_url = f"/exams/questions/{short.question_id}/image"
    admin = client.application.test_client()
    sign_in(admin, union_admin)
    # Upload on the question bank page.
    bank = admin.get(f"/exams/admin/types/{exam_session.certificate_type_id}/bank").get_data(as_text=True)
    assert f"/exams/admin/questions/{short.question_id}/image" in bank
    response = post_form(admin, f"/exams/admin/questions/{short.question_id}/image",
                         {"image": (io.BytesIO(JPEG), "photo.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.scalar(select(Question.image).where(Question.id == short.question_id)).endswith(".jpg")
    refused = post_form(admin, f"/exams/admin/questions/{short.question_id}/image",
                        {"image": (io.BytesIO(b"not an image"), "x.jpg")}, content_type="multipart/form-data",
                        follow_redirects=True)
    assert "PNG, JPEG or WebP" in refused.get_data(as_text=True)
    assert post_form(admin, "/exams/admin/questions/987654/image", {}).status_code == 404
    assert page_url in admin.get(f"/exams/admin/types/{exam_session.certificate_type_id}/bank").get_data(as_text=True)
    assert admin.get(page_url).status_code == 200

    sign_in(client, candidate)
    assert page_url in client.get(f"/exams/attempts/{attempt.id}").get_data(as_text=True)
    assert client.get(page_url).data == JPEG
    other = client.application.test_client()
    sign_in(other, make_candidate())
    assert other.get(page_url).status_code == 404
    assert post_form(other, f"/exams/admin/questions/{short.question_id}/image", {}).status_code == 403

    client.put(f"/api/v1/attempts/{attempt.id}/answers", headers=bearer(candidate),
               json={"answers": [{"position": short.position, "response": ["先停电、验电，再挂接地线"], "seq": 1}]})
    client.post(f"/api/v1/attempts/{attempt.id}/submit", headers=bearer(candidate))
    assert client.get(page_url).status_code == 200   # after the attempt too
    examiner = make_examiner()
    session_service.assign_staff(db, actor=union_admin, exam_session_id=exam_session.id, user_id=examiner.id,
                                 role="examiner", now=utcnow())
    marker = client.application.test_client()
    sign_in(marker, examiner)
    grade_page = marker.get(f"/exams/grading/{short.id}").get_data(as_text=True)
    assert page_url in grade_page
    assert marker.get(page_url).status_code == 200
