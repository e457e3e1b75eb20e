"""Telling processes that the public catalog changed: a random token in ``catalog_state``.

A flush that changes what the catalog shows (a course, its search document, an industry, a
provider's name) sets a new token in the same transaction (``note_catalog_changes``, a listener
every ORM session carries); writes made with Core statements call ``mark_catalog_changed``
themselves. A process compares the stored token with the one its in-memory catalog was built
at (``courses.queries.catalog_index.IndexKeeper``). A token rather than a counter: a
rolled-back write puts the old value back, and a counter could then repeat a number that a
process has already seen with other data.
"""

from __future__ import annotations

import secrets

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from app.auth.models import Organization
from courses.models import CatalogState, Course, CourseDocument, Industry

_TOKEN = select(CatalogState.token).where(CatalogState.id == 1)


def catalog_token(session: Session) -> str | None:
    """The stored token (None before any catalog write on a database made without migrations)."""
    return session.scalar(_TOKEN)


def mark_catalog_changed(session: Session) -> None:
    """Set a new token: processes rebuild their snapshot at their next check. Called in the
    writing transaction, so the new token is seen exactly when the change is."""
    token = secrets.token_hex(8)
    connection = session.connection()
    if connection.execute(update(CatalogState).where(CatalogState.id == 1).values(token=token)).rowcount == 0:
        connection.execute(CatalogState.__table__.insert().values(id=1, token=token))


def _changes_catalog(obj) -> bool:
    if isinstance(obj, Course | CourseDocument | Industry):
        return True
    if isinstance(obj, Organization):
        return inspect(obj).attrs.name.history.has_changes()
    return False


@event.listens_for(Session, "after_flush")
def note_catalog_changes(session: Session, _flush_context) -> None:
    """After any flush that wrote a course, its document, an industry or a provider's name:
    :func:`mark_catalog_changed` (the listener every session carries)."""
    changed = any(_changes_catalog(obj) for obj in session.new) or any(
        _changes_catalog(obj) for obj in session.deleted) or any(
        _changes_catalog(obj) and session.is_modified(obj) for obj in session.dirty)
    if changed:
        mark_catalog_changed(session)
