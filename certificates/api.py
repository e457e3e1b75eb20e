"""JSON API of the certificates domain (``/api/v1``): public status, the signed credential,
status lists, lookup by number and name; the worker's certificates; the union's lifecycle
actions and issuance jobs."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, jsonify
from flask_login import current_user

from app.access import PUBLIC, Role, allow
from app.api import PageQuery, created, endpoint, page_of, parse_body, parse_query
from app.celery import enqueue
from app.db import after_commit, get_session, single_read, utcnow
from app.errors import NotFound
from app.extensions import limiter
from certificates import queries, services
from certificates.credentials import iso, issuer_of
from certificates.models import Certificate, IssuanceJob, public_status
from certificates.schemas import (
    CertificateStatusOut,
    CheckIn,
    CredentialOut,
    DecisionIn,
    JobIn,
    JobOut,
    MyCertificateOut,
    MyCertificatePage,
    ProposalsOut,
    ReasonIn,
    RecordIn,
    RecordList,
    RecordOut,
    ReviewIn,
    ReviewOut,
    TypeCountList,
    TypeCountOut,
    VerifyQuery,
)

bp = Blueprint("certificates_api", __name__, url_prefix="/api/v1")
TAGS = ("certificates",)


def _iso(value) -> str | None:
    return iso(value) if value is not None else None


def status_out(cert, *, now) -> dict:
    """The public answer about a certificate (a :class:`Certificate` or a row of
    :func:`queries.public_by_token`): nothing beyond what the printed certificate shows (no ID
    digits, no photo, no scores). The fields of ``CertificateStatusOut``, built directly."""
    if cert is None:
        return CertificateStatusOut(found=False, status="not_found").model_dump()
    issuer = issuer_of(current_app)
    return {
        "found": True, "status": public_status(cert.state, cert.valid_from, cert.valid_until, now).value,
        "number": cert.number, "holder_name": cert.holder_name, "type": cert.title, "level": cert.level,
        "issuer": cert.issuer_name, "valid_from": _iso(cert.valid_from), "valid_until": _iso(cert.valid_until),
        "review_due": _iso(cert.review_due), "revoked_at": _iso(cert.revoked_at),
        "revocation_reason": cert.revocation_reason or None, "suspended_at": _iso(cert.suspended_at),
        "suspension_reason": cert.suspension_reason or None, "page_url": issuer.page_url(cert.token),
        "credential_url": issuer.credential_url(cert.token), "pdf_url": issuer.pdf_url(cert.token),
    }


def _no_index(response: Response) -> Response:
    """Public answers about a certificate: never indexed, no Referer, never kept by a browser
    or proxy (a revocation must show at once), as on the verification page. Saying no-store
    here also spares the app-wide header hook loading the visitor's account to decide it."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/certificates/<token>")
@allow(PUBLIC)
@endpoint("Public status of a certificate by its token: valid, expired, suspended or revoked",
          response=CertificateStatusOut, errors=(404,), tags=TAGS)
def certificate_status(token: str):
    with single_read() as connection:
        cert = queries.public_by_token(connection, token)
    if cert is None:
        raise NotFound("No such certificate.", code="not_found")
    return _no_index(jsonify(status_out(cert, now=utcnow())))


@bp.get("/certificates/<token>/credential")
@allow(PUBLIC)
@endpoint("The signed Open Badges 3.0 credential (eddsa-jcs-2022 DataIntegrityProof)", response=CredentialOut,
          errors=(404,), tags=TAGS)
def certificate_credential(token: str):
    cert = queries.by_token(get_session(), token, with_credential=True)
    if cert is None or not cert.credential:
        raise NotFound("No such certificate.", code="not_found")
    response = Response(cert.credential, mimetype="application/json")
    response.headers["Content-Disposition"] = f'inline; filename="credential-{cert.number}.json"'
    return _no_index(response)


@bp.get("/status-lists/<int:list_id>")
@allow(PUBLIC)
@endpoint("A signed BitstringStatusListCredential (revocation or suspension)", response=CredentialOut,
          errors=(404,), tags=TAGS)
def status_list(list_id: int):
    found = queries.status_list_bits(get_session(), list_id)
    if found is None:
        raise NotFound("No such status list.", code="not_found")
    listing, indexes = found
    document = issuer_of(current_app).status_list_credential(
        list_id=listing.id, purpose=listing.purpose, size=listing.size, indexes=indexes, now=utcnow())
    response = jsonify(document)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/verify")
@limiter.limit(lambda: current_app.config["PUBLIC_LOOKUP_RATE_LIMIT"])
@allow(PUBLIC)
@endpoint("Look a certificate up by number and holder name; the same answer for no such number and a wrong name",
          query=VerifyQuery, response=CertificateStatusOut, errors=(429,), tags=TAGS)
def verify_lookup():
    args = parse_query(VerifyQuery)
    cert = queries.by_number_and_name(get_session(), args.number, args.name)
    return _no_index(jsonify(status_out(cert, now=utcnow())))


@bp.get("/me/certificates")
@allow(Role.WORKER)
@endpoint("My certificates, newest first, with PDF, share link and credential", query=PageQuery,
          response=MyCertificatePage, tags=TAGS)
def my_certificates():
    args = parse_query(PageQuery)
    now = utcnow()
    certs = queries.my_certificates(get_session(), current_user.id)
    start = (args.page - 1) * args.per_page
    items = [MyCertificateOut(**status_out(c, now=now), id=c.id, token=c.token, kind=c.kind,
                              id_last4=c.id_last4).model_dump() for c in certs[start:start + args.per_page]]
    return jsonify(page_of(items, page=args.page, per_page=args.per_page, total=len(certs)))


def _lifecycle(certificate_id: int, action) -> Response:
    session = get_session()
    cert = action(session)
    session.commit()
    return jsonify(status_out(cert, now=utcnow()))


@bp.post("/certificates/<int:certificate_id>/issue")
@allow(Role.UNION_ADMIN)
@endpoint("Approve a proposed certificate (union admin)", response=CertificateStatusOut,
          errors=(403, 404, 409), tags=TAGS)
def issue(certificate_id: int):
    issuer = issuer_of(current_app)
    return _lifecycle(certificate_id, lambda session: services.issue_certificate(
        session, actor=current_user, certificate_id=certificate_id, issuer=issuer, now=utcnow()))


@bp.post("/certificates/<int:certificate_id>/revoke")
@allow(Role.UNION_ADMIN)
@endpoint("Revoke a certificate for good; a reason is required", body=ReasonIn, response=CertificateStatusOut,
          errors=(403, 404, 409, 422), tags=TAGS)
def revoke(certificate_id: int):
    data = parse_body(ReasonIn)
    return _lifecycle(certificate_id, lambda session: services.revoke_certificate(
        session, actor=current_user, certificate_id=certificate_id, reason=data.reason, now=utcnow()))


@bp.post("/certificates/<int:certificate_id>/suspend")
@allow(Role.UNION_ADMIN)
@endpoint("Suspend a certificate; a reason is required", body=ReasonIn, response=CertificateStatusOut,
          errors=(403, 404, 409, 422), tags=TAGS)
def suspend(certificate_id: int):
    data = parse_body(ReasonIn)
    return _lifecycle(certificate_id, lambda session: services.suspend_certificate(
        session, actor=current_user, certificate_id=certificate_id, reason=data.reason, now=utcnow()))


@bp.post("/certificates/<int:certificate_id>/reinstate")
@allow(Role.UNION_ADMIN)
@endpoint("Reinstate a suspended certificate; a reason is required", body=ReasonIn, response=CertificateStatusOut,
          errors=(403, 404, 409, 422), tags=TAGS)
def reinstate(certificate_id: int):
    data = parse_body(ReasonIn)
    return _lifecycle(certificate_id, lambda session: services.reinstate_certificate(
        session, actor=current_user, certificate_id=certificate_id, reason=data.reason, now=utcnow()))


def job_out(job: IssuanceJob) -> dict:
    return JobOut(id=job.id, scope=job.scope, state=job.state, total=job.total, done=job.done,
                  percent=job.percent, error=job.error).model_dump()


@bp.post("/certificate-jobs")
@allow(Role.UNION_ADMIN)
@endpoint("Issue every proposal of a scope (class:ID, session:ID, type:ID, all) as a background job",
          body=JobIn, response=JobOut, status=201, errors=(403, 409, 422), tags=TAGS)
def start_job():
    from certificates.tasks import run_issuance_job

    data = parse_body(JobIn)
    session = get_session()
    job = services.start_issuance_job(session, actor=current_user, scope=data.scope, now=utcnow())
    job_id = job.id
    after_commit(session, lambda: enqueue(run_issuance_job, job_id))
    payload = job_out(job)
    session.commit()
    return created(payload)


@bp.get("/certificate-jobs/<int:job_id>")
@allow(Role.UNION_ADMIN)
@endpoint("Progress of an issuance job (done/total)", response=JobOut, errors=(403, 404), tags=TAGS)
def job_status(job_id: int):
    job = get_session().get(IssuanceJob, job_id)
    if job is None:
        raise NotFound("No such job.", code="not_found")
    return jsonify(job_out(job))


def credential_json(cert: Certificate) -> dict:
    return json.loads(cert.credential) if cert.credential else {}


def review_out(review) -> dict:
    return ReviewOut(id=review.id, certificate_id=review.certificate_id, state=review.state,
                     training_hours=review.training_hours, new_certificate_id=review.new_certificate_id).model_dump()


@bp.post("/me/certificates/<int:certificate_id>/review")
@allow(Role.WORKER)
@endpoint("Apply for the review (复审) of my certificate with the hours of review training", body=ReviewIn,
          response=ReviewOut, status=201, errors=(404, 409, 422), tags=TAGS)
def apply_review(certificate_id: int):
    data = parse_body(ReviewIn)
    session = get_session()
    review = services.apply_for_review(session, actor=current_user, certificate_id=certificate_id,
                                       training_hours=data.training_hours, note=data.note, now=utcnow())
    payload = review_out(review)
    session.commit()
    return created(payload)


@bp.post("/certificate-reviews/<int:review_id>/decision")
@allow(Role.UNION_ADMIN)
@endpoint("Decide a review: passed issues a new certificate superseding the old one", body=DecisionIn,
          response=ReviewOut, errors=(403, 404, 409), tags=TAGS)
def decide_review(review_id: int):
    data = parse_body(DecisionIn)
    session = get_session()
    review = services.decide_review(session, actor=current_user, review_id=review_id, passed=data.passed,
                                    note=data.note, issuer=issuer_of(current_app), now=utcnow())
    payload = review_out(review)
    session.commit()
    return jsonify(payload)


@bp.post("/classes/<int:class_id>/certificate-proposals")
@allow(Role.UNION_ADMIN)
@endpoint("Propose completion certificates for everyone who completed the class", response=ProposalsOut,
          status=201, errors=(403, 404), tags=TAGS)
def propose_class(class_id: int):
    session = get_session()
    proposed = services.propose_training_certificates(session, class_id=class_id,
                                                      issuer_name=current_app.config["CERT_ISSUER_NAME"], now=utcnow())
    session.commit()
    return created(ProposalsOut(proposed=len(proposed)).model_dump())


@bp.post("/exam-sessions/<int:exam_session_id>/certificate-proposals")
@allow(Role.UNION_ADMIN)
@endpoint("Propose certificates for everyone who meets the type's rules after a released session "
          "(issued at once for auto-issue types); idempotent", response=ProposalsOut, status=201,
          errors=(403, 404), tags=TAGS)
def propose_session(exam_session_id: int):
    session = get_session()
    proposed = services.propose_from_exam_session(session, exam_session_id=exam_session_id,
                                                  issuer=issuer_of(current_app), now=utcnow())
    session.commit()
    return created(ProposalsOut(proposed=len(proposed)).model_dump())


@bp.get("/certificate-counts")
@allow(Role.UNION_ADMIN)
@endpoint("Issued, pending, expiring (90 days), revoked and suspended certificates per type",
          response=TypeCountList, errors=(403,), tags=TAGS)
def certificate_counts():
    rows = queries.counts_per_type(get_session(), now=utcnow())
    return jsonify({"items": [TypeCountOut(**vars(r)).model_dump() for r in rows]})


def record_out(record) -> dict:
    return RecordOut(id=record.id, name=record.name, number=record.number, issuer=record.issuer,
                     issued_on=record.issued_on, valid_until=record.valid_until, state=record.state).model_dump(
        mode="json")


@bp.get("/me/recorded-certificates")
@allow(Role.WORKER)
@endpoint("Government-issued certificates I recorded (not certificates of the union)", response=RecordList,
          tags=TAGS)
def my_recorded():
    return jsonify({"items": [record_out(r) for r in queries.my_recorded(get_session(), current_user.id)]})


@bp.post("/me/recorded-certificates")
@allow(Role.WORKER)
@endpoint("Record a government-issued certificate I hold (the scan is uploaded on the page)", body=RecordIn,
          response=RecordOut, status=201, errors=(422,), tags=TAGS)
def record_certificate():
    data = parse_body(RecordIn)
    session = get_session()
    record = services.record_government_certificate(
        session, actor=current_user, name=data.name, number=data.number, issuer=data.issuer, issued_on=data.issued_on,
        valid_until=data.valid_until, scan_path=None, scan_name=None, now=utcnow())
    payload = record_out(record)
    session.commit()
    return created(payload)


@bp.post("/recorded-certificates/<int:record_id>/check")
@allow(Role.UNION_ADMIN)
@endpoint("Mark a recorded government certificate as checked (or not confirmed)", body=CheckIn,
          response=RecordOut, errors=(403, 404, 409), tags=TAGS)
def check_recorded(record_id: int):
    data = parse_body(CheckIn)
    session = get_session()
    record = services.verify_government_certificate(session, actor=current_user, record_id=record_id,
                                                    verified=data.verified, note=data.note, now=utcnow())
    payload = record_out(record)
    session.commit()
    return jsonify(payload)
