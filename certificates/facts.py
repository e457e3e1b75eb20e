"""Facts the certificates domain publishes for records/ (``certificates.DOMAIN.facts``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer, lazyload

from app.membership.models import MemberProfile, MembershipStatus
from certificates import queries
from certificates.models import Certificate, GovernmentCertificate
from courses.facts import month_start


def _ours(c: Certificate, now: datetime) -> dict:
    return {"number": c.number, "token": c.token, "type": c.title, "level": c.level,
            "status": c.status_at(now).value, "valid_from": c.valid_from, "valid_until": c.valid_until,
            "issuer": c.issuer_name, "ours": True}


def _recorded(r: GovernmentCertificate) -> dict:
    return {"number": r.number, "token": None, "type": r.name, "level": "", "status": str(r.state),
            "valid_from": r.issued_on, "valid_until": r.valid_until, "issuer": r.issuer, "ours": False}


def certificates_of_member(session: Session, user_id: int, *, now: datetime) -> list[dict]:
    """The member's certificates — ours (issued by the union) and recorded government ones."""
    ours = session.scalars(select(Certificate).options(lazyload(Certificate.user), defer(Certificate.credential))
                           .where(Certificate.user_id == user_id, Certificate.state.in_(queries.PUBLIC_STATES))
                           .order_by(Certificate.issued_at.desc(), Certificate.id.desc()))
    return [_ours(c, now) for c in ours] + [_recorded(r) for r in queries.my_recorded(session, user_id)]


def certificates_of_many(session: Session, user_ids: list[int], *, now: datetime) -> dict[int, list[dict]]:
    """``certificates`` for many members at once, in two statements (lists of people: no N+1)."""
    found: dict[int, list[dict]] = {user_id: [] for user_id in user_ids}
    if not user_ids:
        return found
    for c in session.scalars(select(Certificate).where(Certificate.user_id.in_(user_ids),
                                                       Certificate.state.in_(queries.PUBLIC_STATES))
                             .order_by(Certificate.issued_at.desc(), Certificate.id.desc())):
        found[c.user_id].append(_ours(c, now))
    for r in session.scalars(select(GovernmentCertificate).where(GovernmentCertificate.user_id.in_(user_ids))
                             .order_by(GovernmentCertificate.issued_on.desc())):
        found[r.user_id].append(_recorded(r))
    return found


def stats_certificates(session: Session, *, now: datetime) -> list[dict]:
    """For the union dashboard: ``certificates_issued`` per month of issuance (Asia/Shanghai), in
    total and per certificate (``kind``: the type or course title), grassroots union and employer.
    A certificate issued and later suspended or revoked still counts in the month it was issued;
    recorded government certificates are not ours and do not count. One grouped statement per breakdown."""
    member = (MemberProfile.user_id == Certificate.user_id) & (MemberProfile.status == MembershipStatus.VERIFIED)
    breakdowns = {"": None, "kind": Certificate.title, "union_name": MemberProfile.union_name,
                  "enterprise": MemberProfile.employer_name}
    month = month_start(session, Certificate.issued_at).label("month")
    out: list[dict] = []
    for dimension, key in breakdowns.items():
        columns = [month] + ([key.label("key")] if key is not None else [])
        stmt = select(*columns, func.count(Certificate.id)).select_from(Certificate)
        if dimension in ("union_name", "enterprise"):
            stmt = stmt.outerjoin(MemberProfile, member)
        stmt = stmt.where(Certificate.issued_at.is_not(None), Certificate.issued_at <= now,
                          Certificate.number.is_not(None)).group_by(*columns)
        for row in session.execute(stmt):
            item = {"month": date.fromisoformat(row[0]), "dimension": dimension, "metric": "certificates_issued",
                    "value": int(row[-1] or 0)}
            if key is not None:
                item[dimension] = row[1] or ""
            out.append(item)
    return out
