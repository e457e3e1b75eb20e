"""Exams in a browser at phone size: book a theory session → admission ticket with QR → a proctor
checks the candidate in → the exam with a reload in the middle → submit → an examiner grades
blind → results released → the practical booked, checked in and scored by the panel → results.
Phone (390x844) screenshots, and the union's session page on a desktop (1280x800)."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from app.auth.models import User
from app.db import get_session, utcnow
from courses.models import Course, Enrollment, EnrollmentStatus, TrainingClass
from exams.models import (
    Answer,
    Attempt,
    CertificateType,
    ExamBooking,
    ExamSession,
    QuestionKind,
    SessionMode,
)
from exams.seed import SPECIAL_OPERATIONS
from exams.services import papers as paper_service
from exams.services import sessions as session_service
from exams.services.attempts import to_shown
from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser

UNION_ADMIN, WORKER = "13800000001", "13800000005"
EXAMINERS = ("13800000021", "13800000022", "13800000023")


_SESSION_DAYS = itertools.count()

def user(s, phone: str) -> User:
    return s.scalar(select(User).where(User.phone == "+86" + phone))


def prepare(app, tag: str) -> int:
    """The demo worker completed the required course; a theory session for this journey, booking open."""
    with app.app_context():
        s = get_session()
        now = utcnow()
        course = s.scalar(select(Course).where(Course.title == "低压电工作业培训"))
        tc = TrainingClass(course_id=course.id, title=f"考前培训班{tag}", mode="offline", city="海口",
                           starts_on=(now - timedelta(days=12)).date(), ends_on=(now - timedelta(days=5)).date(),
                           enroll_opens_at=now - timedelta(days=40), enroll_closes_at=now - timedelta(days=13),
                           capacity=40, seats_taken=1)
        s.add(tc)
        s.flush()
        worker = user(s, WORKER)
        s.add(Enrollment(class_id=tc.id, user_id=worker.id, status=EnrollmentStatus.COMPLETED,
                         confirmed_at=now - timedelta(days=20), completed_at=now - timedelta(days=5)))
        ctype = s.scalar(select(CertificateType).where(CertificateType.code == SPECIAL_OPERATIONS))
        admin = user(s, UNION_ADMIN)
        paper = paper_service.create_paper(s, actor=admin, type_id=ctype.id, component_kind="theory",
                                           title=f"旅程试卷{tag}", now=now, blueprint=[
                                               {"kind": "single", "count": 8, "points": 10},
                                               {"kind": "true_false", "count": 1, "points": 10},
                                               {"kind": "short", "count": 1, "points": 10}])
        # each journey's session on its own day: the live app (and its examiners' calendars) is shared
        starts = now + timedelta(days=3 + next(_SESSION_DAYS))
        exam_session = session_service.schedule_session(s, actor=admin, now=now, values={
            "certificate_type_id": ctype.id, "component": "theory", "mode": SessionMode.ONLINE_CENTER,
            "paper_id": paper.id, "title": f"低压电工理论考试·{tag}", "city": "海口", "venue": "海南省电力学校考试中心",
            "room": "机房二", "capacity": 30, "starts_at": starts, "ends_at": starts + timedelta(minutes=150),
            "booking_opens_at": now - timedelta(hours=1), "booking_closes_at": starts - timedelta(days=1)})
        session_service.assign_staff(s, actor=admin, exam_session_id=exam_session.id, user_id=admin.id,
                                     role="proctor", now=now)
        for phone in EXAMINERS[:2]:
            session_service.assign_staff(s, actor=admin, exam_session_id=exam_session.id,
                                         user_id=user(s, phone).id, role="examiner", now=now)
        s.commit()
        return exam_session.id


def travel(app, exam_session_id: int, *, started_minutes_ago: int, minutes: int = 150) -> None:
    """Move a session (and its bookings) so that it started that long ago: the exam day has come."""
    with app.app_context():
        s = get_session()
        starts = utcnow() - timedelta(minutes=started_minutes_ago)
        ends = starts + timedelta(minutes=minutes)
        s.execute(update(ExamSession).where(ExamSession.id == exam_session_id).values(
            starts_at=starts, ends_at=ends, booking_opens_at=starts - timedelta(days=10),
            booking_closes_at=starts - timedelta(days=1), cancel_deadline_at=starts - timedelta(days=2)))
        s.execute(update(ExamBooking).where(ExamBooking.exam_session_id == exam_session_id).values(
            starts_at=starts, ends_at=ends))
        s.execute(update(Attempt).where(Attempt.exam_session_id == exam_session_id,
                                        Attempt.status == "in_progress").values(deadline_at=ends))
        s.commit()


def booking_of(app, exam_session_id: int) -> tuple[int, str]:
    with app.app_context():
        s = get_session()
        b = s.scalar(select(ExamBooking).where(ExamBooking.exam_session_id == exam_session_id,
                                               ExamBooking.user_id == user(s, WORKER).id))
        return b.id, b.ticket_token


def right_answers(app, attempt_id: int) -> list[tuple[int, str, list[str]]]:
    with app.app_context():
        s = get_session()
        return [(a.position, a.question.kind, to_shown(a, a.question.answer) if a.question.kind != "short" else [])
                for a in s.scalars(select(Answer).where(Answer.attempt_id == attempt_id).order_by(Answer.position))]


def grade_all(new_page, base: str, phones, *, title: str, score: str | None = None, items=None) -> None:
    """Each examiner marks the first answer of the session ``title`` in their queue (other
    journeys share the live app and its examiners)."""
    for phone in phones:
        page = new_page()
        sign_in(page, base, phone)
        page.goto(base + "/exams/grading")
        page.locator(".grading-list li", has_text=title).first.locator("a").click()
        if items is None:
            page.fill("#score", score)
        else:
            for i, value in enumerate(items):
                page.fill(f"input[name=item_{i}]", str(value))
        page.fill("#comment", "要点齐全")
        page.shot(f"grade-{phone[-2:]}")
        page.click("main form button[type=submit]")
        expect(page.locator(".flash").first).to_be_visible()


def test_exam_journey(new_page, browser, live_server, live_app):
    base, tag = live_server, uuid.uuid4().hex[:6]
    theory_id = prepare(live_app, tag)

    # A worker books the theory session on a phone and gets the admission ticket.
    worker = new_page()
    sign_in(worker, base, WORKER)
    worker.goto(f"{base}/exams/sessions/{theory_id}")
    worker.shot("session")
    worker.click(".book-box button[type=submit]")
    expect(worker.locator(".ticket .qr svg")).to_be_visible()
    expect(worker.locator(".seat-no")).to_have_text("1")
    worker.shot("ticket")
    assert worker.request.get(f"{base}/exams/bookings/{booking_of(live_app, theory_id)[0]}/ticket.pdf").body()[:4] \
        == b"%PDF"

    # Exam day: the proctor scans the QR (its URL) and checks the candidate in.
    travel(live_app, theory_id, started_minutes_ago=2)
    booking_id, token = booking_of(live_app, theory_id)
    proctor = new_page()
    sign_in(proctor, base, UNION_ADMIN)
    proctor.goto(f"{base}/exams/check-in/{token}")
    proctor.click(".checkin-button")
    expect(proctor.locator(".checkin-done")).to_be_visible()
    proctor.shot("check-in")

    # The worker starts the exam, answers half, reloads, finds the answers, finishes and submits.
    worker.goto(base + "/exams/my")
    worker.shot("my-exams-booked")
    worker.click(f"#booking-{booking_id} button[type=submit]")
    expect(worker.locator("#time-left")).to_be_visible()
    attempt_id = int(worker.url.rstrip("/").split("/")[-1])
    answers = right_answers(live_app, attempt_id)
    half = len(answers) // 2

    def answer(position: int, kind: str, letters: list[str]) -> None:
        box = worker.locator(f"#q{position}")
        if kind == QuestionKind.SHORT:
            box.locator("textarea").fill("停电、验电、装设接地线、悬挂标示牌和装设遮栏。")
        else:
            for letter in letters:
                box.locator(f"input[value='{letter}']").check()

    for position, kind, letters in answers[:half]:
        answer(position, kind, letters)
    expect(worker.locator("#save-state")).to_have_text("已保存", timeout=10_000)
    expect(worker.locator("#unanswered")).to_have_text(str(len(answers) - half))
    worker.shot("exam-half")
    worker.reload()
    for position, kind, letters in answers[:half]:
        if kind != QuestionKind.SHORT:
            expect(worker.locator(f"#q{position} input[value='{letters[0]}']")).to_be_checked()
    for position, kind, letters in answers[half:]:
        answer(position, kind, letters)
    expect(worker.locator("#unanswered")).to_have_text("0")
    worker.shot("exam-done", worker.locator(".exam-bar"))
    worker.once("dialog", lambda dialog: dialog.accept())
    worker.click("#submit-exam")
    expect(worker.locator("main h1")).to_contain_text("您已交卷")
    worker.shot("submitted")

    # Two examiners mark the short answer blind (an anonymous code, never the name).
    examiner = new_page()
    sign_in(examiner, base, EXAMINERS[0])
    examiner.goto(base + "/exams/grading")
    with live_app.app_context():
        theory_title = get_session().get(ExamSession, theory_id).title
    # this journey's one short answer (other journeys share the live app and its examiners)
    expect(examiner.locator(".grading-list li", has_text=theory_title)).to_have_count(1)
    assert "吴志强" not in examiner.content()
    examiner.shot("grading-queue")
    grade_all(new_page, base, EXAMINERS[:2], title=theory_title, score="8")

    # The session ends; the union admin releases the results.
    travel(live_app, theory_id, started_minutes_ago=200)
    proctor.goto(f"{base}/exams/admin/sessions/{theory_id}")
    proctor.click("text=发布成绩")
    expect(proctor.locator(".flash").first).to_contain_text("成绩已发布")
    proctor.shot("released")

    # The worker sees the pass and books the practical (only possible after the theory pass).
    worker.goto(base + "/exams/my")
    expect(worker.locator(".result-card.passed .score")).to_contain_text("98")
    worker.shot("my-exams-result")
    worker.click("text=报考下一科")
    with live_app.app_context():
        practical_id = get_session().scalar(select(ExamSession.id).where(
            ExamSession.title == "第一期电工培训班·低压电工作业实操考试"))
    worker.goto(f"{base}/exams/sessions/{practical_id}")
    worker.click(".book-box button[type=submit]")
    expect(worker.locator(".ticket .qr svg")).to_be_visible()

    # Practical day: checked in, the panel scores each rubric item on their phones, results released.
    travel(live_app, practical_id, started_minutes_ago=10, minutes=480)
    _b, practical_token = booking_of(live_app, practical_id)
    proctor.goto(f"{base}/exams/check-in/{practical_token}")
    proctor.click(".checkin-button")
    expect(proctor.locator(".checkin-done")).to_be_visible()
    with live_app.app_context():
        practical_title = get_session().get(ExamSession, practical_id).title
    grade_all(new_page, base, EXAMINERS, title=practical_title, items=[36, 18, 18, 17])
    travel(live_app, practical_id, started_minutes_ago=600, minutes=480)
    proctor.goto(f"{base}/exams/admin/sessions/{practical_id}")
    proctor.click("text=发布成绩")
    expect(proctor.locator(".flash").first).to_contain_text("成绩已发布")
    worker.goto(base + "/exams/my")
    expect(worker.locator(".result-card.passed")).to_have_count(2)
    expect(worker.locator(".next-step").first).to_contain_text("各科均已合格")
    worker.shot("my-exams-all-passed")

    # The union's view on a desktop: attendance, pass rates as a chart.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    try:
        desk = context.new_page()
        sign_in(desk, base, UNION_ADMIN)
        desk.goto(base + "/exams/admin/sessions")
        expect(desk.locator(".bar-chart progress").first).to_be_visible()
        desk.screenshot(path=str(ARTIFACTS / "test_exam_journey-desktop-sessions.png"), full_page=True)
        desk.goto(f"{base}/exams/sessions/{theory_id}")
        desk.screenshot(path=str(ARTIFACTS / "test_exam_journey-desktop-session.png"), full_page=True)
    finally:
        context.close()
