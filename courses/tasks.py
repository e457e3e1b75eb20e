"""Celery tasks of the catalog domain: releasing expired seat holds and class reminders."""

from __future__ import annotations

from celery import shared_task
from flask import current_app

from app.db import get_session, utcnow
from app.payments.gateway import current_gateway
from courses.services import enrollment


def enrollment_settings() -> enrollment.Settings:
    """Enrollment settings from the app's configuration."""
    return enrollment.Settings(hold_minutes=current_app.config["SEAT_HOLD_MINUTES"],
                               online=bool(current_app.config.get("STRIPE_SECRET_KEY")))


@shared_task(name="courses.release_expired_holds", ignore_result=True)
def release_expired_holds() -> int:
    """Expire unpaid seat holds, free their seats and promote waitlists (idempotent)."""
    session = get_session()
    released = enrollment.release_expired_holds(session, now=utcnow(), settings=enrollment_settings(),
                                                gateway=current_gateway())
    session.commit()
    return released


@shared_task(name="courses.send_class_reminders", ignore_result=True)
def send_class_reminders() -> int:
    """Remind participants the day before their class (each reminder logged, never sent twice)."""
    session = get_session()
    sent = enrollment.send_class_reminders(session, now=utcnow())
    session.commit()
    return sent


LISTING_BATCH = 500


@shared_task(name="courses.refresh_listings", ignore_result=True)
def refresh_listings() -> int:
    """Recompute the catalog columns of every listed course, in committed batches (nightly:
    enrollment windows close as time passes). Idempotent; returns how many were refreshed."""
    from sqlalchemy import select

    from courses.models import Course
    from courses.services.shelf import refresh_course_listing

    session = get_session()
    now, last_id, done = utcnow(), 0, 0
    while True:
        ids = list(session.scalars(select(Course.id).where(Course.id > last_id, Course.next_start_on.is_not(None))
                                   .order_by(Course.id).limit(LISTING_BATCH)))
        if not ids:
            return done
        for course_id in ids:
            refresh_course_listing(session, course_id, now=now)
        session.commit()
        done, last_id = done + len(ids), ids[-1]
