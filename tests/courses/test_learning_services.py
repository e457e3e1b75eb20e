"""Lessons, progress and completion (services)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.access import Role
from app.auth.models import OutboxMessage
from app.errors import Forbidden, Invalid, NotFound
from courses.models import ClassMode, EnrollmentStatus, LessonKind, LessonProgress
from courses.services import learning as svc
from courses.services.learning import Upload


@pytest.fixture
def teacher(make_user):
    return make_user(Role.INSTRUCTOR)


@pytest.fixture
def online_class(make_class, teacher, now):
    return make_class(mode=ClassMode.ONLINE, instructor_id=teacher.id, starts_on=(now - timedelta(days=1)).date(),
                      days=30)


# --- content rules ------------------------------------------------------------------------

def test_rich_text_is_sanitised():
    dirty = ('<p onclick="steal()">安全<script>alert(1)</script><a href="javascript:alert(1)">x</a>'
             '<img src="x" onerror="alert(1)"><a href="https://grid.example/manual">手册</a></p>')
    clean = svc.sanitize_html(dirty)
    assert "script" not in clean and "onclick" not in clean and "onerror" not in clean
    assert "javascript:" not in clean
    assert 'href="https://grid.example/manual"' in clean and "安全" in clean


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.example/a.mp4", "www.example.com/v",
                                 "data:text/html,hi", "", "https://", "http://a b.example/"])
def test_video_links_must_be_http_or_https(url):
    with pytest.raises(Invalid) as exc:
        svc.check_video_url(url)
    assert exc.value.code == "bad_video_url" and exc.value.field == "video_url"


def test_video_link_accepted(db, online_class, teacher):
    lesson = svc.add_lesson(db, actor=teacher, class_id=online_class.id, title="安全规程", kind=LessonKind.VIDEO,
                            video_url=" https://video.example/v/1 ")
    assert lesson.video_url == "https://video.example/v/1"


def test_text_lesson_is_stored_sanitised(db, online_class, teacher):
    lesson = svc.add_lesson(db, actor=teacher, class_id=online_class.id, title="概述", kind=LessonKind.TEXT,
                            body_html="<p>电工<script>x()</script></p>")
    assert lesson.body_html == "<p>电工</p>"


# --- managing lessons ---------------------------------------------------------------------

def test_file_lesson_is_stored_under_a_random_name(db, online_class, teacher, tmp_path):
    lesson = svc.add_lesson(db, actor=teacher, class_id=online_class.id, title="讲义", kind=LessonKind.FILE,
                            upload=Upload("../../低压电工讲义.pdf", io.BytesIO(b"%PDF-1.4 hello")),
                            upload_folder=str(tmp_path))
    assert lesson.file_name == "低压电工讲义.pdf"
    assert lesson.file_path.startswith("lessons/") and "讲义" not in lesson.file_path
    assert (tmp_path / lesson.file_path).read_bytes() == b"%PDF-1.4 hello"


def test_file_larger_than_the_limit_is_refused_and_not_kept(db, online_class, teacher, tmp_path):
    with pytest.raises(Invalid) as exc:
        svc.add_lesson(db, actor=teacher, class_id=online_class.id, title="大文件", kind=LessonKind.FILE,
                       upload=Upload("big.zip", io.BytesIO(b"x" * 11)), upload_folder=str(tmp_path), max_bytes=10)
    assert exc.value.code == "file_too_large"
    assert list((tmp_path / "lessons").iterdir()) == []


def test_the_limit_is_50_mb():
    assert svc.MAX_LESSON_FILE_BYTES == 50 * 1024 * 1024


def test_provider_admin_manages_lessons_and_others_cannot(db, online_class, make_user, provider, now):
    admin = make_user(Role.PROVIDER_ADMIN, org=provider)
    lesson = svc.add_lesson(db, actor=admin, class_id=online_class.id, title="一", kind=LessonKind.TEXT,
                            body_html="<p>a</p>")
    for outsider in (make_user(Role.PROVIDER_ADMIN), make_user(Role.INSTRUCTOR), make_user(Role.WORKER)):
        with pytest.raises(NotFound):
            svc.add_lesson(db, actor=outsider, class_id=online_class.id, title="x", kind=LessonKind.TEXT,
                           body_html="<p>a</p>")
        with pytest.raises(NotFound):
            svc.update_lesson(db, actor=outsider, lesson_id=lesson.id, title="y")
        with pytest.raises(NotFound):
            svc.delete_lesson(db, actor=outsider, lesson_id=lesson.id, now=now)


def test_lessons_are_appended_reordered_and_moved(db, online_class, teacher):
    a, b, c = (svc.add_lesson(db, actor=teacher, class_id=online_class.id, title=t, kind=LessonKind.TEXT,
                              body_html="<p>x</p>") for t in "abc")
    assert [a.position, b.position, c.position] == [0, 1, 2]
    svc.reorder_lessons(db, actor=teacher, class_id=online_class.id, lesson_ids=[c.id, a.id, b.id])
    assert [x.title for x in sorted(online_class.lessons, key=lambda x: x.position)] == ["c", "a", "b"]
    svc.move_lesson(db, actor=teacher, lesson_id=b.id, offset=-1)
    assert (c.position, b.position, a.position) == (0, 1, 2)
    svc.move_lesson(db, actor=teacher, lesson_id=c.id, offset=-1)   # already first: no change
    assert c.position == 0
    with pytest.raises(Invalid) as exc:
        svc.reorder_lessons(db, actor=teacher, class_id=online_class.id, lesson_ids=[a.id, b.id])
    assert exc.value.code == "bad_order"


def test_update_keeps_what_is_not_given_and_validates(db, online_class, teacher):
    lesson = svc.add_lesson(db, actor=teacher, class_id=online_class.id, title="视频", kind=LessonKind.VIDEO,
                            video_url="https://v.example/1", minutes=20)
    svc.update_lesson(db, actor=teacher, lesson_id=lesson.id, title="新标题")
    assert (lesson.title, lesson.video_url, lesson.minutes) == ("新标题", "https://v.example/1", 20)
    with pytest.raises(Invalid):
        svc.update_lesson(db, actor=teacher, lesson_id=lesson.id, video_url="javascript:alert(1)")


def test_deleting_a_file_lesson_removes_the_file_after_commit(db, online_class, teacher, tmp_path, now):
    lesson = svc.add_lesson(db, actor=teacher, class_id=online_class.id, title="讲义", kind=LessonKind.FILE,
                            upload=Upload("a.pdf", io.BytesIO(b"pdf")), upload_folder=str(tmp_path))
    path = Path(tmp_path) / lesson.file_path
    svc.delete_lesson(db, actor=teacher, lesson_id=lesson.id, now=now, upload_folder=str(tmp_path))
    assert path.exists()          # not before the transaction commits
    db.commit()
    assert not path.exists()


# --- progress and completion --------------------------------------------------------------

def test_marking_done_twice_is_one_record(db, online_class, make_lesson, make_member, make_enrollment, now):
    lessons = [make_lesson(online_class), make_lesson(online_class)]
    worker = make_member()
    enrollment = make_enrollment(online_class, worker)
    first = svc.mark_lesson_done(db, actor=worker, lesson_id=lessons[0].id, now=now)
    second = svc.mark_lesson_done(db, actor=worker, lesson_id=lessons[0].id, now=now)
    assert (first.lessons_done, second.lessons_done, second.lessons_total) == (1, 1, 2)
    assert second.percent == 50
    assert db.scalar(select(func.count()).select_from(LessonProgress)
                     .where(LessonProgress.enrollment_id == enrollment.id)) == 1


def test_a_racing_duplicate_insert_is_absorbed(db, online_class, make_lesson, make_member, make_enrollment, now,
                                               monkeypatch):
    """The existence check can lose a race; the unique constraint then decides, no error."""
    lesson = make_lesson(online_class)
    worker = make_member()
    enrollment = make_enrollment(online_class, worker)
    db.add(LessonProgress(enrollment_id=enrollment.id, lesson_id=lesson.id, completed_at=now))
    db.flush()
    real_scalar = db.scalar

    def blind_first_check(stmt, *args, **kwargs):
        sql = str(stmt).lower()
        if "from lesson_progress" in sql and "count(" not in sql:   # the existence check sees nothing
            return None
        return real_scalar(stmt, *args, **kwargs)

    monkeypatch.setattr(db, "scalar", blind_first_check)
    progress = svc.mark_lesson_done(db, actor=worker, lesson_id=lesson.id, now=now)
    monkeypatch.undo()
    assert progress.lessons_done == 1


def test_only_confirmed_learners_mark_progress(db, online_class, make_lesson, make_member, make_enrollment, now):
    lesson = make_lesson(online_class)
    stranger = make_member()
    with pytest.raises(Forbidden) as exc:
        svc.mark_lesson_done(db, actor=stranger, lesson_id=lesson.id, now=now)
    assert exc.value.code == "not_enrolled"
    pending = make_member()
    make_enrollment(online_class, pending, status=EnrollmentStatus.PENDING_PAYMENT)
    with pytest.raises(Forbidden):
        svc.mark_lesson_done(db, actor=pending, lesson_id=lesson.id, now=now)
    with pytest.raises(NotFound):
        svc.mark_lesson_done(db, actor=stranger, lesson_id=999999, now=now)


def test_online_class_completes_when_all_lessons_are_done(db, online_class, make_lesson, make_member,
                                                         make_enrollment, now):
    lessons = [make_lesson(online_class), make_lesson(online_class)]
    worker = make_member(email="learner@example.com")
    enrollment = make_enrollment(online_class, worker)
    svc.mark_lesson_done(db, actor=worker, lesson_id=lessons[0].id, now=now)
    assert enrollment.status == EnrollmentStatus.CONFIRMED
    progress = svc.mark_lesson_done(db, actor=worker, lesson_id=lessons[1].id, now=now)
    assert progress.completed_now
    assert enrollment.status == EnrollmentStatus.COMPLETED and enrollment.completed_at == now
    message = db.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "learner@example.com"))
    assert message is not None and online_class.course.title in message.subject
    # a completed learner may still open lessons and mark them again: no second message
    again = svc.mark_lesson_done(db, actor=worker, lesson_id=lessons[1].id, now=now + timedelta(hours=1))
    assert not again.completed_now and enrollment.completed_at == now
    assert db.scalar(select(func.count()).select_from(OutboxMessage)
                     .where(OutboxMessage.recipient == "learner@example.com")) == 1


def test_online_class_without_lessons_is_never_completed_automatically(db, online_class, make_member,
                                                                       make_enrollment, now):
    enrollment = make_enrollment(online_class, make_member())
    svc.evaluate_completion(db, enrollment=enrollment, now=now)
    assert enrollment.status == EnrollmentStatus.CONFIRMED


def test_required_days_round_up(make_class):
    assert svc.required_days(make_class(days=3, attendance_required_pct=80)) == 3
    assert svc.required_days(make_class(days=5, attendance_required_pct=80)) == 4
    assert svc.required_days(make_class(days=5, attendance_required_pct=0)) == 0
    assert svc.required_days(make_class(days=5, mode=ClassMode.ONLINE)) == 0


def test_deleting_the_only_missing_lesson_completes(db, online_class, teacher, make_lesson, make_member,
                                                   make_enrollment, now):
    done, missing = make_lesson(online_class), make_lesson(online_class)
    worker = make_member()
    enrollment = make_enrollment(online_class, worker)
    svc.mark_lesson_done(db, actor=worker, lesson_id=done.id, now=now)
    svc.delete_lesson(db, actor=teacher, lesson_id=missing.id, now=now)
    assert enrollment.status == EnrollmentStatus.COMPLETED
