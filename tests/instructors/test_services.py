"""Profiles, qualifications, availability, relations, invitations and ratings: rules and roles."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.access import Role
from app.auth.models import OutboxMessage
from app.errors import Conflict, Forbidden, Invalid, NotFound
from courses.models import Attendance, ClassDay, EnrollmentStatus
from instructors import services
from instructors.models import InstructorBooking, InvitationStatus, QualificationStatus
from instructors.queries.examiners import local_day, qualification_counts
from instructors.queries.pool import PoolFilters, pool_select, teaching_record
from tests.instructors.conftest import NOW, TYPE_CODE

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n" + b"x" * 64


def add_q(db, actor, person, **kwargs):
    values = dict(certificate_type_code=TYPE_CODE, certificate_type_name="低压电工作业", level="初级",
                  number="KP-1", issuer="鉴定中心", expires_on=(NOW + timedelta(days=365)).date())
    values.update(kwargs)
    return services.add_qualification(db, actor=actor, user_id=person.id, now=NOW, **values)


def test_an_instructor_edits_only_their_own_profile(db, make_user):
    me, other = make_user(Role.INSTRUCTOR), make_user(Role.INSTRUCTOR)
    profile = services.update_profile(db, actor=me, user_id=me.id, now=NOW, changes={
        "titles": "高级技师、讲师", "years_experience": 12, "city": "海口", "biography": "电工",
        "trades": "低压电工作业 初级\n高压电工作业：中级"})
    assert profile.titles == ["高级技师", "讲师"]
    assert [(t.trade, t.level) for t in profile.trades] == [("低压电工作业", "初级"), ("高压电工作业", "中级")]
    with pytest.raises(NotFound):
        services.update_profile(db, actor=me, user_id=other.id, now=NOW, changes={"city": "三亚"})
    with pytest.raises(Invalid):
        services.update_profile(db, actor=me, user_id=me.id, now=NOW, changes={"years_experience": 99})
    with pytest.raises(Invalid):
        services.update_profile(db, actor=me, user_id=me.id, now=NOW, changes={"salary": 1})


def test_a_provider_admin_edits_their_staff_but_not_others(db, make_user, make_org):
    org = make_org()
    admin = make_user(Role.PROVIDER_ADMIN, org=org)
    staff, stranger = make_user(Role.INSTRUCTOR, org=org), make_user(Role.INSTRUCTOR)
    services.update_profile(db, actor=admin, user_id=staff.id, now=NOW, changes={"years_experience": 5})
    add_q(db, admin, staff)
    with pytest.raises(NotFound):
        services.update_profile(db, actor=admin, user_id=stranger.id, now=NOW, changes={"years_experience": 5})


def test_photo_and_scan_are_checked_by_content(db, make_user, tmp_path):
    me = make_user(Role.INSTRUCTOR)
    profile = services.set_photo(db, actor=me, user_id=me.id, content=PNG, upload_folder=str(tmp_path), now=NOW)
    assert profile.photo.endswith(".png") and (tmp_path / "instructors" / profile.photo).is_file()
    with pytest.raises(Invalid):
        services.set_photo(db, actor=me, user_id=me.id, content=b"GIF89a", upload_folder=str(tmp_path), now=NOW)
    q = add_q(db, me, me, scan=PDF, scan_name="证书.pdf", upload_folder=str(tmp_path))
    assert q.scan_file.endswith(".pdf") and q.scan_name == "证书.pdf" and q.status == QualificationStatus.PENDING
    with pytest.raises(Invalid):
        add_q(db, me, me, scan=b"<html>", upload_folder=str(tmp_path))


def test_only_union_admins_verify_and_never_their_own(db, make_user):
    me, union = make_user(Role.INSTRUCTOR), make_user(Role.UNION_ADMIN)
    provider_admin = make_user(Role.PROVIDER_ADMIN)
    q = add_q(db, me, me)
    for actor in (me, provider_admin):
        with pytest.raises(Forbidden):
            services.decide_qualification(db, actor=actor, qualification_id=q.id, verify=True, now=NOW)
    with pytest.raises(Invalid):
        services.decide_qualification(db, actor=union, qualification_id=q.id, verify=False, now=NOW)
    services.decide_qualification(db, actor=union, qualification_id=q.id, verify=True, now=NOW)
    assert q.status == QualificationStatus.VERIFIED and q.decided_by_id == union.id
    assert qualification_counts(q, now=NOW)
    own = add_q(db, union, union)
    with pytest.raises(Forbidden):
        services.decide_qualification(db, actor=union, qualification_id=own.id, verify=True, now=NOW)


def test_a_qualification_stops_counting_on_its_expiry_date(db, make_user):
    me = make_user(Role.INSTRUCTOR)
    q = add_q(db, me, me, expires_on=local_day(NOW) + timedelta(days=2))
    q.status = QualificationStatus.VERIFIED
    assert qualification_counts(q, now=NOW)
    assert qualification_counts(q, now=NOW + timedelta(days=1))
    assert not qualification_counts(q, now=NOW + timedelta(days=2))
    with pytest.raises(Invalid):
        add_q(db, me, me, issued_on=local_day(NOW), expires_on=local_day(NOW) - timedelta(days=1))


def test_availability_and_relations(db, make_user, make_member):
    me, friend = make_user(Role.INSTRUCTOR), make_member()
    slot = services.add_availability(db, actor=me, user_id=me.id, starts_at=NOW + timedelta(days=1),
                                     ends_at=NOW + timedelta(days=30), kind="examine", now=NOW)
    with pytest.raises(Invalid):
        services.add_availability(db, actor=me, user_id=me.id, starts_at=NOW - timedelta(days=3),
                                  ends_at=NOW - timedelta(days=1), now=NOW)
    with pytest.raises(NotFound):
        services.remove_availability(db, actor=make_user(Role.INSTRUCTOR), availability_id=slot.id)
    services.remove_availability(db, actor=me, availability_id=slot.id)
    relation = services.declare_relation(db, actor=me, related_account=friend.phone, relation="kin", now=NOW)
    again = services.declare_relation(db, actor=me, related_account=friend.phone, relation="colleague", now=NOW)
    assert again.id == relation.id and again.relation == "colleague"
    with pytest.raises(Invalid):
        services.declare_relation(db, actor=me, related_account="13999999999", relation="kin", now=NOW)
    with pytest.raises(Invalid):
        services.declare_relation(db, actor=me, related_account=me.phone, relation="kin", now=NOW)
    with pytest.raises(NotFound):
        services.remove_relation(db, actor=friend, relation_id=relation.id)


def test_the_pool_search_filters_by_trade_type_level_city_and_availability(db, make_examiner, make_user):
    haikou = make_examiner(name="甲", city="海口")
    sanya = make_examiner(name="乙", city="三亚", level="中级")
    services.update_profile(db, actor=haikou, user_id=haikou.id, now=NOW, changes={"trades": "低压电工作业 初级"})
    services.add_availability(db, actor=sanya, user_id=sanya.id, starts_at=NOW + timedelta(days=1),
                              ends_at=NOW + timedelta(days=10), now=NOW)

    def found(**filters):
        return [p.user_id for p in db.scalars(pool_select(PoolFilters(**filters), now=NOW))]

    assert set(found()) >= {haikou.id, sanya.id}
    assert found(city="三亚") == [sanya.id]
    assert found(trade="电工") == [haikou.id]
    assert found(certificate_type_code=TYPE_CODE, level="中级") == [sanya.id]
    window = dict(available_from=NOW + timedelta(days=2), available_until=NOW + timedelta(days=3))
    assert found(**window) == [sanya.id]
    services.reserve_time(db, user_id=sanya.id, starts_at=NOW + timedelta(days=2, hours=1),
                          ends_at=NOW + timedelta(days=2, hours=3), purpose="exam_session", reference_id=9, now=NOW)
    assert found(**window) == []     # booked then: not available


def test_a_provider_invites_a_pool_instructor_who_accepts(db, make_user, make_examiner, make_class, provider):
    admin = make_user(Role.PROVIDER_ADMIN, org=provider)
    teacher = make_examiner()
    training_class = make_class()
    invitation = services.invite_to_class(db, actor=admin, class_id=training_class.id, user_id=teacher.id,
                                          message="请来授课", now=NOW)
    notice = db.query(OutboxMessage).filter_by(recipient=teacher.phone).one()
    assert notice.subject == f"Invitation to teach: {training_class.course.title}"
    with pytest.raises(Conflict):
        services.invite_to_class(db, actor=admin, class_id=training_class.id, user_id=teacher.id, now=NOW)
    with pytest.raises(NotFound):   # another provider's admin
        services.invite_to_class(db, actor=make_user(Role.PROVIDER_ADMIN), class_id=training_class.id,
                                 user_id=teacher.id, now=NOW)
    with pytest.raises(NotFound):   # only the invitee answers
        services.accept_invitation(db, actor=admin, invitation_id=invitation.id, now=NOW)
    services.accept_invitation(db, actor=teacher, invitation_id=invitation.id, now=NOW)
    assert invitation.status == InvitationStatus.ACCEPTED
    assert training_class.instructor_id == teacher.id
    assert provider.id in teacher.org_ids(Role.INSTRUCTOR)
    booking = db.query(InstructorBooking).filter_by(user_id=teacher.id, purpose="class").one()
    assert booking.reference_id == training_class.id


def test_accepting_fails_when_the_instructor_is_busy(db, make_user, make_examiner, make_class, provider):
    admin = make_user(Role.PROVIDER_ADMIN, org=provider)
    teacher = make_examiner()
    first, second = make_class(), make_class()      # same days
    for tc in (first, second):
        services.invite_to_class(db, actor=admin, class_id=tc.id, user_id=teacher.id, now=NOW)
    [inv1, inv2] = sorted(db.query(services.invitations.TeachingInvitation).filter_by(user_id=teacher.id),
                          key=lambda i: i.id)
    services.accept_invitation(db, actor=teacher, invitation_id=inv1.id, now=NOW)
    with pytest.raises(Conflict) as caught:
        services.accept_invitation(db, actor=teacher, invitation_id=inv2.id, now=NOW)
    assert caught.value.code == "instructor_busy"
    services.decline_invitation(db, actor=teacher, invitation_id=inv2.id, now=NOW)
    assert inv2.status == InvitationStatus.DECLINED


def test_learners_rate_a_finished_class_once(db, make_member, make_class, make_enrollment, make_user):
    teacher = make_user(Role.INSTRUCTOR)
    finished = make_class(starts_on=(NOW - timedelta(days=10)).date(), days=3, instructor_id=teacher.id,
                          enroll_opens_at=NOW - timedelta(days=30), enroll_closes_at=NOW - timedelta(days=11))
    completed, attended, absent, outsider = make_member(), make_member(), make_member(), make_member()
    make_enrollment(finished, completed, status=EnrollmentStatus.COMPLETED)
    present = make_enrollment(finished, attended)
    make_enrollment(finished, absent)
    day = db.query(ClassDay).filter_by(class_id=finished.id).first()
    db.add(Attendance(class_day_id=day.id, enrollment_id=present.id, present=True, method="roster"))
    db.flush()
    rating = services.rate_class(db, actor=completed, class_id=finished.id, stars=5, comment="讲得好", now=NOW)
    assert rating.instructor_user_id == teacher.id and rating.course_id == finished.course_id
    services.rate_class(db, actor=attended, class_id=finished.id, stars=4, now=NOW)
    with pytest.raises(Conflict) as caught:
        services.rate_class(db, actor=completed, class_id=finished.id, stars=1, now=NOW)
    assert caught.value.code == "already_rated"
    with pytest.raises(Conflict):
        services.rate_class(db, actor=absent, class_id=finished.id, stars=3, now=NOW)
    with pytest.raises(NotFound):
        services.rate_class(db, actor=outsider, class_id=finished.id, stars=3, now=NOW)
    with pytest.raises(Invalid):
        services.rate_class(db, actor=attended, class_id=finished.id, stars=6, now=NOW)
    record = teaching_record(db, teacher.id, now=NOW)
    assert record["classes"] == 1 and record["learners"] == 3 and record["completed"] == 1
    assert record["completion_rate"] == 33


def test_a_running_class_cannot_be_rated_before_completion(db, make_member, make_class, make_enrollment):
    learner = make_member()
    upcoming = make_class()
    make_enrollment(upcoming, learner)
    with pytest.raises(Conflict) as caught:
        services.rate_class(db, actor=learner, class_id=upcoming.id, stars=5, now=NOW)
    assert caught.value.code == "not_finished"
