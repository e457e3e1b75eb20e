"""Records in a real browser: a member sees the timeline and joins the talent pool on a phone;
an enterprise admin finds the member and asks for contact; the member accepts and the
enterprise sees the phone; the union admin recalculates and reads the dashboard's charts at
desktop size."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import User
from app.db import get_session, utcnow
from courses.models import Enrollment, EnrollmentStatus, TrainingClass
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

UNION_ADMIN, ENTERPRISE_ADMIN, WORKER = "13800000001", "13800000004", "13800000005"


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

    member.goto(live_server + "/records/talent-pool")
    member.fill("#trades", "高压电工，配电线路检修")
    member.check("#show_city")
    member.fill("#city", "三亚")
    member.check("#agree")
    expect(member.locator("[data-test=consent-text]")).to_contain_text("身份证号")
    member.click("[data-test=join]")
    expect(member.locator("[data-test=pool-status]")).to_contain_text("已在人才储备中")
    member.shot("2-member-joined-pool")

    boss = new_page()
    boss.set_viewport_size({"width": 1280, "height": 800})
    sign_in(boss, live_server, ENTERPRISE_ADMIN)
    boss.goto(live_server + "/talent?skill=高压电工&city=三亚")
    card = boss.locator("a[data-test^=talent-]").filter(has_text="配电线路检修")
    expect(card).to_have_count(1)
    expect(card).not_to_contain_text("吴志强")
    boss.shot("3-enterprise-search")
    card.click()
    boss.fill("#message", "我司招聘高压电工，想与您联系。")
    boss.click("[data-test=ask-contact]")
    expect(boss.locator("main")).not_to_contain_text(WORKER)

    member.goto(live_server + "/records/talent-pool")
    expect(member.locator("[data-test=visitors]")).to_contain_text("海南电网")
    member.shot("4-member-request")
    member.locator("[data-test=accept]").first.click()

    boss.goto(live_server + "/talent/contacts")
    expect(boss.locator("[data-test=contact-detail]").first).to_contain_text(WORKER)
    boss.shot("5-enterprise-contact-shared")

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
    union.shot("6-union-dashboard")
    union.goto(live_server + "/records/dashboard?by=provider")
    expect(union.locator(".dash-table")).to_contain_text("海南省电力学校")
