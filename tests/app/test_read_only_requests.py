"""A read-only request reads statement by statement; every request that may write runs in one
transaction (on SQLite with the write lock taken up front).

Reads skip BEGIN and ROLLBACK (on PostgreSQL two round trips of a small page's three or four);
what each statement sees is what PostgreSQL's READ COMMITTED shows inside a transaction anyway.
These tests use the app's own sessions, not the suite's rolled-back connection.
"""

from __future__ import annotations

from sqlalchemy import select

from app.db import get_session
from tests.conftest import is_postgres


def in_transaction(session, db_url: str) -> bool:
    """Whether the session's connection is inside a real database transaction right now."""
    driver = session.connection().connection.dbapi_connection
    if is_postgres(db_url):
        from psycopg.pq import TransactionStatus

        return driver.info.transaction_status != TransactionStatus.IDLE
    return driver.in_transaction


def state_after_a_read(app, db_url: str, path: str, method: str) -> bool:
    with app.test_request_context(path, method=method):
        session = get_session()
        assert session.execute(select(1)).scalar() == 1
        return in_transaction(session, db_url)


def test_a_page_read_runs_outside_a_transaction(app, db_url):
    assert state_after_a_read(app, db_url, "/courses", "GET") is False
    assert state_after_a_read(app, db_url, "/api/v1/courses", "HEAD") is False


def test_writes_and_logged_reads_run_in_a_transaction(app, db_url):
    assert state_after_a_read(app, db_url, "/courses/1/enroll", "POST") is True
    assert state_after_a_read(app, db_url, "/api/v1/me/record", "GET") is True   # @logs_reads: writes the log


def test_a_task_or_command_runs_in_a_transaction(app, db_url):
    with app.app_context():
        session = get_session()
        session.execute(select(1))
        assert in_transaction(session, db_url) is True


def test_pages_answer_with_the_apps_own_read_sessions(app):
    client = app.test_client()
    assert client.get("/courses").status_code == 200
    assert client.get("/api/v1/courses").status_code == 200
    assert client.get("/v/no-such-token").status_code == 404
