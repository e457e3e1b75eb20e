"""Every write of the certificates domain: proposals, issuance (one, per class/session, bulk
jobs), revocation, suspension, reinstatement, review (复审), government-issued records.

Services take ``session``, ``actor`` and ``now``, flush but never commit, and raise
DomainError subclasses. Signing needs an :class:`certificates.credentials.Issuer`, passed in
by the edge.
"""

from __future__ import annotations

import calendar
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.membership.models import MemberProfile, MembershipStatus
from app.notify import queue_message, speaking_to
from certificates.credentials import Issuer
from certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateKind,
    CertificatePdf,
    CertificateState,
    GovernmentCertificate,
    IssuanceJob,
    JobState,
    RecordedState,
    ReviewApplication,
    ReviewState,
    StatusList,
    StatusPurpose,
)
from certificates.numbers import clean_code, make_number, new_token
from certificates.pdf import render_pdf

REVIEW_REMINDER_DAYS = 60
STATUS_LIST_FILL = 0.5      # a new list is opened when half the indexes are taken (random picks stay cheap)
JOB_BATCH = 250


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def _log(session: Session, cert: Certificate, action: str, *, actor_id: int | None, now: datetime,
         reason: str = "") -> None:
    session.add(CertificateEvent(certificate_id=cert.id, action=action, actor_id=actor_id, at=now, reason=reason))


def _is_union(actor: User | None) -> bool:
    return actor is not None and actor.has_any_role({"union_admin"})


def _require_union(actor: User) -> None:
    if not _is_union(actor):
        raise Forbidden(_("Only a union administrator may do this."))


def get_certificate(session: Session, certificate_id: int) -> Certificate:
    cert = session.get(Certificate, certificate_id)
    if cert is None:
        raise NotFound(_("No such certificate."))
    return cert


# --- proposals ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Proposal:
    """What a rule certifies: everything a certificate snapshots at proposal time."""

    user_id: int
    source_key: str
    kind: CertificateKind
    title: str
    title_en: str = ""
    level: str = ""
    description: str = ""
    type_code: str = "TRN"
    certificate_type_id: int | None = None
    exam_session_id: int | None = None
    class_id: int | None = None
    validity_months: int | None = None
    review_every_months: int | None = None
    review_training_hours: int = 0
    auto_issue: bool = False


def holder_of(session: Session, user_id: int) -> tuple[str, str]:
    """The holder's name as on the verified membership (else the account name) and ID last 4."""
    profile = session.scalar(select(MemberProfile).where(MemberProfile.user_id == user_id))
    if profile is not None and profile.status == MembershipStatus.VERIFIED:
        return profile.real_name, profile.id_last4
    user = session.get(User, user_id)
    return (user.name if user else ""), ""


def propose(session: Session, proposal: Proposal, *, issuer_name: str, now: datetime,
            issuer: Issuer | None = None) -> Certificate | None:
    """Propose a certificate once per rule (``source_key``); None if it was already proposed.

    A proposal of an auto-issue type is issued at once when ``issuer`` is given."""
    existing = session.scalar(select(Certificate.id).where(Certificate.source_key == proposal.source_key))
    if existing is not None:
        return None
    name, last4 = holder_of(session, proposal.user_id)
    cert = Certificate(
        source_key=proposal.source_key, token=new_token(), kind=proposal.kind, user_id=proposal.user_id,
        certificate_type_id=proposal.certificate_type_id, type_code=proposal.type_code,
        exam_session_id=proposal.exam_session_id, class_id=proposal.class_id, title=proposal.title,
        title_en=proposal.title_en, level=proposal.level, description=proposal.description, holder_name=name,
        id_last4=last4, issuer_name=issuer_name, validity_months=proposal.validity_months,
        review_every_months=proposal.review_every_months, review_training_hours=proposal.review_training_hours,
        state=CertificateState.PROPOSED, proposed_at=now)
    session.add(cert)
    session.flush()
    _log(session, cert, "proposed", actor_id=None, now=now)
    if proposal.auto_issue and issuer is not None:
        _issue(session, cert, actor_id=None, issuer=issuer, pool=IndexPool(session), now=now)
        session.flush()
        _notify_issued(session, cert)
    return cert


def propose_training_certificates(session: Session, *, class_id: int, issuer_name: str,
                                  now: datetime) -> list[Certificate]:
    """Propose a completion certificate for every enrollment of the class that met its
    completion rule (courses marks those ``completed``). Idempotent."""
    from courses.models import Enrollment, EnrollmentStatus, TrainingClass

    training_class = session.get(TrainingClass, class_id)
    if training_class is None:
        raise NotFound(_("No such class."))
    course = training_class.course
    enrollments = session.scalars(select(Enrollment).where(
        Enrollment.class_id == class_id, Enrollment.status == EnrollmentStatus.COMPLETED)
        .order_by(Enrollment.id)).all()
    proposed = []
    for enrollment in enrollments:
        cert = propose(session, Proposal(
            user_id=enrollment.user_id, source_key=f"enrollment:{enrollment.id}", kind=CertificateKind.TRAINING,
            title=course.title, description=_("Completed the training class %(cls)s (%(hours)s hours).",
                                              cls=training_class.title, hours=course.hours),
            type_code="TRN", class_id=class_id), issuer_name=issuer_name, now=now)
        if cert is not None:
            proposed.append(cert)
    return proposed


def propose_completed_training(session: Session, *, issuer_name: str, now: datetime, limit: int = 200) -> int:
    """Periodic sweep: proposals for completed enrollments that have none yet."""
    from sqlalchemy import String, cast, literal

    from courses.models import Enrollment, EnrollmentStatus

    has_certificate = select(Certificate.id).where(
        Certificate.source_key == literal("enrollment:") + cast(Enrollment.id, String)).exists()
    class_ids = session.scalars(select(Enrollment.class_id).where(
        Enrollment.status == EnrollmentStatus.COMPLETED, ~has_certificate).distinct().limit(limit)).all()
    return sum(len(propose_training_certificates(session, class_id=cid, issuer_name=issuer_name, now=now))
               for cid in class_ids)


def _training_done(session: Session, *, user_id: int, certificate_type_id: int) -> bool:
    """The type's required training (a completed class of one of its courses), if it asks for any."""
    from courses.models import Enrollment, EnrollmentStatus, TrainingClass
    from exams.models import CertificateTypeCourse

    courses = select(CertificateTypeCourse.course_id).where(
        CertificateTypeCourse.certificate_type_id == certificate_type_id)
    if session.scalar(select(func.count()).select_from(courses.subquery())) == 0:
        return True
    return session.scalar(select(Enrollment.id).join(TrainingClass, TrainingClass.id == Enrollment.class_id).where(
        Enrollment.user_id == user_id, Enrollment.status == EnrollmentStatus.COMPLETED,
        TrainingClass.course_id.in_(courses)).limit(1)) is not None


def propose_from_exam_session(session: Session, *, exam_session_id: int, issuer: Issuer,
                              now: datetime) -> list[Certificate]:
    """After a session's results are released: a proposal for every candidate who now meets the
    type's rules (all components passed within their validity, required training completed);
    issued at once when the type allows automatic issuance. Idempotent: one certificate per
    qualifying set of passes."""
    from exams.facts import certificate_eligibility, released_candidates
    from exams.models import CertificateType, ExamSession

    exam_session = session.get(ExamSession, exam_session_id)
    if exam_session is None:
        raise NotFound(_("No such exam session."))
    ctype = session.get(CertificateType, exam_session.certificate_type_id)
    proposed = []
    for user_id in released_candidates(session, exam_session_id=exam_session_id):
        verdict = certificate_eligibility(session, user_id=user_id, certificate_type_id=ctype.id, now=now)
        if not verdict["eligible"] or not _training_done(session, user_id=user_id, certificate_type_id=ctype.id):
            continue
        evidence = "-".join(str(c["exam_session_id"]) for c in verdict["components"])
        cert = propose(session, Proposal(
            user_id=user_id, source_key=f"exam:{ctype.id}:{user_id}:{evidence}"[:80], kind=CertificateKind.APPRAISAL,
            title=ctype.name_zh, title_en=ctype.name_en, level=ctype.level, description=ctype.description[:500],
            type_code=clean_code(ctype.code), certificate_type_id=ctype.id, exam_session_id=exam_session_id,
            validity_months=ctype.validity_months, review_every_months=ctype.review_every_months,
            review_training_hours=ctype.review_training_hours, auto_issue=ctype.auto_issue),
            issuer_name=issuer.name, now=now, issuer=issuer)
        if cert is not None:
            proposed.append(cert)
    return proposed


def decline_proposal(session: Session, *, actor: User, certificate_id: int, reason: str, now: datetime) -> Certificate:
    _require_union(actor)
    cert = get_certificate(session, certificate_id)
    if cert.state != CertificateState.PROPOSED:
        raise Conflict(_("Only a proposed certificate can be declined."), code="not_proposed")
    if not reason.strip():
        raise Invalid(_("Give a reason."), field="reason")
    cert.state = CertificateState.DECLINED
    _log(session, cert, "declined", actor_id=actor.id, now=now, reason=reason.strip())
    session.flush()
    return cert


# --- status list indexes ------------------------------------------------------------------

class IndexPool:
    """Random, unused indexes of the current revocation and suspension lists (one query each)."""

    def __init__(self, session: Session):
        self.session = session
        self.lists: dict[StatusPurpose, StatusList] = {}
        self.used: dict[StatusPurpose, set[int]] = {}

    def _open(self, purpose: StatusPurpose) -> None:
        # Locking the list row serialises index allocation between workers until they commit
        # (two batches picking the same random index would violate the unique constraint).
        current = self.session.scalar(select(StatusList).where(StatusList.purpose == purpose)
                                      .order_by(StatusList.id.desc()).limit(1).with_for_update())
        column, list_column = ((Certificate.revocation_index, Certificate.revocation_list_id)
                               if purpose == StatusPurpose.REVOCATION
                               else (Certificate.suspension_index, Certificate.suspension_list_id))
        used: set[int] = set()
        if current is not None:
            used = set(self.session.scalars(select(column).where(list_column == current.id)))
        if current is None or len(used) >= current.size * STATUS_LIST_FILL:
            current = StatusList(purpose=purpose)
            self.session.add(current)
            self.session.flush()
            used = set()
        self.lists[purpose], self.used[purpose] = current, used

    def take(self, purpose: StatusPurpose) -> tuple[int, int]:
        if purpose not in self.lists or len(self.used[purpose]) >= self.lists[purpose].size * STATUS_LIST_FILL:
            self._open(purpose)
        status_list, used = self.lists[purpose], self.used[purpose]
        while True:
            index = secrets.randbelow(status_list.size)
            if index not in used:
                used.add(index)
                return status_list.id, index


# --- issuance -----------------------------------------------------------------------------

def _issue(session: Session, cert: Certificate, *, actor_id: int | None, issuer: Issuer, pool: IndexPool,
           now: datetime) -> None:
    _assign(session, cert, actor_id=actor_id, pool=pool, now=now)
    _sign(session, cert, issuer=issuer, now=now)


def _assign(session: Session, cert: Certificate, *, actor_id: int | None, pool: IndexPool, now: datetime) -> None:
    """Dates, number, status-list indexes and the issued state (everything but the signature)."""
    cert.valid_from = now
    cert.valid_until = add_months(cert.valid_from, cert.validity_months) if cert.validity_months else None
    if cert.review_every_months and (cert.validity_months is None or cert.review_every_months < cert.validity_months):
        cert.review_due = add_months(cert.valid_from, cert.review_every_months)
    cert.number = make_number(cert.type_code, cert.valid_from.year, cert.id)
    cert.revocation_list_id, cert.revocation_index = pool.take(StatusPurpose.REVOCATION)
    cert.suspension_list_id, cert.suspension_index = pool.take(StatusPurpose.SUSPENSION)
    cert.state, cert.issued_at, cert.issued_by_id = CertificateState.ISSUED, now, actor_id
    _log(session, cert, "issued", actor_id=actor_id, now=now)


def _sign(session: Session, cert: Certificate, *, issuer: Issuer, now: datetime) -> None:
    """The signed credential and the PDF that carries it, from the certificate as it now is
    (called once per certificate, after its terms are final)."""
    cert.credential = json.dumps(issuer.certificate_credential(cert, now=now), ensure_ascii=False,
                                 separators=(",", ":"))
    session.add(CertificatePdf(certificate_id=cert.id, rendered_at=now, pdf=render_pdf(
        cert, page_url=issuer.page_url(cert.token), union_name=issuer.name)))


def store_missing_pdfs(session: Session, *, issuer: Issuer, now: datetime, limit: int = 500) -> int:
    """Render and store the PDF of public certificates that have none (issued before PDFs were
    stored); returns how many, 0 when none is left. The credential is kept as signed."""
    certs = session.scalars(select(Certificate).where(
        Certificate.state.in_((CertificateState.ISSUED, CertificateState.SUSPENDED, CertificateState.REVOKED)),
        Certificate.credential.is_not(None),
        ~select(CertificatePdf.certificate_id).where(CertificatePdf.certificate_id == Certificate.id).exists())
        .order_by(Certificate.id).limit(limit)).all()
    for cert in certs:
        session.add(CertificatePdf(certificate_id=cert.id, rendered_at=now, pdf=render_pdf(
            cert, page_url=issuer.page_url(cert.token), union_name=issuer.name)))
    session.flush()
    return len(certs)


def issue_certificate(session: Session, *, actor: User | None, certificate_id: int, issuer: Issuer,
                      now: datetime) -> Certificate:
    """Approve one proposal: number, status indexes, signed credential. ``actor`` None: auto-issue."""
    if actor is not None:
        _require_union(actor)
    cert = session.scalar(select(Certificate).where(Certificate.id == certificate_id).with_for_update(of=Certificate))
    if cert is None:
        raise NotFound(_("No such certificate."))
    if cert.state != CertificateState.PROPOSED:
        raise Conflict(_("This certificate has already been issued or declined."), code="not_proposed")
    _issue(session, cert, actor_id=actor.id if actor else None, issuer=issuer, pool=IndexPool(session), now=now)
    session.flush()
    _notify_issued(session, cert)
    return cert


def _notify_issued(session: Session, cert: Certificate) -> None:
    user = cert.user
    if user is not None and user.contact:
        with speaking_to(user):
            queue_message(session, recipient=user.contact, subject=_("Your certificate %(title)s", title=cert.title),
                          body=_("Your certificate %(title)s (No. %(number)s) has been issued. "
                                 "Download it under My certificates.", title=cert.title, number=cert.number))


def _scope_filter(scope: str):
    kind, _sep, value = scope.partition(":")
    base = Certificate.state == CertificateState.PROPOSED
    if kind == "class" and value.isdigit():
        return base & (Certificate.class_id == int(value))
    if kind == "session" and value.isdigit():
        return base & (Certificate.exam_session_id == int(value))
    if kind == "type" and value.isdigit():
        return base & (Certificate.certificate_type_id == int(value))
    if kind == "all":
        return base
    raise Invalid(_("Unknown issuance scope."), field="scope")


def start_issuance_job(session: Session, *, actor: User, scope: str, now: datetime) -> IssuanceJob:
    """Record a bulk issuance of every proposal in ``scope``; the edge queues :func:`run_issuance_job`."""
    _require_union(actor)
    condition = _scope_filter(scope)
    total = session.scalar(select(func.count()).select_from(Certificate).where(condition)) or 0
    if total == 0:
        raise Conflict(_("Nothing to issue here."), code="nothing_to_issue")
    job = IssuanceJob(scope=scope, total=total, created_by_id=actor.id, created_at=now)
    session.add(job)
    session.flush()
    return job


def run_issuance_batch(session: Session, *, job_id: int, issuer: Issuer, now: datetime,
                       batch: int = JOB_BATCH) -> bool:
    """Issue the next batch of a job's proposals; True while more remain. Idempotent and
    resumable: only ``proposed`` certificates are taken (locked, skipping ones another worker
    holds), so running a job twice or after a crash issues nothing twice."""
    job = session.get(IssuanceJob, job_id)
    if job is None:
        raise NotFound(_("No such job."))
    if job.state in (JobState.DONE, JobState.FAILED):
        return False
    # The job row is written only after the batch holds the status-list locks (else two
    # workers could each hold one of the two rows and wait for the other).
    certs = session.scalars(select(Certificate).where(_scope_filter(job.scope)).order_by(Certificate.id)
                            .limit(batch).with_for_update(of=Certificate, skip_locked=True)).all()
    if certs:
        pool = IndexPool(session)
        for cert in certs:
            _issue(session, cert, actor_id=job.created_by_id, issuer=issuer, pool=pool, now=now)
        session.flush()
        session.execute(update(IssuanceJob).where(IssuanceJob.id == job_id)
                        .values(done=IssuanceJob.done + len(certs), state=JobState.RUNNING)
                        .execution_options(synchronize_session=False))
        session.refresh(job, ["done"])
    if len(certs) < batch:
        job.state, job.finished_at = JobState.DONE, now
        job.done = max(job.done, min(job.done, job.total))
        session.flush()
        return False
    return True


# --- lifecycle ----------------------------------------------------------------------------

def _issued_for_update(session: Session, certificate_id: int) -> Certificate:
    cert = session.scalar(select(Certificate).where(Certificate.id == certificate_id).with_for_update(of=Certificate))
    if cert is None or not cert.is_public:
        raise NotFound(_("No such certificate."))
    return cert


def revoke_certificate(session: Session, *, actor: User | None, certificate_id: int, reason: str,
                       now: datetime) -> Certificate:
    """Revoke for good (reason required); the revocation bit is set from now on."""
    if actor is not None:
        _require_union(actor)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("A reason is required to revoke a certificate."), field="reason")
    cert = _issued_for_update(session, certificate_id)
    if cert.state == CertificateState.REVOKED:
        raise Conflict(_("This certificate is already revoked."), code="already_revoked")
    cert.state, cert.revoked_at, cert.revocation_reason = CertificateState.REVOKED, now, reason
    _log(session, cert, "revoked", actor_id=actor.id if actor else None, now=now, reason=reason)
    session.flush()
    return cert


def suspend_certificate(session: Session, *, actor: User | None, certificate_id: int, reason: str,
                        now: datetime) -> Certificate:
    if actor is not None:
        _require_union(actor)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("A reason is required to suspend a certificate."), field="reason")
    cert = _issued_for_update(session, certificate_id)
    if cert.state != CertificateState.ISSUED:
        raise Conflict(_("Only a valid certificate can be suspended."), code="not_issued")
    cert.state, cert.suspended_at, cert.suspension_reason = CertificateState.SUSPENDED, now, reason
    _log(session, cert, "suspended", actor_id=actor.id if actor else None, now=now, reason=reason)
    session.flush()
    return cert


def reinstate_certificate(session: Session, *, actor: User, certificate_id: int, reason: str,
                          now: datetime) -> Certificate:
    _require_union(actor)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("A reason is required to reinstate a certificate."), field="reason")
    cert = _issued_for_update(session, certificate_id)
    if cert.state != CertificateState.SUSPENDED:
        raise Conflict(_("Only a suspended certificate can be reinstated."), code="not_suspended")
    cert.state, cert.suspended_at, cert.suspension_reason = CertificateState.ISSUED, None, ""
    _log(session, cert, "reinstated", actor_id=actor.id, now=now, reason=reason)
    session.flush()
    return cert


# --- review (复审) -------------------------------------------------------------------------

def send_review_reminders(session: Session, *, now: datetime) -> int:
    """Remind holders whose review falls due within 60 days (once per due date)."""
    from datetime import timedelta

    certs = session.scalars(select(Certificate).where(
        Certificate.state == CertificateState.ISSUED, Certificate.review_due.is_not(None),
        Certificate.review_due <= now + timedelta(days=REVIEW_REMINDER_DAYS),
        Certificate.review_reminded_at.is_(None))).all()
    for cert in certs:
        cert.review_reminded_at = now
        user = cert.user
        if user is not None and user.contact:
            with speaking_to(user):
                queue_message(session, recipient=user.contact,
                              subject=_("Review due for %(title)s", title=cert.title),
                              body=_("Your certificate %(number)s must be reviewed by %(due)s. Complete the review "
                                     "training and apply under My certificates.", number=cert.number,
                                     due=cert.review_due.date().isoformat()))
    session.flush()
    return len(certs)


def suspend_missed_reviews(session: Session, *, now: datetime) -> int:
    """Suspend certificates whose review date passed without a passed review."""
    certs = session.scalars(select(Certificate).where(
        Certificate.state == CertificateState.ISSUED, Certificate.review_due.is_not(None),
        Certificate.review_due <= now)).all()
    for cert in certs:
        cert.state, cert.suspended_at = CertificateState.SUSPENDED, now
        cert.suspension_reason = _("Review overdue")
        _log(session, cert, "suspended", actor_id=None, now=now, reason="review_overdue")
    session.flush()
    return len(certs)


def apply_for_review(session: Session, *, actor: User, certificate_id: int, training_hours: int, note: str,
                     now: datetime) -> ReviewApplication:
    cert = session.get(Certificate, certificate_id)
    if cert is None or cert.user_id != actor.id or not cert.is_public:
        raise NotFound(_("No such certificate."))
    if cert.review_due is None or cert.state == CertificateState.REVOKED:
        raise Conflict(_("This certificate has no review to apply for."), code="no_review")
    if training_hours < cert.review_training_hours:
        raise Invalid(_("The review needs at least %(hours)d hours of review training.",
                        hours=cert.review_training_hours), field="training_hours")
    pending = session.scalar(select(ReviewApplication.id).where(
        ReviewApplication.certificate_id == cert.id, ReviewApplication.state == ReviewState.APPLIED))
    if pending is not None:
        raise Conflict(_("You have already applied for this review."), code="already_applied")
    review = ReviewApplication(certificate_id=cert.id, training_hours=training_hours, training_note=note.strip(),
                               applied_at=now)
    session.add(review)
    _log(session, cert, "review_applied", actor_id=actor.id, now=now)
    session.flush()
    return review


def decide_review(session: Session, *, actor: User, review_id: int, passed: bool, note: str, issuer: Issuer,
                  now: datetime) -> ReviewApplication:
    """A passed review issues a new certificate (same terms, new period) superseding the old,
    which is revoked as superseded; a failed review leaves the old one to run its course."""
    _require_union(actor)
    review = session.get(ReviewApplication, review_id)
    if review is None:
        raise NotFound(_("No such review application."))
    if review.state != ReviewState.APPLIED:
        raise Conflict(_("This review has already been decided."), code="already_decided")
    review.state = ReviewState.PASSED if passed else ReviewState.REJECTED
    review.decided_at, review.decided_by_id, review.decision_note = now, actor.id, note.strip()
    old = review.certificate
    if passed:
        new = propose(session, Proposal(
            user_id=old.user_id, source_key=f"review:{review.id}", kind=old.kind, title=old.title,
            title_en=old.title_en, level=old.level, description=old.description, type_code=old.type_code,
            certificate_type_id=old.certificate_type_id, exam_session_id=old.exam_session_id,
            class_id=old.class_id, validity_months=old.validity_months,
            review_every_months=old.review_every_months, review_training_hours=old.review_training_hours),
            issuer_name=old.issuer_name, now=now)
        new.supersedes_id = old.id
        # The new certificate keeps the original expiry when the review falls inside it.
        _assign(session, new, actor_id=actor.id, pool=IndexPool(session), now=now)
        if old.valid_until and new.valid_until and old.valid_until > now and new.validity_months:
            new.valid_until = old.valid_until
            new.review_due = (add_months(now, new.review_every_months)
                              if new.review_every_months else None)
            if new.review_due and new.review_due >= new.valid_until:
                new.review_due = None
        _sign(session, new, issuer=issuer, now=now)
        review.new_certificate_id = new.id
        if old.state != CertificateState.REVOKED:
            old.state, old.revoked_at = CertificateState.REVOKED, now
            old.revocation_reason = _("Superseded by %(number)s after review", number=new.number)
            _log(session, old, "superseded", actor_id=actor.id, now=now, reason=new.number)
    session.flush()
    return review


# --- government-issued certificates --------------------------------------------------------

def record_government_certificate(session: Session, *, actor: User, name: str, number: str, issuer: str,
                                  issued_on: date, valid_until: date | None, scan_path: str | None,
                                  scan_name: str | None, now: datetime) -> GovernmentCertificate:
    if valid_until is not None and valid_until < issued_on:
        raise Invalid(_("The end date is before the issue date."), field="valid_until")
    record = GovernmentCertificate(user_id=actor.id, name=name.strip(), number=number.strip(),
                                   issuer=issuer.strip(), issued_on=issued_on, valid_until=valid_until,
                                   scan_path=scan_path, scan_name=scan_name, recorded_at=now)
    session.add(record)
    session.flush()
    return record


def verify_government_certificate(session: Session, *, actor: User, record_id: int, verified: bool, note: str,
                                  now: datetime) -> GovernmentCertificate:
    _require_union(actor)
    record = session.get(GovernmentCertificate, record_id)
    if record is None:
        raise NotFound(_("No such record."))
    if record.state != RecordedState.RECORDED:
        raise Conflict(_("This record has already been checked."), code="already_checked")
    record.state = RecordedState.VERIFIED if verified else RecordedState.REJECTED
    record.verified_at, record.verified_by_id, record.note = now, actor.id, note.strip()
    session.flush()
    return record
