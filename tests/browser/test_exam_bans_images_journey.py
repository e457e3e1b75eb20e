"""Exams in a browser: a union admin bars a candidate (the candidate sees why on a phone), lifts the
ban; the candidate books, and an image added to a question on the bank page shows inside the exam on
a phone and in the examiner's grading view. Screenshots at 390x844 and 1280x800."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect
from sqlalchemy import select

from app.db import get_session, utcnow
from courses.models import Enrollment, EnrollmentStatus, TrainingClass
from exams.models import Answer, Attempt, ExamBooking, QuestionKind
from exams.services import attempts as attempt_service
from exams.services import booking as booking_service
from tests.browser.conftest import sign_in
from tests.browser.test_exams_journey import EXAMINERS, UNION_ADMIN, prepare, travel, user

pytestmark = pytest.mark.browser

WORKER2 = "13800000006"


def wiring_png() -> bytes:
    """A small wiring diagram, as a real PNG."""
    img = Image.new("RGB", (480, 240), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((20, 40, 140, 200), outline="black", width=4)
    draw.line((140, 80, 460, 80), fill="red", width=6)
    draw.line((140, 160, 460, 160), fill="blue", width=6)
    draw.ellipse((380, 100, 440, 140), outline="green", width=5)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def trained(app, tag: str) -> None:
    with app.app_context():
        s = get_session()
        tc = s.scalar(select(TrainingClass).where(TrainingClass.title == f"考前培训班{tag}"))
        now = utcnow()
        s.add(Enrollment(class_id=tc.id, user_id=user(s, WORKER2).id, status=EnrollmentStatus.COMPLETED,
                         confirmed_at=now - timedelta(days=20), completed_at=now - timedelta(days=5)))
        s.commit()


def book_and_start(app, exam_session_id: int) -> tuple[int, int, int]:
    """Book worker2 (booking still open), then the exam day: checked in, the attempt started.
    Returns (attempt id, short-answer question id, its answer id)."""
    with app.app_context():
        s = get_session()
        booking_service.book_exam_seat(s, actor=user(s, WORKER2), exam_session_id=exam_session_id, now=utcnow())
        s.commit()
    travel(app, exam_session_id, started_minutes_ago=2)
    with app.app_context():
        s = get_session()
        worker = user(s, WORKER2)
        booking = s.scalar(select(ExamBooking).where(ExamBooking.exam_session_id == exam_session_id,
                                                     ExamBooking.user_id == worker.id))
        booking_service.check_in(s, actor=user(s, UNION_ADMIN), ticket_token=booking.ticket_token, now=utcnow())
        attempt = attempt_service.start_attempt(s, actor=worker, booking_id=booking.id, now=utcnow())
        short = s.scalar(select(Answer).where(Answer.attempt_id == attempt.id,
                                              Answer.question.has(kind=QuestionKind.SHORT)))
        s.commit()
        return attempt.id, short.question_id, short.id


def test_bans_and_question_images(new_page, live_server, live_app, tmp_path):
    base, tag = live_server, uuid.uuid4().hex[:6]
    theory_id = prepare(live_app, tag)
    trained(live_app, tag)

    # The union admin bars worker2 from the special-operations exams, on a phone.
    admin = new_page()
    sign_in(admin, base, UNION_ADMIN)
    admin.goto(base + "/exams/admin/bans")
    admin.fill("#candidate", WORKER2)
    admin.select_option("#certificate_type_id", index=1)
    admin.fill("#until", (utcnow() + timedelta(days=180)).date().isoformat())
    admin.fill("#reason", f"理论考试中使用手机查答案（{tag}）")
    admin.click("main form button[type=submit]")
    expect(admin.locator(".ban").first).to_contain_text(tag)
    admin.shot("bans")

    # The candidate sees why booking is refused.
    worker = new_page()
    sign_in(worker, base, WORKER2)
    worker.goto(f"{base}/exams/sessions/{theory_id}")
    expect(worker.locator("main")).to_contain_text(f"理论考试中使用手机查答案（{tag}）")
    worker.shot("session-barred")

    # The admin lifts the ban (on a desktop) with a reason; the log shows both changes.
    desk = new_page("desktop")
    sign_in(desk, base, UNION_ADMIN)
    desk.goto(base + "/exams/admin/bans")
    ban = desk.locator(".ban", has_text=tag)
    ban.locator("input[name=reason]").fill("复核录像后确认误判")
    ban.locator("button[type=submit]").click()
    expect(desk.locator("main")).to_contain_text("复核录像后确认误判")
    desk.shot("bans-lifted")
    worker.goto(f"{base}/exams/sessions/{theory_id}")
    expect(worker.locator("main")).not_to_contain_text("理论考试中使用手机查答案")

    # Booked and started; the admin adds an image to the short-answer question on the bank page.
    attempt_id, question_id, answer_id = book_and_start(live_app, theory_id)
    image = tmp_path / "wiring.png"
    image.write_bytes(wiring_png())
    with live_app.app_context():
        from exams.models import Question

        type_id = get_session().get(Question, question_id).certificate_type_id
    admin.goto(f"{base}/exams/admin/types/{type_id}/bank")
    admin.locator(f"form[action*='/questions/{question_id}/image'] input[type=file]").set_input_files(str(image))
    admin.locator(f"form[action*='/questions/{question_id}/image'] button").click()
    expect(admin.locator(f"#q{question_id} img.q-image")).to_be_visible()

    # The candidate's exam page shows it (phone); the image loads.
    worker.goto(f"{base}/exams/attempts/{attempt_id}")
    picture = worker.locator(f"img[src='/exams/questions/{question_id}/image']")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.naturalWidth") == 480
    worker.shot("exam-image", worker.locator(f"fieldset:has(img[src='/exams/questions/{question_id}/image'])"))
    worker.locator(f"fieldset:has(img[src='/exams/questions/{question_id}/image']) textarea").fill(
        "相线接开关，零线接灯座螺口。")
    worker.once("dialog", lambda dialog: dialog.accept())
    worker.click("#submit-exam")
    expect(worker.locator("main h1")).to_contain_text("您已交卷")

    # A stranger gets nothing; an examiner of the session sees it while grading.
    stranger = new_page()
    sign_in(stranger, base, "13800000005")
    assert stranger.request.get(f"{base}/exams/questions/{question_id}/image").status == 404
    examiner = new_page()
    sign_in(examiner, base, EXAMINERS[0])
    examiner.goto(f"{base}/exams/grading/{answer_id}")
    expect(examiner.locator("img.q-image")).to_be_visible()
    examiner.shot("grade-image")
    with live_app.app_context():
        assert get_session().get(Attempt, attempt_id).status == "submitted"
