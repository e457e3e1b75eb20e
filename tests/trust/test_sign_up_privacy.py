"""Finding 6 (sign-up): an anonymous caller cannot learn from sign-up whether an account exists.

Sign-up answers the same for a new and a registered phone or e-mail; the link that finishes
it goes to that phone or e-mail, and the owner of an existing account is told someone tried.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.access import Role
from app.auth.models import OutboxMessage, User
from tests.conftest import csrf_token, sign_up_link


def _messages_to(db, recipient: str) -> list[str]:
    return list(db.scalars(select(OutboxMessage.subject).where(OutboxMessage.recipient == recipient)))


def test_the_api_answers_alike_for_new_and_registered_phones(client, make_user, db):
    owner = make_user(Role.WORKER, phone="13800138111")
    users_before = db.scalar(select(func.count()).select_from(User))
    answers = [client.post("/api/v1/auth/register", json={"name": "试探", "phone": phone, "password": "Probe-2026-xyz"})
               for phone in (owner.phone, "13800138112")]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].get_data() == answers[1].get_data()
    assert db.scalar(select(func.count()).select_from(User)) == users_before   # nothing created yet
    assert _messages_to(db, owner.phone) == ["You already have an account"]
    assert _messages_to(db, "+8613800138112") == ["Finish signing up"]


def test_the_page_answers_alike_for_new_and_registered_emails(app, make_user, db):
    make_user(Role.WORKER, email="owner@example.com")
    answers = []
    for email in ("owner@example.com", "fresh@example.com"):
        browser = app.test_client()
        token = csrf_token(browser, "/signup")
        response = browser.post("/signup", data={"csrf_token": token, "name": "试探", "email": email,
                                                 "password": "Probe-2026-xyz", "confirm": "Probe-2026-xyz"},
                                follow_redirects=True)
        page = re.sub(r'(csrf[-_]token".*?(?:content|value)=")[^"]+', r"\1", response.get_data(as_text=True))
        answers.append((response.status_code, page.replace(email, "EMAIL")))
    assert answers[0][0] == answers[1][0]
    assert answers[0][1].splitlines() == answers[1][1].splitlines()


def test_only_the_link_creates_the_account_and_only_once(client, db):
    client.post("/api/v1/auth/register", json={"name": "新人", "email": "new@example.com", "password": "Probe-2026-xyz"})
    link = sign_up_link(db, "new@example.com")
    token = link.rsplit("/", 1)[1]
    assert client.post("/api/v1/auth/register/confirm", json={"token": token}).status_code == 201
    assert db.scalar(select(User).where(User.email == "new@example.com")).name == "新人"
    assert client.post("/api/v1/auth/register/confirm", json={"token": token}).status_code == 409
    assert client.post("/api/v1/auth/register/confirm", json={"token": token[:-4] + "AAAA"}).status_code == 422
