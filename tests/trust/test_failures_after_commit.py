"""Finding 2 (continued): background work that fails after commit never turns a committed
request into a 500, and the 500 page survives a session that needs a rollback."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.access import PUBLIC, Role, allow
from app.auth.models import OutboxMessage, RoleGrant, User
from app.db import get_session
from app.security import hash_password
from tests.conftest import TEST_PASSWORD, post_form


def test_a_mail_server_down_does_not_fail_the_committed_request(app, client, make_user, db):
    make_user(Role.WORKER, email="mailless@example.com")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens: connection refused
    try:
        response = client.post("/api/v1/auth/password-reset", json={"username": "mailless@example.com"})
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=587)
    assert response.status_code == 202
    message = db.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "mailless@example.com"))
    assert message is not None and message.sent_at is None   # kept in the outbox, not sent


def _boom_app(make_own_app):
    own = make_own_app()

    @allow(PUBLIC)
    def boom():
        session = get_session()
        try:
            session.add(OutboxMessage(channel="sms", recipient=None, subject="x", body="x"))
            session.flush()  # NOT NULL: the session now needs a rollback
        except IntegrityError as exc:
            raise RuntimeError("a bug after a failed flush") from exc

    own.add_url_rule("/_boom", "boom", boom)
    own.add_url_rule("/api/v1/_boom", "api_boom", boom)
    with own.app_context():
        session = get_session()
        session.add(User(name="出错", phone="+8613900009999", password_hash=hash_password(TEST_PASSWORD),
                         grants=[RoleGrant(role=Role.WORKER)]))
        session.commit()
    return own


def test_the_error_page_survives_a_session_needing_rollback(make_own_app):
    own = _boom_app(make_own_app)
    client = own.test_client()
    assert post_form(client, "/login", {"account": "13900009999", "password": TEST_PASSWORD}).status_code == 302
    page = client.get("/_boom")
    assert page.status_code == 500 and "出错" in page.get_data(as_text=True)   # the signed-in user still shown
    api = client.get("/api/v1/_boom")
    assert api.status_code == 500 and api.json["error"]["code"] == "internal_error"
