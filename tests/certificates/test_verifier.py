"""The offline verifier accepts our credentials and rejects each kind of forgery or bad state."""

from __future__ import annotations

import copy
import io
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfReader

from certificates import queries, services
from certificates.credentials import Issuer
from certificates.dataintegrity import encode_bitstring
from certificates.pdf import attach_credential, render_pdf
from certificates.verifier import credential_from_pdf, verify_credential
from tests.certificates.conftest import NOW


def lists_for(db, issuer, cert, *, now=NOW) -> dict:
    out = {}
    for list_id in (cert.revocation_list_id, cert.suspension_list_id):
        status_list, indexes = queries.status_list_bits(db, list_id)
        document = issuer.status_list_credential(list_id=list_id, purpose=status_list.purpose, size=status_list.size,
                                                 indexes=indexes, now=now)
        out[document["id"]] = document
    return out


@pytest.fixture
def issued(db, make_certificate, issuer):
    cert = make_certificate()
    return cert, json.loads(cert.credential)


def check(credential, issuer, *, now=NOW, lists=None, document=None):
    return verify_credential(credential, issuer_document=document or issuer.document(), now=now, status_lists=lists)


def test_a_genuine_credential_verifies_with_its_status(db, issued, issuer):
    cert, credential = issued
    result = check(credential, issuer, lists=lists_for(db, issuer, cert))
    assert result.ok and result.status == "valid" and result.status_checked, result.messages


def test_an_edited_field_is_rejected(issued, issuer):
    _cert, credential = issued
    forged = copy.deepcopy(credential)
    forged["credentialSubject"]["identifier"][0]["identityHash"] = "张三"
    assert check(forged, issuer).errors == ["signature"]
    forged = copy.deepcopy(credential)
    forged["validUntil"] = "2099-01-01T00:00:00Z"
    assert check(forged, issuer).errors == ["signature"]


def test_a_stripped_or_second_proof_is_rejected(issued, issuer):
    _cert, credential = issued
    stripped = {k: v for k, v in credential.items() if k != "proof"}
    assert check(stripped, issuer).errors == ["no_proof"]
    doubled = copy.deepcopy(credential)
    doubled["proof"] = [credential["proof"], credential["proof"]]
    assert check(doubled, issuer).errors == ["proof_count"]


@pytest.mark.parametrize("field, value, code", [
    ("cryptosuite", "eddsa-rdfc-2022", "cryptosuite"),
    ("proofPurpose", "authentication", "proof_purpose"),
    ("type", "Ed25519Signature2020", "proof_type"),
])
def test_a_wrong_cryptosuite_or_proof_purpose_is_rejected(issued, issuer, field, value, code):
    _cert, credential = issued
    forged = copy.deepcopy(credential)
    forged["proof"][field] = value
    assert check(forged, issuer).errors == [code]


def test_a_key_not_in_the_issuer_document_is_rejected(issued, issuer):
    _cert, credential = issued
    impostor = Issuer(base_url=issuer.base_url, name=issuer.name, private_key=Ed25519PrivateKey.generate())
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    # signed by another key that claims the issuer's key id: the signature fails
    assert check(impostor.sign(unsigned, now=NOW), issuer).errors == ["signature"]
    # signed by another key under a key id the issuer never published
    from certificates.dataintegrity import sign

    other = sign(unsigned, private_key=impostor.private_key, verification_method=issuer.id + "#key-2",
                 created="2026-11-22T02:00:00Z")
    assert check(other, issuer).errors == ["issuer_key"]
    # a key published by someone else's document does not count for this issuer
    assert check(credential, issuer, document=impostor.document() | {"id": "https://evil.example/issuer"}
                 ).errors == ["issuer_key"]


def test_revoked_and_suspended_bits_are_rejected(db, issued, issuer, union_admin):
    cert, credential = issued
    services.suspend_certificate(db, actor=union_admin, certificate_id=cert.id, reason="调查", now=NOW)
    result = check(credential, issuer, lists=lists_for(db, issuer, cert))
    assert (result.ok, result.status, result.errors) == (False, "suspended", ["suspended"])
    services.revoke_certificate(db, actor=union_admin, certificate_id=cert.id, reason="作弊", now=NOW)
    result = check(credential, issuer, lists=lists_for(db, issuer, cert))
    assert (result.ok, result.status, result.errors) == (False, "revoked", ["revoked"])


def test_a_short_status_list_or_an_index_out_of_range_is_rejected(db, issued, issuer):
    cert, credential = issued
    lists = lists_for(db, issuer, cert)
    url = credential["credentialStatus"][0]["statusListCredential"]
    short = issuer.status_list_credential(list_id=cert.revocation_list_id, purpose="revocation", size=8 * 1024,
                                          indexes=[], now=NOW)
    assert check(credential, issuer, lists={**lists, url: short}).errors == ["status_list_short"]
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    unsigned["credentialStatus"] = copy.deepcopy(credential["credentialStatus"])
    unsigned["credentialStatus"][0]["statusListIndex"] = str(200_000)
    assert check(issuer.sign(unsigned, now=NOW), issuer, lists=lists).errors == ["status_index"]


def test_a_forged_status_list_is_rejected(db, issued, issuer):
    cert, credential = issued
    lists = lists_for(db, issuer, cert)
    url = credential["credentialStatus"][0]["statusListCredential"]
    forged = copy.deepcopy(lists[url])
    forged["credentialSubject"]["encodedList"] = encode_bitstring({cert.revocation_index})   # "revoked"
    assert check(credential, issuer, lists={**lists, url: forged}).errors == ["signature"]
    assert check(credential, issuer, lists={}).errors == ["status_unavailable"]


def test_expired_and_not_yet_valid_are_rejected(issued, issuer):
    cert, credential = issued
    assert check(credential, issuer, now=cert.valid_until + timedelta(seconds=1)).errors == ["expired"]
    assert check(credential, issuer, now=cert.valid_from - timedelta(days=1)).errors == ["not_yet_valid"]


def test_the_pdf_carries_the_credential_and_a_tampered_attachment_is_rejected(issued, issuer):
    cert, _credential = issued
    pdf = render_pdf(cert, page_url=issuer.page_url(cert.token), union_name=issuer.name)
    assert pdf.startswith(b"%PDF-") and len(PdfReader(io.BytesIO(pdf)).pages) == 1
    attached = credential_from_pdf(pdf)
    assert check(attached, issuer).ok
    tampered = copy.deepcopy(attached)
    tampered["credentialSubject"]["achievement"]["name"] = "高压电工作业技能鉴定合格证书（高级技师）"
    reader = PdfReader(io.BytesIO(pdf))
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.append(reader)
    plain = io.BytesIO()
    writer.write(plain)
    forged_pdf = attach_credential(plain.getvalue(), json.dumps(tampered, ensure_ascii=False))
    assert check(credential_from_pdf(forged_pdf), issuer).errors == ["signature"]


def test_the_cli_verifies_offline(app, db, issued, issuer, tmp_path, union_admin):
    from certificates.cli import verify_command

    cert, credential = issued
    (tmp_path / "c.json").write_text(json.dumps(credential, ensure_ascii=False))
    lists = lists_for(db, issuer, cert, now=NOW)
    files = []
    for i, document in enumerate(lists.values()):
        files += ["--status-list", str(tmp_path / f"l{i}.json")]
        (tmp_path / f"l{i}.json").write_text(json.dumps(document))
    runner = app.test_cli_runner()
    at = ["--at", "2026-11-22T03:00:00Z"]   # within the lists' day of validity
    ok = runner.invoke(verify_command, [str(tmp_path / "c.json"), *files, *at])
    assert ok.exit_code == 0 and ok.output.startswith("VALID"), ok.output
    offline = runner.invoke(verify_command, [str(tmp_path / "c.json"), "--no-fetch-status", *at])
    assert offline.exit_code == 0 and "status not checked" in offline.output
    expired = runner.invoke(verify_command, [str(tmp_path / "c.json"), "--no-fetch-status",
                                             "--at", "2040-01-01T00:00:00Z"])
    assert expired.exit_code == 1 and expired.output.startswith("EXPIRED")
    pdf = render_pdf(cert, page_url=issuer.page_url(cert.token), union_name=issuer.name)
    (tmp_path / "c.pdf").write_bytes(pdf)
    from_pdf = runner.invoke(verify_command, [str(tmp_path / "c.pdf"), "--no-fetch-status", *at])
    assert from_pdf.exit_code == 0, from_pdf.output
    services.revoke_certificate(db, actor=union_admin, certificate_id=cert.id, reason="作弊", now=NOW)
    for i, document in enumerate(lists_for(db, issuer, cert, now=NOW).values()):
        (tmp_path / f"l{i}.json").write_text(json.dumps(document))
    revoked = runner.invoke(verify_command, [str(tmp_path / "c.json"), *files, *at])
    assert revoked.exit_code == 1 and revoked.output.startswith("REVOKED"), revoked.output
