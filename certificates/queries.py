"""Reads of the certificates domain (no writes): public lookups, a member's certificates,
the union's counts per type, status list bits, home-card counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Row, Select, bindparam, case, func, literal_column, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, defer, lazyload

from app.auth.models import User
from certificates.models import (
    Certificate,
    CertificateEvent,
    CertificatePdf,
    CertificateState,
    GovernmentCertificate,
    IssuanceJob,
    RecordedState,
    ReviewApplication,
    ReviewState,
    StatusList,
    StatusPurpose,
)
from certificates.numbers import normalise_number

PUBLIC_STATES = (CertificateState.ISSUED, CertificateState.SUSPENDED, CertificateState.REVOKED)
EXPIRING_DAYS = 90


def by_token(session: Session, token: str, *, with_credential: bool = False) -> Certificate | None:
    """A public certificate by its token: one query, without the holder's account (public
    answers read only the certificate's own snapshot) and, unless asked, without the credential."""
    if not token or len(token) > 64:
        return None
    options = [lazyload(Certificate.user)]
    if not with_credential:
        options.append(defer(Certificate.credential))
    return session.scalar(select(Certificate).where(Certificate.token == token,
                                                    Certificate.state.in_(PUBLIC_STATES)).options(*options))


_c = Certificate.__table__.c
# What the public answers show, and nothing else: a Core statement built once (no ORM entity to
# load, no statement to build per request), read live on every request.
_PUBLIC_BY_TOKEN = select(
    _c.id, _c.token, _c.number, _c.state, _c.holder_name, _c.title, _c.level, _c.issuer_name, _c.valid_from,
    _c.valid_until, _c.review_due, _c.suspended_at, _c.suspension_reason, _c.revoked_at, _c.revocation_reason,
).where(_c.token == bindparam("token"),
        # the states written into the SQL: an IN of bound values is re-rendered at every execution
        _c.state.in_([literal_column(f"'{state.value}'") for state in PUBLIC_STATES]))


def public_by_token(connection: Connection | Session, token: str) -> Row | None:
    """The public facts of a certificate by its token (one narrow row, attributes named like the
    certificate's), or None; always read from the database, so a revocation shows at once.
    A Core statement: a bare connection will do (:func:`app.db.single_read`)."""
    if not token or len(token) > 64:
        return None
    return connection.execute(_PUBLIC_BY_TOKEN, {"token": token}).first()


def stored_pdf(session: Session, token: str) -> tuple[int, str, bytes | None] | None:
    """(id, number, stored PDF or None) of a public certificate by its token: one query that
    reads neither the certificate's other columns nor its credential."""
    if not token or len(token) > 64:
        return None
    row = session.execute(select(Certificate.id, Certificate.number, CertificatePdf.pdf)
                          .outerjoin(CertificatePdf, CertificatePdf.certificate_id == Certificate.id)
                          .where(Certificate.token == token, Certificate.state.in_(PUBLIC_STATES))).first()
    return tuple(row) if row is not None else None


def with_stored_pdfs(session: Session, condition) -> list[tuple[Certificate, bytes | None]]:
    """Public certificates matching ``condition`` with their stored PDFs (None where none is)."""
    rows = session.execute(select(Certificate, CertificatePdf.pdf)
                           .outerjoin(CertificatePdf, CertificatePdf.certificate_id == Certificate.id)
                           .where(condition, Certificate.state.in_(PUBLIC_STATES))
                           .options(lazyload(Certificate.user)).order_by(Certificate.id))
    return [(cert, pdf) for cert, pdf in rows]


def by_number_and_name(session: Session, number: str, name: str) -> Certificate | None:
    """The certificate with this number whose holder has this name; None for either miss."""
    stored = normalise_number(number)
    if stored is None or not name.strip():
        return None
    cert = session.scalar(select(Certificate).where(Certificate.number == stored,
                                                    Certificate.state.in_(PUBLIC_STATES)))
    if cert is None or cert.holder_name.replace(" ", "") != name.strip().replace(" ", ""):
        return None
    return cert


def my_certificates(session: Session, user_id: int) -> list[Certificate]:
    return list(session.scalars(select(Certificate).where(Certificate.user_id == user_id,
                                                          Certificate.state.in_(PUBLIC_STATES))
                                .order_by(Certificate.issued_at.desc(), Certificate.id.desc())))


def my_recorded(session: Session, user_id: int) -> list[GovernmentCertificate]:
    return list(session.scalars(select(GovernmentCertificate).where(GovernmentCertificate.user_id == user_id)
                                .order_by(GovernmentCertificate.issued_on.desc())))


def pending_reviews_of(session: Session, certificate_ids: list[int]) -> dict[int, ReviewApplication]:
    if not certificate_ids:
        return {}
    rows = session.scalars(select(ReviewApplication).where(ReviewApplication.certificate_id.in_(certificate_ids),
                                                           ReviewApplication.state == ReviewState.APPLIED))
    return {r.certificate_id: r for r in rows}


def events_of(session: Session, certificate_id: int) -> list[CertificateEvent]:
    return list(session.scalars(select(CertificateEvent).where(CertificateEvent.certificate_id == certificate_id)
                                .order_by(CertificateEvent.at, CertificateEvent.id)))


@dataclass
class TypeCounts:
    title: str
    level: str
    type_code: str
    issued: int
    pending: int
    expiring: int
    revoked: int
    suspended: int


def counts_per_type(session: Session, *, now: datetime) -> list[TypeCounts]:
    """Issued (currently valid or expired, not revoked), pending proposals, expiring within 90
    days, revoked and suspended, per certificate title and level: one query."""
    soon = now + timedelta(days=EXPIRING_DAYS)
    state = Certificate.state

    def count_when(condition):
        return func.sum(case((condition, 1), else_=0))

    rows = session.execute(select(
        Certificate.title, Certificate.level, Certificate.type_code,
        count_when(state.in_((CertificateState.ISSUED, CertificateState.SUSPENDED))),
        count_when(state == CertificateState.PROPOSED),
        count_when((state == CertificateState.ISSUED) & Certificate.valid_until.is_not(None)
                   & (Certificate.valid_until > now) & (Certificate.valid_until <= soon)),
        count_when(state == CertificateState.REVOKED),
        count_when(state == CertificateState.SUSPENDED),
    ).group_by(Certificate.title, Certificate.level, Certificate.type_code)
        .order_by(Certificate.type_code, Certificate.title, Certificate.level))
    return [TypeCounts(*row[:3], *(int(x or 0) for x in row[3:])) for row in rows]


def proposals(session: Session, *, limit: int = 200) -> list[Certificate]:
    return list(session.scalars(select(Certificate).where(Certificate.state == CertificateState.PROPOSED)
                                .order_by(Certificate.class_id, Certificate.exam_session_id, Certificate.id)
                                .limit(limit)))


def proposal_groups(session: Session) -> list[tuple[str, str, int]]:
    """(scope, title, count) of pending proposals per class / exam session."""
    scope = case((Certificate.class_id.is_not(None), "class:" + func.cast(Certificate.class_id, _str())),
                 (Certificate.exam_session_id.is_not(None),
                  "session:" + func.cast(Certificate.exam_session_id, _str())), else_="all")
    rows = session.execute(select(scope, func.min(Certificate.title), func.count())
                           .where(Certificate.state == CertificateState.PROPOSED).group_by(scope).order_by(scope))
    return [(s, t, int(n)) for s, t, n in rows]


def _str():
    from sqlalchemy import String

    return String()


def search_issued(session: Session, *, q: str = "", limit: int = 100) -> list[Certificate]:
    stmt: Select = select(Certificate).where(Certificate.state.in_(PUBLIC_STATES))
    if q.strip():
        term = f"%{q.strip()}%"
        stmt = stmt.where(Certificate.number.ilike(term) | Certificate.holder_name.ilike(term))
    return list(session.scalars(stmt.order_by(Certificate.id.desc()).limit(limit)))


def export_rows(session: Session):
    return session.scalars(select(Certificate).where(Certificate.state.in_(PUBLIC_STATES))
                           .order_by(Certificate.id).execution_options(yield_per=1000))


def recorded_to_check(session: Session) -> list[GovernmentCertificate]:
    return list(session.scalars(select(GovernmentCertificate)
                                .where(GovernmentCertificate.state == RecordedState.RECORDED)
                                .order_by(GovernmentCertificate.recorded_at)))


def reviews_to_decide(session: Session) -> list[ReviewApplication]:
    return list(session.scalars(select(ReviewApplication).where(ReviewApplication.state == ReviewState.APPLIED)
                                .order_by(ReviewApplication.applied_at)))


def recent_jobs(session: Session, limit: int = 10) -> list[IssuanceJob]:
    return list(session.scalars(select(IssuanceJob).order_by(IssuanceJob.id.desc()).limit(limit)))


def status_list_bits(session: Session, list_id: int) -> tuple[StatusList, list[int]] | None:
    """The list and the indexes whose bit is set (revoked / suspended certificates on it)."""
    status_list = session.get(StatusList, list_id)
    if status_list is None:
        return None
    if status_list.purpose == StatusPurpose.REVOCATION:
        stmt = select(Certificate.revocation_index).where(Certificate.revocation_list_id == list_id,
                                                          Certificate.state == CertificateState.REVOKED)
    else:
        stmt = select(Certificate.suspension_index).where(Certificate.suspension_list_id == list_id,
                                                          Certificate.state == CertificateState.SUSPENDED)
    return status_list, list(session.scalars(stmt))


# --- home cards ---

def count_my_certificates(session: Session, user: User, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(Certificate).where(
        Certificate.user_id == user.id, Certificate.state.in_(PUBLIC_STATES))) or 0


def count_proposed(session: Session, user: User, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(Certificate).where(
        Certificate.state == CertificateState.PROPOSED)) or 0
