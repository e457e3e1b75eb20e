"""Booking an instructor's time: no double booking, idempotent repeats, release."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.access import Role
from app.errors import Conflict, Invalid, NotFound
from instructors.models import InstructorBooking
from instructors.services import release_time, reserve_time
from tests.instructors.conftest import NOW

START = NOW + timedelta(days=10)


def book(db, user, start, hours=3, purpose="exam_session", ref=1):
    return reserve_time(db, user_id=user.id, starts_at=start, ends_at=start + timedelta(hours=hours),
                        purpose=purpose, reference_id=ref, now=NOW)


def test_books_time_and_refuses_an_overlap(db, make_user):
    examiner = make_user(Role.INSTRUCTOR)
    booking = book(db, examiner, START)
    assert (booking.user_id, booking.purpose, booking.reference_id) == (examiner.id, "exam_session", 1)
    with pytest.raises(Conflict) as caught:
        book(db, examiner, START + timedelta(hours=2), ref=2)
    assert caught.value.code == "instructor_busy"
    with pytest.raises(Conflict):
        book(db, examiner, START - timedelta(hours=1), hours=10, purpose="class", ref=7)


def test_back_to_back_bookings_and_other_people_do_not_clash(db, make_user):
    examiner, other = make_user(Role.INSTRUCTOR), make_user(Role.INSTRUCTOR)
    book(db, examiner, START)
    book(db, examiner, START + timedelta(hours=3), ref=2)      # starts when the first ends
    book(db, other, START, ref=1)                               # same session, another examiner
    assert db.query(InstructorBooking).filter_by(user_id=examiner.id).count() == 2


def test_the_same_purpose_and_reference_is_idempotent_and_can_move(db, make_user):
    examiner = make_user(Role.INSTRUCTOR)
    first = book(db, examiner, START)
    again = book(db, examiner, START)
    assert again.id == first.id
    moved = book(db, examiner, START + timedelta(hours=1))     # overlaps only itself
    assert moved.id == first.id and moved.starts_at == START + timedelta(hours=1)
    assert db.query(InstructorBooking).filter_by(user_id=examiner.id).count() == 1


def test_release_frees_the_time(db, make_user):
    examiner = make_user(Role.INSTRUCTOR)
    book(db, examiner, START)
    assert release_time(db, user_id=examiner.id, purpose="exam_session", reference_id=1) is True
    assert release_time(db, user_id=examiner.id, purpose="exam_session", reference_id=1) is False
    assert book(db, examiner, START + timedelta(hours=1), ref=2).reference_id == 2


def test_bad_times_and_unknown_people_are_refused(db, make_user):
    examiner = make_user(Role.INSTRUCTOR)
    with pytest.raises(Invalid):
        book(db, examiner, START, hours=0)
    with pytest.raises(Invalid):
        reserve_time(db, user_id=examiner.id, starts_at=START.replace(tzinfo=None),
                     ends_at=START.replace(tzinfo=None) + timedelta(hours=1), purpose="class", reference_id=1, now=NOW)
    with pytest.raises(NotFound):
        reserve_time(db, user_id=999_999, starts_at=START, ends_at=START + timedelta(hours=1), purpose="class",
                     reference_id=1, now=NOW)


def test_a_class_given_a_teacher_on_the_shelf_keeps_them_busy(db, make_user, make_class):
    teacher = make_user(Role.INSTRUCTOR)
    training_class = make_class(instructor_id=teacher.id, days=2)     # starts in 14 days, no booking row
    from instructors.services.booking import class_window

    start, end = class_window(training_class)
    with pytest.raises(Conflict):
        reserve_time(db, user_id=teacher.id, starts_at=start + timedelta(hours=30), ends_at=start + timedelta(hours=32),
                     purpose="exam_session", reference_id=5, now=NOW)
    # the class itself may be booked (idempotent with its own assignment), and the day after is free
    reserve_time(db, user_id=teacher.id, starts_at=start, ends_at=end, purpose="class",
                 reference_id=training_class.id, now=NOW)
    book(db, teacher, end, ref=6)
