"""Chinese search for the catalog: the text side.

- ``text``: normalisation (OpenCC traditional → simplified, NFKC full → half width, case,
  punctuation), jieba segmentation, endings, Latin tails, pinyin;
- ``index``: a course's search terms and its ``CourseDocument`` (``index_course``);
- ``dictionary``: the synonym and abbreviation dictionary (data: ``SearchSynonym`` rows);
- ``query``: a query's plan (groups of alternatives) and how it ranks courses.

The matching itself runs on the in-memory catalog (``courses.queries.catalog_index``); see
docs/decisions.md for why it left the database's FTS5 and tsvector.
"""

from __future__ import annotations

from collections.abc import MutableMapping

from sqlalchemy.orm import Session

from courses.search import text
from courses.search.dictionary import Dictionary, load_dictionary
from courses.search.index import course_terms, field_terms, index_course
from courses.search.query import Plan, build_plan, idf
from courses.search.text import normalize, segment, tokenizer

__all__ = ["Dictionary", "Plan", "build_plan", "course_terms", "dictionary", "field_terms", "idf",
           "index_course", "load_dictionary", "normalize", "segment", "tokenizer", "warm_up"]


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


def dictionary(session: Session, cache: MutableMapping | None = None) -> Dictionary:
    """The search dictionary, kept in ``cache`` (the search's short-lived cache) when given:
    an admin's change applies within the cache's lifetime, without a redeploy."""
    kept = cache.get(("search", "dictionary")) if cache is not None else None
    if kept is None:
        kept = load_dictionary(session)
        if cache is not None:
            cache[("search", "dictionary")] = kept
    return kept
