"""API parity: review, proposals for a class, counts, recorded government certificates."""

from __future__ import annotations

from courses.models import EnrollmentStatus
from tests.conftest import bearer


def test_review_by_api(client, make_certificate, union_admin):
    cert = make_certificate()
    holder = bearer(cert.user)
    assert client.post(f"/api/v1/me/certificates/{cert.id}/review", json={"training_hours": 4},
                       headers=holder).status_code == 422
    applied = client.post(f"/api/v1/me/certificates/{cert.id}/review", json={"training_hours": 8, "note": "复审班"},
                          headers=holder)
    assert applied.status_code == 201 and applied.json["state"] == "applied"
    assert client.post(f"/api/v1/certificate-reviews/{applied.json['id']}/decision", json={"passed": True},
                       headers=holder).status_code == 403
    decided = client.post(f"/api/v1/certificate-reviews/{applied.json['id']}/decision", json={"passed": True},
                          headers=bearer(union_admin))
    assert decided.status_code == 200 and decided.json["state"] == "passed" and decided.json["new_certificate_id"]
    mine = client.get("/api/v1/me/certificates", headers=holder).json["items"]
    assert sorted(c["status"] for c in mine) == ["revoked", "valid"]


def test_someone_elses_certificate_is_not_found(client, make_certificate, make_member):
    cert = make_certificate()
    other = bearer(make_member())
    response = client.post(f"/api/v1/me/certificates/{cert.id}/review", json={"training_hours": 8}, headers=other)
    assert response.status_code == 404


def test_class_proposals_and_counts_by_api(client, make_class, make_member, make_enrollment, union_admin):
    training_class = make_class()
    make_enrollment(training_class, make_member(), status=EnrollmentStatus.COMPLETED)
    admin = bearer(union_admin)
    response = client.post(f"/api/v1/classes/{training_class.id}/certificate-proposals", headers=admin)
    assert response.status_code == 201 and response.json == {"proposed": 1}
    assert client.post(f"/api/v1/classes/{10**6}/certificate-proposals", headers=admin).status_code == 404
    counts = client.get("/api/v1/certificate-counts", headers=admin).json["items"]
    assert [(c["title"], c["pending"]) for c in counts] == [(training_class.course.title, 1)]
    job = client.post("/api/v1/certificate-jobs", json={"scope": f"class:{training_class.id}"}, headers=admin)
    assert job.status_code == 201 and job.json["total"] == 1
    assert client.get(f"/api/v1/certificate-jobs/{job.json['id']}", headers=admin).json["state"] == "done"
    assert client.post("/api/v1/certificate-jobs", json={"scope": "nonsense"}, headers=admin).status_code == 422


def test_recorded_certificates_by_api(client, make_member, union_admin):
    member = bearer(make_member())
    bad = client.post("/api/v1/me/recorded-certificates", json={"name": "x", "number": "1", "issuer": "y",
                                                                 "issued_on": "2024-13-40"}, headers=member)
    assert bad.status_code == 422
    made = client.post("/api/v1/me/recorded-certificates", json={
        "name": "特种作业操作证（低压电工作业）", "number": "T4601", "issuer": "海南省应急管理厅",
        "issued_on": "2024-05-10", "valid_until": "2030-05-09"}, headers=member)
    assert made.status_code == 201 and made.json["ours"] is False and made.json["state"] == "recorded"
    checked = client.post(f"/api/v1/recorded-certificates/{made.json['id']}/check", json={"verified": True},
                          headers=bearer(union_admin))
    assert checked.status_code == 200 and checked.json["state"] == "verified"
    assert [r["number"] for r in client.get("/api/v1/me/recorded-certificates", headers=member).json["items"]] == [
        "T4601"]
