"""Writes around a member's record: printouts. (Honours are entered and verified in studios/
and reach the record through its "honours" fact.)"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.errors import NotFound
from records.models import RecordPrintout
from records.queries.record import Record


def record_printout(session: Session, *, actor: User, record: Record, now: datetime) -> RecordPrintout:
    """Register a printout of the member's own record: a random token for its QR code and the
    hash of what it shows. The same unchanged record reuses its latest printout."""
    if record.user_id != actor.id:
        raise NotFound(_("No such record."))
    digest = record.snapshot_hash()
    latest = session.scalar(select(RecordPrintout).where(RecordPrintout.user_id == actor.id)
                            .order_by(RecordPrintout.id.desc()).limit(1))
    if latest is not None and latest.snapshot_hash == digest:
        return latest
    printout = RecordPrintout(token=secrets.token_urlsafe(24), user_id=actor.id, snapshot_hash=digest,
                              entries=sum(1 for e in record.entries if not e.only_member), created_at=now)
    session.add(printout)
    session.flush()
    return printout
