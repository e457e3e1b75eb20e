"""Finding 3: sign-out, password change and reset end every other session of the account
(a copied session cookie included), and bearer calls are authenticated by the token alone."""

from __future__ import annotations

from sqlalchemy import select

from app.access import Role
from app.auth.models import OutboxMessage
from tests.conftest import TEST_PASSWORD, bearer, post_form, sign_in


def _copy_session(app, client):
    """A second browser holding a copy of ``client``'s session cookie (a captured cookie)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _signed_in(c) -> bool:
    return c.get("/account").status_code == 200


def test_a_copied_cookie_dies_when_its_owner_signs_out(app, client, make_user):
    user = make_user(Role.WORKER)
    sign_in(client, user)
    thief = _copy_session(app, client)
    assert _signed_in(thief)
    assert post_form(client, "/logout").status_code == 302
    assert not _signed_in(thief)
    assert thief.get("/api/v1/me").status_code == 401


def test_sign_out_also_ends_api_tokens(app, client, make_user):
    user = make_user(Role.WORKER)
    token = bearer(user)
    sign_in(client, user)
    post_form(client, "/logout")
    assert client.get("/api/v1/me", headers=token).status_code == 401


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, make_user):
    user = make_user(Role.WORKER)
    sign_in(client, user)
    other_device = app.test_client()
    sign_in(other_device, user)
    response = post_form(client, "/account", {"current_password": TEST_PASSWORD, "new_password": "Changed-pass9",
                                              "confirm": "Changed-pass9"})
    assert response.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(other_device)


def test_api_password_change_keeps_the_calling_cookie_session(app, client, make_user):
    user = make_user(Role.WORKER)
    sign_in(client, user)
    other_device = app.test_client()
    sign_in(other_device, user)
    html = client.get("/account").get_data(as_text=True)
    csrf = html.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    response = client.put("/api/v1/me/password", json={"current_password": TEST_PASSWORD,
                                                       "new_password": "Changed-pass9"},
                          headers={"X-CSRFToken": csrf})
    assert response.status_code == 200
    assert _signed_in(client) and not _signed_in(other_device)


def test_password_reset_ends_every_session(app, client, make_user, db):
    user = make_user(Role.WORKER, email="reset-all@example.com")
    sign_in(client, user)
    stranger = app.test_client()
    post_form(stranger, "/password/forgot", {"account": "reset-all@example.com"})
    body = db.scalar(select(OutboxMessage.body).where(OutboxMessage.recipient == "reset-all@example.com"))
    path = body[body.index("/password/reset/"):].split()[0]
    assert post_form(stranger, path, {"new_password": "Fresh-pass42", "confirm": "Fresh-pass42"}).status_code == 302
    assert not _signed_in(client)


def test_a_bearer_header_never_rides_on_the_session_cookie(app, client, make_user):
    user = make_user(Role.WORKER)
    sign_in(client, user)
    # A forged or stale token with a valid cookie: the cookie is not used, so no CSRF bypass.
    assert client.put("/api/v1/me/locale", json={"locale": "en"},
                      headers={"Authorization": "Bearer junk"}).status_code == 401
