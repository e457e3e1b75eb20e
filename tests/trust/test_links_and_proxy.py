"""Finding 1: links sent by mail/SMS use SERVER_BASE_URL, never the request's Host header;
production refuses to start without it; a configured number of trusted proxies is honoured."""

from __future__ import annotations

import pytest
from flask import request
from sqlalchemy import select

from app import create_app
from app.access import PUBLIC, Role, allow
from app.auth.models import OutboxMessage
from tests.conftest import TEST_CONFIG, TEST_PASSWORD

EVIL = {"Host": "attacker.example", "X-Forwarded-Host": "attacker.example"}
EVIL_BASE = "http://attacker.example"


def _evil_form(client, path: str, data: dict):
    """Fetch a form and post it with the attacker's host in every request."""
    html = client.get(path, base_url=EVIL_BASE).get_data(as_text=True)
    token = html.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    return client.post(path, data={"csrf_token": token, **data}, base_url=EVIL_BASE)


def _body_to(db, recipient: str) -> str:
    return db.scalar(select(OutboxMessage.body).where(OutboxMessage.recipient == recipient))


def test_api_reset_link_ignores_a_forged_host_header(client, make_user, db):
    make_user(Role.WORKER, email="victim@example.com")
    response = client.post("/api/v1/auth/password-reset", json={"username": "victim@example.com"}, headers=EVIL)
    assert response.status_code == 202
    body = _body_to(db, "victim@example.com")
    assert "attacker.example" not in body
    assert "http://localhost/password/reset/" in body


def test_page_reset_link_ignores_a_forged_host_header(client, make_user, db):
    make_user(Role.WORKER, email="victim2@example.com")
    assert _evil_form(client, "/password/forgot", {"account": "victim2@example.com"}).status_code == 302
    body = _body_to(db, "victim2@example.com")
    assert "attacker.example" not in body and "http://localhost/password/reset/" in body


def test_invitation_link_uses_the_public_address(client, make_user, make_org, db):
    org = make_org()
    admin = make_user(Role.PROVIDER_ADMIN, org=org)
    _evil_form(client, "/login", {"account": admin.phone, "password": TEST_PASSWORD})
    assert _evil_form(client, f"/organizations/{org.id}",
                      {"contact": "invitee@example.com", "role": "instructor"}).status_code == 302
    body = _body_to(db, "invitee@example.com")
    assert "attacker.example" not in body and "http://localhost/invitations/" in body


def test_public_address_with_a_path_prefix(app):
    from app.links import public_url

    with app.test_request_context("/", headers=EVIL):
        app.config["SERVER_BASE_URL"] = "https://peixun.example.org/market/"
        try:
            assert public_url("auth.reset_password", token="t") == "https://peixun.example.org/market/password/reset/t"
        finally:
            app.config["SERVER_BASE_URL"] = TEST_CONFIG["SERVER_BASE_URL"]


def test_production_refuses_to_start_without_a_public_address():
    with pytest.raises(RuntimeError, match="SERVER_BASE_URL"):
        create_app({**TEST_CONFIG, "APP_ENV": "production", "SERVER_BASE_URL": None})
    with pytest.raises(RuntimeError, match="SERVER_BASE_URL"):
        create_app({**TEST_CONFIG, "SERVER_BASE_URL": "attacker.example"})


@pytest.fixture
def proxied_app(db_url, tmp_path):
    """An app behind one trusted TLS proxy, with a probe route showing what it sees."""
    proxied = create_app({**TEST_CONFIG, "DATABASE_URL": db_url, "TRUSTED_PROXY_HOPS": 1})
    proxied.add_url_rule("/_probe", "probe", allow(PUBLIC)(lambda: {"ip": request.remote_addr,
                                                                      "secure": request.is_secure}))
    yield proxied
    proxied.extensions["db_engine"].dispose()


def test_one_trusted_proxy_gives_the_real_client_and_scheme(proxied_app, app):
    probe = proxied_app.test_client().get("/_probe", headers={"X-Forwarded-For": "203.0.113.7, 10.0.0.2",
                                                              "X-Forwarded-Proto": "https"})
    assert probe.json == {"ip": "10.0.0.2", "secure": True}  # one hop: the proxy's own entry
    assert "Strict-Transport-Security" in probe.headers
    app.extensions["celery"].set_default()


def test_without_trusted_proxies_forwarded_headers_are_ignored(app, client):
    from werkzeug.middleware.proxy_fix import ProxyFix

    assert not isinstance(app.wsgi_app, ProxyFix)
    with app.test_request_context("/", headers={"X-Forwarded-For": "203.0.113.7"},
                                  environ_base={"REMOTE_ADDR": "198.51.100.1"}):
        assert request.remote_addr == "198.51.100.1"
