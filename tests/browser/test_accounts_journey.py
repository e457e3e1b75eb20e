"""A worker signs up, signs in, links membership (a wrong then a right ID number), switches language."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import finish_sign_up, nav

pytestmark = pytest.mark.browser


def test_sign_up_link_membership_and_switch_language(page, live_app, live_server):
    page.goto(live_server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    page.shot("home-zh")

    page.goto(live_server + "/signup")
    page.fill("#name", "海口测试职工")
    page.fill("#phone", "13912345678")
    page.fill("#password", "Worker-2026")
    page.fill("#confirm", "Worker-2026")
    page.shot("signup")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/login$"))   # the account waits for the link sent to the phone
    finish_sign_up(page, live_app, live_server, "13912345678")
    expect(page).to_have_url(re.compile(r"/membership$"))

    # Sign out and back in.
    nav(page).locator("text=退出登录").click()
    page.goto(live_server + "/login")
    page.fill("#account", "13912345678")
    page.fill("#password", "wrong-password")
    page.click("main button[type=submit]")
    expect(page.locator(".form-error")).to_be_visible()
    page.fill("#password", "Worker-2026")
    page.click("main button[type=submit]")
    expect(page).to_have_url(live_server + "/")

    # Link membership: a wrong check digit first, then a valid number.
    page.goto(live_server + "/membership")
    page.fill("#member_no", "HN460199")
    page.fill("#union_name", "海口市总工会")
    page.fill("#employer", "海南电网有限责任公司")
    page.fill("#real_name", "海口测试职工")
    page.fill("#id_number", "110105194912310021")
    page.click("main button[type=submit]")
    error = page.locator("#id_number-error")
    expect(error).to_be_visible()
    assert "110105194912310021" not in page.content()
    page.shot("membership-invalid-id")
    page.fill("#id_number", "11010519491231002X")
    page.click("main button[type=submit]")
    expect(page.locator(".membership-status")).to_contain_text("**************002X")
    assert "11010519491231002X" not in page.content()
    page.shot("membership-pending")

    # Switch to English; the choice is remembered on the next page.
    nav(page).locator("[lang=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(live_server + "/account")
    expect(page.locator("h2").first).to_have_text("Change password")
    page.shot("account-en")
