"""HTML pages of the certificates domain: the public verification page and lookup form, the
PDF, the issuer document, "My certificates", and the union's certificate desk."""

from __future__ import annotations

import io
import secrets
from datetime import timedelta
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.access import PUBLIC, Role, allow
from app.celery import enqueue
from app.db import after_commit, get_session, single_read, utcnow
from app.extensions import limiter
from app.forms import perform, submit
from certificates import queries, services
from certificates.answer_page import shown, verification_html
from certificates.credentials import issuer_of
from certificates.forms import (
    ActionForm,
    DecisionForm,
    ProposeClassForm,
    ProposeSessionForm,
    ReasonForm,
    RecordForm,
    ReviewForm,
    ScopeForm,
)
from certificates.models import Certificate, GovernmentCertificate, IssuanceJob, public_status
from certificates.pdf import render_pdf, zip_of

bp = Blueprint("certificates", __name__, template_folder="templates")

SCAN_TYPES = {".pdf", ".jpg", ".jpeg", ".png"}
SCAN_MAX_BYTES = 10 * 1024 * 1024


def _lookup_limit() -> str:
    return current_app.config["PUBLIC_LOOKUP_RATE_LIMIT"]


def _private(response: Response) -> Response:
    """Public verification answers: never indexed, never leak the token through Referer."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def pdf_of(cert: Certificate) -> bytes:
    """A PDF rendered now, for a certificate issued before PDFs were stored (never stored here:
    a GET does not write; ``skills-market render-certificate-pdfs`` stores them)."""
    issuer = issuer_of(current_app)
    return render_pdf(cert, page_url=issuer.page_url(cert.token), union_name=issuer.name)


# --- public -------------------------------------------------------------------------------

@bp.get("/v/<token>")
@allow(PUBLIC)
def verify_page(token: str):
    with single_read() as connection:
        cert = queries.public_by_token(connection, token)
    status = public_status(cert.state, cert.valid_from, cert.valid_until, utcnow()).value if cert else "not_found"
    html = verification_html(shown(cert) if cert is not None else None, status)
    return _private(Response(html, status=200 if cert is not None else 404))


@bp.get("/verify")
@limiter.limit(_lookup_limit)
@allow(PUBLIC)
def lookup():
    number, name = request.args.get("number", "").strip(), request.args.get("name", "").strip()
    searched = bool(number or name)
    cert = queries.by_number_and_name(get_session(), number, name) if number and name else None
    status = cert.status_at(utcnow()).value if cert is not None else "not_found"
    html = render_template("certificates/lookup.html", cert=shown(cert) if cert is not None else None,
                           status=status, searched=searched, number=number, name=name)
    return _private(Response(html))


@bp.get("/certificates/<token>.pdf")
@allow(PUBLIC)
def certificate_pdf(token: str):
    """The PDF stored when the certificate was issued (its signed credential attached)."""
    session = get_session()
    found = queries.stored_pdf(session, token)
    if found is None:
        abort(404)
    _id, number, data = found
    if data is None:
        data = pdf_of(queries.by_token(session, token, with_credential=True))
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="certificate-{number}.pdf"'
    return _private(response)


@bp.get("/issuer")
@allow(PUBLIC)
def issuer_document():
    """The issuer's profile with its public Multikey (what proofs' verificationMethod points to)."""
    response = jsonify(issuer_of(current_app).document())
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


# --- the worker ---------------------------------------------------------------------------

@bp.get("/me/certificates")
@allow(Role.WORKER)
def my_certificates():
    session = get_session()
    certs = queries.my_certificates(session, current_user.id)
    reviews = queries.pending_reviews_of(session, [c.id for c in certs])
    issuer = issuer_of(current_app)
    now = utcnow()
    # The review form appears when the reminders start (60 days before the due date).
    return render_template("certificates/my_certificates.html", certs=certs, reviews=reviews, now=now,
                           review_opens=now + timedelta(days=services.REVIEW_REMINDER_DAYS),
                           recorded=queries.my_recorded(session, current_user.id), page_url=issuer.page_url,
                           review_form=ReviewForm(), record_form=RecordForm())


@bp.post("/me/certificates/<int:certificate_id>/review")
@allow(Role.WORKER)
def apply_review(certificate_id: int):
    form = ReviewForm()
    if not form.validate_on_submit():
        flash(_("Enter the hours of review training."), "error")
        return redirect(url_for("certificates.my_certificates"))
    ok, _review = perform(lambda session: services.apply_for_review(
        session, actor=current_user, certificate_id=certificate_id, training_hours=form.training_hours.data,
        note=form.note.data or "", now=utcnow()))
    if ok:
        flash(_("Your review application has been sent to the union."), "success")
    return redirect(url_for("certificates.my_certificates"))


def _save_scan(storage) -> tuple[str | None, str | None]:
    if storage is None or not getattr(storage, "filename", ""):
        return None, None
    suffix = Path(storage.filename).suffix.lower()
    if suffix not in SCAN_TYPES:
        raise ValueError(_("The scan must be a PDF, JPG or PNG file."))
    data = storage.read(SCAN_MAX_BYTES + 1)
    if len(data) > SCAN_MAX_BYTES:
        raise ValueError(_("The scan is larger than 10 MB."))
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "recorded"
    folder.mkdir(parents=True, exist_ok=True)
    stored = secrets.token_hex(16) + suffix
    (folder / stored).write_bytes(data)
    return stored, Path(storage.filename).name[:255]


@bp.post("/me/recorded")
@allow(Role.WORKER)
def record_certificate():
    form = RecordForm()
    if form.validate_on_submit():
        try:
            scan_path, scan_name = _save_scan(form.scan.data)
        except ValueError as exc:
            flash(str(exc), "error")
            return redirect(url_for("certificates.my_certificates"))
        ok, _record = submit(form, lambda session: services.record_government_certificate(
            session, actor=current_user, name=form.name.data, number=form.number.data, issuer=form.issuer.data,
            issued_on=form.issued_on.data, valid_until=form.valid_until.data, scan_path=scan_path,
            scan_name=scan_name, now=utcnow()))
        if ok:
            flash(_("Recorded. The union will check it."), "success")
            return redirect(url_for("certificates.my_certificates"))
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")
    return redirect(url_for("certificates.my_certificates"))


@bp.get("/recorded/<int:record_id>/scan")
@allow(Role.WORKER, Role.UNION_ADMIN)
def recorded_scan(record_id: int):
    record = get_session().get(GovernmentCertificate, record_id)
    if record is None or not record.scan_path or (
            record.user_id != current_user.id and not current_user.has_any_role({Role.UNION_ADMIN})):
        abort(404)
    return send_from_directory(Path(current_app.config["UPLOAD_FOLDER"]) / "recorded", record.scan_path,
                               download_name=record.scan_name or record.scan_path)


# --- the union's desk ---------------------------------------------------------------------

@bp.get("/union/certificates")
@allow(Role.UNION_ADMIN)
def admin_overview():
    session = get_session()
    q = request.args.get("q", "")
    return render_template(
        "certificates/admin.html", counts=queries.counts_per_type(session, now=utcnow()),
        groups=queries.proposal_groups(session), proposals=queries.proposals(session, limit=50),
        jobs=queries.recent_jobs(session), found=queries.search_issued(session, q=q, limit=50), q=q,
        reviews=queries.reviews_to_decide(session), recorded=queries.recorded_to_check(session), now=utcnow(),
        form=ActionForm(), propose_form=ProposeClassForm(), session_form=ProposeSessionForm(),
        decision_form=DecisionForm())


@bp.get("/union/certificates/<int:certificate_id>")
@allow(Role.UNION_ADMIN)
def admin_certificate(certificate_id: int):
    session = get_session()
    cert = session.get(Certificate, certificate_id)
    if cert is None:
        abort(404)
    return render_template("certificates/admin_certificate.html", cert=cert, now=utcnow(),
                           events=queries.events_of(session, cert.id), form=ActionForm(), reason_form=ReasonForm())


def _lifecycle(certificate_id: int, action, done_message: str, *, needs_reason: bool = True):
    form = ReasonForm() if needs_reason else ActionForm()
    if not form.validate_on_submit():
        flash(_("A reason is required."), "error")
        return redirect(url_for("certificates.admin_certificate", certificate_id=certificate_id))
    reason = form.reason.data if needs_reason else ""
    ok, _cert = perform(lambda session: action(session, reason))
    if ok:
        flash(done_message, "success")
    return redirect(url_for("certificates.admin_certificate", certificate_id=certificate_id))


@bp.post("/union/certificates/<int:certificate_id>/issue")
@allow(Role.UNION_ADMIN)
def issue(certificate_id: int):
    issuer = issuer_of(current_app)
    return _lifecycle(certificate_id, lambda session, _r: services.issue_certificate(
        session, actor=current_user, certificate_id=certificate_id, issuer=issuer, now=utcnow()),
        _("Certificate issued."), needs_reason=False)


@bp.post("/union/certificates/<int:certificate_id>/decline")
@allow(Role.UNION_ADMIN)
def decline(certificate_id: int):
    return _lifecycle(certificate_id, lambda session, reason: services.decline_proposal(
        session, actor=current_user, certificate_id=certificate_id, reason=reason, now=utcnow()),
        _("Issuance declined."))


@bp.post("/union/certificates/<int:certificate_id>/revoke")
@allow(Role.UNION_ADMIN)
def revoke(certificate_id: int):
    return _lifecycle(certificate_id, lambda session, reason: services.revoke_certificate(
        session, actor=current_user, certificate_id=certificate_id, reason=reason, now=utcnow()),
        _("Certificate revoked."))


@bp.post("/union/certificates/<int:certificate_id>/suspend")
@allow(Role.UNION_ADMIN)
def suspend(certificate_id: int):
    return _lifecycle(certificate_id, lambda session, reason: services.suspend_certificate(
        session, actor=current_user, certificate_id=certificate_id, reason=reason, now=utcnow()),
        _("Certificate suspended."))


@bp.post("/union/certificates/<int:certificate_id>/reinstate")
@allow(Role.UNION_ADMIN)
def reinstate(certificate_id: int):
    return _lifecycle(certificate_id, lambda session, reason: services.reinstate_certificate(
        session, actor=current_user, certificate_id=certificate_id, reason=reason, now=utcnow()),
        _("Certificate reinstated."))


@bp.post("/union/certificates/propose-class")
@allow(Role.UNION_ADMIN)
def propose_class():
    form = ProposeClassForm()
    if form.validate_on_submit():
        name = current_app.config["CERT_ISSUER_NAME"]
        ok, proposed = perform(lambda session: services.propose_training_certificates(
            session, class_id=form.class_id.data, issuer_name=name, now=utcnow()))
        if ok:
            flash(_("%(n)d certificates proposed.", n=len(proposed)), "success")
    return redirect(url_for("certificates.admin_overview"))


@bp.post("/union/certificates/propose-session")
@allow(Role.UNION_ADMIN)
def propose_session():
    """Propose (or, for auto-issue types, issue) for every eligible candidate of a released session —
    what the results_released signal does, on demand (idempotent)."""
    form = ProposeSessionForm()
    if form.validate_on_submit():
        issuer = issuer_of(current_app)
        ok, proposed = perform(lambda session: services.propose_from_exam_session(
            session, exam_session_id=form.exam_session_id.data, issuer=issuer, now=utcnow()))
        if ok:
            flash(_("%(n)d certificates proposed.", n=len(proposed)), "success")
    return redirect(url_for("certificates.admin_overview"))


@bp.post("/union/certificates/jobs")
@allow(Role.UNION_ADMIN)
def start_job():
    form = ScopeForm()
    if not form.validate_on_submit():
        abort(400)

    def action(session):
        job = services.start_issuance_job(session, actor=current_user, scope=form.scope.data, now=utcnow())
        job_id = job.id
        after_commit(session, lambda: enqueue(_run_job_task(), job_id))
        return job

    ok, job = perform(action)
    if not ok:
        return redirect(url_for("certificates.admin_overview"))
    return redirect(url_for("certificates.job_page", job_id=job.id))


def _run_job_task():
    from certificates.tasks import run_issuance_job

    return run_issuance_job


@bp.get("/union/certificates/jobs/<int:job_id>")
@allow(Role.UNION_ADMIN)
def job_page(job_id: int):
    job = get_session().get(IssuanceJob, job_id)
    if job is None:
        abort(404)
    return render_template("certificates/job.html", job=job)


@bp.post("/union/certificates/reviews/<int:review_id>")
@allow(Role.UNION_ADMIN)
def decide_review(review_id: int):
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    passed = request.form.get("decision") == "pass"
    issuer = issuer_of(current_app)
    ok, _review = perform(lambda session: services.decide_review(
        session, actor=current_user, review_id=review_id, passed=passed, note=form.note.data or "",
        issuer=issuer, now=utcnow()))
    if ok:
        flash(_("Review passed: a new certificate was issued.") if passed else _("Review rejected."), "success")
    return redirect(url_for("certificates.admin_overview"))


@bp.post("/union/recorded/<int:record_id>")
@allow(Role.UNION_ADMIN)
def check_recorded(record_id: int):
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    verified = request.form.get("decision") == "verify"
    ok, _record = perform(lambda session: services.verify_government_certificate(
        session, actor=current_user, record_id=record_id, verified=verified, note=form.note.data or "",
        now=utcnow()))
    if ok:
        flash(_("Record checked."), "success")
    return redirect(url_for("certificates.admin_overview"))


@bp.get("/union/certificates/export.xlsx")
@allow(Role.UNION_ADMIN)
def export_xlsx():
    from openpyxl import Workbook

    from app.labels import label

    now = utcnow()
    book = Workbook(write_only=True)
    counts = book.create_sheet(_("Per type"))
    counts.append([_("Certificate"), _("Level"), _("Issued"), _("Pending approval"), _("Expiring"), _("Revoked"),
                   _("Suspended")])
    for row in queries.counts_per_type(get_session(), now=now):
        counts.append([row.title, row.level, row.issued, row.pending, row.expiring, row.revoked, row.suspended])
    sheet = book.create_sheet(_("Certificates"))
    sheet.append([_("Number"), _("Holder"), _("Certificate"), _("Level"), _("Status"), _("Valid from"),
                  _("Valid until"), _("Review due")])
    for cert in queries.export_rows(get_session()):
        sheet.append([cert.number, cert.holder_name, cert.title, cert.level,
                      label(cert.status_at(now).value, "certificate_status"),
                      *(d.date().isoformat() if d else "" for d in (cert.valid_from, cert.valid_until,
                                                                    cert.review_due))])
    buffer = io.BytesIO()
    book.save(buffer)
    response = Response(buffer.getvalue(),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = 'attachment; filename="certificates.xlsx"'
    return response


@bp.get("/union/certificates/<scope>.zip")
@allow(Role.UNION_ADMIN)
def bulk_zip(scope: str):
    """Every issued certificate of a class (``class-12``) or exam session (``session-3``) as one ZIP."""
    kind, _sep, value = scope.partition("-")
    column = {"class": Certificate.class_id, "session": Certificate.exam_session_id}.get(kind)
    if column is None or not value.isdigit():
        abort(404)
    rows = queries.with_stored_pdfs(get_session(), column == int(value))
    if not rows:
        abort(404)
    data = zip_of([(f"{c.number}-{c.holder_name}.pdf", pdf if pdf is not None else pdf_of(c)) for c, pdf in rows])
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="certificates-{scope}.zip"'
    return response
