"""Lesson pages over HTTP: managing lessons, the lesson page, downloads, the class page partial."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask import render_template
from flask_login import login_user, logout_user
from sqlalchemy import select

from app.access import Role
from courses.models import ClassMode, EnrollmentStatus, Lesson, LessonKind, LessonProgress
from courses.services import learning as svc
from courses.services.learning import Upload
from tests.conftest import csrf_token, post_form, sign_in


@pytest.fixture
def world(make_user, make_member, make_class, make_enrollment, provider, now, app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    teacher = make_user(Role.INSTRUCTOR)
    training_class = make_class(mode=ClassMode.BLENDED, instructor_id=teacher.id,
                                starts_on=(now - timedelta(days=1)).date(), days=5)
    learner = make_member()
    enrollment = make_enrollment(training_class, learner)
    people = {
        "learner": learner, "teacher": teacher, "admin": make_user(Role.PROVIDER_ADMIN, org=provider),
        "stranger": make_member(), "other_teacher": make_user(Role.INSTRUCTOR),
        "other_admin": make_user(Role.PROVIDER_ADMIN), "enterprise": make_user(Role.ENTERPRISE_ADMIN),
        "union": make_user(Role.UNION_ADMIN),
    }
    pending = make_member()
    make_enrollment(training_class, pending, status=EnrollmentStatus.PENDING_PAYMENT)
    people["pending"] = pending
    return {"class": training_class, "enrollment": enrollment, **people}


def _file_lesson(db, world, tmp_path, content=b"%PDF-1.4 lesson"):
    return svc.add_lesson(db, actor=world["teacher"], class_id=world["class"].id, title="讲义", kind=LessonKind.FILE,
                          upload=Upload("低压电工讲义.pdf", io.BytesIO(content)), upload_folder=str(tmp_path))


# --- managing lessons ---------------------------------------------------------------------

@pytest.mark.parametrize("who,status", [("teacher", 200), ("admin", 200), ("other_teacher", 404),
                                        ("other_admin", 404), ("learner", 403), ("enterprise", 403),
                                        ("union", 403)])
def test_lessons_management_page_by_role(client, world, who, status):
    sign_in(client, world[who])
    response = client.get(f"/provider/classes/{world['class'].id}/lessons")
    assert response.status_code == status


def test_lessons_management_page_needs_sign_in(client, world):
    response = client.get(f"/provider/classes/{world['class'].id}/lessons")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_teacher_adds_text_video_and_file_lessons_through_the_page(client, db, world, tmp_path):
    sign_in(client, world["teacher"])
    path = f"/provider/classes/{world['class'].id}/lessons"
    r = post_form(client, path, {"title": "安全规程", "kind": "text", "body_html": "<p>注意<script>x</script></p>",
                                 "minutes": "10"})
    assert r.status_code == 302
    r = post_form(client, path, {"title": "示范视频", "kind": "video", "video_url": "javascript:alert(1)"})
    assert r.status_code == 200 and "http://" in r.get_data(as_text=True)       # error shown on the form
    r = post_form(client, path, {"title": "示范视频", "kind": "video", "video_url": "https://v.example/1"})
    assert r.status_code == 302
    r = post_form(client, path, {"title": "讲义", "kind": "file",
                                 "file": (io.BytesIO(b"%PDF data"), "讲义.pdf")},
                  content_type="multipart/form-data")
    assert r.status_code == 302
    lessons = list(db.scalars(select(Lesson).where(Lesson.class_id == world["class"].id).order_by(Lesson.position)))
    assert [(x.title, x.kind) for x in lessons] == [("安全规程", "text"), ("示范视频", "video"), ("讲义", "file")]
    assert lessons[0].body_html == "<p>注意</p>"
    assert (tmp_path / lessons[2].file_path).read_bytes() == b"%PDF data"
    page = client.get(path).get_data(as_text=True)
    assert "安全规程" in page and "讲义.pdf" in page


def test_a_file_above_the_default_request_limit_is_accepted(client, db, world, app):
    """The app caps requests at 16 MB; lesson uploads may reach 50 MB."""
    sign_in(client, world["teacher"])
    big = b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    r = post_form(client, f"/provider/classes/{world['class'].id}/lessons",
                  {"title": "大讲义", "kind": "file", "file": (io.BytesIO(big), "big.bin")},
                  content_type="multipart/form-data")
    assert r.status_code == 302
    assert db.scalar(select(Lesson.file_name).where(Lesson.title == "大讲义")) == "big.bin"


def test_the_upload_page_still_checks_csrf(client, world):
    sign_in(client, world["teacher"])
    r = client.post(f"/provider/classes/{world['class'].id}/lessons", data={"title": "x", "kind": "text",
                                                                            "body_html": "<p>x</p>"})
    assert r.status_code == 400


def test_edit_move_delete_through_the_pages(client, db, world, make_lesson):
    a, b = make_lesson(world["class"], title="甲", position=0), make_lesson(world["class"], title="乙", position=1)
    sign_in(client, world["admin"])
    r = client.get(f"/provider/lessons/{a.id}/edit")
    assert r.status_code == 200 and "甲" in r.get_data(as_text=True)
    r = post_form(client, f"/provider/lessons/{a.id}/edit", {"title": "甲改", "body_html": "<p>新</p>", "minutes": "5"})
    db.expire_all()
    assert r.status_code == 302 and a.title == "甲改"
    assert post_form(client, f"/provider/lessons/{b.id}/move/up").status_code == 302
    db.expire_all()
    assert (b.position, a.position) == (0, 1)
    a_id = a.id
    assert post_form(client, f"/provider/lessons/{a_id}/delete").status_code == 302
    db.expire_all()
    assert db.scalar(select(Lesson.id).where(Lesson.id == a_id)) is None


@pytest.mark.parametrize("who,status", [("other_teacher", 404), ("other_admin", 404), ("learner", 403)])
def test_others_cannot_edit_move_or_delete(client, db, world, make_lesson, who, status):
    lesson = make_lesson(world["class"])
    sign_in(client, world[who])
    assert client.get(f"/provider/lessons/{lesson.id}/edit").status_code == status
    assert post_form(client, f"/provider/lessons/{lesson.id}/move/up").status_code == status
    assert post_form(client, f"/provider/lessons/{lesson.id}/delete").status_code == status
    db.expire_all()
    assert db.get(Lesson, lesson.id) is not None


# --- the lesson page ----------------------------------------------------------------------

@pytest.mark.parametrize("who,status", [("learner", 200), ("teacher", 200), ("admin", 200), ("stranger", 403),
                                        ("pending", 403), ("other_teacher", 403), ("enterprise", 403),
                                        ("union", 403)])
def test_lesson_page_by_role(client, world, make_lesson, who, status):
    lesson = make_lesson(world["class"], title="第一课", body_html="<p>绝缘手套</p>")
    sign_in(client, world[who])
    response = client.get(f"/lessons/{lesson.id}")
    assert response.status_code == status
    if status == 200:
        assert "绝缘手套" in response.get_data(as_text=True)


def test_lesson_page_needs_sign_in(client, world, make_lesson):
    lesson = make_lesson(world["class"])
    response = client.get(f"/lessons/{lesson.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/lessons/999999").status_code == 302


def test_learner_marks_done_from_the_page(client, db, world, make_lesson):
    first, second = make_lesson(world["class"]), make_lesson(world["class"])
    sign_in(client, world["learner"])
    page = client.get(f"/lessons/{first.id}").get_data(as_text=True)
    assert f'action="/lessons/{first.id}/done"' in page
    r = post_form(client, f"/lessons/{first.id}/done", {"next_lesson": str(second.id)})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/lessons/{second.id}")
    r = post_form(client, f"/lessons/{first.id}/done")   # twice: still one record
    assert r.status_code == 302
    assert len(list(db.scalars(select(LessonProgress).where(
        LessonProgress.enrollment_id == world["enrollment"].id)))) == 1


def test_mark_done_by_someone_not_enrolled_is_refused(client, db, world, make_lesson):
    lesson = make_lesson(world["class"])
    sign_in(client, world["stranger"])
    r = post_form(client, f"/lessons/{lesson.id}/done")
    assert r.status_code == 302
    assert db.scalar(select(LessonProgress.id)) is None
    sign_in(client, world["teacher"])      # teachers may read lessons but have no progress to record
    assert post_form(client, f"/lessons/{lesson.id}/done").status_code == 302
    assert db.scalar(select(LessonProgress.id)) is None


def test_video_lesson_shows_a_link_and_text_is_rendered_sanitised(client, db, world):
    lesson = svc.add_lesson(db, actor=world["teacher"], class_id=world["class"].id, title="视频", kind=LessonKind.VIDEO,
                            video_url="https://v.example/watch?id=1",
                            body_html='<p>看<img src=x onerror="alert(1)"></p>')
    sign_in(client, world["learner"])
    html = client.get(f"/lessons/{lesson.id}").get_data(as_text=True)
    assert 'href="https://v.example/watch?id=1"' in html
    assert "onerror" not in html


# --- downloads ----------------------------------------------------------------------------

@pytest.mark.parametrize("who,status", [("learner", 200), ("teacher", 200), ("admin", 200), ("stranger", 404),
                                        ("pending", 404), ("other_teacher", 404), ("other_admin", 404),
                                        ("enterprise", 404), ("union", 404)])
def test_file_download_by_role(client, db, world, tmp_path, who, status):
    lesson = _file_lesson(db, world, tmp_path)
    sign_in(client, world[who])
    response = client.get(f"/lessons/{lesson.id}/file")
    assert response.status_code == status
    if status == 200:
        assert response.data == b"%PDF-1.4 lesson"
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment") and "filename*=UTF-8''" in disposition
    response.close()


def test_file_download_needs_sign_in(client, db, world, tmp_path):
    lesson = _file_lesson(db, world, tmp_path)
    response = client.get(f"/lessons/{lesson.id}/file")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_text_lessons_have_no_file(client, world, make_lesson):
    lesson = make_lesson(world["class"])
    sign_in(client, world["learner"])
    assert client.get(f"/lessons/{lesson.id}/file").status_code == 404


# --- the class page partial ---------------------------------------------------------------

def test_partial_shows_titles_to_everyone_and_progress_to_the_learner(db, world, make_lesson, now):
    a, _b = make_lesson(world["class"], title="第一课"), make_lesson(world["class"], title="第二课", kind=LessonKind.VIDEO,
                                                                    video_url="https://v.example/2")
    svc.mark_lesson_done(db, actor=world["learner"], lesson_id=a.id, now=now)

    def render():
        return render_template("courses/learning/_class_lessons.html", training_class=world["class"],
                               course=world["class"].course)

    anonymous = render()
    assert "第一课" in anonymous and "第二课" in anonymous and f"/lessons/{a.id}" not in anonymous
    login_user(world["learner"])
    mine = render()
    assert f"/lessons/{a.id}" in mine and '<progress max="2" value="1">' in mine
    assert mine.count("✓") == 1
    logout_user()
    login_user(world["teacher"])
    teaching = render()
    assert f"/provider/classes/{world['class'].id}/lessons" in teaching
    logout_user()


def test_csrf_token_helper_works_for_pages(client, world):
    sign_in(client, world["teacher"])
    assert csrf_token(client, "/instructor/classes")


def test_class_page_shows_the_lessons_partial(client, db, world, make_lesson, now):
    lesson = make_lesson(world["class"], title="公开课标题")
    anonymous = client.get(f"/classes/{world['class'].id}").get_data(as_text=True)
    assert "公开课标题" in anonymous and f'href="/lessons/{lesson.id}"' not in anonymous
    svc.mark_lesson_done(db, actor=world["learner"], lesson_id=lesson.id, now=now)
    sign_in(client, world["learner"])
    mine = client.get(f"/classes/{world['class'].id}").get_data(as_text=True)
    assert f'href="/lessons/{lesson.id}"' in mine and '<progress max="1" value="1">' in mine
