"""The enterprise orders API, end to end, as every role; nobody sees another's data."""

from __future__ import annotations

import pytest

from app.access import Role
from app.auth.models import OrgKind
from tests.conftest import bearer
from tests.orders.conftest import DEMAND, id_number


def _demand(client, admin, **values):
    body = {k: v for k, v in DEMAND.items()}
    body.update(values)
    return client.post("/api/v1/demands", json=body, headers=bearer(admin))


def test_demand_quote_order_roster_confirm_progress(client, db, enterprise_admin, union_admin, provider,
                                                   provider_admin, make_org, make_user, make_course, make_class,
                                                   make_member):
    response = _demand(client, enterprise_admin, publish=True, headcount=3)
    assert response.status_code == 201, response.json
    demand = response.json
    assert demand["status"] == "published" and demand["budget"] == {"amount": 4000000, "currency": "CNY"}
    demand_id = demand["id"]
    # The provider cannot see it until the union directs it.
    assert client.get(f"/api/v1/demands/{demand_id}", headers=bearer(provider_admin)).status_code == 404
    other = make_org(OrgKind.PROVIDER)
    other_admin = make_user(Role.PROVIDER_ADMIN, org=other)
    directed = client.post(f"/api/v1/demands/{demand_id}/direct", json={"organization_ids": [provider.id, other.id]},
                           headers=bearer(union_admin))
    assert directed.status_code == 200 and {o["id"] for o in directed.json["invited"]} == {provider.id, other.id}
    seen = client.get(f"/api/v1/demands/{demand_id}", headers=bearer(provider_admin)).json
    assert seen["invited"] is None and seen["quotes"] is None   # a provider does not see competitors
    course = make_course()
    tc = make_class(course=course, capacity=10, price=90000)
    quote = client.post(f"/api/v1/demands/{demand_id}/quotes", headers=bearer(provider_admin), json={
        "price_per_person": 90000, "class_id": tc.id, "inclusions": ["materials"], "valid_until": "2099-01-01",
        "cancel_fee_pct": 10})
    assert quote.status_code == 201, quote.json
    assert quote.json["total"]["amount"] == 270000 and quote.json["course_id"] == course.id
    cheaper = client.post(f"/api/v1/demands/{demand_id}/quotes", headers=bearer(other_admin),
                          json={"price_per_person": 80000})
    assert cheaper.status_code == 201
    assert [q["id"] for q in client.get(f"/api/v1/demands/{demand_id}/quotes",
                                        headers=bearer(enterprise_admin)).json["items"]] == [cheaper.json["id"],
                                                                                            quote.json["id"]]
    own = client.get(f"/api/v1/demands/{demand_id}/quotes", headers=bearer(other_admin)).json["items"]
    assert [q["id"] for q in own] == [cheaper.json["id"]]
    asked = client.post(f"/api/v1/quotes/{quote.json['id']}/messages", json={"body": "含教材吗？"},
                        headers=bearer(enterprise_admin))
    assert asked.status_code == 201 and asked.json["side"] == "enterprise"
    order = client.post("/api/v1/orders", json={"quote_id": quote.json["id"]}, headers=bearer(enterprise_admin))
    assert order.status_code == 201, order.json
    order_id = order.json["id"]
    assert order.json["status"] == "draft" and order.json["seats"] == 3
    member = make_member(phone="13900002001")
    rows = [{"name": member.name, "phone": "13900002001", "id_number": "460100199003071237"},
            {"name": "王五", "phone": "13800002222", "id_number": id_number(3)},
            {"name": "错号", "phone": "13800002223", "id_number": id_number(4, valid=False)}]
    report = client.post(f"/api/v1/orders/{order_id}/roster", json={"rows": rows}, headers=bearer(enterprise_admin))
    assert report.status_code == 201, report.json
    assert [r["outcome"] for r in report.json["rows"]] == ["member", "invited", "rejected"]
    assert report.json["rows"][2]["code"] == "id_check_digit"
    assert "460100199003071237" not in report.get_data(as_text=True)
    again = client.post(f"/api/v1/orders/{order_id}/roster", json={"rows": rows}, headers=bearer(enterprise_admin))
    assert again.status_code == 200 and again.json["repeated"] is True
    csv = f"姓名,手机号,身份证号\n赵六,13800002224,{id_number(5)}\n"
    by_csv = client.post(f"/api/v1/orders/{order_id}/roster", data=csv.encode(), content_type="text/csv",
                         headers=bearer(enterprise_admin))
    assert by_csv.status_code == 201 and by_csv.json["rows"][0]["outcome"] == "invited"
    submitted = client.post(f"/api/v1/orders/{order_id}/submit", json={"pay_method": "bank_transfer",
                                                                       "invoice_title": "海南电网",
                                                                       "invoice_tax_number": "91460000708850372X"},
                            headers=bearer(enterprise_admin))
    assert submitted.status_code == 200 and submitted.json["seats_reserved"] == 3
    assert client.post(f"/api/v1/orders/{order_id}/confirm", headers=bearer(enterprise_admin)).status_code == 403
    assert client.post(f"/api/v1/orders/{order_id}/confirm", headers=bearer(other_admin)).status_code == 404
    confirmed = client.post(f"/api/v1/orders/{order_id}/confirm", headers=bearer(provider_admin))
    assert confirmed.status_code == 200 and confirmed.json["status"] == "confirmed"
    progress = client.get(f"/api/v1/orders/{order_id}/progress", headers=bearer(enterprise_admin))
    assert progress.status_code == 200
    assert progress.json["employees"] == 3 and progress.json["enrolled"] == 1
    assert all(item["id"].startswith("****") for item in progress.json["items"])
    stranger = make_user(Role.ENTERPRISE_ADMIN)
    for path in (f"/api/v1/orders/{order_id}", f"/api/v1/orders/{order_id}/progress",
                 f"/api/v1/demands/{demand_id}", f"/api/v1/demands/{demand_id}/quotes"):
        assert client.get(path, headers=bearer(stranger)).status_code == 404
    assert client.post(f"/api/v1/orders/{order_id}/roster", json={"rows": rows},
                       headers=bearer(stranger)).status_code == 404
    assert client.get("/api/v1/orders", headers=bearer(stranger)).json["total"] == 0
    assert client.get("/api/v1/demands", headers=bearer(stranger)).json["total"] == 0
    cancelled = client.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "改期"},
                            headers=bearer(enterprise_admin))
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"


def test_order_seats_straight_in_a_class(client, enterprise_admin, make_class, make_user):
    tc = make_class(capacity=5, price=10000)
    too_many = client.post("/api/v1/orders", json={"class_id": tc.id, "seats": 6}, headers=bearer(enterprise_admin))
    assert too_many.status_code == 409 and too_many.json["error"]["code"] == "seats_full"
    order = client.post("/api/v1/orders", json={"class_id": tc.id, "seats": 5}, headers=bearer(enterprise_admin))
    assert order.status_code == 201 and order.json["total"]["amount"] == 50000
    worker = make_user(Role.WORKER)
    assert client.post("/api/v1/orders", json={"class_id": tc.id, "seats": 1},
                       headers=bearer(worker)).status_code == 403


@pytest.mark.parametrize("body,status", [({}, 422), ({"quote_id": 1, "class_id": 1}, 422),
                                         ({"class_id": 99999, "seats": 1}, 404), ({"class_id": 1, "seats": 0}, 422)])
def test_bad_order_requests_are_4xx(client, enterprise_admin, body, status):
    response = client.post("/api/v1/orders", json=body, headers=bearer(enterprise_admin))
    assert response.status_code == status and "error" in response.json


def test_bad_demand_and_roster_input_are_4xx(client, enterprise_admin, make_order):
    assert _demand(client, enterprise_admin, headcount=0).status_code == 422
    assert client.post("/api/v1/demands", data="x", content_type="application/json",
                       headers=bearer(enterprise_admin)).status_code == 400
    order = make_order()
    odd = client.post(f"/api/v1/orders/{order.id}/roster", data=b"\x00\x01", content_type="application/pdf",
                      headers=bearer(enterprise_admin))
    assert odd.status_code == 415
    missing = client.post(f"/api/v1/orders/{order.id}/roster", data=b"a,b\n1,2\n", content_type="text/csv",
                          headers=bearer(enterprise_admin))
    assert missing.status_code == 422 and missing.json["error"]["field"] == "file"


def test_anonymous_and_workers_are_kept_out(client, make_user, make_order):
    order = make_order()
    assert client.get(f"/api/v1/orders/{order.id}").status_code == 401
    worker = make_user(Role.WORKER)
    assert client.get(f"/api/v1/orders/{order.id}", headers=bearer(worker)).status_code == 403
    assert client.post("/api/v1/demands", json=DEMAND, headers=bearer(worker)).status_code == 403


def test_the_contract_is_in_the_openapi_description(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path, method in [("/api/v1/demands", "post"), ("/api/v1/demands/{demand_id}/quotes", "get"),
                         ("/api/v1/demands/{demand_id}/quotes", "post"), ("/api/v1/orders", "post"),
                         ("/api/v1/orders/{order_id}/roster", "post"), ("/api/v1/orders/{order_id}/submit", "post"),
                         ("/api/v1/orders/{order_id}/confirm", "post"), ("/api/v1/orders/{order_id}/cancel", "post"),
                         ("/api/v1/orders/{order_id}/progress", "get")]:
        assert method in paths[path], (path, method)


def test_a_large_roster_is_imported_in_the_background_and_polled(client, enterprise_admin, make_order, monkeypatch):
    from orders.services import roster

    monkeypatch.setattr(roster, "INLINE_ROWS", 2)
    order = make_order(seats=10)
    rows = [{"name": f"员工{n}", "phone": f"1370000{n:04d}", "id_number": id_number(800 + n)} for n in range(5)]
    response = client.post(f"/api/v1/orders/{order.id}/roster", json={"rows": rows}, headers=bearer(enterprise_admin))
    assert response.status_code == 202 and response.json["status"] == "queued"
    # The embedded Celery ran the job after commit; the upload now reports every row.
    polled = client.get(f"/api/v1/orders/{order.id}/roster/uploads/{response.json['upload_id']}",
                        headers=bearer(enterprise_admin))
    assert polled.status_code == 200 and polled.json["status"] == "done"
    assert polled.json["processed_rows"] == 5 and polled.json["summary"]["invited"] == 5


def test_seats_whose_total_no_column_holds_are_422(client, enterprise_admin, make_class):
    tc = make_class(capacity=50, price=900_000_000)
    response = client.post("/api/v1/orders", json={"class_id": tc.id, "seats": 3}, headers=bearer(enterprise_admin))
    assert response.status_code == 422 and response.json["error"]["field"] == "seats"


def test_the_roster_upload_documents_each_status_it_answers(client):
    responses = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/orders/{order_id}/roster"]["post"]["responses"]
    assert {"200", "201", "202", "415"} <= set(responses)
    assert responses["202"]["content"] == responses["201"]["content"]
