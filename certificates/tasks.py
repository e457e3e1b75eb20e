"""Celery tasks of the certificates domain: bulk issuance jobs and the review cycle."""

from __future__ import annotations

import logging

from celery import shared_task
from flask import current_app

from app.db import get_session, utcnow
from certificates import services
from certificates.credentials import issuer_of
from certificates.models import IssuanceJob, JobState

log = logging.getLogger(__name__)


@shared_task(name="certificates.run_issuance_job", ignore_result=True)
def run_issuance_job(job_id: int) -> int:
    """Issue a job's proposals batch by batch, committing each (progress visible on the page).
    Safe to run again after a crash or twice at once: only proposals are taken."""
    session = get_session()
    issuer = issuer_of(current_app)
    batches = 0
    try:
        while services.run_issuance_batch(session, job_id=job_id, issuer=issuer, now=utcnow()):
            session.commit()
            batches += 1
        session.commit()
    except Exception as exc:
        session.rollback()
        job = session.get(IssuanceJob, job_id)
        if job is not None:
            job.state, job.error = JobState.FAILED, str(exc)[:500]
            session.commit()
        raise
    return batches


@shared_task(name="certificates.send_review_reminders", ignore_result=True)
def send_review_reminders() -> int:
    session = get_session()
    sent = services.send_review_reminders(session, now=utcnow())
    session.commit()
    return sent


@shared_task(name="certificates.suspend_missed_reviews", ignore_result=True)
def suspend_missed_reviews() -> int:
    session = get_session()
    suspended = services.suspend_missed_reviews(session, now=utcnow())
    session.commit()
    return suspended


@shared_task(name="certificates.propose_completed_training", ignore_result=True)
def propose_completed_training() -> int:
    session = get_session()
    proposed = services.propose_completed_training(session, issuer_name=current_app.config["CERT_ISSUER_NAME"],
                                                   now=utcnow())
    session.commit()
    return proposed


@shared_task(name="certificates.propose_from_exam_session", ignore_result=True)
def propose_from_exam_session(exam_session_id: int) -> int:
    """Proposals (or automatic certificates) for a session whose results were just released."""
    session = get_session()
    proposed = services.propose_from_exam_session(session, exam_session_id=exam_session_id,
                                                  issuer=issuer_of(current_app), now=utcnow())
    session.commit()
    return len(proposed)


def on_results_released(exam_session_id: int, **_kwargs) -> None:
    """``exams.signals.results_released`` receiver (sent after the release has committed)."""
    from app.celery import enqueue

    try:
        enqueue(propose_from_exam_session, exam_session_id)
    except Exception:   # the release has committed: never fail it; the union can propose for the session
        log.exception("certificates for exam session %s could not be proposed", exam_session_id)
