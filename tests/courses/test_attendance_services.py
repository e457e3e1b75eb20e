"""Class days, roster marking, QR check-in and the attendance share of completion (services)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from app.access import Role
from app.errors import Conflict, Forbidden, Invalid, NotFound
from courses.models import Attendance, AttendanceMethod, ClassDay, ClassMode, EnrollmentStatus
from courses.services import learning as svc
from courses.services.learning.attendance import _secret_tag

SECRET = "test-secret-key-not-for-production"


@pytest.fixture
def teacher(make_user):
    return make_user(Role.INSTRUCTOR)


@pytest.fixture
def today_class(make_class, teacher, now):
    """An offline class of 3 days that started today (10:00 in Shanghai at NOW)."""
    return make_class(mode=ClassMode.OFFLINE, instructor_id=teacher.id, starts_on=svc.local_day(now), days=3,
                      attendance_required_pct=60)


def test_class_days_are_created_once_with_random_secrets(db, today_class):
    days = svc.ensure_class_days(db, today_class)
    assert [d.day for d in days] == [today_class.starts_on + timedelta(days=i) for i in range(3)]
    assert len({d.checkin_secret for d in days}) == 3
    again = svc.ensure_class_days(db, today_class)
    assert [d.id for d in again] == [d.id for d in days]
    assert db.scalar(select(func.count()).select_from(ClassDay).where(ClassDay.class_id == today_class.id)) == 3


def test_online_classes_have_no_days(db, make_class):
    assert svc.ensure_class_days(db, make_class(mode=ClassMode.ONLINE)) == []


def test_local_day_is_shanghai():
    assert str(svc.local_day(datetime(2026, 11, 22, 16, 30, tzinfo=UTC))) == "2026-11-23"


# --- roster -------------------------------------------------------------------------------

def test_roster_marks_present_and_absent_and_can_be_corrected(db, today_class, teacher, make_member,
                                                             make_enrollment, now):
    a, b = make_enrollment(today_class, make_member()), make_enrollment(today_class, make_member())
    svc.mark_attendance(db, actor=teacher, class_id=today_class.id, day=today_class.starts_on, present=[a.id],
                        absent=[b.id], now=now)
    marks = {m.enrollment_id: m for m in db.scalars(select(Attendance))}
    assert marks[a.id].present and not marks[b.id].present
    assert marks[a.id].method == AttendanceMethod.ROSTER and marks[a.id].marked_by_id == teacher.id
    svc.mark_attendance(db, actor=teacher, class_id=today_class.id, day=today_class.starts_on, present=[b.id],
                        absent=[], now=now)
    assert db.scalar(select(func.count()).select_from(Attendance)) == 2
    assert db.scalar(select(Attendance.present).where(Attendance.enrollment_id == b.id)) is True


def test_roster_rules(db, today_class, teacher, make_member, make_enrollment, make_class, now):
    a = make_enrollment(today_class, make_member())
    pending = make_enrollment(today_class, make_member(), status=EnrollmentStatus.PENDING_PAYMENT)
    other = make_enrollment(make_class(), make_member())
    mark = dict(actor=teacher, class_id=today_class.id, day=today_class.starts_on, absent=[], now=now)
    for ids, code in (([pending.id], "unknown_enrollment"), ([other.id], "unknown_enrollment")):
        with pytest.raises(Invalid) as exc:
            svc.mark_attendance(db, **{**mark, "present": ids})
        assert exc.value.code == code
    with pytest.raises(Invalid) as exc:
        svc.mark_attendance(db, **{**mark, "present": [a.id], "absent": [a.id]})
    assert exc.value.code == "marked_twice"
    with pytest.raises(Invalid) as exc:
        svc.mark_attendance(db, **{**mark, "present": [a.id], "day": today_class.starts_on + timedelta(days=1)})
    assert exc.value.code == "day_in_future"
    with pytest.raises(Invalid) as exc:
        svc.mark_attendance(db, **{**mark, "present": [a.id], "day": today_class.starts_on - timedelta(days=1)})
    assert exc.value.code == "not_a_class_day"


def test_only_the_teacher_or_provider_admin_marks(db, today_class, make_user, make_member, make_enrollment,
                                                 provider, now):
    a = make_enrollment(today_class, make_member())
    admin = make_user(Role.PROVIDER_ADMIN, org=provider)
    svc.mark_attendance(db, actor=admin, class_id=today_class.id, day=today_class.starts_on, present=[a.id],
                        absent=[], now=now)
    for outsider in (make_user(Role.INSTRUCTOR), make_user(Role.PROVIDER_ADMIN), make_member()):
        with pytest.raises(NotFound):
            svc.mark_attendance(db, actor=outsider, class_id=today_class.id, day=today_class.starts_on,
                                present=[a.id], absent=[], now=now)


def test_online_class_has_no_roster(db, make_class, teacher, now):
    online = make_class(mode=ClassMode.ONLINE, instructor_id=teacher.id)
    with pytest.raises(Invalid) as exc:
        svc.mark_attendance(db, actor=teacher, class_id=online.id, day=online.starts_on, present=[], absent=[],
                            now=now)
    assert exc.value.code == "no_class_days"


# --- completion with attendance -----------------------------------------------------------

def test_offline_class_needs_the_attendance_share_as_well_as_the_lessons(db, today_class, teacher, make_lesson,
                                                                        make_member, make_enrollment, now):
    lesson = make_lesson(today_class)
    worker = make_member()
    enrollment = make_enrollment(today_class, worker)
    svc.mark_lesson_done(db, actor=worker, lesson_id=lesson.id, now=now)
    assert enrollment.status == EnrollmentStatus.CONFIRMED          # lessons done, no attendance yet
    day1, day2 = today_class.starts_on, today_class.starts_on + timedelta(days=1)
    svc.mark_attendance(db, actor=teacher, class_id=today_class.id, day=day1, present=[enrollment.id], absent=[],
                        now=now)
    assert enrollment.status == EnrollmentStatus.CONFIRMED          # 1 of 3 days < 60 %
    later = now + timedelta(days=1)
    svc.mark_attendance(db, actor=teacher, class_id=today_class.id, day=day2, present=[enrollment.id], absent=[],
                        now=later)
    assert enrollment.status == EnrollmentStatus.COMPLETED          # 2 of 3 days >= 60 %
    assert enrollment.completed_at == later


def test_attendance_alone_does_not_complete_while_lessons_remain(db, today_class, teacher, make_lesson, make_member,
                                                                make_enrollment, now):
    make_lesson(today_class)
    enrollment = make_enrollment(today_class, make_member())
    for i in range(3):
        svc.mark_attendance(db, actor=teacher, class_id=today_class.id, day=today_class.starts_on + timedelta(days=i),
                            present=[enrollment.id], absent=[], now=now + timedelta(days=i))
    assert enrollment.status == EnrollmentStatus.CONFIRMED


def test_offline_class_without_lessons_completes_on_attendance(db, make_class, teacher, make_member,
                                                              make_enrollment, now):
    one_day = make_class(mode=ClassMode.BLENDED, instructor_id=teacher.id, starts_on=svc.local_day(now), days=1)
    enrollment = make_enrollment(one_day, make_member())
    svc.mark_attendance(db, actor=teacher, class_id=one_day.id, day=one_day.starts_on, present=[enrollment.id],
                        absent=[], now=now)
    assert enrollment.status == EnrollmentStatus.COMPLETED


# --- QR check-in --------------------------------------------------------------------------

def _code(db, teacher, training_class, now):
    return svc.make_checkin_code(db, actor=teacher, class_id=training_class.id, secret_key=SECRET, now=now)[1]


def test_checkin_today_records_presence_by_qr_once(db, today_class, teacher, make_member, make_enrollment, now):
    worker = make_member()
    enrollment = make_enrollment(today_class, worker)
    code = _code(db, teacher, today_class, now)
    seen = svc.read_checkin(db, actor=worker, code=code, secret_key=SECRET, now=now)
    assert seen.class_day.day == today_class.starts_on and not seen.already
    first = svc.check_in(db, actor=worker, code=code, secret_key=SECRET, now=now + timedelta(minutes=5))
    assert first.attendance.present and first.attendance.method == AttendanceMethod.QR
    second = svc.check_in(db, actor=worker, code=code, secret_key=SECRET, now=now + timedelta(minutes=6))
    assert second.already and second.attendance.marked_at == now + timedelta(minutes=5)
    assert db.scalar(select(func.count()).select_from(Attendance)
                     .where(Attendance.enrollment_id == enrollment.id)) == 1


def test_checkin_after_an_absent_mark_turns_it_present(db, today_class, teacher, make_member, make_enrollment, now):
    worker = make_member()
    enrollment = make_enrollment(today_class, worker)
    svc.mark_attendance(db, actor=teacher, class_id=today_class.id, day=today_class.starts_on, present=[],
                        absent=[enrollment.id], now=now)
    checkin = svc.check_in(db, actor=worker, code=_code(db, teacher, today_class, now), secret_key=SECRET,
                           now=now)
    assert checkin.attendance.present and checkin.attendance.method == AttendanceMethod.QR


def test_todays_code_is_rejected_tomorrow(db, today_class, teacher, make_member, make_enrollment, now):
    worker = make_member()
    make_enrollment(today_class, worker)
    code = _code(db, teacher, today_class, now)
    with pytest.raises(Conflict) as exc:
        svc.check_in(db, actor=worker, code=code, secret_key=SECRET, now=now + timedelta(days=1))
    assert exc.value.code == "checkin_wrong_day" and exc.value.status == 409


def test_code_expires_after_12_hours_on_the_same_day(db, make_class, teacher, make_member, make_enrollment):
    early = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)    # 00:30 on 23 Nov in Shanghai
    training_class = make_class(mode=ClassMode.OFFLINE, instructor_id=teacher.id, starts_on=svc.local_day(early))
    worker = make_member()
    make_enrollment(training_class, worker)
    code = _code(db, teacher, training_class, early)
    svc.read_checkin(db, actor=worker, code=code, secret_key=SECRET, now=early + timedelta(hours=11, minutes=59))
    with pytest.raises(Conflict) as exc:
        svc.check_in(db, actor=worker, code=code, secret_key=SECRET, now=early + timedelta(hours=12, minutes=1))
    assert exc.value.code == "checkin_expired"
    assert svc.checkin_expires_at(early) == early + timedelta(hours=12)


def test_forged_and_damaged_codes_are_invalid(db, today_class, teacher, make_member, make_enrollment, now):
    worker = make_member()
    make_enrollment(today_class, worker)
    day = svc.ensure_class_days(db, today_class)[0]
    good = _code(db, teacher, today_class, now)
    forged_key = URLSafeSerializer("another-key", salt=svc.CHECKIN_SALT).dumps(
        [day.id, _secret_tag(day), int(now.timestamp())])
    no_secret = URLSafeSerializer(SECRET, salt=svc.CHECKIN_SALT).dumps(
        [day.id, "guessed", int(now.timestamp())])
    old_shape = URLSafeSerializer(SECRET, salt=svc.CHECKIN_SALT).dumps({"d": day.id})
    for code in (forged_key, no_secret, old_shape, good[:-3] + "abc", "", "not-a-code", good.replace(".", "", 1)):
        with pytest.raises(Invalid) as exc:
            svc.check_in(db, actor=worker, code=code, secret_key=SECRET, now=now)
        assert exc.value.code == "checkin_invalid" and exc.value.status == 422


def test_rotating_the_days_secret_invalidates_its_codes(db, today_class, teacher, make_member, make_enrollment,
                                                       now):
    worker = make_member()
    make_enrollment(today_class, worker)
    code = _code(db, teacher, today_class, now)
    svc.ensure_class_days(db, today_class)[0].checkin_secret = "rotated"
    with pytest.raises(Invalid):
        svc.check_in(db, actor=worker, code=code, secret_key=SECRET, now=now)


def test_not_enrolled_worker_cannot_check_in(db, today_class, teacher, make_member, make_enrollment, now):
    code = _code(db, teacher, today_class, now)
    with pytest.raises(Forbidden) as exc:
        svc.check_in(db, actor=make_member(), code=code, secret_key=SECRET, now=now)
    assert exc.value.code == "not_enrolled"
    cancelled = make_member()
    make_enrollment(today_class, cancelled, status=EnrollmentStatus.CANCELLED)
    with pytest.raises(Forbidden):
        svc.check_in(db, actor=cancelled, code=code, secret_key=SECRET, now=now)


def test_codes_only_on_class_days_and_for_teachers(db, make_class, teacher, make_user, now):
    future = make_class(mode=ClassMode.OFFLINE, instructor_id=teacher.id)          # starts in 14 days
    with pytest.raises(Conflict) as exc:
        _code(db, teacher, future, now)
    assert exc.value.code == "no_class_today"
    online = make_class(mode=ClassMode.ONLINE, instructor_id=teacher.id, starts_on=svc.local_day(now))
    with pytest.raises(Invalid):
        _code(db, teacher, online, now)
    today = make_class(mode=ClassMode.OFFLINE, instructor_id=teacher.id, starts_on=svc.local_day(now))
    with pytest.raises(NotFound):
        _code(db, make_user(Role.INSTRUCTOR), today, now)


def test_checkin_completes_when_it_is_the_last_missing_piece(db, make_class, teacher, make_member,
                                                            make_enrollment, now):
    one_day = make_class(mode=ClassMode.OFFLINE, instructor_id=teacher.id, starts_on=svc.local_day(now), days=1)
    worker = make_member()
    enrollment = make_enrollment(one_day, worker)
    svc.check_in(db, actor=worker, code=_code(db, teacher, one_day, now), secret_key=SECRET, now=now)
    assert enrollment.status == EnrollmentStatus.COMPLETED


def test_no_codes_for_a_cancelled_class(db, make_class, teacher, now):
    from courses.models import ClassStatus

    cancelled = make_class(mode=ClassMode.OFFLINE, instructor_id=teacher.id, starts_on=svc.local_day(now),
                           status=ClassStatus.CANCELLED)
    with pytest.raises(Conflict) as exc:
        _code(db, teacher, cancelled, now)
    assert exc.value.code == "class_cancelled"
