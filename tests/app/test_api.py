"""The JSON API conventions of API.md: tokens, errors, Chinese JSON, OpenAPI, health."""

import re

from app.access import PUBLIC, Role
from app.api import build_openapi
from tests.conftest import TEST_PASSWORD, bearer, csrf_token, sign_up_link


def test_register_sends_a_link_whose_token_gives_a_working_token(client, db):
    response = client.post("/api/v1/auth/register", json={"phone": "13800138009", "password": "Mango-2026-abc",
                                                          "name": "钱七"})
    assert response.status_code == 202 and response.json == {"status": "link_sent"}
    link_token = sign_up_link(db, "+8613800138009").rsplit("/", 1)[1]
    response = client.post("/api/v1/auth/register/confirm", json={"token": link_token})
    assert response.status_code == 201
    assert client.post("/api/v1/auth/register/confirm", json={"token": link_token}).status_code == 409
    assert client.post("/api/v1/auth/register/confirm", json={"token": "forged"}).json["error"]["code"] == "bad_token"
    token = response.json["access_token"]
    assert response.json["token_type"] == "Bearer" and response.json["expires_in"] > 0
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json["name"] == "钱七"
    assert me.json["roles"] == [{"role": "worker", "organization": None}]
    assert me.json["membership"] == {"status": "none", "member_no": None, "union_name": None, "employer": None,
                                     "real_name": None, "id_number": None, "decision_note": None}


def test_chinese_is_not_escaped(client, make_user):
    user = make_user(Role.WORKER, name="孙八")
    raw = client.get("/api/v1/me", headers=bearer(user)).get_data()
    assert "孙八".encode() in raw and b"\\u" not in raw


def test_json_bodies_read_as_flask_would_write_them(app):
    """Bodies are encoded by orjson; every value comes out as Flask's own encoder writes it."""
    import dataclasses
    import enum
    import uuid
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from flask.json.provider import DefaultJSONProvider
    from markupsafe import Markup

    @dataclasses.dataclass
    class Pair:
        a: int
        b: str

    class Kind(enum.StrEnum):
        WORKER = "worker"

    value = {"at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "day": date(2026, 1, 2), "amount": Decimal("12.50"),
             "pair": Pair(1, "焊工"), "id": uuid.UUID(int=5), "html": Markup("<b>"), "kind": Kind.WORKER,
             7: "an integer key", "nested": [{"x": None, "y": 1.5, "z": True}], "big": 2 ** 70, "zh": "导游"}
    with app.app_context():
        assert app.json.response(value).get_data() == DefaultJSONProvider.response(app.json, value).get_data()
        small = {key: item for key, item in value.items() if key != "big"}   # orjson's own path, not the fallback
        assert app.json.response(small).get_data() == DefaultJSONProvider.response(app.json, small).get_data()


def test_token_with_username_and_password(client, make_user):
    user = make_user(Role.WORKER)
    ok = client.post("/api/v1/auth/token", json={"username": user.phone, "password": TEST_PASSWORD})
    assert ok.status_code == 200 and ok.json["access_token"]
    bad = client.post("/api/v1/auth/token", json={"username": user.phone, "password": "nope"})
    assert bad.status_code == 401
    assert bad.json == {"error": {"code": "invalid_credentials", "message": bad.json["error"]["message"], "field": None}}


def test_token_endpoint_is_rate_limited(client, make_user):
    user = make_user(Role.WORKER)
    statuses = [client.post("/api/v1/auth/token", json={"username": user.phone, "password": "x"}).status_code
                for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    assert client.post("/api/v1/auth/token", json={"username": user.phone, "password": "x"}).json["error"]["code"] == "rate_limited"


def test_password_change_revokes_old_tokens(client, make_user):
    user = make_user(Role.WORKER)
    old = bearer(user)
    response = client.put("/api/v1/me/password", json={"current_password": TEST_PASSWORD, "new_password": "n3w-pass!"},
                          headers=old)
    assert response.status_code == 200
    assert client.get("/api/v1/me", headers=old).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer " + response.json["access_token"]}).status_code == 200


def test_error_statuses(client, make_user):
    user = make_user(Role.WORKER)
    assert client.get("/api/v1/me").json["error"]["code"] == "unauthorized"
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer forged"}).status_code == 401
    malformed = client.post("/api/v1/auth/token", data="{not json", content_type="application/json")
    assert malformed.status_code == 400 and malformed.json["error"]["code"] == "malformed_json"
    assert client.post("/api/v1/auth/token", json=[1, 2]).status_code == 400
    invalid = client.post("/api/v1/auth/register", json={"phone": "1", "password": "Mango-2026-abc", "name": "x"})
    assert invalid.status_code == 422 and invalid.json["error"]["field"] == "phone"
    taken = client.post("/api/v1/auth/register", json={"phone": user.phone, "password": "Mango-2026-abc", "name": "x"})
    assert taken.status_code == 202, "the same answer as for a new account"
    assert client.get("/api/v1/nothing-here").json["error"]["code"] == "not_found"
    assert client.delete("/api/v1/me", headers=bearer(user)).status_code == 405
    assert client.get("/api/v1/membership/pending?per_page=500",
                      headers=bearer(make_user(Role.UNION_ADMIN))).json["error"]["field"] == "per_page"


def test_cookie_session_api_calls_need_csrf_but_bearer_calls_do_not(client, make_user):
    user = make_user(Role.WORKER)
    token = csrf_token(client)
    client.post("/login", data={"csrf_token": token, "account": user.phone, "password": TEST_PASSWORD})
    body = {"locale": "en"}
    assert client.put("/api/v1/me/locale", json=body).status_code == 400
    assert client.put("/api/v1/me/locale", json=body, headers={"X-CSRFToken": token}).status_code == 200
    assert client.put("/api/v1/me/locale", json={"locale": "zh_Hans"}, headers=bearer(user)).status_code == 200


def test_openapi_describes_exactly_the_registered_api_routes(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    registered = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1") and rule.endpoint != "openapi.openapi_json":
            path = re.sub(r"<(?:[^:<>]+:)?(\w+)>", r"{\1}", rule.rule)   # <int:id>, <any(a, b):answer>
            registered |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == registered
    for path in ("/api/v1/auth/register", "/api/v1/auth/token", "/api/v1/me", "/api/v1/me/membership"):
        assert path in spec["paths"]
    put = spec["paths"]["/api/v1/me/membership"]["put"]
    schema = put["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(spec["components"]["schemas"][schema]["required"]) == {"member_no", "union_name", "employer",
                                                                      "real_name", "id_number"}
    assert "422" in put["responses"] and "401" in put["responses"]


def test_every_api_endpoint_documents_its_contract(app):
    with app.test_request_context():
        spec = build_openapi()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert op["summary"] and "." not in op["summary"][:1], f"{method} {path} lacks a summary"
            view = app.view_functions[op["operationId"].rsplit(".", 1)[0]]
            assert getattr(view, "openapi", None), f"{method} {path} has no @endpoint contract"
            if PUBLIC not in view.access:
                assert "401" in op["responses"]


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["database"] == "ok"


def test_a_choice_in_the_path_is_described_as_an_enum(app):
    with app.test_request_context():
        spec = build_openapi()
    op = spec["paths"]["/api/v1/instructors/invitations/{invitation_id}/{answer}"]["post"]
    [answer] = [p for p in op["parameters"] if p["name"] == "answer"]
    assert answer["schema"] == {"type": "string", "enum": ["accept", "decline"]}
