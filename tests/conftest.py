"""Test harness: one schema per run, one rolled-back transaction per test.

``DATABASE_URL`` picks the database (SQLite in a temp folder by default, PostgreSQL when it
points at one). Every test gets a connection inside an outer transaction; the app's
sessions join it with savepoints, so an edge's ``commit()`` works and everything is rolled
back afterwards. Factories are fixtures returning callables.
"""

from __future__ import annotations

import contextvars
import itertools
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from cryptography.fernet import Fernet
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from app import create_app
from app.access import Role
from app.auth.models import Organization, OrgKind, OrgStatus, User
from app.auth.services import grant_role, register_user
from app.auth.tokens import API_SALT, make_token
from app.db import Base, get_session
from app.extensions import limiter
from app.models import import_all_models

TEST_PASSWORD = "Passw0rd-test"

# ``TEST_CLOCK_SHIFT_DAYS=400 python3 run.py test`` runs the whole suite with this process's clock
# moved ahead (time-machine: datetime, date and time functions all agree; subprocesses keep the
# real clock). .ci/run does it so that no test can depend on the date it was written.
_CLOCK_SHIFT_DAYS = float(os.environ.get("TEST_CLOCK_SHIFT_DAYS") or 0)   # 400, -200, 0.6 (hours too)


def pytest_configure(config):
    if _CLOCK_SHIFT_DAYS:
        from datetime import UTC, datetime, timedelta

        import time_machine

        traveller = time_machine.travel(datetime.now(UTC) + timedelta(days=_CLOCK_SHIFT_DAYS), tick=True)
        traveller.start()
        config._clock_traveller = traveller


def pytest_report_header(config):
    if _CLOCK_SHIFT_DAYS:
        from datetime import UTC, datetime

        return f"clock moved {_CLOCK_SHIFT_DAYS} days ahead: now {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    return None


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-not-for-production",
    "PII_KEYS": Fernet.generate_key().decode(),
    "PII_HASH_KEY": "test-hash-key",
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 1024,
    "RATELIMIT_STORAGE_URI": "memory://",
    "SERVER_BASE_URL": "http://localhost",
}


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a real server would.

    Without this, Flask reuses the test's own app context for requests (same ``g``, same
    session), which hides bugs and shares CSRF tokens between clients.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Test browsers chose English (tests read English text); i18n tests delete this cookie.
        self.set_cookie("lang", "en")

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def db_url(tmp_path_factory) -> str:
    return database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def app(db_url, tmp_path_factory):
    import_all_models()
    app = create_app({**TEST_CONFIG, "DATABASE_URL": db_url})
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    app.test_client_class = IsolatedClient
    engine = app.extensions["db_engine"]
    if is_postgres(db_url):
        # Start from an empty schema: tables an earlier run (or an older branch) left behind
        # would otherwise block drop_all through their foreign keys.
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    else:
        Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    yield app
    engine.dispose()


@pytest.fixture
def db(app) -> Iterator[Session]:
    """The test's session; every session the app opens joins the same rolled-back transaction."""
    engine = app.extensions["db_engine"]
    connection = engine.connect()
    outer = connection.begin()
    original = app.extensions["db_sessionmaker"]
    reader = app.extensions.pop("db_read_sessionmaker", None)   # reads join the test's transaction too
    app.extensions["db_sessionmaker"] = sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                                                     expire_on_commit=False)
    limiter.reset()
    # A test may have built a second app, whose Celery became the current one: eager tasks
    # queued by this test must run in this app (and its database).
    app.extensions["celery"].set_current()
    app.extensions["celery"].set_default()
    # Services called directly by tests speak English (the tests read their messages);
    # pages fetched with the client are Chinese by default, as for real visitors.
    ctx = app.test_request_context(environ_base={"HTTP_COOKIE": "lang=en"})
    ctx.push()
    try:
        yield get_session()
    finally:
        ctx.pop()
        app.extensions["db_sessionmaker"] = original
        if reader is not None:
            app.extensions["db_read_sessionmaker"] = reader
        if outer.is_active:
            outer.rollback()
        connection.close()


@pytest.fixture
def client(app, db):
    return app.test_client()


_counter = itertools.count(1)


@pytest.fixture
def make_org(db):
    def make(kind: OrgKind = OrgKind.PROVIDER, *, name: str | None = None,
             status: OrgStatus = OrgStatus.APPROVED, **values) -> Organization:
        org = Organization(kind=kind, name=name or f"{kind.value}-{next(_counter)}", status=status, **values)
        db.add(org)
        db.flush()
        return org

    return make


@pytest.fixture
def make_user(db, make_org):
    """``make_user(Role.PROVIDER_ADMIN, org=org)`` — a user holding the given roles."""

    def make(*roles: Role, org: Organization | None = None, name: str | None = None,
             phone: str | None = None, email: str | None = None) -> User:
        n = next(_counter)
        user = register_user(db, name=name or f"用户{n}", password=TEST_PASSWORD,
                             phone=phone or (None if email else f"139{n:08d}"), email=email)
        for role in roles:
            organization = org
            if role in (Role.ENTERPRISE_ADMIN, Role.PROVIDER_ADMIN, Role.INSTRUCTOR, Role.UNION_ADMIN) and org is None:
                kind = {Role.ENTERPRISE_ADMIN: OrgKind.ENTERPRISE, Role.UNION_ADMIN: OrgKind.UNION}.get(
                    role, OrgKind.PROVIDER)
                organization = make_org(kind)
            grant_role(db, user, role, organization if role != Role.WORKER else None)
        return user

    return make


def bearer(user: User) -> dict[str, str]:
    from flask import current_app

    return {"Authorization": "Bearer " + make_token(current_app.config["SECRET_KEY"], API_SALT, user)}


def csrf_token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(client, path: str, data: dict | None = None, **kwargs):
    """POST a form the way a browser would: with the page's CSRF token."""
    return client.post(path, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)


def sign_up_link(session: Session, recipient: str) -> str:
    """The path of the newest sign-up link sent to ``recipient`` (``+86...`` or an e-mail)."""
    from sqlalchemy import select

    from app.auth.models import OutboxMessage

    body = session.scalar(select(OutboxMessage.body).where(OutboxMessage.recipient == recipient)
                          .order_by(OutboxMessage.id.desc()))
    assert body and "/signup/finish/" in body, f"no sign-up link sent to {recipient}"
    return body[body.index("/signup/finish/"):].split()[0]


def sign_in(client, user: User, password: str = TEST_PASSWORD):
    response = post_form(client, "/login", {"account": user.phone or user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@contextmanager
def count_queries(session: Session):
    """Count SQL statements run on the session's connection (N+1 guard)."""
    statements: list[str] = []
    engine = session.get_bind()

    def before(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    target = engine.engine if hasattr(engine, "engine") else engine
    event.listen(target, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(target, "before_cursor_execute", before)


def requires_postgres(db_url: str) -> None:
    if not is_postgres(db_url):
        pytest.skip("needs PostgreSQL for real row locks: set DATABASE_URL=postgresql://... (see README)")
