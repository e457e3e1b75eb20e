"""Finding 6: common and guessable passwords are refused (sign-up, change, reset)."""

from __future__ import annotations

import pytest

from app.access import Role
from app.auth import services
from app.errors import Invalid
from tests.conftest import TEST_PASSWORD


@pytest.mark.parametrize("password", ["password", "qwertyuiop", "Password1", "1qaz2wsx", "Abcd1234",
                                      "iloveyou1"])
def test_common_passwords_are_refused_at_sign_up(client, password):
    response = client.post("/api/v1/auth/register",
                           json={"name": "张三", "phone": "13800138777", "password": password})
    assert response.status_code == 422
    assert response.json["error"]["field"] == "password"


def test_a_password_made_of_ones_own_phone_is_refused(db):
    with pytest.raises(Invalid):
        services.register_user(db, name="李四", phone="13800138778", password="x13800138778")


def test_change_and_reset_refuse_common_passwords_too(db, make_user):
    user = make_user(Role.WORKER)
    with pytest.raises(Invalid) as caught:
        services.change_password(db, actor=user, current_password=TEST_PASSWORD, new_password="Password1")
    assert caught.value.field == "new_password"


def test_ordinary_strong_passwords_pass(client):
    response = client.post("/api/v1/auth/register",
                           json={"name": "王五", "phone": "13800138779", "password": "电工-Haikou-2026"})
    assert response.status_code == 202
