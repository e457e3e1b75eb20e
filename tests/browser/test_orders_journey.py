"""An enterprise orders training: it posts a demand, the union directs it to two providers who
quote, the enterprise compares and accepts one, uploads a roster with some bad rows and reads
the report, pays its share by bank transfer (the provider records it, and the union's subsidy),
the class runs (attendance), the enterprise follows the progress dashboard and accepts the
delivery with a rating. Screenshots at phone and desktop sizes."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from app.access import Role
from app.auth.models import Organization, OrgKind, OrgStatus, User
from app.auth.services import grant_role, register_user
from app.db import get_session, utcnow
from app.i18n import SHANGHAI
from app.membership.idnumber import check_char
from courses.models import ClassMode, Course, Enrollment, TrainingClass
from courses.services.learning import ensure_class_days
from orders.models import Order, RosterEntry
from tests.browser.conftest import DEMO_PASSWORD, sign_in

pytestmark = pytest.mark.browser

UNION, PROVIDER_ADMIN, INSTRUCTOR, ENTERPRISE = "13800000001", "13800000002", "13800000003", "13800000004"
WORKER2_ID = "460200198811230022"   # the demo's verified member 黎秀英 (13800000006)


def setup_world(live_app, tag: str) -> tuple[int, int, str]:
    """A class of the demo provider for the order (starts in a week) and a second provider with its admin."""
    with live_app.app_context():
        session = get_session()
        course = session.scalar(select(Course).where(Course.title == "低压电工作业培训"))
        instructor = session.scalar(select(User).where(User.phone == "+86" + INSTRUCTOR))
        today, now = utcnow().astimezone(SHANGHAI).date(), utcnow()
        tc = TrainingClass(course_id=course.id, title=f"订单班（{tag}）", mode=ClassMode.OFFLINE, city="海口",
                           venue="海南省电力学校实训楼", starts_on=today + timedelta(days=7),
                           ends_on=today + timedelta(days=8), enroll_opens_at=now - timedelta(days=1),
                           enroll_closes_at=now + timedelta(days=6), capacity=30, price=120000,
                           instructor_id=instructor.id)
        session.add(tc)
        session.flush()
        ensure_class_days(session, tc)
        other = Organization(kind=OrgKind.PROVIDER, name=f"海口技师学院{tag}", status=OrgStatus.APPROVED, city="海口")
        session.add(other)
        session.flush()
        phone = f"139{uuid.uuid4().int % 10**8:08d}"
        admin = register_user(session, name="赵老师", password=DEMO_PASSWORD, phone=phone)
        grant_role(session, admin, Role.PROVIDER_ADMIN, other)
        session.commit()
        return tc.id, other.id, phone


def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def shot_desktop(page, request, name: str) -> None:
    from tests.browser.conftest import ARTIFACTS

    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{name}-desktop.png"), full_page=True)


def id_number(serial: int, *, valid: bool = True) -> str:
    first17 = f"46010019900307{serial:03d}"
    check = check_char(first17)
    return first17 + (check if valid else ("0" if check != "0" else "1"))


def test_demand_quotes_order_roster_pay_attend_dashboard_accept(new_page, browser, live_app, live_server, request):
    tag = uuid.uuid4().hex[:6].upper()
    class_id, other_id, other_phone = setup_world(live_app, tag)
    title = f"配电线路工培训（{tag}）"

    # 1. The enterprise posts a demand and publishes it.
    enterprise = new_page()
    sign_in(enterprise, live_server, ENTERPRISE)
    enterprise.goto(live_server + "/orders/enterprise")
    enterprise.click("[data-test=new-demand]")
    enterprise.fill("#skill", "配电线路检修")
    enterprise.fill("#title", title)
    enterprise.fill("#certificate_type", "低压电工作业")
    enterprise.fill("#headcount", "5")
    enterprise.select_option("#mode", "offline")
    enterprise.fill("#city", "海口")
    enterprise.fill("#budget", "8000")
    enterprise.shot("demand-form")
    enterprise.click("[data-test=publish]")
    expect(enterprise.locator(".flash.success")).to_be_visible()
    demand_url = enterprise.url

    # 2. The union directs it to two providers.
    union = new_page()
    sign_in(union, live_server, UNION)
    union.goto(live_server + "/orders/union")
    expect(union.locator("main")).to_contain_text(title)
    union.shot("union-desk")
    union.goto(demand_url)
    with live_app.app_context():
        provider_id = get_session().scalar(select(Organization.id).where(Organization.name == "海南省电力学校"))
    union.check(f"input[name=organization_ids][value='{provider_id}']")
    union.check(f"input[name=organization_ids][value='{other_id}']")
    union.shot("union-directs")
    union.click("[data-test=direct]")
    expect(union.locator(".flash.success")).to_be_visible()

    # 3. Two providers quote.
    provider = new_page()
    sign_in(provider, live_server, PROVIDER_ADMIN)
    provider.goto(live_server + "/orders/provider")
    provider.shot("provider-desk")
    provider.click(f"text={title}")
    provider.fill("#price_per_person", "1200")
    provider.select_option("#class_id", str(class_id))
    provider.fill("#instructors", "王立新")
    provider.check("input[name=inclusions][value=materials]")
    provider.check("input[name=inclusions][value=exam_fee]")
    provider.fill("#valid_until", (utcnow() + timedelta(days=20)).date().isoformat())
    provider.fill("#cancel_fee_pct", "20")
    provider.shot("provider-quote-form")
    provider.click("[data-test=send-quote]")
    expect(provider.locator(".flash.success")).to_be_visible()
    second = new_page()
    sign_in(second, live_server, other_phone)
    second.goto(demand_url)
    second.fill("#price_per_person", "1500")
    second.fill("#venue", "海口技师学院")
    second.click("[data-test=send-quote]")
    expect(second.locator(".flash.success")).to_be_visible()

    # 4. The enterprise compares side by side, asks a question, accepts the cheaper quote.
    enterprise.goto(demand_url)
    expect(enterprise.locator(".compare tbody tr.strong")).to_contain_text("¥6,000.00")
    expect(enterprise.locator(".compare tbody tr.strong")).to_contain_text("¥7,500.00")
    enterprise.locator(".ask textarea").first.fill("考试费包含补考吗？")
    enterprise.locator(".ask button").first.click()
    expect(enterprise.locator(".msg-enterprise")).to_contain_text("考试费包含补考吗？")
    enterprise.shot("compare-quotes")
    context, wide = desktop(browser)
    sign_in(wide, live_server, ENTERPRISE)
    wide.goto(demand_url)
    shot_desktop(wide, request, "compare-quotes")
    enterprise.locator("[data-test^=accept-]").first.click()
    expect(enterprise.locator("[data-test=order-status]")).to_have_class(re.compile("status-draft"))
    order_url = enterprise.url.split("?")[0].split("#")[0]
    order_id = int(order_url.rstrip("/").rsplit("/", 1)[1])

    # 5. The roster, with bad rows: the report says why.
    csv = "\n".join(["姓名,手机号,身份证号,会员证号,部门",
                     f"黎秀英,13800000006,{WORKER2_ID},HN460200002,运检部",
                     f"王海,13700000{uuid.uuid4().int % 1000:03d},{id_number(11)},,运检部",
                     f"陈静,13700001{uuid.uuid4().int % 1000:03d},{id_number(12)},,营销部",
                     f"错号,13700002000,{id_number(13, valid=False)},,营销部",
                     f"黎秀英二,,{WORKER2_ID},,运检部",
                     ",13700003000,,,"]) + "\n"
    enterprise.set_input_files("input[name=file]", files=[{"name": "花名册.csv", "mimeType": "text/csv",
                                                           "buffer": csv.encode()}])
    enterprise.click("[data-test=upload-roster]")
    report = enterprise.locator(".import-report")
    expect(report).to_be_visible()
    expect(report.locator("tr.outcome-member")).to_have_count(1)
    expect(report.locator("tr.outcome-invited")).to_have_count(2)
    expect(report.locator("tr.outcome-rejected")).to_have_count(3)
    expect(enterprise.locator("main")).not_to_contain_text(WORKER2_ID)
    enterprise.shot("roster-report", enterprise.locator("#roster"))
    wide.goto(enterprise.url)
    shot_desktop(wide, request, "roster-report")

    # 6. Submit with bank transfer and an invoice; the provider confirms, invoices, records the money.
    enterprise.check("input[name=pay_method][value=bank_transfer]")
    enterprise.fill("#invoice_title", "海南电网有限责任公司")
    enterprise.fill("#invoice_tax_number", "91460000708850372X")
    enterprise.click("[data-test=submit-order]")
    expect(enterprise.locator("[data-test=order-status]")).to_have_class(re.compile("status-submitted"))
    provider.goto(order_url)
    provider.click("[data-test=confirm-order]")
    expect(provider.locator("[data-test=order-status]")).to_have_class(re.compile("status-confirmed"))
    expect(provider.locator("[data-test=subsidy]")).not_to_have_text("¥0.00")   # 黎秀英 is a verified member
    provider.click("[data-test=invoiced]")
    for purpose in ("order", "order_subsidy"):
        form = provider.locator("form.offline-pay").filter(has=provider.locator(f"[data-test=record-payment-{purpose}]"))
        form.locator("input[name=reference]").fill(f"ICBC-{tag}-{purpose}")
        form.locator("button").click()
        expect(provider.locator(".flash.success")).to_be_visible()
    expect(provider.locator("[data-test=order-status]")).to_have_class(re.compile("status-paid"))
    enterprise.goto(order_url)
    enterprise.shot("order-paid")
    wide.goto(order_url)
    shot_desktop(wide, request, "order-paid")

    # 7. The class runs: delivery starts; the first class day comes (the dates moved to today, as
    # time would), the instructor marks attendance.
    provider.click("[data-test=start-delivery]")
    expect(provider.locator("[data-test=order-status]")).to_have_class(re.compile("status-in_delivery"))
    today = utcnow().astimezone(SHANGHAI).date()
    with live_app.app_context():
        session = get_session()
        session.execute(update(TrainingClass).where(TrainingClass.id == class_id)
                        .values(starts_on=today, ends_on=today + timedelta(days=1)))
        from courses.models import ClassDay

        session.execute(ClassDay.__table__.delete().where(ClassDay.class_id == class_id))
        session.commit()
        ensure_class_days(session, session.get(TrainingClass, class_id))
        session.commit()
        entry = session.scalar(select(RosterEntry).where(RosterEntry.order_id == order_id,
                                                         RosterEntry.enrollment_id.is_not(None)))
        enrollment_id = entry.enrollment_id
        assert session.get(Enrollment, enrollment_id).price_kind == "order"
    teacher = new_page()
    sign_in(teacher, live_server, INSTRUCTOR)
    teacher.goto(f"{live_server}/instructor/classes/{class_id}/attendance?day={today.isoformat()}")
    teacher.click(f"label[for=p-{enrollment_id}]")
    teacher.click(".sticky-save")
    expect(teacher.locator(".flash.success")).to_be_visible()

    # 8. The progress dashboard.
    enterprise.goto(order_url)
    enterprise.click("[data-test=progress]")
    expect(enterprise.locator("[data-test=kpi-employees]")).to_have_text("3")
    expect(enterprise.locator("[data-test=kpi-enrolled]")).to_have_text("1")
    expect(enterprise.locator(".progress-table")).to_contain_text("1/2")
    enterprise.shot("progress-dashboard")
    wide.goto(enterprise.url)
    shot_desktop(wide, request, "progress-dashboard")

    # 9. Delivered; the enterprise accepts with five stars.
    provider.goto(order_url)
    provider.click("[data-test=delivered]")
    expect(provider.locator("[data-test=order-status]")).to_have_class(re.compile("status-delivered"))
    enterprise.goto(order_url)
    enterprise.check("input[name=rating][value='5']")
    enterprise.fill("#comment", "讲解清楚，实操充分。")
    enterprise.shot("acceptance-form", enterprise.locator("#acceptance"))
    enterprise.click("[data-test=accept-delivery]")
    expect(enterprise.locator("[data-test=order-status]")).to_have_class(re.compile("status-accepted"))
    expect(enterprise.locator(".facts")).to_contain_text("★★★★★")
    enterprise.shot("accepted")
    wide.goto(live_server + "/orders/enterprise")
    shot_desktop(wide, request, "enterprise-desk")
    with live_app.app_context():
        order = get_session().get(Order, order_id)
        assert order.rating == 5 and order.status == "accepted"
    # The provider's rating shows on its course in the catalog.
    enterprise.goto(f"{live_server}/courses/{get_course_id(live_app, class_id)}")
    expect(enterprise.locator(".provider-rating")).to_be_visible()
    enterprise.shot("course-rating", enterprise.locator(".orders-on-course"))
    context.close()


def get_course_id(live_app, class_id: int) -> int:
    with live_app.app_context():
        return get_session().get(TrainingClass, class_id).course_id
