"""Finding 5: any input gets a 4xx with the API's error shape, never a 500."""

from __future__ import annotations

import json

import pytest

from app.access import Role
from tests.conftest import bearer, sign_in
from tests.stripe_support import (
    TEST_PUBLISHABLE_KEY,
    TEST_SECRET_KEY,
    TEST_WEBHOOK_SECRET,
    post_event,
)

HUGE = "9" * 30  # far above 2**63 - 1


@pytest.mark.parametrize("method, path", [
    ("GET", f"/api/v1/classes/{HUGE}"), ("GET", f"/api/v1/courses/{2**63}"),
    ("GET", f"/api/v1/enrollments/{2**31}"), ("PATCH", f"/api/v1/classes/{HUGE}"),
    ("DELETE", f"/api/v1/lessons/{HUGE}"), ("POST", f"/api/v1/enrollments/{HUGE}/cancel"),
])
def test_ids_beyond_any_column_are_not_found(client, make_user, method, path):
    response = client.open(path, method=method, json={}, headers=bearer(make_user(Role.WORKER)))
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_pages_with_huge_ids_are_not_found(client, make_user):
    sign_in(client, make_user(Role.UNION_ADMIN))
    for path in (f"/courses/{HUGE}", f"/classes/{HUGE}", f"/organizations/{HUGE}"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("query", [f"page={HUGE}", "page=1e30", "page=-1", f"per_page={HUGE}", "page=0"])
def test_huge_or_silly_pages_are_422(client, make_user, query):
    response = client.get(f"/api/v1/me/enrollments?{query}", headers=bearer(make_user(Role.WORKER)))
    assert response.status_code == 422 and response.json["error"]["field"] in ("page", "per_page")
    assert client.get(f"/api/v1/courses?{query}").status_code == 422


def test_a_json_body_nested_100000_deep_is_malformed(client, make_user):
    body = "[" * 100_000 + "]" * 100_000
    response = client.put("/api/v1/me/locale", data=body, content_type="application/json",
                          headers=bearer(make_user(Role.WORKER)))
    assert response.status_code == 400 and response.json["error"]["code"] == "malformed_json"
    deep = json.dumps({"locale": json.loads("[" * 40 + "]" * 40)})
    response = client.put("/api/v1/me/locale", data=deep, content_type="application/json",
                          headers=bearer(make_user(Role.WORKER)))
    assert response.status_code == 400


@pytest.mark.parametrize("number", ["1e30", str(2**63), "NaN", "-1e400"])
def test_numbers_no_field_can_hold_are_422(client, make_user, number):
    body = '{"reason": "x", "extra": ' + number + "}"
    response = client.post("/api/v1/enrollments/1/cancel", data=body, content_type="application/json",
                           headers=bearer(make_user(Role.WORKER)))
    assert response.status_code in (400, 422)
    assert set(response.json["error"]) == {"code", "message", "field"}


def test_a_body_above_the_size_limit_is_413_with_the_error_shape(app, client, make_user):
    big = b'{"locale": "' + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10) + b'"}'
    response = client.put("/api/v1/me/locale", data=big, content_type="application/json",
                          headers=bearer(make_user(Role.WORKER)))
    assert response.status_code == 413 and response.json["error"]["code"] == "too_large"


@pytest.fixture
def stripe_on(app, monkeypatch):
    for key, value in {"STRIPE_SECRET_KEY": TEST_SECRET_KEY, "STRIPE_PUBLISHABLE_KEY": TEST_PUBLISHABLE_KEY,
                       "STRIPE_WEBHOOK_SECRET": TEST_WEBHOOK_SECRET,
                       "STRIPE_API_BASE": "http://127.0.0.1:9"}.items():
        monkeypatch.setitem(app.config, key, value)


@pytest.mark.parametrize("payload", [b"[1, 2, 3]", b'"evt"', b"null", b"{}", b'{"id": 1, "type": []}',
                                     b"[" * 5000 + b"]" * 5000, b"\xff\xfe", b'{"id": "evt_x", "type": "t", '
                                     b'"created": 1e300, "data": []}'])
def test_validly_signed_webhook_bodies_of_any_shape(client, stripe_on, payload):
    response = post_event(client, payload)
    assert response.status_code in (200, 400), response.data
    assert response.is_json
