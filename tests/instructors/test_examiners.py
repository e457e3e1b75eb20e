"""Examiner assignment: qualification, expiry, availability and the three conflict rules."""

from __future__ import annotations

from datetime import timedelta

from app.access import Role
from app.auth.models import OrgKind
from app.membership.models import MemberProfile
from courses.models import EnrollmentStatus
from instructors.models import Availability, DeclaredRelation, QualificationStatus
from instructors.queries import conflicts_between, rank_examiners
from instructors.queries.examiners import local_day
from instructors.services import reserve_time
from tests.conftest import count_queries
from tests.instructors.conftest import NOW, TYPE_CODE

START = NOW + timedelta(days=20)
END = START + timedelta(hours=3)


def rank(db, candidates, level="初级", **kwargs):
    return rank_examiners(db, certificate_type_code=TYPE_CODE, level=level, starts_at=START, ends_at=END,
                          candidate_user_ids=[c.id for c in candidates], now=NOW, **kwargs)


def by_user(choices):
    return {c.user.id: c for c in choices}


def test_a_verified_unexpired_qualification_is_eligible_with_its_reason(db, make_examiner, make_member):
    examiner, candidate = make_examiner(name="李考评"), make_member()
    [choice] = rank(db, [candidate])
    assert choice.user.id == examiner.id and choice.eligible
    assert choice.reasons[0].startswith("qualified Examiner (考评员) for 低压电工作业 初级, expires on")
    assert choice.qualification.certificate_type_code == TYPE_CODE


def test_unverified_rejected_and_expired_qualifications_do_not_count(db, make_examiner, make_member):
    pending = make_examiner(status=QualificationStatus.PENDING)
    rejected = make_examiner(status=QualificationStatus.REJECTED)
    expires_today = make_examiner(expires_on=local_day(NOW))           # stops counting on its expiry date
    expires_tomorrow = make_examiner(expires_on=local_day(NOW) + timedelta(days=1))   # before the session
    fine = make_examiner()
    choices = by_user(rank(db, [make_member()]))
    assert choices[fine.id].eligible
    assert choices[pending.id].reasons == ["excluded: qualification not verified"]
    assert not choices[rejected.id].eligible
    assert choices[expires_today.id].reasons == [f"excluded: qualification expired on {local_day(NOW).isoformat()}"]
    assert not choices[expires_tomorrow.id].eligible
    assert "before the session" in choices[expires_tomorrow.id].reasons[0]


def test_level_and_type_must_match(db, make_examiner, make_member):
    other_level = make_examiner(level="中级")
    any_level = make_examiner(level=None)
    other_type = make_examiner(code="welding")
    ids = set(by_user(rank(db, [make_member()])))
    assert any_level.id in ids and other_level.id not in ids and other_type.id not in ids
    assert other_level.id in by_user(rank(db, [make_member()], level=None))


def test_a_busy_examiner_is_excluded_but_not_by_the_sessions_own_booking(db, make_examiner, make_member):
    examiner = make_examiner()
    reserve_time(db, user_id=examiner.id, starts_at=START + timedelta(hours=1), ends_at=END + timedelta(hours=1),
                 purpose="exam_session", reference_id=41, now=NOW)
    [choice] = rank(db, [make_member()])
    assert not choice.eligible and choice.reasons[-1] == "excluded: busy at that time (an exam session)"
    [same_session] = rank(db, [make_member()], exclude_booking=("exam_session", 41))
    assert same_session.eligible


def test_marked_availability_ranks_first(db, make_examiner, make_member):
    unmarked = make_examiner(name="甲")
    marked = make_examiner(name="乙")
    db.add(Availability(user_id=marked.id, kind="examine", starts_at=START - timedelta(days=1),
                        ends_at=END + timedelta(days=1)))
    db.flush()
    choices = rank(db, [make_member()])
    assert [c.user.id for c in choices] == [marked.id, unmarked.id]
    assert choices[0].available and choices[0].reasons[-1] == "marked available at that time"


def test_the_instructor_of_a_class_the_candidate_took_is_excluded(db, make_examiner, make_member, make_class,
                                                                  make_enrollment):
    teacher = make_examiner()
    candidate = make_member(name="张三")
    training_class = make_class(instructor_id=teacher.id, title="第1期")
    make_enrollment(training_class, candidate, status=EnrollmentStatus.COMPLETED)
    [choice] = rank(db, [candidate])
    assert not choice.eligible
    assert choice.reasons[-1] == (
        f"excluded: trained candidate 张三 in class 第1期 ({training_class.course.title})")
    assert conflicts_between(db, examiner_user_id=teacher.id, candidate_user_id=candidate.id) == choice.conflicts


def test_a_course_instructor_is_excluded_but_a_cancelled_enrollment_does_not_count(
        db, make_examiner, make_member, make_course, make_class, make_enrollment):
    teacher = make_examiner()
    course = make_course()
    course.instructors = [teacher]
    db.flush()
    took, left = make_member(), make_member()
    make_enrollment(make_class(course=course), took)
    make_enrollment(make_class(course=course), left, status=EnrollmentStatus.CANCELLED)
    assert conflicts_between(db, examiner_user_id=teacher.id, candidate_user_id=took.id)
    assert conflicts_between(db, examiner_user_id=teacher.id, candidate_user_id=left.id) == []


def test_same_employer_is_excluded(db, make_examiner, make_member, make_org):
    grid = make_org(OrgKind.ENTERPRISE, name="海南电网")
    colleague_examiner = make_examiner()
    db.add(MemberProfile(user_id=colleague_examiner.id, member_no="E1", union_name="工会", employer_name=" 海南电网",
                         real_name="x", id_number_cipher=b"x", id_number_hash="h1", id_last4="0000"))
    org_examiner = make_examiner(org=make_org(OrgKind.PROVIDER, name="测试企业"))   # works where the candidate works
    stranger = make_examiner()
    candidate = make_member(name="王五")   # employer_name "测试企业"
    db.execute(MemberProfile.__table__.update().where(MemberProfile.user_id == candidate.id)
               .values(employer_name="海南电网"))
    other_candidate = make_member()
    assert grid.name == "海南电网"
    assert conflicts_between(db, examiner_user_id=colleague_examiner.id, candidate_user_id=candidate.id) == [
        "excluded: same employer as candidate 王五 (海南电网)"]
    assert conflicts_between(db, examiner_user_id=org_examiner.id, candidate_user_id=other_candidate.id)
    assert conflicts_between(db, examiner_user_id=stranger.id, candidate_user_id=candidate.id) == []


def test_a_declared_relation_excludes_in_either_direction(db, make_examiner, make_member):
    examiner, cousin, apprentice = make_examiner(), make_member(name="表弟"), make_member(name="徒弟")
    db.add(DeclaredRelation(user_id=examiner.id, related_user_id=cousin.id, relation="kin"))
    db.add(DeclaredRelation(user_id=apprentice.id, related_user_id=examiner.id, relation="master_apprentice"))
    db.flush()
    assert conflicts_between(db, examiner_user_id=examiner.id, candidate_user_id=cousin.id) == [
        "excluded: declared relation with candidate 表弟 (Kin)"]
    assert conflicts_between(db, examiner_user_id=examiner.id, candidate_user_id=apprentice.id)
    [choice] = rank(db, [cousin, apprentice])
    assert not choice.eligible and len(choice.conflicts) == 2


def test_an_examiner_who_is_a_candidate_is_excluded(db, make_examiner):
    examiner = make_examiner()
    [choice] = rank(db, [examiner])
    assert not choice.eligible and choice.reasons[-1] == "excluded: is a candidate in this session"


def test_ranking_runs_a_fixed_number_of_queries(db, make_examiner, make_member, make_user):
    candidates = [make_member() for _ in range(3)]
    for _ in range(3):
        make_examiner()
    with count_queries(db) as few:
        rank(db, candidates)
    for _ in range(6):
        make_examiner()
    candidates += [make_member() for _ in range(5)]
    with count_queries(db) as many:
        assert len(rank(db, candidates)) == 9
    assert len(many) == len(few)
    assert make_user(Role.WORKER)   # unrelated people are never listed


def test_an_examiner_teaching_a_class_then_is_busy(db, make_examiner, make_member, make_class):
    from instructors.services.booking import class_window

    teacher = make_examiner()
    training_class = make_class(instructor_id=teacher.id, days=1, title="第五期")
    start, _end = class_window(training_class)
    [choice] = rank_examiners(db, certificate_type_code=TYPE_CODE, level="初级", starts_at=start + timedelta(hours=9),
                              ends_at=start + timedelta(hours=11), candidate_user_ids=[make_member().id], now=NOW)
    assert not choice.eligible and choice.reasons[-1] == "excluded: busy at that time (第五期)"
