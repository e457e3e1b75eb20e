"""Database plumbing: declarative base, engine, the request-scoped session, after-commit hooks.

Services receive a ``Session`` and only ``flush()``; edges call ``get_session()`` and
commit once. Work that must not happen for a rolled-back transaction (mail, Celery
tasks, Stripe calls) is queued with :func:`after_commit`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import Flask, current_app, has_app_context
from sqlalchemy import DateTime, MetaData, Select, create_engine, event, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def utcnow() -> datetime:
    """Now, in UTC, for edges and tasks (services receive it as ``now``).

    The wall clock, unless the app is configured with a ``CLOCK`` callable: tests pin the
    edges' clock to their own fixed moment with it, so pages and services agree on any date.
    """
    if has_app_context():
        clock = current_app.config.get("CLOCK")
        if clock is not None:
            return clock()
    return datetime.now(UTC)


def _app_ctx_id() -> int:
    from flask.globals import app_ctx

    return id(app_ctx._get_current_object())


def _new_session() -> Session:
    extensions = current_app.extensions
    reader = extensions.get("db_read_sessionmaker")
    if reader is not None and not _may_write():
        return reader()
    return extensions["db_sessionmaker"]()


# One session per application context (a request, a CLI command, a Celery task), made by the
# current app's sessionmaker (tests swap it for one bound to a rolled-back connection).
db_session: scoped_session[Session] = scoped_session(_new_session, scopefunc=_app_ctx_id)


READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READS_ONLY = "skills_market_reads_only"   # execution option of read-only requests' SQLite connections


def logs_reads(view):
    """Mark a GET view that records who read what (an access log the issue requires, e.g. the
    talent pool's views): it gets a transaction that may write, like a POST's."""
    view.logs_reads = True
    return view


def _may_write() -> bool:
    """Whether the current unit of work may write.

    Pages and API reads (GET) only read, except views marked ``logs_reads``; every other
    request, CLI command and task may write. A read-only request gets a session from
    ``db_read_sessionmaker`` and reads statement by statement with no transaction around them
    (what PostgreSQL's READ COMMITTED gives inside one anyway): no BEGIN and ROLLBACK to send,
    which on PostgreSQL are two round trips of a small page's three. A write transaction on
    SQLite takes the write lock at once (``BEGIN IMMEDIATE``).
    """
    from flask import has_request_context, request

    if not has_request_context() or request.method not in READ_ONLY_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "logs_reads", False))


def make_engine(url: str, *, busy_timeout: float = 30, **kwargs) -> Engine:
    """Create an engine; SQLite gets real transactions, foreign keys and a busy timeout.

    A write transaction on SQLite starts with ``BEGIN IMMEDIATE``: it takes the write lock
    before its first read, so a burst of writers queues on the busy timeout. A deferred
    ``BEGIN`` would read first and then fail to upgrade its lock (``database is locked``
    at once, the busy timeout cannot help a reader holding an old snapshot).
    """
    if url.startswith("sqlite"):
        # No cap on connections: a request holding one may need a second for an eager task
        # queued after commit; a capped pool would make a burst wait on itself.
        options = {"max_overflow": -1} if ":memory:" not in url and url not in ("sqlite://", "sqlite:///") else {}
        engine = create_engine(url, connect_args={"timeout": busy_timeout, "check_same_thread": False},
                               **{**options, **kwargs})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):
            # Let SQLAlchemy, not pysqlite, decide when transactions begin (savepoints work).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            if conn.get_execution_options().get(READS_ONLY):
                return   # a read-only request's session: each read is its own statement
            conn.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, **kwargs)


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"], busy_timeout=app.config.get("SQLITE_BUSY_TIMEOUT", 30))
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    # Read-only requests' sessions (see _may_write): PostgreSQL's driver in autocommit; on
    # SQLite a mark the begin hook reads (pysqlite's own autocommit would undo the hook's
    # transaction control for the pooled connection).
    reader = engine.execution_options(**({READS_ONLY: True} if engine.dialect.name == "sqlite"
                                         else {"isolation_level": "AUTOCOMMIT"}))
    app.extensions["db_read_sessionmaker"] = sessionmaker(bind=reader, expire_on_commit=False)

    @app.teardown_appcontext
    def _remove_session(_exc):
        db_session.remove()


def get_session() -> Session:
    """The session of the current application context (edges only)."""
    return db_session()


def session_when_needed() -> Session:
    """The current application context's session, made only when first used: for a read-only
    edge that memory often answers whole (a catalog search: the in-memory index, the kept seats
    and dictionary), which then makes and closes no session at all, a twentieth of such a
    request. It stands in for the ``Session`` (the scoped session passes each call on to the
    context's own, making it first); once used, it is the very session ``get_session`` gives."""
    return db_session  # type: ignore[return-value] - scoped_session proxies Session's interface


@contextmanager
def single_read() -> Iterator[Connection]:
    """A connection for an edge that reads one statement and nothing else (a public answer
    scanned from a QR code): no ORM session to make and close around it, which is a tenth of
    such a request. Outside a transaction like every read-only request's reads (in the tests,
    the test's own rolled-back connection)."""
    extensions = current_app.extensions
    bind = (extensions.get("db_read_sessionmaker") or extensions["db_sessionmaker"]).kw["bind"]
    if isinstance(bind, Connection):
        yield bind
        return
    with bind.connect() as connection:
        yield connection


def paginate(session: Session, stmt: Select, *, page: int, per_page: int) -> tuple[list, int]:
    """One page of ``stmt``'s rows (1-based ``page``) and the total count: two queries."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique())
    return rows, total


def after_commit(session: Session, fn: Callable[[], object]) -> None:
    """Run ``fn`` once the session's transaction commits; drop it on rollback."""
    session.info.setdefault("after_commit", []).append(fn)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    # The transaction is committed: whatever happens to the work queued behind it (a mail
    # server down, a locked database in an eager task) must not turn the committed request
    # into an error. Each job is idempotent and logged; the outbox and reconciliation keep
    # what was not done.
    # SQLAlchemy fires after_commit for a released SAVEPOINT too (``begin_nested``): the real
    # transaction is still open (on SQLite it holds the write lock an eager task would wait
    # on), so the work waits for the outermost commit.
    if session.in_nested_transaction():
        return
    callbacks = session.info.pop("after_commit", [])
    for fn in callbacks:
        try:
            fn()
        except Exception:
            log.exception("after-commit work %r failed; the transaction stays committed", fn)


@event.listens_for(Session, "after_rollback")
def _drop_after_commit(session: Session) -> None:
    # A SAVEPOINT rolled back (a caught IntegrityError) leaves the transaction and its work.
    if session.in_nested_transaction():
        return
    session.info.pop("after_commit", None)
