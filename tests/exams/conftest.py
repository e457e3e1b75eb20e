"""Factories of the exams domain: certificate types (the seeded ones), questions, papers, sessions,
bookings and attempts. Times are relative to NOW."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.access import Role
from exams.models import CertificateType, ExamSession, Question, QuestionKind, SessionMode
from exams.seed import SKILL_LEVEL, SPECIAL_OPERATIONS, seed_certificate_types
from exams.services import attempts as attempt_service
from exams.services import booking as booking_service
from exams.services import papers as paper_service
from exams.services import sessions as session_service
from tests.courses.conftest import industry, make_class, make_course, provider  # noqa: F401 - fixtures

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)   # 10:00 in Asia/Shanghai
_n = itertools.count(1)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def special_ops(db) -> CertificateType:
    seed_certificate_types(db.connection(), now=NOW)
    return db.scalar(select(CertificateType).where(CertificateType.code == SPECIAL_OPERATIONS))


@pytest.fixture
def skill_level(db, special_ops) -> CertificateType:
    return db.scalar(select(CertificateType).where(CertificateType.code == SKILL_LEVEL))


@pytest.fixture
def union_admin(make_user):
    return make_user(Role.UNION_ADMIN)


@pytest.fixture
def make_questions(db):
    """``make_questions(ctype, kind, n, knowledge_point=..., difficulty=...)`` — n questions added."""

    def make(ctype, kind=QuestionKind.SINGLE, n=10, *, knowledge_point="安全用电", difficulty=2) -> list[Question]:
        made = []
        for _ in range(n):
            i = next(_n)
            values = {"kind": kind, "stem": f"题目{i}", "knowledge_point": knowledge_point, "difficulty": difficulty}
            if kind == QuestionKind.SINGLE:
                values.update(options=["甲", "乙", "丙", "丁"], answer=["B"])
            elif kind == QuestionKind.MULTIPLE:
                values.update(options=["甲", "乙", "丙", "丁"], answer=["A", "C"])
            elif kind == QuestionKind.TRUE_FALSE:
                values.update(answer=["T"])
            elif kind == QuestionKind.FILL:
                values.update(answer=["漏电保护器|漏电开关"])
            elif kind == QuestionKind.PRACTICAL:
                values.update(rubric=[{"item": "接线正确", "points": 60}, {"item": "安全措施", "points": 40}])
            else:
                values.update(answer=["参考答案"])
            question = Question(certificate_type_id=ctype.id, created_at=NOW, **values)
            db.add(question)
            made.append(question)
        db.flush()
        return made

    return make


@pytest.fixture
def theory_paper(db, special_ops, make_questions, union_admin):
    """A blueprint: 8 single (10 points), 1 true/false (10), 1 short answer (10) = 100 points."""
    make_questions(special_ops, QuestionKind.SINGLE, 12)
    make_questions(special_ops, QuestionKind.TRUE_FALSE, 3)
    make_questions(special_ops, QuestionKind.SHORT, 2)
    return paper_service.create_paper(
        db, actor=union_admin, type_id=special_ops.id, component_kind="theory", title="低压电工理论",
        blueprint=[{"kind": "single", "count": 8, "points": 10}, {"kind": "true_false", "count": 1, "points": 10},
                   {"kind": "short", "count": 1, "points": 10}], now=NOW)


@pytest.fixture
def practical_paper(db, special_ops, make_questions, union_admin):
    task = make_questions(special_ops, QuestionKind.PRACTICAL, 1)[0]
    return paper_service.create_paper(
        db, actor=union_admin, type_id=special_ops.id, component_kind="practical", title="低压电工实操",
        fixed_questions=[{"question_id": task.id, "points": 100}], now=NOW)


@pytest.fixture
def make_session(db, special_ops, union_admin, theory_paper):
    """A session of the special-operations theory (online at an exam point) 7 days after NOW, booking open."""

    def make(*, ctype=None, component="theory", mode=SessionMode.ONLINE_CENTER, capacity=30, paper=None,
             starts_in=timedelta(days=7), minutes=150, base=None, **values) -> ExamSession:
        ctype = ctype or special_ops
        base = base or NOW
        starts_at = base + starts_in
        if paper is not None:
            paper_id = paper.id
        else:
            paper_id = theory_paper.id if component == "theory" and ctype is special_ops else None
        values = {"certificate_type_id": ctype.id, "component": component, "mode": mode, "capacity": capacity,
                  "paper_id": paper_id,
                  "title": values.pop("title", f"考试场次{next(_n)}"), "venue": "海南省电力学校", "room": "机房一",
                  "starts_at": starts_at, "ends_at": starts_at + timedelta(minutes=minutes),
                  "booking_opens_at": min(base, starts_at) - timedelta(days=1),
                  "booking_closes_at": starts_at - timedelta(hours=1),
                  "cancel_deadline_at": starts_at - timedelta(days=1), **values}
        return session_service.schedule_session(db, actor=union_admin, now=base, values=values)

    return make


@pytest.fixture
def make_candidate(make_user):
    def make(**kwargs):
        return make_user(Role.WORKER, **kwargs)

    return make


@pytest.fixture
def make_examiner(make_user, make_org):
    """An instructor at their own provider (so not a colleague of anyone else)."""

    def make():
        return make_user(Role.INSTRUCTOR)

    return make


@pytest.fixture
def sitting(db, make_session, make_candidate, union_admin):
    """``sitting()`` — a candidate booked and checked in, the exam started: (attempt, candidate, session)."""

    def make(exam_session=None, candidate=None):
        exam_session = exam_session or make_session()
        candidate = candidate or make_candidate()
        booking = booking_service.book_exam_seat(db, actor=candidate, exam_session_id=exam_session.id,
                                                 now=exam_session.booking_opens_at + timedelta(minutes=1))
        booking_service.check_in(db, actor=union_admin, ticket_token=booking.ticket_token,
                                 now=exam_session.starts_at)
        attempt = attempt_service.start_attempt(db, actor=candidate, booking_id=booking.id,
                                                now=exam_session.starts_at)
        return attempt, candidate, exam_session

    return make
