"""Races with real transactions on PostgreSQL: one examiner, overlapping bookings at once.

Each racer has its own session and commits for real, outside the rolled-back ``db``
fixture; the test removes what it committed.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import sessionmaker

from app.auth.models import User
from app.db import make_engine
from app.errors import Conflict
from instructors.models import InstructorBooking
from instructors.services import reserve_time
from tests.conftest import requires_postgres

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
START = NOW + timedelta(days=10)
ENGLISH = {"HTTP_COOKIE": "lang=en"}


@pytest.fixture
def racing(app, db_url):
    requires_postgres(db_url)
    engine = make_engine(db_url, pool_size=20, max_overflow=0)
    make_session = sessionmaker(bind=engine, expire_on_commit=False)
    stamp = time.monotonic_ns()
    with make_session() as s:
        examiner = User(name="并发考评员", email=f"examiner{stamp}@example.com", password_hash="x")
        s.add(examiner)
        s.commit()
        user_id = examiner.id
    try:
        yield make_session, user_id
    finally:
        with make_session() as s:
            s.execute(delete(InstructorBooking).where(InstructorBooking.user_id == user_id))
            s.execute(delete(User).where(User.id == user_id))
            s.commit()
        engine.dispose()


def race(app, make_session, user_id: int, windows: list[tuple[datetime, datetime]]) -> list[str]:
    outcomes: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(windows))

    def book(index: int, starts_at: datetime, ends_at: datetime):
        def go():
            try:
                barrier.wait(10)
                with app.test_request_context(environ_base=ENGLISH), make_session() as s:
                    try:
                        reserve_time(s, user_id=user_id, starts_at=starts_at, ends_at=ends_at,
                                     purpose="exam_session", reference_id=1000 + index, now=NOW)
                        time.sleep(0.05)   # hold the lock a little: the other racer must wait, not slip in
                        s.commit()
                        outcomes.append("ok")
                    except Conflict as exc:
                        s.rollback()
                        outcomes.append(exc.code)
            except BaseException as exc:   # surfaced below
                errors.append(exc)
        return go

    threads = [threading.Thread(target=book(i, *w)) for i, w in enumerate(windows)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads), "a racer hung"
    assert not errors, errors[:3]
    return outcomes


def test_two_sessions_booking_one_examiner_for_overlapping_times_one_wins(app, racing):
    make_session, user_id = racing
    outcomes = race(app, make_session, user_id, [(START, START + timedelta(hours=3)),
                                                  (START + timedelta(hours=1), START + timedelta(hours=4))])
    assert sorted(outcomes) == ["instructor_busy", "ok"]
    with make_session() as s:
        assert len(list(s.scalars(select(InstructorBooking).where(InstructorBooking.user_id == user_id)))) == 1


def test_many_racers_for_the_same_slot_leave_one_booking(app, racing):
    make_session, user_id = racing
    outcomes = race(app, make_session, user_id, [(START, START + timedelta(hours=2))] * 6)
    assert sorted(outcomes) == ["instructor_busy"] * 5 + ["ok"]
