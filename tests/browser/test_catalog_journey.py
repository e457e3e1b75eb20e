"""A worker on a phone: search in Chinese, open a class, enroll free, pay for another class
(confirmed only by Stripe's signed webhook), and check in at the venue with the day's QR code."""

from __future__ import annotations

import re
import urllib.request
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import User
from app.db import get_session, utcnow
from app.i18n import SHANGHAI
from app.payments.models import Payment
from courses.models import (
    Attendance,
    ClassMode,
    Course,
    Enrollment,
    EnrollmentStatus,
    TrainingClass,
)
from courses.services.learning import ensure_class_days
from tests.browser.conftest import sign_in
from tests.stripe_support import TEST_SECRET_KEY, event_payload, sign_payload

pytestmark = pytest.mark.browser

WORKER, INSTRUCTOR = "13800000005", "13800000003"


def post_webhook(base: str, payload: bytes) -> int:
    request = urllib.request.Request(base + "/payments/stripe/webhook", data=payload, method="POST", headers={
        "Content-Type": "application/json", "Stripe-Signature": sign_payload(payload)})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own live server
        return response.status


def test_search_enroll_pay_and_check_in(new_page, live_app, live_server, localstripe_url):
    page = new_page()

    # Search in Chinese from the catalog.
    page.goto(live_server + "/courses")
    page.fill("input[name=q]", "电工")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("低压电工作业培训")
    expect(page.locator("main")).not_to_contain_text("养老护理员")
    page.shot("search-dianggong")

    # Open the course and its class.
    page.click("text=低压电工作业培训")
    expect(page.locator("h1")).to_contain_text("低压电工作业培训")
    page.locator("a[href^='/classes/']").first.click()
    expect(page.locator(".enroll-box")).to_be_visible()
    page.shot("class-anonymous")

    # A verified member takes a union-subsidised free place: confirmed at once.
    sign_in(page, live_server, WORKER)
    page.goto(live_server + "/courses?q=低压电工")
    page.click("text=低压电工作业培训")
    page.locator("a[href^='/classes/']").first.click()
    expect(page.locator(".enroll-box")).to_contain_text(re.compile("免费|Free"))
    page.click(".enroll-box button[type=submit]")
    expect(page.locator("#enrollment-status")).to_have_text(re.compile("已确认|Confirmed", re.I))
    page.shot("free-enrollment-confirmed")

    # A paid class (member price): pending payment until Stripe's webhook says it succeeded.
    page.goto(live_server + "/courses?q=电焊工")
    page.click("text=电焊工安全操作")
    page.locator("a[href^='/classes/']").first.click()
    page.click(".enroll-box button[type=submit]")
    expect(page.locator("#enrollment-status")).to_have_text(re.compile("待支付|pending", re.I))
    expect(page.locator("#stripe-pay")).to_be_visible()
    page.shot("paid-enrollment-pending")
    enrollment_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    import stripe

    with live_app.app_context():
        payment = get_session().scalar(select(Payment).where(Payment.purpose == "enrollment",
                                                             Payment.reference_id == enrollment_id))
        intent_id = payment.stripe_payment_intent_id
    # What Stripe.js does in the browser: attach the card and confirm (at localstripe).
    client = stripe.StripeClient(TEST_SECRET_KEY, base_addresses={"api": localstripe_url}).v1
    client.payment_intents.update(intent_id, params={"payment_method": "pm_card_visa"})
    client.payment_intents.confirm(intent_id)
    page.reload()  # coming back to the page confirms nothing by itself
    expect(page.locator("#enrollment-status")).to_have_text(re.compile("待支付|pending", re.I))
    intent = client.payment_intents.retrieve(intent_id)
    assert post_webhook(live_server, event_payload("payment_intent.succeeded", intent.to_dict())) == 200
    page.reload()
    expect(page.locator("#enrollment-status")).to_have_text(re.compile("已确认|Confirmed", re.I))
    page.shot("paid-enrollment-confirmed")

    # Check in at the venue: a class meeting today, the instructor shows the day's QR code.
    with live_app.app_context():
        session = get_session()
        worker = session.scalar(select(User).where(User.phone == "+86" + WORKER))
        instructor = session.scalar(select(User).where(User.phone == "+86" + INSTRUCTOR))
        course = session.scalar(select(Course).where(Course.title == "低压电工作业培训"))
        today = utcnow().astimezone(SHANGHAI).date()
        training_class = TrainingClass(
            course_id=course.id, title="现场实操日（今天）", mode=ClassMode.OFFLINE, city="海口", venue="实训楼",
            starts_on=today, ends_on=today + timedelta(days=1), enroll_opens_at=utcnow() - timedelta(days=3),
            enroll_closes_at=utcnow() + timedelta(days=1), capacity=10, seats_taken=1, price=0,
            instructor_id=instructor.id)
        session.add(training_class)
        session.flush()
        ensure_class_days(session, training_class)
        enrollment = Enrollment(class_id=training_class.id, user_id=worker.id, status=EnrollmentStatus.CONFIRMED,
                                confirmed_at=utcnow())
        session.add(enrollment)
        session.commit()
        class_id, checkin_enrollment = training_class.id, enrollment.id

    teacher = new_page()
    sign_in(teacher, live_server, INSTRUCTOR)
    teacher.goto(f"{live_server}/instructor/classes/{class_id}/checkin")
    expect(teacher.locator("svg")).to_be_visible()
    teacher.shot("instructor-qr-code")
    checkin_url = teacher.locator(".checkin-url").inner_text().strip()
    assert checkin_url.startswith("http") and "/checkin/" in checkin_url

    page.goto(live_server + "/checkin/" + checkin_url.split("/checkin/", 1)[1])
    page.shot("worker-checkin")
    page.click(".checkin-button")
    expect(page.locator(".checkin-done")).to_be_visible()
    page.shot("worker-checked-in")
    with live_app.app_context():
        assert get_session().scalar(select(Attendance).where(Attendance.enrollment_id == checkin_enrollment))

    # "My training" shows both enrollments.
    page.goto(live_server + "/me/training")
    expect(page.locator("main")).to_contain_text("低压电工作业培训")
    expect(page.locator("main")).to_contain_text("电焊工安全操作")
    page.shot("my-training")
