"""Craftsman studios on phones and desktops: an enterprise proposes a studio and the union names it; its
leader completes the profile with a patent (with its evidence) and a course; another enterprise asks for
technical help, the studio proposes, the enterprise accepts and rates the work; the leader starts an
apprenticeship and the apprentice writes a progress note; the public studio page at phone size."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser

UNION_ADMIN, GRID_ADMIN, LEADER, APPRENTICE, AIRPORT_ADMIN = (
    "13800000001", "13800000004", "13800000005", "13800000006", "13800000007")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def desktop_shot(browser, live_server, path: str, name: str, phone: str | None = None) -> None:
    """The same page on a 1280x800 desktop."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    try:
        page = context.new_page()
        if phone:
            sign_in(page, live_server, phone)
        page.goto(live_server + path)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"test_studio_journey-{name}.png"), full_page=True)
    finally:
        context.close()


def test_studio_journey(new_page, browser, live_server):
    tag = uuid.uuid4().hex[:4].upper()
    name = f"海南电网吴志强配网运维创新工作室{tag}"

    # The grid company proposes a studio led by one of its craftsmen.
    grid = new_page()
    sign_in(grid, live_server, GRID_ADMIN)
    grid.goto(live_server + "/studios/propose")
    grid.fill("#name", name)
    grid.fill("#leader_phone", LEADER)
    grid.select_option("#level", "city")
    grid.fill("#summary", "配电网运维、故障抢修与带电作业技术攻关。")
    grid.click("main button[type=submit]")
    expect(grid).to_have_url(re.compile(r"/studios/\d+$"))
    studio_path = re.search(r"/studios/\d+$", grid.url).group(0)
    expect(grid.locator(".status-pending")).to_be_visible()

    # The union names it (命名) at city level; the dashboard shows the year's targets as a chart.
    union = new_page()
    sign_in(union, live_server, UNION_ADMIN)
    union.goto(live_server + "/union/studios")
    expect(union.locator("svg.target-chart")).to_be_visible()
    row = union.locator("li", has_text=name)
    row.locator("select[name=level]").select_option("city")
    union.shot("union-dashboard")
    row.locator("button.primary").click()
    expect(union.locator(".flash.success")).to_be_visible()
    desktop_shot(browser, live_server, "/union/studios", "union-dashboard-desktop", UNION_ADMIN)

    # The leader completes the profile: trades, a course, and a patent with its certificate.
    leader = new_page()
    sign_in(leader, live_server, LEADER)
    leader.goto(live_server + studio_path + "/edit")
    leader.fill("#trades", "配电运维、带电作业")
    leader.fill("#description", "工作室现有成员8人，承担配电网运维技术攻关和青年技工培养。")
    leader.select_option("#course_ids", label="高压电工作业培训 · 海南省电力学校")
    leader.click("main form:has(#summary) button[type=submit]")
    expect(leader).to_have_url(re.compile(studio_path + "$"))
    leader.goto(live_server + studio_path + "/achievements/new")
    leader.select_option("#kind", "patent")
    leader.fill("#title", f"一种配电线路故障快速定位装置{tag}")
    leader.fill("#patent_number", "ZL 2024 2 0" + "345678" + "." + _check("202420345678"))
    leader.fill("#achieved_on", "2025-06-16")
    leader.set_input_files("#evidence", files=[{"name": "专利证书.pdf", "mimeType": "application/pdf",
                                                "buffer": PDF}])
    leader.shot("achievement-form")
    leader.click("main button[type=submit]")
    expect(leader.locator(".patent")).to_contain_text("ZL202420345678")
    expect(leader.locator("main")).to_contain_text("高压电工作业培训")

    # Another enterprise asks for technical help the way it asks providers: a demand of the order mechanism.
    airport = new_page()
    sign_in(airport, live_server, AIRPORT_ADMIN)
    airport.goto(live_server + "/orders/demands/new")
    airport.select_option("#kind", "technical_service")
    airport.fill("#title", f"航站楼配电线路故障排查{tag}")
    airport.fill("#skill", "配电运维")
    airport.fill("#headcount", "1")
    airport.fill("#city", "海口")
    airport.fill("#notes", "T2航站楼配电线路频繁跳闸，需要专家现场排查。")
    airport.click("main button[value=publish]")
    expect(airport).to_have_url(re.compile(r"/orders/demands/\d+$"))

    # The studio finds it on its help board, sees the suggested studios and answers with a proposal.
    leader.goto(live_server + "/help")
    leader.click(f"text=航站楼配电线路故障排查{tag}")
    expect(leader).to_have_url(re.compile(r"/help/demands/\d+$"))
    leader.select_option("#studio_id", label=name)
    leader.fill("#plan", "派2名成员现场巡视测温，定位故障点并指导检修，同时培训值班电工。")
    leader.click("main form[action$='/proposals'] button[type=submit]")
    expect(leader).to_have_url(re.compile(r"/help/\d+$"))
    expect(leader.locator(".flash.success")).to_be_visible()
    expect(leader.locator("main")).to_contain_text("推荐的工作室")
    leader.shot("studio-answered")
    request_url = leader.url

    # The enterprise finds the proposal among its requests and accepts it; the studio reports the work done;
    # the enterprise accepts the work and rates it.
    airport.goto(live_server + "/help")
    airport.click(f"text=航站楼配电线路故障排查{tag}")
    expect(airport).to_have_url(request_url)
    airport.shot("proposal-to-accept")
    airport.click("main form[action$='/accept'] button")
    expect(airport.locator(".flash.success")).to_be_visible()
    leader.goto(request_url)
    leader.fill("#note", "已查明电缆中间接头过热，指导更换并培训6名值班电工。")
    leader.click("main form[action$='/deliver'] button")
    airport.goto(request_url)
    airport.select_option("#rating", "5")
    airport.fill("#comment", "响应迅速，问题彻底解决。")
    airport.click("main form[action$='/complete'] button")
    expect(airport.locator(".stars").first).to_be_visible()
    airport.shot("request-completed")

    # 名师带高徒: the leader pairs with an apprentice, who writes a progress note.
    leader.goto(live_server + studio_path + "/apprenticeships/new")
    leader.fill("#apprentice_phone", APPRENTICE)
    leader.fill("#starts_on", "2026-12-01")
    leader.fill("#ends_on", "2027-11-30")
    leader.fill("#goals", "一年内独立完成配网故障定位与带电作业，考取技师。")
    leader.click("main button[type=submit]")
    expect(leader).to_have_url(re.compile(r"/apprenticeships/\d+$"))
    pairing_url = leader.url
    apprentice = new_page()
    sign_in(apprentice, live_server, APPRENTICE)
    apprentice.goto(pairing_url)
    apprentice.fill("#note-body", "本周跟师傅完成两次故障巡视，学会红外测温。")
    apprentice.click("main button[type=submit]")
    expect(apprentice.locator(".rows")).to_contain_text("红外测温")
    apprentice.shot("apprenticeship")

    # The public page, at phone size, shows the patent, the course, the apprenticeship and the help given.
    public = new_page()
    public.goto(live_server + studio_path)
    main = public.locator("main")
    expect(main).to_contain_text(name)
    expect(main).to_contain_text("ZL202420345678")
    expect(main).to_contain_text(f"航站楼配电线路故障排查{tag}")
    expect(main).to_contain_text("名师带高徒")
    public.shot("public-studio-phone")
    desktop_shot(browser, live_server, studio_path, "public-studio-desktop")

    # The demo studio: led by a 海南工匠, three stars, a utility-model patent, two apprentices.
    public.goto(live_server + "/studios")
    public.click("text=海南电网王立新电力工匠创新工作室")
    expect(main).to_contain_text("海南工匠")
    expect(main).to_contain_text("ZL202321458637.6")
    public.shot("demo-studio-phone")
    public.goto(live_server + "/studios")
    public.shot("studio-list-phone")


def _check(digits: str) -> str:
    from studios.services.profiles import patent_check_digit

    return patent_check_digit(digits)
