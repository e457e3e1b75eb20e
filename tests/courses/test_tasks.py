"""Periodic jobs of the catalog: every beat entry names a registered task; listings refresh."""

from datetime import timedelta

from app.db import utcnow
from courses.tasks import refresh_listings


def test_every_beat_entry_names_a_registered_task(app):
    celery = app.extensions["celery"]
    assert {entry["task"] for entry in celery.conf.beat_schedule.values()} <= set(celery.tasks)


def test_nightly_refresh_drops_classes_whose_enrollment_closed(db, make_class):
    closed = make_class(price=50000, enroll_closes_at=utcnow() - timedelta(hours=1),
                        starts_on=(utcnow() + timedelta(days=3)).date())
    course = closed.course
    course.next_start_on, course.price_from = closed.starts_on, 50000  # stale listing
    db.flush()
    assert refresh_listings.run() >= 1
    db.refresh(course)
    assert course.price_from is None and course.next_start_on is None
