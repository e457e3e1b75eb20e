from app.access import Role
from tests.conftest import bearer, sign_in


def test_health(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json["database"] == "ok"


def test_sign_in_and_me(client, make_user):
    user = make_user(Role.WORKER)
    sign_in(client, user)
    assert client.get("/account").status_code == 200
    r = client.get("/api/v1/me", headers=bearer(user))
    assert r.json["name"] == user.name
