"""Issuance, numbering, lifecycle and review rules of the certificates domain."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.access import Role
from app.errors import Conflict, Forbidden, Invalid
from certificates import queries, services
from certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateState,
    IssuanceJob,
    JobState,
    PublicStatus,
    ReviewState,
)
from certificates.numbers import make_number, normalise_number
from courses.models import EnrollmentStatus
from tests.certificates.conftest import NOW


def test_number_has_a_check_character_that_catches_typos():
    number = make_number("LVE", 2026, 123)
    assert number.startswith("LVE-2026-0000123-")
    assert normalise_number(number) == number
    assert normalise_number(number.replace("-", "").lower()) == number   # typed without hyphens
    typo = number[:-3] + ("4" if number[-3] != "4" else "5") + number[-2:]
    assert normalise_number(typo) is None
    swapped = number.replace("0000123", "0000132")
    assert normalise_number(swapped) is None


def test_issuing_sets_dates_number_token_indexes_and_signed_credential(db, make_certificate, issuer):
    cert = make_certificate()
    assert cert.state == CertificateState.ISSUED
    assert cert.valid_from == NOW
    assert cert.valid_until == NOW.replace(year=NOW.year + 6)     # special operations: 6 years
    assert cert.review_due == NOW.replace(year=NOW.year + 3)      # review every 3 years
    assert normalise_number(cert.number) == cert.number
    assert len(cert.token) >= 22 and cert.token not in cert.number
    assert cert.holder_name == "李电工" and cert.id_last4 == "1237"
    credential = json.loads(cert.credential)
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["validUntil"] == "2032-11-22T02:00:00Z"
    # No ID digits in the credential (read without its random parts: status-list indexes, the
    # token and the signature may hold any digits).
    fixed = json.dumps({k: v for k, v in credential.items() if k not in ("credentialStatus", "proof")},
                       ensure_ascii=False).replace(cert.token, "")
    assert "1237" not in fixed and "460100" not in fixed and "credentialStatus" in credential
    assert {e["statusPurpose"] for e in credential["credentialStatus"]} == {"revocation", "suspension"}
    assert credential["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert cert.status_at(NOW) == PublicStatus.VALID
    assert cert.status_at(cert.valid_until) == PublicStatus.EXPIRED
    assert cert.status_at(NOW - timedelta(seconds=1)) == PublicStatus.NOT_YET_VALID


def test_only_union_admins_issue_and_a_proposal_is_issued_once(db, propose, issuer, union_admin, make_user):
    cert = propose()
    with pytest.raises(Forbidden):
        services.issue_certificate(db, actor=make_user(Role.WORKER), certificate_id=cert.id, issuer=issuer, now=NOW)
    services.issue_certificate(db, actor=union_admin, certificate_id=cert.id, issuer=issuer, now=NOW)
    with pytest.raises(Conflict):
        services.issue_certificate(db, actor=union_admin, certificate_id=cert.id, issuer=issuer, now=NOW)


def test_a_rule_proposes_once(db, make_member):
    user = make_member()
    proposal = services.Proposal(user_id=user.id, source_key="exam:1:2:3", kind="appraisal", title="X")
    assert services.propose(db, proposal, issuer_name="U", now=NOW) is not None
    assert services.propose(db, proposal, issuer_name="U", now=NOW) is None


def test_auto_issue_types_are_issued_at_once(db, make_member, issuer):
    user = make_member()
    cert = services.propose(db, services.Proposal(user_id=user.id, source_key="exam:9:9:9", kind="appraisal",
                                                  title="Y", auto_issue=True), issuer_name="U", now=NOW,
                            issuer=issuer)
    assert cert.state == CertificateState.ISSUED and cert.credential


def test_status_indexes_are_random_and_unique(db, make_certificate):
    certs = [make_certificate() for _ in range(6)]
    revocation = [c.revocation_index for c in certs]
    assert len(set(revocation)) == 6
    assert revocation != sorted(revocation) or len(set(revocation)) == 6   # not sequential 0..5
    assert max(revocation) > 5


def test_training_completion_proposals_follow_the_class_rule(db, make_class, make_member, make_enrollment,
                                                             issuer, union_admin):
    training_class = make_class()
    done = make_enrollment(training_class, make_member(), status=EnrollmentStatus.COMPLETED)
    make_enrollment(training_class, make_member(), status=EnrollmentStatus.CONFIRMED)   # not completed
    proposed = services.propose_training_certificates(db, class_id=training_class.id, issuer_name="U", now=NOW)
    assert [c.source_key for c in proposed] == [f"enrollment:{done.id}"]
    assert proposed[0].valid_until is None and proposed[0].class_id == training_class.id
    assert services.propose_training_certificates(db, class_id=training_class.id, issuer_name="U", now=NOW) == []
    assert services.propose_completed_training(db, issuer_name="U", now=NOW) == 0


def test_the_periodic_sweep_proposes_for_completed_enrollments(db, make_class, make_member, make_enrollment):
    training_class = make_class()
    make_enrollment(training_class, make_member(), status=EnrollmentStatus.COMPLETED)
    assert services.propose_completed_training(db, issuer_name="U", now=NOW) == 1
    assert services.propose_completed_training(db, issuer_name="U", now=NOW) == 0


def test_bulk_job_is_idempotent_and_resumable(db, propose, issuer, union_admin, make_class):
    training_class = make_class()
    certs = [propose(class_id=training_class.id) for _ in range(5)]
    job = services.start_issuance_job(db, actor=union_admin, scope=f"class:{training_class.id}", now=NOW)
    assert job.total == 5
    # first batch of 2, then "crash": the job resumes where it stopped
    assert services.run_issuance_batch(db, job_id=job.id, issuer=issuer, now=NOW, batch=2) is True
    assert job.done == 2
    while services.run_issuance_batch(db, job_id=job.id, issuer=issuer, now=NOW, batch=2):
        pass
    assert job.state == JobState.DONE and job.done == 5
    numbers = {c.number for c in certs}
    assert len(numbers) == 5 and None not in numbers
    # running it again issues nothing twice
    assert services.run_issuance_batch(db, job_id=job.id, issuer=issuer, now=NOW) is False
    issued = db.scalar(select(func.count()).select_from(CertificateEvent).where(CertificateEvent.action == "issued"))
    assert issued == 5
    with pytest.raises(Conflict):
        services.start_issuance_job(db, actor=union_admin, scope=f"class:{training_class.id}", now=NOW)


def test_the_job_task_runs_to_done(db, app, propose, union_admin, make_class):
    from certificates.tasks import run_issuance_job

    training_class = make_class()
    for _ in range(3):
        propose(class_id=training_class.id)
    job = services.start_issuance_job(db, actor=union_admin, scope=f"class:{training_class.id}", now=NOW)
    db.commit()
    run_issuance_job.apply(args=(job.id,))
    db.expire_all()
    assert db.get(IssuanceJob, job.id).state == JobState.DONE


def test_revoke_needs_a_reason_is_permanent_and_logged(db, make_certificate, union_admin):
    cert = make_certificate()
    with pytest.raises(Invalid):
        services.revoke_certificate(db, actor=union_admin, certificate_id=cert.id, reason=" ", now=NOW)
    services.revoke_certificate(db, actor=union_admin, certificate_id=cert.id, reason="作弊", now=NOW)
    assert cert.status_at(NOW) == PublicStatus.REVOKED
    with pytest.raises(Conflict):
        services.suspend_certificate(db, actor=union_admin, certificate_id=cert.id, reason="x", now=NOW)
    with pytest.raises(Conflict):
        services.reinstate_certificate(db, actor=union_admin, certificate_id=cert.id, reason="x", now=NOW)
    event = queries.events_of(db, cert.id)[-1]
    assert (event.action, event.actor_id, event.reason, event.at) == ("revoked", union_admin.id, "作弊", NOW)


def test_suspend_and_reinstate_are_logged_and_change_the_status_lists(db, make_certificate, union_admin):
    cert = make_certificate()
    services.suspend_certificate(db, actor=union_admin, certificate_id=cert.id, reason="调查中", now=NOW)
    _list, bits = queries.status_list_bits(db, cert.suspension_list_id)
    assert cert.suspension_index in bits
    services.reinstate_certificate(db, actor=union_admin, certificate_id=cert.id, reason="调查结束", now=NOW)
    _list, bits = queries.status_list_bits(db, cert.suspension_list_id)
    assert cert.suspension_index not in bits
    assert [e.action for e in queries.events_of(db, cert.id)][-2:] == ["suspended", "reinstated"]


def test_review_reminders_start_60_days_before_and_are_sent_once(db, make_certificate):
    cert = make_certificate()
    assert services.send_review_reminders(db, now=cert.review_due - timedelta(days=61)) == 0
    assert services.send_review_reminders(db, now=cert.review_due - timedelta(days=59)) == 1
    assert services.send_review_reminders(db, now=cert.review_due - timedelta(days=58)) == 0


def test_a_missed_review_suspends(db, make_certificate):
    cert = make_certificate()
    assert services.suspend_missed_reviews(db, now=cert.review_due - timedelta(days=1)) == 0
    assert services.suspend_missed_reviews(db, now=cert.review_due + timedelta(days=1)) == 1
    assert cert.status_at(cert.review_due + timedelta(days=1)) == PublicStatus.SUSPENDED


def test_a_passed_review_supersedes_the_old_certificate(db, make_certificate, union_admin, issuer):
    cert = make_certificate()
    holder = cert.user
    later = cert.review_due - timedelta(days=30)
    with pytest.raises(Invalid):
        services.apply_for_review(db, actor=holder, certificate_id=cert.id, training_hours=4, note="", now=later)
    review = services.apply_for_review(db, actor=holder, certificate_id=cert.id, training_hours=8, note="复审培训",
                                       now=later)
    with pytest.raises(Conflict):
        services.apply_for_review(db, actor=holder, certificate_id=cert.id, training_hours=8, note="", now=later)
    services.decide_review(db, actor=union_admin, review_id=review.id, passed=True, note="", issuer=issuer, now=later)
    assert review.state == ReviewState.PASSED
    new = db.get(Certificate, review.new_certificate_id)
    assert new.supersedes_id == cert.id and new.state == CertificateState.ISSUED
    assert new.valid_until == cert.valid_until            # the 6-year validity still runs
    assert new.review_due is None or new.review_due < new.valid_until
    assert cert.status_at(later) == PublicStatus.REVOKED and new.number in cert.revocation_reason


def test_someone_else_cannot_apply_for_my_review(db, make_certificate, make_member):
    from app.errors import NotFound

    cert = make_certificate()
    with pytest.raises(NotFound):
        services.apply_for_review(db, actor=make_member(), certificate_id=cert.id, training_hours=8, note="",
                                  now=NOW)


def test_counts_per_type(db, make_certificate, propose, union_admin):
    make_certificate()
    expiring = make_certificate(at=NOW - timedelta(days=6 * 365 - 30))
    revoked = make_certificate()
    services.revoke_certificate(db, actor=union_admin, certificate_id=revoked.id, reason="x", now=NOW)
    propose()
    [row] = queries.counts_per_type(db, now=NOW)
    assert (row.issued, row.pending, row.expiring, row.revoked) == (2, 1, 1, 1)
    assert expiring.valid_until > NOW


def test_government_certificates_are_recorded_and_checked(db, make_member, union_admin):
    from datetime import date

    member = make_member()
    record = services.record_government_certificate(
        db, actor=member, name="特种作业操作证", number="T1", issuer="应急管理厅", issued_on=date(2024, 1, 1),
        valid_until=date(2030, 1, 1), scan_path=None, scan_name=None, now=NOW)
    with pytest.raises(Forbidden):
        services.verify_government_certificate(db, actor=member, record_id=record.id, verified=True, note="",
                                               now=NOW)
    services.verify_government_certificate(db, actor=union_admin, record_id=record.id, verified=True, note="ok",
                                           now=NOW)
    assert record.state == "verified" and record.verified_by_id == union_admin.id
    from certificates.facts import certificates_of_member

    [fact] = certificates_of_member(db, member.id, now=NOW)
    assert fact["ours"] is False and fact["token"] is None
