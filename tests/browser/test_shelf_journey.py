"""The shelf on phones: a provider admin creates a course, a class and a text lesson and submits
it; the union rejects it once with a reason, the provider fixes and resubmits, the union
approves, the provider publishes, and an anonymous visitor finds it with a Chinese search."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.db import utcnow
from app.i18n import SHANGHAI
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PROVIDER_ADMIN, UNION_ADMIN = "13800000002", "13800000001"


def course_card(page, title: str):
    return page.locator("section.shelf-course").filter(has_text=title)


def test_create_review_publish_and_find_course(new_page, live_server):
    tag = uuid.uuid4().hex[:6].upper()
    title = f"光伏电站运维实训（{tag}）"
    provider = new_page()
    sign_in(provider, live_server, PROVIDER_ADMIN)

    # A new course: the draft lands on "My courses".
    provider.goto(live_server + "/provider/courses/new")
    provider.fill("#title", title)
    provider.fill("#summary", "分布式光伏电站巡检、清洗与故障排查")
    provider.select_option("#industry_codes", ["hightech", "services"])
    provider.fill("#skills", "光伏组件巡检、逆变器维护")
    provider.fill("#hours", "24")
    provider.fill("#certificate_type", "光伏运维员（初级）")
    provider.shot("course-form")
    provider.click("main form button[type=submit]")
    expect(provider).to_have_url(re.compile(r"/provider/courses$"))
    card = course_card(provider, title)
    expect(card.locator(".status-draft")).to_be_visible()
    provider.shot("course-draft", card)

    # Add an offline class.
    card.locator("a[href$='/classes/new']").click()
    today = utcnow().astimezone(SHANGHAI).date()
    provider.fill("#title", f"第一期（{tag}）")
    provider.select_option("#mode", "offline")
    provider.fill("#city", "海口")
    provider.fill("#venue", "海南省电力学校光伏实训场")
    provider.fill("#starts_on", (today + timedelta(days=20)).isoformat())
    provider.fill("#ends_on", (today + timedelta(days=22)).isoformat())
    provider.fill("#enroll_opens_at", f"{(today - timedelta(days=1)).isoformat()}T09:00")
    provider.fill("#enroll_closes_at", f"{(today + timedelta(days=18)).isoformat()}T18:00")
    provider.fill("#capacity", "30")
    provider.fill("#price", "600")
    provider.fill("#member_price", "450")
    provider.shot("class-form")
    provider.click("main form button[type=submit]")
    expect(provider).to_have_url(re.compile(r"/provider/courses$"))
    card = course_card(provider, title)
    class_link = card.locator(".rows a", has_text=f"第一期（{tag}）").first
    expect(class_link).to_be_visible()
    provider.shot("class-added", card)

    # A text lesson for the class (from the class's links on "My courses").
    card.locator(".class-links a[href$='/lessons']").click()
    expect(provider).to_have_url(re.compile(r"/provider/classes/\d+/lessons$"))
    expect(provider.locator("p.empty")).to_be_visible()
    provider.fill("#title", "光伏电站安全规程")
    provider.select_option("#kind", "text")
    provider.fill("#body_html", "<p>登高作业前检查安全带；直流侧带电，严禁带负荷拔插接头。</p>")
    provider.fill("#minutes", "30")
    provider.click("section.card form button[type=submit]")
    expect(provider.locator(".manage-lesson")).to_have_count(1)
    expect(provider.locator(".manage-lesson")).to_contain_text("光伏电站安全规程")
    provider.shot("lesson-added")

    # Submit for review.
    provider.goto(live_server + "/provider/courses")
    course_card(provider, title).locator("button[formaction$='/submit']").click()
    expect(course_card(provider, title).locator(".status-submitted")).to_be_visible()
    provider.shot("submitted", course_card(provider, title))

    # The union rejects it once, with a reason.
    union = new_page()
    sign_in(union, live_server, UNION_ADMIN)
    union.goto(live_server + "/admin/courses")
    review = union.locator("section.card").filter(has_text=title)
    expect(review).to_contain_text("光伏电站巡检")
    union.shot("review-queue")
    review.locator("textarea[name=reason]").fill("请补充实操课时安排和安全防护要求。")
    review.locator("button[formaction$='/reject']").click()
    expect(union.locator(".flash")).to_contain_text(title)
    expect(union.locator("section.card").filter(has_text=title)).to_have_count(0)
    union.shot("rejected")

    # The provider sees the reason, edits and resubmits.
    provider.goto(live_server + "/provider/courses")
    card = course_card(provider, title)
    expect(card.locator(".status-rejected")).to_be_visible()
    expect(card.locator("p.error")).to_contain_text("请补充实操课时安排")
    provider.shot("rejected-reason", card)
    card.locator("a[href$='/edit']").first.click()
    expect(provider.locator("#title")).to_have_value(title)
    expect(provider.locator("#skills")).to_have_value(re.compile("光伏组件巡检"))
    provider.fill("#summary", "分布式光伏电站巡检、清洗与故障排查；实操 16 学时，全程佩戴安全防护用品")
    provider.fill("#hours", "32")
    provider.shot("course-edit")
    provider.click("main form button[type=submit]")
    expect(provider).to_have_url(re.compile(r"/provider/courses$"))
    course_card(provider, title).locator("button[formaction$='/submit']").click()
    expect(course_card(provider, title).locator(".status-submitted")).to_be_visible()

    # The union approves; the provider publishes.
    union.goto(live_server + "/admin/courses")
    review = union.locator("section.card").filter(has_text=title)
    expect(review).to_contain_text("实操 16 学时")
    review.locator("button[formaction$='/approve']").click()
    expect(union.locator(".flash")).to_contain_text(title)
    union.shot("approved")

    provider.goto(live_server + "/provider/courses")
    course_card(provider, title).locator("button[formaction$='/publish']").click()
    expect(course_card(provider, title).locator(".status-published")).to_be_visible()
    provider.shot("published", course_card(provider, title))

    # Anyone finds it with a Chinese search.
    visitor = new_page()
    visitor.goto(live_server + "/courses")
    visitor.fill("input[name=q]", "光伏电站")
    visitor.keyboard.press("Enter")
    expect(visitor.locator("main")).to_contain_text(title)
    expect(visitor.locator("main")).not_to_contain_text("养老护理员")
    visitor.shot("search")
    visitor.click(f"text={title}")
    expect(visitor.locator("h1")).to_contain_text(title)
    visitor.shot("course-page")
