#!/usr/bin/env python3
"""Which full-text machinery ranks a query fastest (not a test): the ``course_terms`` index
(``courses.search``), SQLite FTS5 with ``bm25()`` and PostgreSQL ``tsvector`` + GIN with
``ts_rank``, over the same pre-segmented terms, for the same query plans.

Give it a database loaded by ``bench/catalog.py`` (it adds scratch FTS tables to it):

    .venv/bin/python bench/search_engines.py sqlite:////tmp/bench_catalog/catalog.sqlite3
    .venv/bin/python bench/search_engines.py postgresql://postgres@127.0.0.1:5432/bench_catalog

For each of a sample of distinct queries (bench/catalog.py's distinct-query URLs) it times,
single-threaded, the first page (21 ids by score) and the count of a strict search, and prints
the median and p95 per engine. FTS5 and tsvector get the plan's groups as one boolean query:
(word OR stem OR synonym OR (part AND part)) AND ...
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def fts_query(plan, quote) -> str:
    groups = []
    for group in plan.groups:
        if not group.required:
            continue
        alts = []
        for alt in group.alternatives:
            terms = [quote(t) for t in alt.terms]
            alts.append(terms[0] if len(terms) == 1 else "(" + " AND ".join(terms) + ")")
        groups.append("(" + " OR ".join(alts) + ")")
    return " AND ".join(groups)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--sample", type=int, default=150)
    args = parser.parse_args()

    from catalog import distinct_paths
    from sqlalchemy import text

    from app import create_app
    from app.db import get_session
    from courses import search
    from courses.search.query import postings_matching

    app = create_app({"DATABASE_URL": args.url, "CATALOG_CACHE_SECONDS": 0})
    pg = args.url.startswith("postgresql")
    queries = []
    for path in distinct_paths(3000):
        q = parse_qs(urlsplit(path).query).get("q")
        if q:
            queries.append(q[0])
    queries = queries[:args.sample]
    with app.app_context():
        session = get_session()
        started = time.monotonic()
        if pg:
            session.execute(text("DROP TABLE IF EXISTS bench_fts"))
            session.execute(text(
                "CREATE TABLE bench_fts AS SELECT course_id, array_to_tsvector(array_agg(term)) AS doc, "
                "array_to_tsvector(array_agg(term) FILTER (WHERE weight >= 10)) AS title "
                "FROM course_terms GROUP BY course_id"))
            session.execute(text("CREATE INDEX ON bench_fts USING gin (doc)"))
            session.execute(text("ANALYZE bench_fts"))
        else:
            session.execute(text("DROP TABLE IF EXISTS bench_fts"))
            session.execute(text("CREATE VIRTUAL TABLE bench_fts USING fts5(title, doc, tokenize=\"unicode61 "
                                 "remove_diacritics 0 tokenchars '-_'\")"))
            session.execute(text(
                "INSERT INTO bench_fts(rowid, title, doc) SELECT course_id, "
                "group_concat(CASE WHEN weight >= 10 THEN term END, ' '), group_concat(term, ' ') "
                "FROM course_terms GROUP BY course_id"))
        session.commit()
        print(f"built the {'tsvector' if pg else 'FTS5'} table in {time.monotonic() - started:.1f}s")

        def ours(plan):
            m = postings_matching(plan).subquery()
            from sqlalchemy import func, select
            ids = session.execute(select(m.c.course_id).order_by(m.c.score.desc(), m.c.course_id).limit(21)).all()
            n = session.scalar(select(func.count()).select_from(m))
            return len(ids), n

        def fts(plan):
            if pg:
                expr = fts_query(plan, lambda t: "'" + t.replace("'", "''") + "'").replace(" AND ", " & ") \
                    .replace(" OR ", " | ")
                ids = session.execute(text("SELECT course_id FROM bench_fts WHERE doc @@ CAST(:q AS tsquery) "
                                           "ORDER BY ts_rank(doc, CAST(:q AS tsquery)) DESC, course_id LIMIT 21"),
                                      {"q": expr}).all()
                n = session.scalar(text("SELECT count(*) FROM bench_fts WHERE doc @@ CAST(:q AS tsquery)"), {"q": expr})
            else:
                expr = fts_query(plan, lambda t: '"' + t.replace('"', '""') + '"')
                ids = session.execute(text("SELECT rowid FROM bench_fts WHERE bench_fts MATCH :q "
                                           "ORDER BY bm25(bench_fts, 10.0, 1.0), rowid LIMIT 21"), {"q": expr}).all()
                n = session.scalar(text("SELECT count(*) FROM bench_fts WHERE bench_fts MATCH :q"), {"q": expr})
            return len(ids), n

        timings = {"course_terms": [], "fts": []}
        agree = 0
        for q in queries:
            plan = search.plan_query(session, q)
            if not plan or not any(g.required for g in plan.groups):
                continue
            results = {}
            for name, run in (("course_terms", ours), ("fts", fts)):
                run(plan)   # warm
                t0 = time.perf_counter()
                results[name] = run(plan)
                timings[name].append((time.perf_counter() - t0) * 1000)
            agree += results["course_terms"][1] == results["fts"][1]
        fts_name = "tsvector+GIN" if pg else "FTS5 bm25()"
        for name, samples in timings.items():
            samples.sort()
            print(f"  {name if name != 'fts' else fts_name:<14} median {statistics.median(samples):6.2f} ms   "
                  f"p95 {samples[int(len(samples) * .95) - 1]:6.2f} ms   ({len(samples)} queries)")
        print(f"  same number of matches in {agree}/{len(timings['fts'])} queries "
              "(ours leaves common words out of strict searches in big catalogs)")
        session.execute(text("DROP TABLE IF EXISTS bench_fts"))
        session.commit()


if __name__ == "__main__":
    main()
