"""The instructor pool in a browser: an instructor completes a profile with an examiner
qualification, the union verifies it, learners rate a finished class and the rating shows on
the course page. Phone (390x844) and desktop (1280x800) screenshots."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import User
from app.db import get_session, utcnow
from courses.models import Course, Enrollment, EnrollmentStatus, TrainingClass
from courses.services.learning import ensure_class_days
from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser

INSTRUCTOR, UNION_ADMIN, WORKER, WORKER2 = "13800000003", "13800000001", "13800000005", "13800000006"


def finished_class(app, tag: str) -> tuple[int, int]:
    """A class of the first electrician course that ended last week, both demo workers completed it."""
    with app.app_context():
        s = get_session()
        course = s.scalar(select(Course).where(Course.title == "低压电工作业培训"))
        teacher = s.scalar(select(User).where(User.phone == "+86" + INSTRUCTOR))
        now = utcnow()
        tc = TrainingClass(course_id=course.id, title=f"第零期电工培训班{tag}", mode="offline", city="海口",
                           venue="海南省电力学校实训楼", starts_on=(now - timedelta(days=12)).date(),
                           ends_on=(now - timedelta(days=5)).date(), enroll_opens_at=now - timedelta(days=40),
                           enroll_closes_at=now - timedelta(days=13), capacity=40, seats_taken=2,
                           instructor_id=teacher.id)
        s.add(tc)
        s.flush()
        ensure_class_days(s, tc)
        for phone in (WORKER, WORKER2):
            user = s.scalar(select(User).where(User.phone == "+86" + phone))
            s.add(Enrollment(class_id=tc.id, user_id=user.id, status=EnrollmentStatus.COMPLETED,
                             confirmed_at=now - timedelta(days=20), completed_at=now - timedelta(days=5)))
        s.commit()
        return tc.id, course.id


def desktop_shot(browser, base: str, phone: str, path: str, name: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        page = context.new_page()
        sign_in(page, base, phone)
        page.goto(base + path)
        page.screenshot(path=str(ARTIFACTS / f"test_instructor_pool_journey-desktop-{name}.png"), full_page=True)
    finally:
        context.close()


def test_instructor_pool_journey(new_page, browser, live_server, live_app):
    tag = uuid.uuid4().hex[:4].upper()
    teacher = new_page()
    sign_in(teacher, live_server, INSTRUCTOR)

    # The instructor completes the profile ...
    teacher.goto(live_server + "/instructors/me")
    expect(teacher.locator("h1")).to_contain_text("讲师档案")
    teacher.fill("#titles", "高级技师、讲师")
    teacher.fill("#years_experience", "21")
    teacher.fill("#city", "海口")
    teacher.fill("#trades", "低压电工作业 特种作业\n高处作业 特种作业")
    teacher.fill("#biography", "海南省电力学校电工实训教研室主任，主讲第一期电工培训班。")
    teacher.click("main form[enctype] button[type=submit]")
    expect(teacher.locator(".flash")).to_contain_text("档案已保存")
    # ... and adds an examiner qualification with a scan.
    teacher.click("text=添加资格")
    teacher.select_option("#role", "examiner")
    teacher.fill("#certificate_type_name", "特种作业操作证（高处作业）")
    teacher.fill("#certificate_type_code", "special-ops-heights")
    teacher.fill("#level", "特种作业")
    teacher.fill("#number", f"琼应急考评〔2025〕{tag}号")
    teacher.fill("#issuer", "海南省应急管理厅")
    teacher.fill("#expires_on", (utcnow() + timedelta(days=900)).date().isoformat())
    teacher.set_input_files("#scan", files=[{"name": "kp.pdf", "mimeType": "application/pdf",
                                             "buffer": b"%PDF-1.4\n% demo scan\n"}])
    teacher.shot("qualification-form")
    teacher.click("main form button[type=submit]")
    expect(teacher.locator("#qualifications")).to_contain_text("特种作业操作证（高处作业）")
    expect(teacher.locator("#qualifications .qualification", has_text="高处作业").locator(".status-pending")).to_be_visible()
    teacher.shot("profile-pending")

    # The union verifies it.
    union = new_page()
    sign_in(union, live_server, UNION_ADMIN)
    union.goto(live_server + "/admin/qualifications")
    card = union.locator("section.card", has_text=f"〔2025〕{tag}号")
    expect(card).to_contain_text("王立新")
    union.shot("review-queue")
    card.locator("button.primary").click()
    expect(union.locator(".flash")).to_contain_text("资格已核验")
    teacher.goto(live_server + "/instructors/me")
    expect(teacher.locator("#qualifications .qualification", has_text="高处作业").locator(".status-verified")).to_be_visible()

    # Learners rate a finished class; the rating shows on the course page and the profile.
    class_id, course_id = finished_class(live_app, tag)
    for phone, stars, comment in ((WORKER, "5", "王老师实操讲得很细，触电急救练了好几遍。"), (WORKER2, "4", "内容扎实，场地有点挤。")):
        learner = new_page()
        sign_in(learner, live_server, phone)
        learner.goto(live_server + "/instructors/ratings")
        learner.click(f"text=第零期电工培训班{tag}")
        expect(learner).to_have_url(re.compile(rf"/classes/{class_id}/rate$"))
        learner.check(f"input[name=stars][value='{stars}']")
        learner.fill("#comment", comment)
        if phone == WORKER:
            learner.shot("rate")
        learner.click("main form button[type=submit]")
        expect(learner).to_have_url(re.compile(rf"/courses/{course_id}$"))
        expect(learner.locator(".flash")).to_contain_text("感谢你的评价")
    ratings = learner.locator("#ratings")
    expect(ratings).to_contain_text("学员评价")
    expect(ratings).to_contain_text("王老师实操讲得很细")
    expect(ratings).to_contain_text("条评价")
    learner.shot("course-ratings", ratings)
    learner.shot("course-page")
    teacher.goto(live_server + "/instructors/me")
    teacher.click("text=查看公开档案")
    expect(teacher.locator("#ratings")).to_contain_text("内容扎实")
    expect(teacher.locator("main")).to_contain_text("特种作业操作证（高处作业）")
    teacher.shot("public-profile")

    # The same pages on a desktop.
    desktop_shot(browser, live_server, UNION_ADMIN, "/instructors/pool?certificate_type_code=special-ops-low-voltage",
                 "pool")
    desktop_shot(browser, live_server, WORKER, f"/courses/{course_id}", "course-page")
    desktop_shot(browser, live_server, INSTRUCTOR, "/instructors/me", "profile-edit")
