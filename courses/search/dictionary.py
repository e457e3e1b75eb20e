"""The search dictionary in memory: word → the words it also means (from ``SearchSynonym`` rows)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from courses.models import SearchSynonym
from courses.search import text

_SERIALS = itertools.count(1)


class Dictionary:
    """Synonyms by normalised word: a one-way entry maps ``term`` to ``expansion``, a two-way one
    both ways. ``serial`` tells this dictionary from every other loaded in the process (what is
    worked out from it may be kept under it)."""

    def __init__(self, entries: Iterable[tuple[str, str, bool]] = ()):
        self.serial = next(_SERIALS)
        self._map: dict[str, list[str]] = {}
        for term, expansion, two_way in entries:
            term, expansion = text.normalize(term), text.normalize(expansion)
            if not term or not expansion or term == expansion:
                continue
            self._add(term, expansion)
            if two_way:
                self._add(expansion, term)
        self.longest = max((len(w) for w in self._map), default=0)

    def _add(self, word: str, other: str) -> None:
        others = self._map.setdefault(word, [])
        if other not in others:
            others.append(other)

    def __contains__(self, word: str) -> bool:
        return word in self._map

    def get(self, word: str) -> list[str]:
        return self._map.get(word, [])

    def words(self) -> list[str]:
        return list(self._map)


def load_dictionary(session: Session) -> Dictionary:
    """The dictionary as the database holds it now (one small statement)."""
    rows = session.execute(select(SearchSynonym.term, SearchSynonym.expansion, SearchSynonym.two_way))
    return Dictionary(rows)
