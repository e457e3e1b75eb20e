"""The page shell at phone and desktop sizes: every role's home page, its navigation visible and
usable, sign-out and the language switch always reachable."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import nav, sign_in

pytestmark = pytest.mark.browser

# (demo phone, role, an entry of that role's navigation, a heading of that role's home cards)
ROLES = [
    ("13800000005", "worker", "我的培训", "职工"),
    ("13800000004", "enterprise_admin", "首页", "单位"),
    ("13800000002", "provider_admin", "我的课程", "培训机构管理员"),
    ("13800000003", "instructor", "我的培训班", "讲师"),
    ("13800000001", "union_admin", "课程审核", "工会管理员"),
]


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize(("phone", "role", "entry", "heading"), ROLES, ids=[r[1] for r in ROLES])
def test_home_and_navigation_for_every_role(new_page, live_server, size, phone, role, entry, heading):
    page = new_page(size)
    page.goto(live_server + "/lang/zh_Hans")   # this browser reads Chinese, whatever other journeys chose
    sign_in(page, live_server, phone)
    page.goto(live_server + "/")
    expect(page.locator(".role-heading", has_text=heading).first).to_be_visible()
    if size == "desktop":
        expect(page.locator(".desknav")).to_be_visible()
        expect(page.locator(".menu summary")).to_be_hidden()
    else:
        expect(page.locator(".desknav")).to_be_hidden()
        expect(page.locator(".menu summary")).to_be_visible()
    page.shot(f"home-{role}-{size}")

    menu = nav(page)
    expect(menu.get_by_role("link", name=entry, exact=True)).to_be_visible()
    expect(menu.locator("text=退出登录")).to_be_visible()
    if size == "phone":
        page.shot(f"menu-{role}-{size}")
    menu.get_by_role("link", name=entry, exact=True).click()
    page.wait_for_load_state()
    assert page.url.startswith(live_server)

    # the language switch is always reachable, and sign-out works from here
    nav(page).locator("[lang=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    nav(page).locator("[lang=zh-Hans]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    nav(page).locator("text=退出登录").click()
    expect(nav(page).locator("text=登录").first).to_be_visible()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_visitors_reach_courses_and_sign_in_at_both_sizes(new_page, live_server, size):
    page = new_page(size)
    page.goto(live_server + "/")
    menu = nav(page)
    for name in ("课程", "登录", "注册"):
        expect(menu.get_by_role("link", name=name, exact=True)).to_be_visible()
    page.shot(f"home-visitor-{size}")
    menu.get_by_role("link", name="课程", exact=True).click()
    expect(page).to_have_url(live_server + "/courses")
