"""Writes around a member's record: honours (entered by union admins) and printouts."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import User
from app.errors import Forbidden, Invalid, NotFound
from records.models import Honour, HonourKind, RecordPrintout
from records.queries.record import Record


def add_honour(session: Session, *, actor: User, user_id: int, kind: str, title: str, awarded_by: str,
               awarded_on: date, now: datetime) -> Honour:
    """A union admin enters a verified honour on a member's record. Raises Forbidden, NotFound, Invalid."""
    if not actor.has_role(Role.UNION_ADMIN):
        raise Forbidden(_("Only union admins enter honours."))
    member = session.get(User, user_id)
    if member is None:
        raise NotFound(_("No such member."))
    if kind not in set(HonourKind):
        raise Invalid(_("Choose a kind of honour."), field="kind")
    if not title.strip():
        raise Invalid(_("Enter the honour's title."), field="title")
    if awarded_on > now.date():
        raise Invalid(_("An honour cannot be awarded in the future."), field="awarded_on")
    honour = Honour(user_id=member.id, kind=HonourKind(kind), title=title.strip()[:200],
                    awarded_by=awarded_by.strip()[:200], awarded_on=awarded_on, entered_by_id=actor.id,
                    entered_at=now)
    session.add(honour)
    session.flush()
    return honour


def delete_honour(session: Session, *, actor: User, honour_id: int) -> None:
    """A union admin removes an honour entered by mistake. Raises Forbidden, NotFound."""
    if not actor.has_role(Role.UNION_ADMIN):
        raise Forbidden(_("Only union admins enter honours."))
    honour = session.get(Honour, honour_id)
    if honour is None:
        raise NotFound(_("No such honour."))
    session.delete(honour)
    session.flush()


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
