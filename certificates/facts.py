"""Facts the certificates domain publishes for records/ (``certificates.DOMAIN.facts``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from certificates import queries


def certificates_of_member(session: Session, user_id: int, *, now: datetime) -> list[dict]:
    """The member's certificates — ours (issued by the union) and recorded government ones."""
    rows = [{"number": c.number, "token": c.token, "type": c.title, "level": c.level,
             "status": c.status_at(now).value, "valid_from": c.valid_from, "valid_until": c.valid_until,
             "issuer": c.issuer_name, "ours": True} for c in queries.my_certificates(session, user_id)]
    rows += [{"number": r.number, "token": None, "type": r.name, "level": "", "status": r.state.value,
              "valid_from": r.issued_on, "valid_until": r.valid_until, "issuer": r.issuer, "ours": False}
             for r in queries.my_recorded(session, user_id)]
    return rows
