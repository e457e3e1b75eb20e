"""Factories of the instructor pool (the catalog's factories are reused)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from instructors.models import InstructorProfile, Qualification, QualificationStatus
from tests.courses.conftest import (  # noqa: F401 - fixtures reused from the catalog's tests
    NOW,
    industry,
    make_class,
    make_course,
    make_enrollment,
    make_lesson,
    make_member,
    now,
    provider,
)

_n = itertools.count(1)
TYPE_CODE = "electrician_low_voltage"
TYPE_NAME = "低压电工作业"


@pytest.fixture
def make_examiner(db, make_user):
    """A pool member holding a (verified unless told) 考评员 qualification for 低压电工作业."""
    from app.access import Role

    def make(*, status: QualificationStatus = QualificationStatus.VERIFIED, level: str | None = "初级",
             expires_on: date | None = None, code: str = TYPE_CODE, name: str | None = None, org=None,
             city: str = "海口", **user_kwargs):
        user = make_user(Role.INSTRUCTOR, org=org, name=name, **user_kwargs)
        db.add(InstructorProfile(user_id=user.id, city=city, titles=["技师"], years_experience=10))
        db.add(Qualification(user_id=user.id, certificate_type_code=code, certificate_type_name=TYPE_NAME,
                             level=level, number=f"KP-{next(_n):06d}", issuer="海南省职业技能鉴定中心",
                             expires_on=expires_on or (NOW + timedelta(days=700)).date(), status=status))
        db.flush()
        return user

    return make


@pytest.fixture(autouse=True)
def _edges_on_the_tests_clock(app):
    """Every factory here dates things from the fixed NOW: pages and API calls see the same clock
    (the suite also runs with the process clock moved a year ahead or back)."""
    app.config["CLOCK"] = lambda: NOW
    yield NOW
    app.config.pop("CLOCK", None)
