"""Races with real transactions on PostgreSQL: exam seats, one candidate's overlapping bookings,
and concurrent answer saves with shuffled sequence numbers.

Each racer has its own session and commits for real, outside the rolled-back ``db`` fixture;
every test removes what it committed.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from app.auth.models import User
from app.db import make_engine
from app.errors import DomainError
from exams.models import (
    Answer,
    Attempt,
    BookingStatus,
    CertificateComponent,
    CertificateType,
    ExamBooking,
    ExamLog,
    ExamPaper,
    ExamSession,
    Question,
    SessionMode,
)
from exams.services import attempts as attempt_service
from exams.services import booking as booking_service
from tests.conftest import requires_postgres
from tests.courses.test_enrollment_concurrency import ENGLISH, run_all

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


class World:
    def __init__(self, make_session, stamp: int):
        self.make_session, self.stamp = make_session, stamp
        self.ids: dict[str, list[int]] = {"users": [], "sessions": []}

    def build(self, *, capacity: int, candidates: int, sessions: int = 1) -> None:
        from sqlalchemy.orm import sessionmaker  # noqa: F401 - the factory comes from the fixture

        with self.make_session() as s:
            ctype = CertificateType(code=f"race-{self.stamp}", name_zh="并发测试证书", created_at=NOW, updated_at=NOW)
            ctype.components.append(CertificateComponent(kind="theory", pass_mark=60, duration_minutes=120))
            s.add(ctype)
            s.flush()
            questions = [Question(certificate_type_id=ctype.id, kind="single", stem=f"题{i}",
                                  options=["甲", "乙", "丙", "丁"], answer=["A"], created_at=NOW) for i in range(5)]
            s.add_all(questions)
            s.flush()
            paper = ExamPaper(certificate_type_id=ctype.id, component_kind="theory", title="并发试卷",
                              fixed_questions=[{"question_id": q.id, "points": 20} for q in questions],
                              created_at=NOW)
            s.add(paper)
            s.flush()
            for i in range(sessions):
                starts = NOW + timedelta(days=7, minutes=30 * i)
                exam_session = ExamSession(
                    certificate_type_id=ctype.id, component_id=ctype.components[0].id, paper_id=paper.id,
                    title=f"并发场次{i}", mode=SessionMode.ONLINE_REMOTE, capacity=capacity, starts_at=starts,
                    ends_at=starts + timedelta(minutes=150), booking_opens_at=NOW - timedelta(days=1),
                    booking_closes_at=starts - timedelta(hours=1), cancel_deadline_at=starts - timedelta(days=1),
                    created_at=NOW)
                s.add(exam_session)
                s.flush()
                self.ids["sessions"].append(exam_session.id)
            users = [User(name=f"考生{i}", email=f"exrace{self.stamp}-{i}@example.com", password_hash="x")
                     for i in range(candidates)]
            s.add_all(users)
            s.commit()
            self.ids.update(type=[ctype.id], paper=[paper.id], users=[u.id for u in users])

    def cleanup(self) -> None:
        with self.make_session() as s:
            sessions = self.ids["sessions"]
            bookings = list(s.scalars(select(ExamBooking.id).where(ExamBooking.exam_session_id.in_(sessions))))
            attempts = list(s.scalars(select(Attempt.id).where(Attempt.booking_id.in_(bookings))))
            s.execute(delete(Answer).where(Answer.attempt_id.in_(attempts)))
            s.execute(delete(Attempt).where(Attempt.id.in_(attempts)))
            s.execute(delete(ExamLog).where(ExamLog.exam_session_id.in_(sessions)))
            s.execute(delete(ExamBooking).where(ExamBooking.id.in_(bookings)))
            s.execute(delete(ExamSession).where(ExamSession.id.in_(sessions)))
            s.execute(delete(ExamPaper).where(ExamPaper.id.in_(self.ids.get("paper", []))))
            s.execute(delete(Question).where(Question.certificate_type_id.in_(self.ids.get("type", []))))
            s.execute(delete(CertificateType).where(CertificateType.id.in_(self.ids.get("type", []))))
            s.execute(delete(User).where(User.id.in_(self.ids["users"])))
            s.commit()


@pytest.fixture
def racing(app, db_url):
    requires_postgres(db_url)
    from sqlalchemy.orm import sessionmaker

    # 100 racers share 30 connections (the server is shared): they queue for one, then race for the seats.
    engine = make_engine(db_url, pool_size=30, max_overflow=0, pool_timeout=90)
    world = World(sessionmaker(bind=engine, expire_on_commit=False), time.monotonic_ns())
    try:
        yield world
    finally:
        world.cleanup()
        engine.dispose()


def _book(app, racing, user_id: int, exam_session_id: int, outcomes: list):
    def go():
        with app.test_request_context(environ_base=ENGLISH), racing.make_session() as s:
            try:
                booking = booking_service.book_exam_seat(s, actor=s.get(User, user_id), exam_session_id=exam_session_id,
                                                         now=NOW)
                s.commit()
                outcomes.append(("ok", booking.seat_no))
            except DomainError as exc:
                s.rollback()
                outcomes.append((exc.code, None))
    return go


def test_hundred_candidates_race_for_thirty_seats(app, racing):
    racing.build(capacity=30, candidates=100)
    session_id = racing.ids["sessions"][0]
    outcomes: list = []
    errors = run_all([_book(app, racing, uid, session_id, outcomes) for uid in racing.ids["users"]], timeout=120)
    assert not errors, errors[:3]
    booked = [seat for code, seat in outcomes if code == "ok"]
    assert len(booked) == 30 and sorted(booked) == list(range(1, 31))
    assert [code for code, _ in outcomes].count("session_full") == 70
    with racing.make_session() as s:
        assert s.scalar(select(ExamSession.seats_taken).where(ExamSession.id == session_id)) == 30
        assert len(list(s.scalars(select(ExamBooking.id).where(ExamBooking.exam_session_id == session_id)))) == 30


def test_one_candidates_overlapping_bookings_race(app, racing):
    racing.build(capacity=30, candidates=1, sessions=2)
    user_id = racing.ids["users"][0]
    outcomes: list = []
    sessions = racing.ids["sessions"]
    errors = run_all([_book(app, racing, user_id, sessions[i % 2], outcomes) for i in range(8)])
    assert not errors, errors[:3]
    assert [code for code, _ in outcomes].count("ok") == 1
    assert {code for code, _ in outcomes} <= {"ok", "overlapping_booking", "already_booked"}
    with racing.make_session() as s:
        held = list(s.scalars(select(ExamBooking.id).where(ExamBooking.user_id == user_id,
                                                            ExamBooking.status == BookingStatus.BOOKED)))
        assert len(held) == 1


def test_fifty_concurrent_saves_keep_the_newest(app, racing):
    racing.build(capacity=30, candidates=1)
    user_id, session_id = racing.ids["users"][0], racing.ids["sessions"][0]
    with app.test_request_context(environ_base=ENGLISH), racing.make_session() as s:
        booking = booking_service.book_exam_seat(s, actor=s.get(User, user_id), exam_session_id=session_id, now=NOW)
        exam_session = s.get(ExamSession, session_id)
        attempt = attempt_service.start_attempt(s, actor=s.get(User, user_id), booking_id=booking.id,
                                                now=exam_session.starts_at)
        s.commit()
        attempt_id, started = attempt.id, exam_session.starts_at
    letters = "ABCD"
    saves = [(position, seq, letters[(seq + position) % 4]) for position in range(1, 6) for seq in range(1, 11)]
    random.Random(7).shuffle(saves)

    def save(position: int, seq: int, letter: str):
        def go():
            with app.test_request_context(environ_base=ENGLISH), racing.make_session() as s:
                attempt_service.save_answers(s, actor=s.get(User, user_id), attempt_id=attempt_id,
                                             answers=[{"position": position, "response": [letter], "seq": seq}],
                                             now=started + timedelta(minutes=1))
                s.commit()
        return go

    errors = run_all([save(*item) for item in saves], timeout=120)
    assert not errors, errors[:3]
    with app.test_request_context(environ_base=ENGLISH), racing.make_session() as s:
        for answer in s.scalars(select(Answer).where(Answer.attempt_id == attempt_id)):
            assert answer.seq == 10
            assert attempt_service.to_shown(answer, answer.response) == [letters[(10 + answer.position) % 4]]
