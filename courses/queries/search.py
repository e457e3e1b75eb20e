"""Search helpers for the catalog pages and API: suggestions as the user types, popular
searches, the dictionary's entries for its admin page."""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from courses import search
from courses.models import SearchSynonym
from courses.queries.catalog_index import CatalogIndex
from courses.search import text

MAX_WORDS = 5
MAX_SYNONYMS = 4
MAX_TITLES = 5
MAX_POPULAR = 12


@dataclass(frozen=True)
class Suggestion:
    text: str               # what the search box would search for
    kind: str               # title | word | synonym
    hint: str = ""          # for a synonym: the word it also means
    course_id: int | None = None


def _words(index: CatalogIndex, prefix: str) -> list[str]:
    """Trade words of the catalog that start with ``prefix``, the most common first."""
    if not prefix or not text.is_chinese(prefix[0]):
        return []   # Latin prefixes would offer pinyin and code tails, not words a worker reads
    candidates = [t for t in index.prefix_terms(prefix, limit=40) if text.is_chinese(t) and len(t) >= 2]
    return sorted(candidates, key=lambda t: (-len(index.body[t]), len(t), t))[:MAX_WORDS]


def _synonyms(dictionary: search.Dictionary, q: str) -> list[Suggestion]:
    found = []
    for word in dictionary.words():
        if word.startswith(q) or (len(q) >= 2 and q in word):
            for other in dictionary.get(word)[:1]:
                found.append(Suggestion(text=word, kind="synonym", hint=other))
    return sorted(found, key=lambda s: (not s.text.startswith(q), len(s.text), s.text))[:MAX_SYNONYMS]


def _titles(index: CatalogIndex, dictionary: search.Dictionary, q: str) -> list[Suggestion]:
    """The best-matching courses' titles: strict matches, else the relaxed search's."""
    plan = index.plan(q, dictionary)
    if not plan:
        return []
    matches, tiers = index.strict(plan, None)
    if not matches:
        matches, tiers = index.relaxed(plan, None)
    rows = index.ranked_page(tiers, None, 0, MAX_TITLES)
    return [Suggestion(text=index.cards[course_id].title, kind="title", course_id=course_id) for course_id, _ in rows]


def suggest(index: CatalogIndex, dictionary: search.Dictionary, q: str | None, *,
            titles: bool = True) -> list[Suggestion]:
    """What to offer under the search box for ``q``: dictionary words, trade words of the
    catalog and (unless ``titles`` is false) the titles of the best-matching public courses,
    all from the in-memory catalog index and the dictionary."""
    normalised = text.normalize(q or "")
    if not normalised:
        return []
    out: list[Suggestion] = _synonyms(dictionary, normalised)
    seen = {s.text for s in out}
    for word in _words(index, normalised):
        if word not in seen and word != normalised:
            out.append(Suggestion(text=word, kind="word"))
            seen.add(word)
    if titles:
        out += [s for s in _titles(index, dictionary, q or "") if s.text not in seen]
    return out


def popular_searches(session: Session, cache: MutableMapping | None = None) -> list[str]:
    """The dictionary's featured words (chosen by union admins), for the search box and the empty
    page; kept in the search's short-lived ``cache`` when given, like the dictionary itself."""
    popular = cache.get(("search", "popular")) if cache is not None else None
    if popular is None:
        popular = list(session.scalars(select(SearchSynonym.term).where(SearchSynonym.featured.is_(True))
                                       .group_by(SearchSynonym.term).order_by(func.min(SearchSynonym.id))
                                       .limit(MAX_POPULAR)))
        if cache is not None:
            cache[("search", "popular")] = popular
    return popular


def nearest_suggestions(index: CatalogIndex, dictionary: search.Dictionary, q: str | None) -> list[str]:
    """Searches close to a query that found nothing: suggestions for each of its words and for
    their first characters (a typo further on still finds the trade)."""
    normalised = text.normalize(q or "")
    found: list[str] = []
    for piece in dict.fromkeys([normalised, *normalised.split(), *(w[:1] for w in normalised.split())]):
        for suggestion in suggest(index, dictionary, piece, titles=False):
            if suggestion.text not in found and suggestion.text != normalised:
                found.append(suggestion.text)
        if len(found) >= MAX_WORDS:
            break
    return found[:MAX_WORDS]


def list_synonyms(session: Session) -> list[SearchSynonym]:
    return list(session.scalars(select(SearchSynonym).order_by(SearchSynonym.term, SearchSynonym.expansion)))
