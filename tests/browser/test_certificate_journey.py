"""A certificate's life on phones: the union issues a proposed certificate as a job (progress
page), the worker downloads the PDF from "My certificates", a site manager opens the QR link
on a phone (valid), the union revokes it with a reason, and the page, the JSON status and the
credential's revocation status list all say revoked."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from app.db import get_session, utcnow
from certificates import services
from certificates.dataintegrity import bit_at, decode_bitstring
from certificates.models import CertificateKind
from certificates.verifier import credential_from_pdf
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

UNION_ADMIN, WORKER = "13800000001", "13800000005"


def test_issue_download_verify_revoke(new_page, live_server, live_app, browser):
    from sqlalchemy import select

    from app.auth.models import User

    tag = uuid.uuid4().hex[:6].upper()
    with live_app.app_context():   # what released exam results propose for the worker
        session = get_session()
        worker = session.scalar(select(User).where(User.phone == "+86" + WORKER))
        cert = services.propose(session, services.Proposal(
            user_id=worker.id, source_key=f"journey:{tag}", kind=CertificateKind.APPRAISAL,
            title=f"高处作业技能鉴定合格证书{tag}", level="初级工", type_code="WAH", validity_months=72,
            review_every_months=36, review_training_hours=8), issuer_name="海南省总工会", now=utcnow())
        session.commit()
        cert_id = cert.id

    admin = new_page()
    sign_in(admin, live_server, UNION_ADMIN)
    admin.goto(live_server + "/union/certificates")
    admin.shot("desk")
    admin.locator("[data-test='issue-all-all']").click()
    expect(admin.locator("[data-test='job-state']")).to_have_text("已完成")
    admin.shot("job-done")

    phone = new_page()
    sign_in(phone, live_server, WORKER)
    phone.goto(live_server + "/me/certificates")
    card = phone.locator("[data-test='certificate']").filter(has_text=tag)
    expect(card).to_be_visible()
    phone.shot("my-certificates", card)
    pdf_href = card.locator("[data-test='pdf-link']").get_attribute("href")
    pdf = phone.request.get(live_server + pdf_href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    credential = credential_from_pdf(pdf.body())
    share = card.locator("[data-test='share-link']").get_attribute("href")
    assert share.startswith("/v/") and credential["evidence"][0]["id"].endswith(share)   # what the QR encodes

    site_manager = new_page()   # anyone, not signed in, scanning the QR code
    site_manager.goto(live_server + share)
    expect(site_manager.locator("[data-test='verify-status']")).to_have_attribute("data-status", "valid")
    site_manager.shot("verify-valid")
    desktop = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    try:
        wide = desktop.new_page()
        wide.goto(live_server + share)
        expect(wide.locator("[data-test='verify-status']")).to_have_attribute("data-status", "valid")
        from tests.browser.conftest import ARTIFACTS

        wide.screenshot(path=str(ARTIFACTS / "test_issue_download_verify_revoke-verify-valid-desktop.png"))
    finally:
        desktop.close()

    admin.goto(f"{live_server}/union/certificates/{cert_id}")
    admin.fill("#reason", "实操考核成绩复核不合格")
    admin.locator("[data-test='revoke']").click()
    expect(admin.locator("[data-test='admin-status']")).to_have_text("已撤销")
    admin.shot("revoked-admin")

    site_manager.reload()
    banner = site_manager.locator("[data-test='verify-status']")
    expect(banner).to_have_attribute("data-status", "revoked")
    expect(banner).to_contain_text("实操考核成绩复核不合格")
    site_manager.shot("verify-revoked")
    token = share.removeprefix("/v/")
    status = site_manager.request.get(f"{live_server}/api/v1/certificates/{token}").json()
    assert status["status"] == "revoked"
    entry = next(e for e in credential["credentialStatus"] if e["statusPurpose"] == "revocation")
    listing = site_manager.request.get(entry["statusListCredential"]).json()
    assert bit_at(decode_bitstring(listing["credentialSubject"]["encodedList"]), int(entry["statusListIndex"]))


def test_job_page_follows_progress(new_page, live_server, live_app):
    """The job page polls: a job queued before the page opens shows done once a worker ran it."""
    from sqlalchemy import select

    from app.auth.models import User
    from certificates.credentials import issuer_of

    tag = uuid.uuid4().hex[:6].upper()
    with live_app.app_context():
        session = get_session()
        worker = session.scalar(select(User).where(User.phone == "+86" + WORKER))
        admin_user = session.scalar(select(User).where(User.phone == "+86" + UNION_ADMIN))
        services.propose(session, services.Proposal(
            user_id=worker.id, source_key=f"journey-job:{tag}", kind=CertificateKind.TRAINING,
            title=f"安全生产培训结业证书{tag}"), issuer_name="海南省总工会", now=utcnow())
        job = services.start_issuance_job(session, actor=admin_user, scope="all", now=utcnow())
        session.commit()
        job_id = job.id

    admin = new_page()
    sign_in(admin, live_server, UNION_ADMIN)
    admin.goto(f"{live_server}/union/certificates/jobs/{job_id}")
    expect(admin.locator("[data-test='job-state']")).to_have_text("排队中")
    admin.shot("job-queued")
    with live_app.app_context():   # what the Celery worker does, batch by batch
        session = get_session()
        while services.run_issuance_batch(session, job_id=job_id, issuer=issuer_of(live_app), now=utcnow()):
            session.commit()
        session.commit()
    expect(admin.locator("[data-test='job-state']")).to_have_text("已完成")
    expect(admin.locator("[data-test='job-done']")).not_to_have_text("0")
    admin.shot("job-polled-done")
