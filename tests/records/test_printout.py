"""Printouts (PDF with a QR code to a verification page) and the signed, portable export."""

from __future__ import annotations

import copy
import re
from datetime import timedelta

from flask import current_app

from records.credential import signing_key, verify
from records.models import RecordPrintout
from tests.conftest import bearer, post_form, sign_in


def _member_with_training(make_member, completed, facts, now):
    member = make_member()
    completed(member)
    facts[("exam_results", member.id)] = [
        {"certificate_type": "低压电工作业", "component": "theory", "score": 41, "passed": False,
         "sat_at": now - timedelta(days=3), "released_at": now - timedelta(days=2), "valid_until": None}]
    return member


def test_printing_registers_a_printout_and_the_qr_page_confirms_it(app, db, make_member, completed, facts, now):
    member = _member_with_training(make_member, completed, facts, now)
    client = app.test_client()
    sign_in(client, member)
    answer = post_form(client, "/records/me/printouts")
    assert answer.status_code == 302 and answer.location.endswith(".pdf")
    pdf = client.get(answer.location)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    printout = db.query(RecordPrintout).filter_by(user_id=member.id).one()
    assert printout.entries == 1            # the failed attempt is not printed
    check = app.test_client().get(f"/records/verify/{printout.token}").get_data(as_text=True)
    assert 'data-test="verdict">Genuine' in check and "still says exactly this today" in check
    assert "460100" not in check            # never the ID number
    # printing again without a change reuses the printout
    post_form(client, "/records/me/printouts")
    assert db.query(RecordPrintout).filter_by(user_id=member.id).count() == 1


def test_a_changed_record_makes_the_printout_outdated(app, db, make_member, completed, facts, make_user, now):
    member = _member_with_training(make_member, completed, facts, now)
    answer = app.test_client().get("/api/v1/me/record?format=pdf", headers=bearer(member))
    assert answer.status_code == 200 and answer.data.startswith(b"%PDF")
    printout = db.query(RecordPrintout).filter_by(user_id=member.id).one()
    facts[("certificates", member.id)] = [{"number": "N1", "token": "t", "type": "低压电工作业", "level": "",
                                           "status": "valid", "valid_from": now.date(), "valid_until": None,
                                           "issuer": "海南省总工会", "ours": True}]
    check = app.test_client().get(f"/records/verify/{printout.token}").get_data(as_text=True)
    assert "Genuine" in check and "Changed since printing" in check


def test_a_forged_code_is_not_genuine(app, db):
    answer = app.test_client().get("/records/verify/forged-token")
    assert answer.status_code == 404 and "Not genuine" in answer.get_data(as_text=True)


def test_nobody_else_can_open_a_printout(app, db, make_member, completed, facts, now):
    member = _member_with_training(make_member, completed, facts, now)
    app.test_client().get("/api/v1/me/record?format=pdf", headers=bearer(member))
    token = db.query(RecordPrintout).filter_by(user_id=member.id).one().token
    other = app.test_client()
    sign_in(other, make_member())
    assert other.get(f"/records/printouts/{token}.pdf").status_code == 404


def test_pdf_shows_chinese_text(app, db, make_member, completed, facts, now):
    from records.pdf import render_record_pdf
    from records.queries.record import build_record

    member = _member_with_training(make_member, completed, facts, now)
    pdf = render_record_pdf(build_record(db, member, now=now, for_member=False), verify_url="http://x/records/verify/t",
                            printed_at=now)
    assert b"STSong-Light" in pdf and pdf.startswith(b"%PDF")


def test_signed_export_verifies_and_breaks_when_changed(app, db, make_member, completed, facts, now):
    member = _member_with_training(make_member, completed, facts, now)
    answer = app.test_client().get("/api/v1/me/record?format=credential", headers=bearer(member))
    assert answer.status_code == 200
    presentation = answer.json
    assert presentation["type"] == ["VerifiablePresentation"]
    [credential] = presentation["verifiableCredential"]
    assert credential["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    public = signing_key(current_app.config).public_key()
    assert verify(credential, public)
    forged = copy.deepcopy(credential)
    forged["credentialSubject"]["totals"]["hoursTotal"] = 640
    assert not verify(forged, public)
    text = answer.get_data(as_text=True)
    assert "failed" not in text and "460100199003071237" not in text and not re.search(r"\b1237\b", text)
    issuer = app.test_client().get("/records/issuer.json").json
    assert issuer["verificationMethod"][0]["publicKeyMultibase"].startswith("z6Mk")

