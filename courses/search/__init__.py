"""Chinese search for the catalog, behind one interface.

- ``text``: normalisation (OpenCC traditional → simplified, NFKC full → half width, case,
  punctuation), jieba segmentation, endings, Latin tails, pinyin;
- ``index``: the ``CourseTerm`` inverted index (``index_course``, ``course_terms``);
- ``dictionary``: the synonym and abbreviation dictionary (data: ``SearchSynonym`` rows);
- ``query``: a query's plan and the ranking statement (strict, then relaxed; BM25-style).

Callers use ``plan_query`` and ``matching_sql`` (or ``matching_courses``); see
docs/decisions.md for why the index is our own table rather than FTS5 or tsvector.
"""

from __future__ import annotations

from collections.abc import MutableMapping

from sqlalchemy.orm import Session

from courses.search import text
from courses.search.dictionary import Dictionary, load_dictionary
from courses.search.engine import cannot_match_strictly, matching_courses, matching_sql
from courses.search.index import WEIGHTS, course_terms, field_terms, index_course
from courses.search.query import (
    Plan,
    build_plan,
    idf,
    prefix_terms,
    term_statistics,
)
from courses.search.text import normalize, segment, tokenizer

__all__ = ["WEIGHTS", "Dictionary", "Plan", "cannot_match_strictly", "course_terms", "dictionary", "field_terms",
           "index_course", "load_dictionary", "matching_courses", "matching_sql", "normalize", "plan_query",
           "prefix_terms", "segment", "term_statistics", "tokenizer", "warm_up"]


def warm_up() -> None:
    """Load jieba's dictionary, OpenCC and pypinyin's data now (a worker's boot, not its first
    search) and move them out of the garbage collector's sight: pypinyin's phrase table alone is
    hundreds of thousands of tracked objects, and a full collection walking them took 0.8 s, a
    pause that landed on whichever request happened to trigger it (``gc.freeze``)."""
    import gc

    tokenizer()
    text.pinyin("导游")
    normalize("導遊")
    gc.collect()
    gc.freeze()


def _memo(cache: MutableMapping | None, key: tuple, compute):
    if cache is None:
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache[key] = value
    return value


def dictionary(session: Session, cache: MutableMapping | None = None) -> Dictionary:
    """The search dictionary, kept in ``cache`` (the catalog's short-lived cache) when given:
    an admin's change applies within the cache's lifetime, without a redeploy."""
    return _memo(cache, ("search", "dictionary"), lambda: load_dictionary(session))


def plan_query(session: Session, q: str | None, cache: MutableMapping | None = None) -> Plan:
    """The plan of a query with the inverse document frequencies of its terms.

    Reads the dictionary, the index's terms starting with each Latin word and the document
    frequency of each term; with a ``cache`` each of these is kept for its lifetime, so a new
    query made of known words costs only its ranking statement."""
    plan = build_plan(q, dictionary(session, cache),
                      lambda prefix: _memo(cache, ("search", "prefix", prefix),
                                           lambda: prefix_terms(session, prefix)))
    if not plan:
        return plan
    terms = plan.terms
    known = {t: cache.get(("search", "df", t)) for t in terms} if cache is not None else {}
    n = cache.get(("search", "courses")) if cache is not None else None
    missing = [t for t in terms if known.get(t) is None]
    if missing or n is None:
        found, counted = term_statistics(session, missing, with_count=n is None)
        if n is None:
            n = counted or 0
            if cache is not None:
                cache[("search", "courses")] = n
        for term in missing:
            known[term] = found.get(term, 0)
            if cache is not None:
                cache[("search", "df", term)] = known[term]
    plan.idf = {t: idf(known[t], n) for t in terms}
    plan.df, plan.courses = {t: known[t] for t in terms}, n
    return plan
