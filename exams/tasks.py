"""Celery tasks of the exams domain: submitting overdue attempts, reminders before sessions."""

from __future__ import annotations

from celery import shared_task

from app.db import get_session, utcnow
from exams.services import attempts, jobs


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
