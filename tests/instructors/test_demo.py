"""Demo data: the first electrician class's instructor is qualified, and eight verified examiners
at two other organizations can staff a session for its learners without conflicts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.demo import load_demo
from courses.models import Enrollment, TrainingClass
from instructors.demo import SPECIAL_OPS
from instructors.models import Qualification, QualificationStatus
from instructors.queries import rank_examiners


def test_demo_pool_staffs_a_session_without_conflicts(db):
    world = load_demo(db)
    load_demo(db)   # idempotent
    code, _name, level = SPECIAL_OPS
    verified = db.scalar(select(func.count(func.distinct(Qualification.user_id))).where(
        Qualification.status == QualificationStatus.VERIFIED))
    assert verified >= 9      # the class's instructor and eight examiners
    first_class = db.scalar(select(TrainingClass).where(TrainingClass.title.like("第一期电工培训班%"))
                            .order_by(TrainingClass.id))
    teacher = world.users["instructor"]
    assert first_class.instructor_id == teacher.id
    learners = [world.users["worker"], world.users["worker2"]]
    for learner in learners:
        db.add(Enrollment(class_id=first_class.id, user_id=learner.id, status="confirmed", confirmed_at=world.now))
    db.flush()
    starts_at = world.now + timedelta(days=30)
    choices = rank_examiners(db, certificate_type_code=code, level=level, starts_at=starts_at,
                             ends_at=starts_at + timedelta(hours=2), candidate_user_ids=[u.id for u in learners],
                             now=world.now)
    eligible = [c for c in choices if c.eligible]
    assert len(eligible) >= 5          # a panel of three plus proctors
    teacher_choice = next(c for c in choices if c.user.id == teacher.id)
    assert not teacher_choice.eligible and any("trained candidate" in r for r in teacher_choice.reasons)
