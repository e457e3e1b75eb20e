"""Finding 4 (and the sign-in half of 6): failed sign-ins are limited per account as well
as per address, with a growing delay that never locks the owner out for good; behind a
trusted proxy each client has its own address; known and unknown accounts cost the same."""

from __future__ import annotations

from sqlalchemy import select

from app.access import Role
from app.auth import services, throttle
from app.auth.models import OutboxMessage, RoleGrant, User
from app.db import get_session, utcnow
from app.extensions import limiter
from app.security import hash_password
from tests.conftest import TEST_PASSWORD, csrf_token, post_form


def _token(client, username: str, password: str, address: str):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_twelve_addresses_cannot_guess_one_account(client, make_user):
    user = make_user(Role.WORKER)
    statuses = [_token(client, user.phone, f"wrong-guess-{i}", f"198.51.100.{i}").status_code for i in range(12)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    right = _token(client, user.phone, TEST_PASSWORD, "198.51.100.200")
    assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0
    assert right.json["error"]["code"] == "rate_limited"


def test_the_delay_grows_but_is_bounded_and_ends(client, make_user):
    assert [throttle.delay_after(n) for n in (4, 5, 6, 7)] == [0, 30, 60, 120]
    assert throttle.delay_after(10_000) == throttle.MAX_DELAY == 15 * 60
    user = make_user(Role.WORKER)
    for i in range(5):
        assert _token(client, user.phone, "wrong-guess", f"198.51.100.{i}").status_code == 401
    assert _token(client, user.phone, TEST_PASSWORD, "198.51.100.99").status_code == 429
    limiter.storage.clear(throttle._key(user.phone) + "/lock")   # the 30 s have passed
    assert _token(client, user.phone, TEST_PASSWORD, "198.51.100.99").status_code == 200
    assert _token(client, user.phone, "wrong-again", "198.51.100.98").status_code == 401  # count was reset


def test_the_sign_in_page_is_limited_per_account_too(client, make_user):
    user = make_user(Role.WORKER)
    for i in range(5):
        token = csrf_token(client)
        client.post("/login", data={"csrf_token": token, "account": user.phone, "password": "nope-nope"},
                    environ_base={"REMOTE_ADDR": f"203.0.113.{i}"})
    token = csrf_token(client)
    response = client.post("/login", data={"csrf_token": token, "account": user.phone, "password": TEST_PASSWORD},
                           environ_base={"REMOTE_ADDR": "203.0.113.50"})
    assert response.status_code == 429


def test_a_password_reset_lifts_the_delay(client, make_user, db):
    user = make_user(Role.WORKER, email="locked@example.com")
    for i in range(6):
        _token(client, "locked@example.com", "wrong-guess", f"198.51.100.{i}")
    post_form(client, "/password/forgot", {"account": "locked@example.com"})
    body = db.scalar(select(OutboxMessage.body).where(OutboxMessage.recipient == "locked@example.com"))
    path = body[body.index("/password/reset/"):].split()[0]
    assert post_form(client, path, {"new_password": "Fresh-pass42", "confirm": "Fresh-pass42"}).status_code == 302
    assert _token(client, user.email, "Fresh-pass42", "198.51.100.77").status_code == 200


def test_behind_a_trusted_proxy_clients_are_limited_separately(make_own_app):
    own = make_own_app(TRUSTED_PROXY_HOPS=1)
    with own.app_context():
        session = get_session()
        for phone in ("+8613900001111", "+8613900002222"):
            session.add(User(name="代理", phone=phone, password_hash=hash_password(TEST_PASSWORD),
                             grants=[RoleGrant(role=Role.WORKER)]))
        session.commit()
    client = own.test_client()

    def attempt(phone: str, client_address: str) -> int:
        return client.post("/api/v1/auth/token", json={"username": phone, "password": "wrong-guess"},
                           headers={"X-Forwarded-For": client_address},
                           environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code  # the proxy

    assert [attempt("13900001111", "203.0.113.10") for _ in range(6)] == [401] * 5 + [429]
    assert attempt("13900002222", "203.0.113.20") == 401   # another client is not locked out


def test_unknown_accounts_cost_a_password_check_too(db, make_user, monkeypatch):
    calls = []
    real = services.verify_password
    monkeypatch.setattr(services, "verify_password", lambda h, p: calls.append(h) or real(h, p))
    user = make_user(Role.WORKER)
    for account in (user.phone, "13911112222", "nobody@example.com", "not an account"):
        try:
            services.authenticate(db, account=account, password="wrong-guess", now=utcnow())
        except services.InvalidCredentials:
            pass
    assert len(calls) == 4 and all(calls)
    assert calls[1] == calls[2] == calls[3] != calls[0]
