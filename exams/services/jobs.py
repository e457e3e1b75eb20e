"""Periodic work: reminders before a session (mail/SMS through the outbox)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.i18n import local_time
from app.notify import queue_message, speaking_to
from exams.models import BookingStatus, ExamBooking, ExamSession, SessionStatus

REMIND_BEFORE = timedelta(hours=24)


def send_reminders(session: Session, *, now: datetime) -> int:
    """Remind booked candidates of sessions starting within 24 hours; each booking once
    (a conditional UPDATE claims it, so two workers never both send)."""
    rows = session.execute(
        select(ExamBooking.id).join(ExamSession, ExamSession.id == ExamBooking.exam_session_id)
        .where(ExamSession.status == SessionStatus.SCHEDULED, ExamSession.starts_at > now,
               ExamSession.starts_at <= now + REMIND_BEFORE, ExamBooking.reminded_at.is_(None),
               ExamBooking.status.in_((BookingStatus.BOOKED, BookingStatus.CHECKED_IN)))
        .order_by(ExamBooking.id)).scalars().all()
    sent = 0
    for booking_id in rows:
        claimed = session.execute(update(ExamBooking).where(ExamBooking.id == booking_id,
                                                            ExamBooking.reminded_at.is_(None))
                                  .values(reminded_at=now).execution_options(synchronize_session=False))
        if not claimed.rowcount:
            continue
        booking = session.get(ExamBooking, booking_id)
        s, user = booking.exam_session, booking.user
        if not user.contact:
            continue
        with speaking_to(user):
            queue_message(session, recipient=user.contact, subject=_("Your exam is tomorrow"),
                          body=_("%(title)s starts at %(time)s, %(venue)s %(room)s, seat %(seat)s. Bring your "
                                 "admission ticket and ID card.", title=s.title, time=local_time(s.starts_at),
                                 venue=s.venue, room=s.room, seat=booking.seat_no))
        sent += 1
    session.flush()
    return sent
