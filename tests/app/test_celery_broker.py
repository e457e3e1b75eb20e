"""Celery through a real Redis broker: a queued outbox message is delivered by a worker."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import delete

from app import create_app
from app.auth.models import OutboxMessage
from app.db import get_session
from tests.conftest import TEST_CONFIG


@pytest.fixture
def broker_url():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("needs a Redis broker: set TEST_REDIS_URL=redis://127.0.0.1:6379/15 (.ci/run does)")
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at {url} is not reachable: {exc}")
    return url


def test_task_runs_in_a_worker_through_redis(broker_url, db_url, app):
    from celery.contrib.testing.worker import start_worker

    from app.notify import queue_message

    worker_app = create_app({**TEST_CONFIG, "DATABASE_URL": db_url, "CELERY": {
        **app.config["CELERY"], "broker_url": broker_url, "result_backend": None, "task_always_eager": False}})
    celery_app = worker_app.extensions["celery"]
    celery_app.loader.import_module("celery.contrib.testing.tasks")
    with worker_app.app_context():
        session = get_session()
        message = queue_message(session, recipient="broker@example.com", subject="经由 Redis", body="hello")
        session.commit()  # after commit: the task goes to Redis, not in-process
        message_id = message.id
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            deadline = time.monotonic() + 20
            sent_at = None
            while time.monotonic() < deadline and sent_at is None:
                with worker_app.app_context():
                    sent_at = get_session().get(OutboxMessage, message_id).sent_at
                time.sleep(0.1)
        assert sent_at is not None, "the worker did not deliver the message through Redis"
    finally:
        with worker_app.app_context():
            session = get_session()
            session.execute(delete(OutboxMessage).where(OutboxMessage.id == message_id))
            session.commit()
        worker_app.extensions["db_engine"].dispose()
