"""Search as a worker types it, on a phone and on a desktop: suggestions under the box as they
type (dictionary words, trade words, titles), a relaxed result page, and a page that found nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

SIZES = {"phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
                   "has_touch": True},
         "desktop": {"viewport": {"width": 1280, "height": 800}}}


@pytest.fixture(params=list(SIZES))
def sized_page(browser, request):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **SIZES[request.param])
    page = context.new_page()
    page.set_default_timeout(10_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def shot(name: str, full: bool = False) -> None:
        page.screenshot(path=str(ARTIFACTS / f"search-{request.param}-{name}.png"), full_page=full)

    page.shot = shot
    yield page
    context.close()


def test_suggestions_as_the_worker_types(sized_page, live_server):
    page = sized_page
    page.goto(live_server + "/courses")
    page.locator("input[name=q]").press_sequentially("电焊", delay=60)
    suggestions = page.locator("#suggestions")
    expect(suggestions).to_be_visible()
    expect(suggestions).to_contain_text("电焊工安全操作")     # a title
    expect(suggestions).to_contain_text("焊接")               # the dictionary: 电焊 also finds 焊接
    page.shot("suggestions")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "q=" in url or "/courses/" in url)
    expect(page.locator("main")).to_contain_text("电焊")


def test_relaxed_and_empty_result_pages(sized_page, live_server):
    page = sized_page
    page.goto(live_server + "/courses?q=" + "導遊 周末班 三亚")   # traditional, one word the catalog lacks
    expect(page.locator(".relaxed-notice")).to_be_visible()
    expect(page.locator(".cards")).to_contain_text("海南旅游导游员实务")
    page.shot("relaxed", full=True)
    page.goto(live_server + "/courses?q=" + "电钻")
    expect(page.locator("main")).to_contain_text("热门搜索")
    expect(page.locator(".empty a.tag").first).to_be_visible()
    page.shot("nothing-found", full=True)
    page.goto(live_server + "/courses?q=daoyou")                      # pinyin typed without switching
    expect(page.locator(".cards")).to_contain_text("海南旅游导游员实务")
