"""Booking an instructor's or examiner's time: nobody is booked twice at the same time.

Race safety: the booker first locks the person's ``users`` row (``SELECT ... FOR NO KEY
UPDATE`` on PostgreSQL, which still lets other rows reference the user; SQLite's single
write lock serialises writers), then looks for an overlapping booking and inserts. Two
sessions booking the same person therefore run one after the other, and the second sees the
first's booking. The unique (user, purpose, reference) key makes a repeat a no-op.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.errors import Conflict, Invalid, NotFound
from app.i18n import SHANGHAI
from courses.models import ClassStatus, TrainingClass
from instructors.models import BookingPurpose, InstructorBooking


def class_window(training_class: TrainingClass) -> tuple[datetime, datetime]:
    """The class's days as a time window: 00:00 of the first day to 00:00 after the last (Shanghai)."""
    start = datetime.combine(training_class.starts_on, time(0), tzinfo=SHANGHAI)
    end = datetime.combine(training_class.ends_on + timedelta(days=1), time(0), tzinfo=SHANGHAI)
    return start, end


def classes_taught_between(session: Session, user_ids, starts_at: datetime, ends_at: datetime
                           ) -> dict[int, list[TrainingClass]]:
    """Scheduled classes each person teaches on the days the window touches, without a booking row.

    A provider may set a class's instructor on the shelf (``courses``, which cannot call this
    package); such a class keeps its teacher busy all the same.
    """
    first, last = starts_at.astimezone(SHANGHAI).date(), ends_at.astimezone(SHANGHAI).date()
    booked = select(InstructorBooking.id).where(
        InstructorBooking.user_id == TrainingClass.instructor_id, InstructorBooking.purpose == BookingPurpose.CLASS,
        InstructorBooking.reference_id == TrainingClass.id)
    found: dict[int, list[TrainingClass]] = {}
    for tc in session.scalars(select(TrainingClass).where(
            TrainingClass.instructor_id.in_(list(user_ids)), TrainingClass.status == ClassStatus.SCHEDULED,
            TrainingClass.starts_on <= last, TrainingClass.ends_on >= first, ~booked.exists())):
        start, end = class_window(tc)
        if start < ends_at and end > starts_at:
            found.setdefault(tc.instructor_id, []).append(tc)
    return found


def lock_person(session: Session, user_id: int) -> User:
    """Lock the person's row until the transaction ends (bookings of one person serialise)."""
    user = session.scalars(select(User).where(User.id == user_id)
                           .with_for_update(key_share=True)).one_or_none()
    if user is None:
        raise NotFound(_("No such person."), code="user_not_found")
    return user


def overlapping_bookings(session: Session, user_id: int, starts_at: datetime, ends_at: datetime):
    return session.scalars(
        select(InstructorBooking)
        .where(InstructorBooking.user_id == user_id, InstructorBooking.starts_at < ends_at,
               InstructorBooking.ends_at > starts_at)
        .order_by(InstructorBooking.starts_at))


def reserve_time(session: Session, *, user_id: int, starts_at: datetime, ends_at: datetime, purpose: str,
                 reference_id: int, now: datetime) -> InstructorBooking:
    """Book ``user_id`` from ``starts_at`` to ``ends_at`` for ``purpose`` #``reference_id``.

    Raises ``Conflict(code="instructor_busy")`` when that overlaps another booking of the same
    person. Booking the same purpose and reference again returns the existing booking, moved
    to the new times if they changed (and still free).
    """
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise Invalid(_("Times must carry a time zone."), code="naive_time", field="starts_at")
    if ends_at <= starts_at:
        raise Invalid(_("The end must come after the start."), code="ends_before_start", field="ends_at")
    if not purpose or len(purpose) > 32:
        raise Invalid(_("Say what the time is booked for."), field="purpose")
    lock_person(session, user_id)
    existing = session.scalar(select(InstructorBooking).where(
        InstructorBooking.user_id == user_id, InstructorBooking.purpose == purpose,
        InstructorBooking.reference_id == reference_id))
    clash = next((b for b in overlapping_bookings(session, user_id, starts_at, ends_at)
                  if existing is None or b.id != existing.id), None)
    if clash is None:
        clash = next((tc for tc in classes_taught_between(session, [user_id], starts_at, ends_at).get(user_id, [])
                      if not (purpose == BookingPurpose.CLASS and tc.id == reference_id)), None)
    if clash is not None:
        raise Conflict(_("This person is already booked at that time."), code="instructor_busy")
    if existing is not None:
        existing.starts_at, existing.ends_at = starts_at, ends_at
        session.flush()
        return existing
    booking = InstructorBooking(user_id=user_id, purpose=purpose, reference_id=reference_id,
                                starts_at=starts_at, ends_at=ends_at, created_at=now)
    session.add(booking)
    session.flush()
    return booking


def release_time(session: Session, *, user_id: int, purpose: str, reference_id: int) -> bool:
    """Free the person's booking for that purpose and reference; True when one was removed."""
    result = session.execute(delete(InstructorBooking).where(
        InstructorBooking.user_id == user_id, InstructorBooking.purpose == purpose,
        InstructorBooking.reference_id == reference_id))
    session.flush()
    return bool(result.rowcount)
