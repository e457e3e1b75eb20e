"""Union staff on phones: import the membership register (one good row, one bad ID number),
verify a worker's membership link by hand, approve a newly registered enterprise whose admin
then invites staff by phone, and find the invitation in the outbox."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ask_to_sign_up, finish_sign_up, sign_in

pytestmark = pytest.mark.browser

UNION_ADMIN = "13800000001"
VALID_ID, BAD_CHECK_DIGIT = "11010519491231002X", "110105194912310021"


def unique_phone() -> str:
    return "139" + str(uuid.uuid4().int)[:8]


def test_register_import_membership_enterprise_and_invitation(new_page, live_app, live_server):
    tag = uuid.uuid4().hex[:6].upper()
    union = new_page()
    sign_in(union, live_server, UNION_ADMIN)

    # Import a small register: one valid row, one whose ID number has a wrong check digit.
    union.goto(live_server + "/admin/membership")
    csv = ("member_no,name,id_number,union_name\n"
           f"HNR{tag}1,王小海,{VALID_ID},海口市总工会\n"
           f"HNR{tag}2,李小南,{BAD_CHECK_DIGIT},三亚市总工会\n").encode()
    union.set_input_files("#file", files=[{"name": f"register-{tag}.csv", "mimeType": "text/csv", "buffer": csv}])
    union.shot("import-form")
    union.click("main form[enctype] button[type=submit]")
    expect(union).to_have_url(re.compile(r"/admin/membership/imports/\d+$"))
    expect(union.locator("tr.outcome-added")).to_contain_text(f"HNR{tag}1")
    expect(union.locator("tr.outcome-rejected")).to_contain_text(f"HNR{tag}2")
    assert VALID_ID not in union.content() and BAD_CHECK_DIGIT not in union.content()
    union.shot("import-report")

    # A new worker links a membership the register does not know: it waits for the union.
    worker = new_page()
    phone, name = unique_phone(), f"周工{tag}"
    ask_to_sign_up(worker, live_server, name, phone)
    expect(worker).to_have_url(re.compile(r"/login$"))
    finish_sign_up(worker, live_app, live_server, phone)
    expect(worker).to_have_url(re.compile(r"/membership$"))
    worker.fill("#member_no", f"HNW{tag}")
    worker.fill("#union_name", "儋州市总工会")
    worker.fill("#employer", "洋浦港务有限公司")
    worker.fill("#real_name", name)
    worker.fill("#id_number", VALID_ID)
    worker.click("main button[type=submit]")
    expect(worker.locator(".membership-status .status-pending")).to_be_visible()
    worker.shot("membership-pending")

    union.goto(live_server + "/admin/membership")
    waiting = union.locator("section.card").filter(has_text=f"HNW{tag}")
    expect(waiting).to_contain_text("**************002X")
    union.shot("membership-waiting", waiting)
    waiting.locator("button[formaction$='/approve']").click()
    expect(union.locator(".flash")).to_be_visible()
    expect(union.locator("section.card").filter(has_text=f"HNW{tag}")).to_have_count(0)

    worker.reload()
    expect(worker.locator(".membership-status .status-verified")).to_be_visible()
    worker.shot("membership-verified")

    # The worker registers their enterprise; the union approves it.
    org_name = f"洋浦港务测试公司{tag}"
    worker.goto(live_server + "/organizations/new")
    expect(worker.locator("label[for=name]")).to_have_text("机构名称")  # an organization's name, not 姓名
    worker.select_option("#kind", "enterprise")
    worker.fill("#name", org_name)
    worker.fill("#credit_code", "91460000MA5T0XXX1K")
    worker.fill("#city", "儋州")
    worker.fill("#contact_phone", "0898-28820000")
    worker.fill("#description", "港口装卸与仓储物流，职工约 600 人。")
    worker.shot("organization-form")
    worker.click("main form button[type=submit]")
    expect(worker).to_have_url(re.compile(r"/organizations/\d+$"))
    expect(worker.locator(".status-pending")).to_be_visible()
    worker.shot("organization-pending")
    org_url = worker.url

    union.goto(live_server + "/admin/organizations")
    pending = union.locator("section.card").filter(has_text=org_name)
    expect(pending).to_contain_text("儋州")
    union.shot("organization-review", pending)
    pending.locator("button[formaction$='/approve']").click()
    expect(union.locator(".flash")).to_contain_text(org_name)

    # Now its admin invites staff by phone.
    invitee = unique_phone()
    worker.goto(org_url)
    expect(worker.locator(".status-approved")).to_be_visible()
    worker.fill("#contact", invitee)
    worker.shot("invite-form")
    worker.click("main form button[type=submit]")
    expect(worker.locator(".flash")).to_be_visible()
    expect(worker.locator("main")).to_contain_text(invitee)
    worker.shot("invitation-sent")

    # The outbox shows the SMS with its link.
    union.goto(live_server + "/admin/outbox")
    message = union.locator("section.card").filter(has_text=invitee).first
    expect(message).to_contain_text(org_name)
    expect(message.locator("pre.message")).to_contain_text("/invitations/")
    union.shot("outbox", message)
