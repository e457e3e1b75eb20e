"""The search-quality set (tests/courses/search_quality): what workers type finds the intended course."""

from __future__ import annotations

from tests.courses.search_quality import catalog_rows, evaluate, load_catalog, query_rows

MIN_TOP3 = 0.95


def test_the_set_is_big_enough_and_consistent():
    keys = {row.key for row in catalog_rows()}
    assert len(keys) == len(catalog_rows()) >= 150
    queries = query_rows()
    assert len(queries) >= 80
    assert all(q.expected and set(q.expected) <= keys for q in queries), "every query names known courses"


def test_top3_hit_rate_is_at_least_95_percent(db, now):
    figures = evaluate(db, load_catalog(db), now=now)
    misses = "\n".join(f"{o.q}: expected {o.expected}, got {o.got}" for o in figures.misses)
    assert figures.top3 >= MIN_TOP3, f"top-3 {figures.top3:.1%} < {MIN_TOP3:.0%}; misses:\n{misses}"
    assert figures.zero == 0
