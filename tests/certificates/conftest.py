"""Factories of the certificates domain (and the catalog's, reused)."""

from __future__ import annotations

import pytest

from app.access import Role
from certificates import services
from certificates.credentials import issuer_of
from certificates.models import CertificateKind
from tests.courses.conftest import (  # noqa: F401 - fixtures
    NOW,
    industry,
    make_class,
    make_course,
    make_enrollment,
    make_member,
    now,
    provider,
)
from tests.exams.conftest import (  # noqa: F401 - fixtures
    make_questions,
    make_session,
    practical_paper,
    special_ops,
    theory_paper,
)

SPECIAL = {"validity_months": 72, "review_every_months": 36, "review_training_hours": 8}


@pytest.fixture
def issuer(app):
    return issuer_of(app)


@pytest.fixture
def union_admin(make_user):
    return make_user(Role.UNION_ADMIN)


@pytest.fixture
def propose(db, make_member):  # noqa: F811 - the fixture imported above
    """``propose(user=None, **terms)`` — a proposed appraisal certificate (special-operations terms)."""
    counter = iter(range(1, 10_000))

    def make(user=None, *, at=NOW, **terms):
        user = user or make_member(name="李电工")
        values = {"title": "低压电工作业技能鉴定合格证书", "level": "初级工", "type_code": "LVE",
                  "kind": CertificateKind.APPRAISAL, **SPECIAL, **terms}
        return services.propose(db, services.Proposal(user_id=user.id, source_key=f"test:{next(counter)}:{user.id}",
                                                      **values), issuer_name="海南省总工会", now=at)

    return make


@pytest.fixture
def make_certificate(db, propose, issuer, union_admin):
    """``make_certificate(user=None, at=NOW, **terms)`` — an issued certificate."""

    def make(user=None, *, at=NOW, **terms):
        cert = propose(user, at=at, **terms)
        return services.issue_certificate(db, actor=union_admin, certificate_id=cert.id, issuer=issuer, now=at)

    return make
