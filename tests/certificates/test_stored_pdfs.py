"""Certificate PDFs are rendered when a certificate is signed (one by one or by the bulk job),
stored, and served as stored; the attached credential still verifies, a tampered one does not;
the public answers read the status live."""

from __future__ import annotations

import copy
import io
import json
import re
from datetime import timedelta

import segno
from pypdf import PdfReader, PdfWriter
from sqlalchemy import func, select

from certificates import services
from certificates.cli import render_pdfs_command, verify_command
from certificates.models import Certificate, CertificatePdf, IssuanceJob, JobState
from certificates.pdf import QR_BORDER, QR_MASK, attach_credential
from certificates.verifier import credential_from_pdf, verify_credential
from tests.certificates.conftest import NOW
from tests.conftest import post_form, sign_in


def stored(db, cert) -> bytes | None:
    return db.scalar(select(CertificatePdf.pdf).where(CertificatePdf.certificate_id == cert.id))


def test_the_job_stores_a_pdf_per_certificate_with_its_credential(db, app, propose, union_admin, make_class, issuer):
    from certificates.tasks import run_issuance_job

    training_class = make_class()
    certs = [propose(class_id=training_class.id) for _ in range(4)]
    job = services.start_issuance_job(db, actor=union_admin, scope=f"class:{training_class.id}", now=NOW)
    db.commit()
    run_issuance_job.apply(args=(job.id,))        # Celery's eager, in-process run
    db.expire_all()
    assert db.get(IssuanceJob, job.id).state == JobState.DONE
    assert db.scalar(select(func.count()).select_from(CertificatePdf)
                     .where(CertificatePdf.certificate_id.in_([c.id for c in certs]))) == 4
    for cert in certs:
        pdf = stored(db, cert)
        assert pdf.startswith(b"%PDF-") and len(PdfReader(io.BytesIO(pdf)).pages) == 1
        attached = credential_from_pdf(pdf)
        assert attached == json.loads(cert.credential)
        assert verify_credential(attached, issuer_document=issuer.document(), now=cert.valid_from).ok


def test_one_by_one_issuance_stores_the_pdf_too(db, make_certificate):
    cert = make_certificate()
    assert credential_from_pdf(stored(db, cert)) == json.loads(cert.credential)


def test_the_download_serves_the_stored_bytes_with_the_credential_attached(db, client, make_certificate, issuer):
    cert = make_certificate()
    response = client.get(f"/certificates/{cert.token}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data == stored(db, cert)
    assert f'filename="certificate-{cert.number}.pdf"' in response.headers["Content-Disposition"]
    assert credential_from_pdf(response.data) == json.loads(cert.credential)
    assert verify_credential(credential_from_pdf(response.data), issuer_document=issuer.document(), now=NOW).ok


def test_a_tampered_attachment_of_a_stored_pdf_is_rejected(db, app, client, make_certificate, issuer, tmp_path):
    cert = make_certificate()
    pdf = client.get(f"/certificates/{cert.token}.pdf").data
    tampered = copy.deepcopy(credential_from_pdf(pdf))
    tampered["validUntil"] = "2099-12-31T00:00:00Z"
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf)))       # the page without its attachment
    plain = io.BytesIO()
    writer.write(plain)
    forged = attach_credential(plain.getvalue(), json.dumps(tampered, ensure_ascii=False))
    result = verify_credential(credential_from_pdf(forged), issuer_document=issuer.document(), now=NOW)
    assert not result.ok and result.errors == ["signature"]
    (tmp_path / "forged.pdf").write_bytes(forged)
    out = app.test_cli_runner().invoke(verify_command, [str(tmp_path / "forged.pdf"), "--no-fetch-status",
                                                        "--at", "2026-11-22T03:00:00Z"])
    assert out.exit_code == 1 and "signature" in out.output


def test_the_pdf_shows_no_state_so_a_revocation_leaves_it_as_stored(db, client, make_certificate, union_admin):
    cert = make_certificate()
    before = client.get(f"/certificates/{cert.token}.pdf").data
    services.revoke_certificate(db, actor=union_admin, certificate_id=cert.id, reason="作弊", now=NOW)
    assert client.get(f"/certificates/{cert.token}.pdf").data == before
    assert client.get(f"/api/v1/certificates/{cert.token}").json["status"] == "revoked"


def test_a_passed_review_stores_the_new_certificates_pdf_with_its_final_credential(db, make_certificate,
                                                                                   union_admin, issuer):
    cert = make_certificate()
    later = cert.review_due - timedelta(days=30)
    review = services.apply_for_review(db, actor=cert.user, certificate_id=cert.id, training_hours=8, note="",
                                       now=later)
    services.decide_review(db, actor=union_admin, review_id=review.id, passed=True, note="", issuer=issuer, now=later)
    new = db.get(Certificate, review.new_certificate_id)
    attached = credential_from_pdf(stored(db, new))
    assert attached == json.loads(new.credential)
    assert attached["validUntil"] == json.loads(cert.credential)["validUntil"]     # the kept expiry
    assert db.scalar(select(func.count()).select_from(CertificatePdf)
                     .where(CertificatePdf.certificate_id == new.id)) == 1


def test_older_certificates_render_on_request_until_the_command_stores_them(db, app, client, make_certificate):
    cert = make_certificate()
    db.delete(db.get(CertificatePdf, cert.id))
    db.flush()
    response = client.get(f"/certificates/{cert.token}.pdf")
    assert response.status_code == 200 and credential_from_pdf(response.data) == json.loads(cert.credential)
    assert stored(db, cert) is None                 # a GET never writes
    out = app.test_cli_runner().invoke(render_pdfs_command)
    assert out.exit_code == 0 and "1 certificate PDFs stored" in out.output
    assert client.get(f"/certificates/{cert.token}.pdf").data == stored(db, cert)


def test_the_zip_of_a_class_holds_the_stored_pdfs(db, client, make_certificate, make_class, union_admin):
    import zipfile

    training_class = make_class()
    certs = [make_certificate(class_id=training_class.id) for _ in range(2)]
    sign_in(client, union_admin)
    response = client.get(f"/union/certificates/class-{training_class.id}.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert sorted(archive.read(name) for name in archive.namelist()) == sorted(stored(db, c) for c in certs)


def test_the_qr_code_drawn_is_the_code_of_the_page_url(db, make_certificate, issuer):
    cert = make_certificate()
    content = PdfReader(io.BytesIO(stored(db, cert))).pages[0].get_contents().get_data().decode("latin-1")
    path = re.search(r" cm\s*\nn ((?:\d+ \d+ \d+ 1 re ?)+) f", content)
    assert path is not None, "the QR path was not found on the page"
    drawn = set()
    for x, y, width in re.findall(r"(\d+) (\d+) (\d+) 1 re", path.group(1)):
        drawn |= {(int(x) + i, int(y)) for i in range(int(width))}
    # Any mask makes a valid code; compare with the one the PDF uses.
    matrix = segno.make(issuer.page_url(cert.token), error="m", mask=QR_MASK).matrix
    expected = {(col, row) for row, cells in enumerate(matrix) for col, dark in enumerate(cells) if dark}
    assert drawn == expected and QR_BORDER >= 2


def test_the_public_answers_follow_each_state_change_at_once(db, client, make_certificate, union_admin):
    cert = make_certificate()
    page, status = f"/v/{cert.token}", f"/api/v1/certificates/{cert.token}"
    for _ in range(2):                              # seen (and kept by the page cache) before any change
        assert 'data-status="valid"' in client.get(page).get_data(as_text=True)
        assert client.get(status).json["status"] == "valid"
    sign_in(client, union_admin)
    assert post_form(client, f"/union/certificates/{cert.id}/suspend", {"reason": "复审逾期"}).status_code == 302
    assert 'data-status="suspended"' in client.get(page).get_data(as_text=True)
    assert client.get(status).json["status"] == "suspended"
    assert post_form(client, f"/union/certificates/{cert.id}/reinstate", {"reason": "已复审"}).status_code == 302
    assert 'data-status="valid"' in client.get(page).get_data(as_text=True)
    assert post_form(client, f"/union/certificates/{cert.id}/revoke", {"reason": "考试作弊"}).status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert 'data-status="revoked"' in html and "考试作弊" in html
    assert client.get(status).json["revocation_reason"] == "考试作弊"


def test_the_page_shows_expiry_as_time_passes(app, db, client, make_certificate):
    cert = make_certificate()
    assert 'data-status="valid"' in client.get(f"/v/{cert.token}").get_data(as_text=True)
    app.config["CLOCK"], previous = (lambda: cert.valid_until + timedelta(days=1)), app.config.get("CLOCK")
    try:
        assert 'data-status="expired"' in client.get(f"/v/{cert.token}").get_data(as_text=True)
    finally:
        app.config["CLOCK"] = previous
