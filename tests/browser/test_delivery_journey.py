"""Delivering a class on phones: the provider confirms a worker's offline (bank transfer)
payment from the class roster, and the instructor marks attendance for today's class day,
which the worker then sees on "My training"."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import User
from app.db import get_session, utcnow
from app.i18n import SHANGHAI
from courses.models import ClassMode, Course, Enrollment, EnrollmentStatus, TrainingClass
from courses.services.learning import ensure_class_days
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

WORKER, PROVIDER_ADMIN, INSTRUCTOR = "13800000006", "13800000002", "13800000003"


def make_classes(live_app, tag: str) -> tuple[int, int, int]:
    """A paid class open for enrollment, and a class meeting today where the worker is confirmed."""
    with live_app.app_context():
        session = get_session()
        worker = session.scalar(select(User).where(User.phone == "+86" + WORKER))
        instructor = session.scalar(select(User).where(User.phone == "+86" + INSTRUCTOR))
        course = session.scalar(select(Course).where(Course.title == "高压电工作业培训"))
        today, now = utcnow().astimezone(SHANGHAI).date(), utcnow()
        common = {"course_id": course.id, "mode": ClassMode.OFFLINE, "city": "海口", "venue": "海南省电力学校实训楼",
                  "enroll_opens_at": now - timedelta(days=3), "capacity": 20, "instructor_id": instructor.id}
        paid = TrainingClass(title=f"周末班（{tag}）", starts_on=today + timedelta(days=15),
                             ends_on=today + timedelta(days=16), enroll_closes_at=now + timedelta(days=10),
                             price=88000, **common)
        meeting = TrainingClass(title=f"实操日（{tag}）", starts_on=today, ends_on=today + timedelta(days=1),
                                enroll_closes_at=now + timedelta(days=1), price=0, seats_taken=1, **common)
        session.add_all([paid, meeting])
        session.flush()
        ensure_class_days(session, meeting)   # as scheduling a class does
        enrollment = Enrollment(class_id=meeting.id, user_id=worker.id, status=EnrollmentStatus.CONFIRMED,
                                confirmed_at=now)
        session.add(enrollment)
        session.commit()
        return paid.id, meeting.id, enrollment.id


def test_offline_payment_and_attendance(new_page, live_app, live_server):
    tag = uuid.uuid4().hex[:6].upper()
    paid_class, today_class, today_enrollment = make_classes(live_app, tag)
    today = utcnow().astimezone(SHANGHAI).date()

    # The worker enrolls in the paid class and will pay by bank transfer.
    worker = new_page()
    sign_in(worker, live_server, WORKER)
    worker.goto(f"{live_server}/classes/{paid_class}")
    worker.click(".enroll-box button[type=submit]")
    expect(worker.locator("#enrollment-status")).to_have_class(re.compile("status-pending_payment"))
    expect(worker.locator(".offline-instructions")).to_contain_text("880.00")
    worker.shot("pending-payment")
    enrollment_url = worker.url
    enrollment_id = int(enrollment_url.rstrip("/").rsplit("/", 1)[1])

    # The provider confirms the transfer on the class roster, quoting the bank slip.
    provider = new_page()
    sign_in(provider, live_server, PROVIDER_ADMIN)
    provider.goto(f"{live_server}/provider/classes/{paid_class}/enrollments")
    row = provider.locator(f"#enrollment-{enrollment_id}")
    expect(row.locator(".status-pending_payment")).to_be_visible()
    row.locator("input[name=reference]").fill(f"ICBC-{tag}")
    provider.shot("roster-offline-payment")
    row.locator(".offline-pay button[type=submit]").click()
    expect(provider.locator(".flash.success")).to_be_visible()
    row = provider.locator(f"#enrollment-{enrollment_id}")
    expect(row.locator(".status-confirmed")).to_be_visible()
    expect(row).to_contain_text(f"ICBC-{tag}")
    provider.shot("roster-confirmed")

    worker.goto(enrollment_url)
    expect(worker.locator("#enrollment-status")).to_have_class(re.compile("status-confirmed"))
    expect(worker.locator(".facts")).to_contain_text(f"ICBC-{tag}")
    expect(worker.locator(".payment-box")).to_have_count(0)
    worker.shot("payment-confirmed")

    # The instructor marks today's attendance.
    teacher = new_page()
    sign_in(teacher, live_server, INSTRUCTOR)
    teacher.goto(f"{live_server}/instructor/classes/{today_class}/attendance?day={today.isoformat()}")
    expect(teacher.locator(".day-tabs a[aria-current]")).to_contain_text(today.strftime("%m-%d"))
    teacher.click(f"label[for=p-{today_enrollment}]")
    expect(teacher.locator(f"#p-{today_enrollment}")).to_be_checked()
    teacher.shot("attendance-marking")
    teacher.click(".sticky-save")
    expect(teacher.locator(".flash.success")).to_contain_text(today.isoformat())
    expect(teacher.locator(f"#p-{today_enrollment}")).to_be_checked()
    teacher.shot("attendance-saved")

    # "My training" shows the day attended.
    worker.goto(live_server + "/me/training")
    card = worker.locator(f"#enrollment-{today_enrollment}")
    expect(card.locator(".learning-stats")).to_contain_text(re.compile(r"1/2"))
    expect(card.locator("progress").last).to_have_attribute("value", "1")
    expect(card.locator(".next-checkin")).to_have_count(0)  # present today: no "scan the code" prompt
    worker.shot("my-training", card)
