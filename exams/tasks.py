"""Celery tasks of the exams domain: submitting overdue attempts, reminders before sessions, expiring
seats held for unpaid exam fees."""

from __future__ import annotations

from celery import shared_task

from app.db import get_session, utcnow
from app.payments.gateway import current_gateway
from exams.config import hold_minutes
from exams.services import attempts, booking, jobs


@shared_task(name="exams.submit_overdue", ignore_result=True)
def submit_overdue() -> int:
    """Submit every attempt whose deadline passed, even if the candidate never came back (idempotent)."""
    session = get_session()
    done = attempts.submit_overdue(session, now=utcnow())
    session.commit()
    return done


@shared_task(name="exams.send_reminders", ignore_result=True)
def send_reminders() -> int:
    """Remind candidates the day before their exam (each booking once)."""
    session = get_session()
    sent = jobs.send_reminders(session, now=utcnow())
    session.commit()
    return sent


@shared_task(name="exams.release_expired_holds", ignore_result=True)
def release_expired_holds() -> int:
    """Expire seats held for exam fees not paid in time, free them and promote waitlists (idempotent)."""
    session = get_session()
    released = booking.release_expired_holds(session, now=utcnow(), hold_minutes=hold_minutes(),
                                             gateway=current_gateway())
    session.commit()
    return released

