"""Pages and API of the certificates domain: public verification, lookup, PDF, "My
certificates", the union's desk, and who may see what."""

from __future__ import annotations

import io
import json
import zipfile

from openpyxl import load_workbook
from sqlalchemy import select

from app.access import Role
from certificates import services
from certificates.dataintegrity import bit_at, decode_bitstring
from certificates.models import Certificate, CertificateState, GovernmentCertificate
from certificates.verifier import verify_credential
from tests.certificates.conftest import NOW
from tests.conftest import bearer, post_form, sign_in


def test_the_public_page_shows_a_valid_certificate_without_private_data(client, make_certificate):
    cert = make_certificate()
    response = client.get(f"/v/{cert.token}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-status="valid"' in html and cert.number in html and "李电工" in html
    assert "1237" not in html and "460100" not in html      # no ID digits at all on the public page
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response.headers["X-Robots-Tag"] and '<meta name="robots" content="noindex' in html
    assert f"/api/v1/certificates/{cert.token}/credential" in html


def test_unknown_tokens_and_proposals_are_not_found(client, propose):
    assert client.get("/v/nope").status_code == 404
    cert = propose()
    assert client.get(f"/v/{cert.token}").status_code == 404
    assert client.get(f"/api/v1/certificates/{cert.token}").status_code == 404
    assert client.get(f"/certificates/{cert.token}.pdf").status_code == 404


def test_revoking_shows_on_the_page_the_json_and_the_status_list(db, client, make_certificate, union_admin):
    cert = make_certificate()
    credential = client.get(f"/api/v1/certificates/{cert.token}/credential").json
    entry = next(e for e in credential["credentialStatus"] if e["statusPurpose"] == "revocation")
    listing = client.get(entry["statusListCredential"].removeprefix("http://localhost")).json
    assert not bit_at(decode_bitstring(listing["credentialSubject"]["encodedList"]), int(entry["statusListIndex"]))

    sign_in(client, union_admin)
    response = post_form(client, f"/union/certificates/{cert.id}/revoke", {"reason": "考试作弊"})
    assert response.status_code == 302
    page = client.get(f"/v/{cert.token}").get_data(as_text=True)
    assert 'data-status="revoked"' in page and "考试作弊" in page
    status = client.get(f"/api/v1/certificates/{cert.token}").json
    assert status["status"] == "revoked" and status["revocation_reason"] == "考试作弊"
    listing = client.get(entry["statusListCredential"].removeprefix("http://localhost")).json
    assert bit_at(decode_bitstring(listing["credentialSubject"]["encodedList"]), int(entry["statusListIndex"]))
    issuer_doc = client.get("/issuer").json
    result = verify_credential(credential, issuer_document=issuer_doc, now=NOW,
                               status_lists=lambda url: client.get(url.removeprefix("http://localhost")).json)
    assert result.status == "revoked"


def test_revoking_needs_a_reason(db, client, make_certificate, union_admin):
    cert = make_certificate()
    sign_in(client, union_admin)
    post_form(client, f"/union/certificates/{cert.id}/revoke", {"reason": ""})
    db.refresh(cert)
    assert cert.state == CertificateState.ISSUED
    response = client.post(f"/api/v1/certificates/{cert.id}/revoke", json={"reason": " "}, headers=bearer(union_admin))
    assert response.status_code == 422 and response.json["error"]["field"] == "reason"
    response = client.post(f"/api/v1/certificates/{cert.id}/suspend", json={"reason": "复审逾期"},
                           headers=bearer(union_admin))
    assert response.status_code == 200 and response.json["status"] == "suspended"


def test_lookup_by_number_and_name_answers_the_same_for_any_miss(app, client, make_certificate):
    cert = make_certificate()
    found = client.get("/api/v1/verify", query_string={"number": cert.number.lower(), "name": "李电工"})
    assert found.status_code == 200 and found.json["status"] == "valid" and found.json["number"] == cert.number
    wrong_name = client.get("/api/v1/verify", query_string={"number": cert.number, "name": "王五"})
    no_number = client.get("/api/v1/verify", query_string={"number": "LVE-2026-0999999-" + "X", "name": "李电工"})
    empty = client.get("/api/v1/verify")
    assert wrong_name.json == no_number.json == empty.json == {**wrong_name.json, "found": False,
                                                                "status": "not_found"}
    page = client.get("/verify", query_string={"number": cert.number, "name": "李电工"}).get_data(as_text=True)
    assert 'data-status="valid"' in page
    miss = client.get("/verify", query_string={"number": cert.number, "name": "王五"}).get_data(as_text=True)
    assert 'data-status="not_found"' in miss


def test_lookup_is_rate_limited(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_LOOKUP_RATE_LIMIT", "3 per minute")
    codes = [client.get("/api/v1/verify", query_string={"number": "X", "name": "Y"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/api/v1/verify").json["error"]["code"] == "rate_limited"


def test_the_pdf_is_served_with_the_credential_attached(client, make_certificate):
    from certificates.verifier import credential_from_pdf

    cert = make_certificate()
    response = client.get(f"/certificates/{cert.token}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert credential_from_pdf(response.data) == json.loads(cert.credential)


def test_my_certificates_shows_only_mine(client, make_certificate, make_member):
    mine, other = make_member(), make_member()
    cert = make_certificate(mine)
    theirs = make_certificate(other)
    sign_in(client, mine)
    html = client.get("/me/certificates").get_data(as_text=True)
    assert cert.number in html and theirs.number not in html
    assert f"/certificates/{cert.token}.pdf" in html and f"/v/{cert.token}" in html
    api = client.get("/api/v1/me/certificates", headers=bearer(mine)).json
    assert [c["number"] for c in api["items"]] == [cert.number] and api["items"][0]["id_last4"] == "1237"


def test_a_worker_applies_for_review_and_the_union_passes_it(db, client, make_certificate, union_admin):
    cert = make_certificate()
    sign_in(client, cert.user)
    post_form(client, f"/me/certificates/{cert.id}/review", {"training_hours": "8", "note": "省电力学校复审班"})
    from certificates.models import ReviewApplication

    review = db.scalar(select(ReviewApplication).where(ReviewApplication.certificate_id == cert.id))
    assert review is not None and review.training_hours == 8
    client2 = client.application.test_client()
    sign_in(client2, union_admin)
    post_form(client2, f"/union/certificates/reviews/{review.id}", {"decision": "pass", "note": ""})
    db.refresh(cert)
    db.refresh(review)
    assert cert.state == CertificateState.REVOKED and review.new_certificate_id is not None


def test_workers_record_government_certificates_and_the_union_checks_them(db, app, client, make_member,
                                                                         union_admin, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    member = make_member()
    sign_in(client, member)
    response = post_form(client, "/me/recorded", {
        "name": "特种作业操作证（高处作业）", "number": "T460100", "issuer": "海南省应急管理厅",
        "issued_on": "2024-05-10", "valid_until": "2030-05-09",
        "scan": (io.BytesIO(b"%PDF-1.4 scan"), "card.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    record = db.scalar(select(GovernmentCertificate).where(GovernmentCertificate.user_id == member.id))
    assert record.state == "recorded" and record.scan_path
    assert client.get(f"/recorded/{record.id}/scan").data == b"%PDF-1.4 scan"
    html = client.get("/me/certificates").get_data(as_text=True)
    assert "T460100" in html and "/certificates/" not in html.split("T460100")[1].split("</article>")[0]
    admin = app.test_client()
    sign_in(admin, union_admin)
    post_form(admin, f"/union/recorded/{record.id}", {"decision": "verify", "note": ""})
    db.refresh(record)
    assert record.state == "verified"


def test_the_union_desk_issues_a_class_by_job_and_exports(db, client, propose, make_class, union_admin):
    training_class = make_class()
    certs = [propose(class_id=training_class.id) for _ in range(3)]
    sign_in(client, union_admin)
    desk = client.get("/union/certificates").get_data(as_text=True)
    assert f"class:{training_class.id}" in desk
    response = post_form(client, "/union/certificates/jobs", {"scope": f"class:{training_class.id}"})
    assert response.status_code == 302 and "/union/certificates/jobs/" in response.location
    job_id = int(response.location.rstrip("/").split("/")[-1])
    assert client.get(response.location).status_code == 200
    status = client.get(f"/api/v1/certificate-jobs/{job_id}").json
    assert (status["state"], status["done"], status["total"]) == ("done", 3, 3)
    for cert in certs:
        db.refresh(cert)
    assert {c.state for c in certs} == {CertificateState.ISSUED}
    book = load_workbook(io.BytesIO(client.get("/union/certificates/export.xlsx").data))
    assert {c.number for c in certs} <= {row[0] for row in book.worksheets[1].iter_rows(values_only=True)}
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/union/certificates/class-{training_class.id}.zip").data))
    assert len(archive.namelist()) == 3


def test_who_may_use_the_desk(client, make_certificate, make_user, union_admin):
    cert = make_certificate()
    worker = make_user(Role.WORKER)
    sign_in(client, worker)
    for path in ("/union/certificates", f"/union/certificates/{cert.id}", "/union/certificates/export.xlsx"):
        assert client.get(path).status_code == 403
    assert client.post(f"/api/v1/certificates/{cert.id}/revoke", json={"reason": "x"},
                       headers=bearer(worker)).status_code == 403
    assert client.get(f"/recorded/{10**6}/scan").status_code == 404
    anonymous = client.application.test_client()
    assert anonymous.get("/me/certificates").status_code == 302
    assert anonymous.get("/api/v1/me/certificates").status_code == 401


def test_services_never_let_a_worker_revoke(db, make_certificate, make_user):
    import pytest

    from app.errors import Forbidden

    cert = make_certificate()
    with pytest.raises(Forbidden):
        services.revoke_certificate(db, actor=make_user(Role.WORKER), certificate_id=cert.id, reason="x", now=NOW)
    assert db.get(Certificate, cert.id).state == CertificateState.ISSUED


def test_the_union_issues_and_declines_one_by_one_on_the_page(db, client, propose, union_admin):
    first, second = propose(), propose()
    sign_in(client, union_admin)
    page = client.get(f"/union/certificates/{first.id}").get_data(as_text=True)
    assert 'data-test="issue"' in page
    post_form(client, f"/union/certificates/{first.id}/issue")
    post_form(client, f"/union/certificates/{second.id}/decline", {"reason": "成绩有误，待复核"})
    db.refresh(first)
    db.refresh(second)
    assert first.state == CertificateState.ISSUED and first.issued_by_id == union_admin.id
    assert second.state == CertificateState.DECLINED
    assert client.get(f"/v/{second.token}").status_code == 404
    history = client.get(f"/union/certificates/{first.id}").get_data(as_text=True)
    assert union_admin.name in history
