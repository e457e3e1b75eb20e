"""Certificates proposed (and, for auto-issue types, issued) from released exam results."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from app.db import utcnow
from certificates import services
from certificates.models import Certificate, CertificateState
from exams.models import BookingStatus, ComponentResult, ExamBooking
from tests.certificates.conftest import NOW


def released(db, exam_session, user, *, passed: bool, score: int, at=None):
    """A released result; ``at``: when it was sat and released (default: the session's times)."""
    booking = ExamBooking(exam_session_id=exam_session.id, user_id=user.id, status=BookingStatus.CHECKED_IN,
                          starts_at=exam_session.starts_at, ends_at=exam_session.ends_at,
                          ticket_token=secrets.token_hex(8))
    db.add(booking)
    db.flush()
    db.add(ComponentResult(booking_id=booking.id, user_id=user.id, certificate_type_id=exam_session.certificate_type_id,
                           component_id=exam_session.component_id, exam_session_id=exam_session.id, score=score, passed=passed,
                           sat_at=at or exam_session.starts_at, released_at=at or exam_session.ends_at,
                           valid_until=(at or exam_session.starts_at) + timedelta(days=365) if passed else None))
    db.flush()


def test_passing_every_component_issues_the_special_operations_certificate(db, make_session, make_member, issuer,
                                                                            special_ops):
    theory = make_session()
    practical = make_session(component="practical", starts_in=timedelta(days=14), paper=None)
    both, only_theory, failed = make_member(name="符海生"), make_member(), make_member()
    for user in (both, only_theory, failed):
        released(db, theory, user, passed=user is not failed, score=90 if user is not failed else 50)
    released(db, practical, both, passed=True, score=85)
    released(db, practical, failed, passed=False, score=40)
    later = practical.ends_at + timedelta(hours=1)

    assert services.propose_from_exam_session(db, exam_session_id=theory.id, issuer=issuer, now=later) != []
    certs = db.scalars(select(Certificate).where(Certificate.certificate_type_id == special_ops.id)).all()
    [cert] = certs
    assert cert.user_id == both.id and cert.holder_name == "符海生"
    assert cert.state == CertificateState.ISSUED            # the seeded type issues automatically
    assert cert.number.startswith("SOLV-")
    assert cert.valid_until.year == later.year + 6 and cert.review_due.year == later.year + 3
    # released again (or the signal delivered twice): nothing new
    assert services.propose_from_exam_session(db, exam_session_id=practical.id, issuer=issuer, now=later) == []


def test_the_results_released_signal_triggers_issuance(app, db, make_session, make_member, special_ops):
    from exams.signals import results_released

    theory = make_session()
    practical = make_session(component="practical", starts_in=timedelta(days=14), paper=None)
    user = make_member()
    # The task reads the clock (it is an edge): results released an hour before the real now.
    at = utcnow() - timedelta(hours=1)
    released(db, theory, user, passed=True, score=95, at=at)
    released(db, practical, user, passed=True, score=95, at=at)
    db.commit()
    results_released.send(practical.id)
    db.expire_all()
    cert = db.scalar(select(Certificate).where(Certificate.user_id == user.id))
    assert cert is not None and cert.state == CertificateState.ISSUED and cert.exam_session_id == practical.id


def test_a_type_without_auto_issue_waits_for_the_union(db, make_session, make_member, issuer, special_ops,
                                                        union_admin):
    special_ops.auto_issue = False
    theory = make_session()
    practical = make_session(component="practical", starts_in=timedelta(days=14), paper=None)
    users = [make_member(), make_member()]
    for user in users:
        released(db, theory, user, passed=True, score=90)
        released(db, practical, user, passed=True, score=90)
    later = practical.ends_at + timedelta(hours=1)
    proposed = services.propose_from_exam_session(db, exam_session_id=practical.id, issuer=issuer, now=later)
    assert {c.state for c in proposed} == {CertificateState.PROPOSED}
    job = services.start_issuance_job(db, actor=union_admin, scope=f"session:{practical.id}", now=later)
    while services.run_issuance_batch(db, job_id=job.id, issuer=issuer, now=later):
        pass
    assert {c.state for c in proposed} == {CertificateState.ISSUED} and job.done == 2
    assert NOW < later


def test_the_union_can_propose_for_a_session_on_demand(db, client, make_session, make_member, special_ops,
                                                       union_admin):
    from tests.conftest import bearer

    special_ops.auto_issue = False
    theory = make_session()
    practical = make_session(component="practical", starts_in=timedelta(days=14), paper=None)
    user = make_member()
    at = utcnow() - timedelta(hours=1)
    released(db, theory, user, passed=True, score=90, at=at)
    released(db, practical, user, passed=True, score=90, at=at)
    url = f"/api/v1/exam-sessions/{practical.id}/certificate-proposals"
    assert client.post(url, headers=bearer(user)).status_code == 403
    assert client.post(url, headers=bearer(union_admin)).json == {"proposed": 1}
    assert client.post(url, headers=bearer(union_admin)).json == {"proposed": 0}
    assert client.post("/api/v1/exam-sessions/999999/certificate-proposals",
                       headers=bearer(union_admin)).status_code == 404
