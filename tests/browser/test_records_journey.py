"""Records in a real browser: a member sees the timeline on a phone; a worker who was on an
enterprise's roster before having an account signs up, links membership and finds that roster
training on the record at once, joins the talent pool; an enterprise admin finds them and asks for
contact; the member accepts and the enterprise sees the phone; the union admin recalculates and
reads the dashboard's charts at desktop size."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import User
from app.db import get_session, utcnow
from courses.models import Enrollment, EnrollmentStatus, TrainingClass
from tests.browser.conftest import ask_to_sign_up, finish_sign_up, sign_in

pytestmark = pytest.mark.browser

UNION_ADMIN, ENTERPRISE_ADMIN, WORKER = "13800000001", "13800000004", "13800000005"
# On the demo order's roster (海南电网's employees, no accounts yet) as 电网员工07, ID number
# orders.demo._id_number(7); signs up with a new phone of their own.
ROSTER_SERIAL, NEWCOMER_PHONE, NEWCOMER = 7, "13912340007", "电网员工07"
MEMBER_NO = "HN46010007"


def _union_register_knows_the_newcomer(app) -> str:
    """The union's membership register (imported earlier by the union admin) lists the worker;
    returns their ID number."""
    from app.membership.services import import_register
    from app.security import vault
    from orders.demo import _id_number

    number = _id_number(ROSTER_SERIAL)
    with app.app_context():
        session = get_session()
        admin = session.scalar(select(User).where(User.phone.like("%" + UNION_ADMIN)))
        content = f"member_no,name,id_number,union_name\n{MEMBER_NO},{NEWCOMER},{number},海南电网基层工会\n"
        import_register(session, actor=admin, filename="register.csv", content=content.encode(), vault=vault(),
                        now=utcnow())
        session.commit()
    return number


def _complete_some_training(app) -> None:
    """Give the demo a few completed enrollments (what delivering classes would produce)."""
    with app.app_context():
        session = get_session()
        worker = session.scalar(select(User).where(User.phone.like("%" + WORKER)))
        classes = list(session.scalars(select(TrainingClass).order_by(TrainingClass.id).limit(3)))
        now = utcnow()
        for i, training_class in enumerate(classes):
            exists = session.scalar(select(Enrollment.id).where(Enrollment.user_id == worker.id,
                                                                Enrollment.class_id == training_class.id))
            if exists is None:
                session.add(Enrollment(class_id=training_class.id, user_id=worker.id,
                                       status=EnrollmentStatus.COMPLETED, confirmed_at=now - timedelta(days=40 + i),
                                       completed_at=now - timedelta(days=30 * i + 1)))
        session.commit()


def test_member_joins_pool_enterprise_asks_member_accepts_union_dashboard(new_page, browser, live_app, live_server):
    _complete_some_training(live_app)

    member = new_page()
    sign_in(member, live_server, WORKER)
    member.goto(live_server + "/records/me")
    expect(member.locator(".timeline .tl-item").first).to_be_visible()
    expect(member.locator("[data-kind=honour]")).to_contain_text("五一劳动奖章")
    member.shot("1-member-record")

    # A worker who was on 海南电网's roster before having an account signs up with their own phone
    # and links membership: it matches the register, and the roster training is on the record at once.
    id_number = _union_register_knows_the_newcomer(live_app)
    newcomer = new_page()
    ask_to_sign_up(newcomer, live_server, NEWCOMER, NEWCOMER_PHONE)
    finish_sign_up(newcomer, live_app, live_server, NEWCOMER_PHONE)   # signed in, on the membership page
    newcomer.goto(live_server + "/records/me")
    expect(newcomer.locator("[data-kind=order_training]")).to_have_count(0)
    newcomer.goto(live_server + "/membership")
    newcomer.fill("#member_no", MEMBER_NO)
    newcomer.fill("#union_name", "海南电网基层工会")
    newcomer.fill("#employer", "海南电网有限责任公司")
    newcomer.fill("#real_name", NEWCOMER)
    newcomer.fill("#id_number", id_number)
    newcomer.shot("2-newcomer-links-membership")
    newcomer.click("main button[type=submit]")
    expect(newcomer.locator(".flash").first).to_contain_text("已认证")
    newcomer.shot("3-newcomer-membership-verified")
    newcomer.goto(live_server + "/records/me")
    # attached to the account and enrolled in the order's class: one line, training through the employer
    roster_place = newcomer.locator("[data-kind=order_training]")
    expect(roster_place).to_have_count(1)
    expect(roster_place).to_contain_text("海南电网")
    expect(roster_place).to_contain_text("低压电工作业培训")
    expect(roster_place).to_contain_text("海南电网专班")
    expect(roster_place).to_contain_text("单位")
    expect(newcomer.locator("[data-kind=training]").filter(has_text="海南电网专班")).to_have_count(0)
    newcomer.shot("4-newcomer-roster-training-attached")

    member = newcomer
    member.goto(live_server + "/records/talent-pool")
    member.fill("#trades", "高压电工，配电线路检修")
    member.check("#show_city")
    member.fill("#city", "三亚")
    member.check("#agree")
    expect(member.locator("[data-test=consent-text]")).to_contain_text("身份证号")
    member.click("[data-test=join]")
    expect(member.locator("[data-test=pool-status]")).to_contain_text("已在人才储备中")
    member.shot("5-member-joined-pool")

    boss = new_page()
    boss.set_viewport_size({"width": 1280, "height": 800})
    sign_in(boss, live_server, ENTERPRISE_ADMIN)
    boss.goto(live_server + "/talent?skill=高压电工&city=三亚")
    card = boss.locator("a[data-test^=talent-]").filter(has_text="配电线路检修")
    expect(card).to_have_count(1)
    expect(card).not_to_contain_text(NEWCOMER)
    boss.shot("6-enterprise-search")
    card.click()
    boss.fill("#message", "我司招聘高压电工，想与您联系。")
    boss.click("[data-test=ask-contact]")
    expect(boss.locator("main")).not_to_contain_text(NEWCOMER_PHONE)

    member.goto(live_server + "/records/talent-pool")
    expect(member.locator("[data-test=visitors]")).to_contain_text("海南电网")
    member.shot("7-member-request")
    member.locator("[data-test=accept]").first.click()

    boss.goto(live_server + "/talent/contacts")
    expect(boss.locator("[data-test=contact-detail]").first).to_contain_text(NEWCOMER_PHONE)
    boss.shot("8-enterprise-contact-shared")

    union = new_page()
    union.set_viewport_size({"width": 1280, "height": 800})
    sign_in(union, live_server, UNION_ADMIN)
    union.goto(live_server + "/records/dashboard")
    union.click("[data-test=rebuild]")
    # the twelve months up to today: early in January "this year" has hardly begun
    from datetime import UTC, datetime, timedelta

    today = datetime.now(UTC)
    union.goto(live_server + f"/records/dashboard?from={today - timedelta(days=365):%Y-%m}&to={today:%Y-%m}")
    expect(union.locator("[data-test=trained]")).not_to_have_text("0")
    expect(union.locator("svg.chart").first).to_be_visible()
    expect(union.locator(".target svg.ring").first).to_be_visible()
    union.shot("9-union-dashboard")
    union.goto(live_server + "/records/dashboard?by=provider")
    expect(union.locator(".dash-table")).to_contain_text("海南省电力学校")
