"""The search dictionary: union admins add and remove synonyms and abbreviations.

Searches read the dictionary from the database (kept a few seconds in the search cache), so an
entry applies to the next searches without a redeploy and without reindexing the catalog.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import User
from app.errors import Conflict, Forbidden, Invalid, NotFound
from courses.models import SearchSynonym
from courses.search.seed import SYNONYMS
from courses.search.text import MAX_TERM_LENGTH, normalize


def _require_admin(actor: User) -> None:
    if not actor.has_role(Role.UNION_ADMIN):
        raise Forbidden(_("Only union admins edit the search dictionary."))


def _word(value: str, field: str) -> str:
    word = normalize(value or "")
    if not word or len(word) > MAX_TERM_LENGTH:
        raise Invalid(_("Enter a word or phrase of at most 64 characters."), field=field)
    return word


def add_synonym(session: Session, *, actor: User, term: str, expansion: str, two_way: bool = True,
                featured: bool = False, now: datetime) -> SearchSynonym:
    """Add ``term`` → ``expansion`` (both ways if ``two_way``). Raises Forbidden, Invalid,
    Conflict (``synonym_exists``)."""
    _require_admin(actor)
    term, expansion = _word(term, "term"), _word(expansion, "expansion")
    if term == expansion:
        raise Invalid(_("A word is not its own synonym."), field="expansion")
    if session.scalar(select(SearchSynonym.id).where(SearchSynonym.term == term,
                                                     SearchSynonym.expansion == expansion)):
        raise Conflict(_("This entry is already in the dictionary."), code="synonym_exists", field="term")
    entry = SearchSynonym(term=term, expansion=expansion, two_way=two_way, featured=featured, created_at=now)
    session.add(entry)
    session.flush()
    return entry


def delete_synonym(session: Session, *, actor: User, synonym_id: int) -> None:
    """Remove an entry. Raises Forbidden, NotFound."""
    _require_admin(actor)
    entry = session.get(SearchSynonym, synonym_id)
    if entry is None:
        raise NotFound(_("No such dictionary entry."))
    session.delete(entry)
    session.flush()


def seed_dictionary(session: Session, *, now: datetime | None = None) -> int:
    """Insert the seed entries that are missing (idempotent); returns how many were added.
    The migration does the same for a migrated database; this serves demo and tests."""
    from datetime import UTC

    created = now or datetime(2026, 11, 29, tzinfo=UTC)   # a fixed date: the seed's, not the clock's
    existing = {tuple(row) for row in session.execute(select(SearchSynonym.term, SearchSynonym.expansion))}
    added = 0
    for term, expansion, two_way, featured in SYNONYMS:
        key = (normalize(term), normalize(expansion))
        if key in existing:
            continue
        existing.add(key)
        session.add(SearchSynonym(term=key[0], expansion=key[1], two_way=two_way, featured=featured,
                                  created_at=created))
        added += 1
    session.flush()
    return added
