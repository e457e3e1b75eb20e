"""Fixtures of the records domain: the catalog's factories (courses publishes "training") and
a fake domain publishing the other domains' facts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.courses import conftest as catalog
from tests.records import fakes

# the catalog's factories, shared (courses publishes the "training" fact records reads)
industry, provider, make_course, make_class = catalog.industry, catalog.provider, catalog.make_course, catalog.make_class
make_member, make_enrollment = catalog.make_member, catalog.make_enrollment

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture(autouse=True)
def _edges_on_the_tests_clock(app):
    """Factories here date things from the fixed NOW: pages and API calls see the same clock
    (the suite also runs with the process clock moved a year ahead)."""
    app.config["CLOCK"] = lambda: NOW
    yield NOW
    app.config.pop("CLOCK", None)


@pytest.fixture
def facts(app):
    """Install the fake domain's facts for the test; ``facts[(name, user_id)] = [...]``."""
    registry = app.extensions["domains"]
    registry.domains.append(fakes.DOMAIN)
    fakes.STORE.clear()
    yield fakes.STORE
    registry.domains.remove(fakes.DOMAIN)
    fakes.STORE.clear()


@pytest.fixture
def completed(db, make_class, make_course, make_enrollment, provider):
    """``completed(user, hours=64, on=datetime)`` — a completed offline class enrollment."""
    from courses.models import EnrollmentStatus

    def make(user, *, hours: int = 64, on: datetime = NOW, title: str = "低压电工作业培训", **class_values):
        course = make_course(title=title, hours=hours, skills=["低压电气安全"])
        training_class = make_class(course=course, starts_on=on.date(), **class_values)
        enrollment = make_enrollment(training_class, user, status=EnrollmentStatus.COMPLETED)
        enrollment.completed_at = on
        enrollment.confirmed_at = on
        db.flush()
        return enrollment

    return make
