#!/usr/bin/env python3
"""Search quality (not a test): runs the query set of tests/courses/search_quality against its
catalog in a scratch SQLite database (or ``--database-url``) and prints top-1, top-3, MRR and
the zero-result rate, overall and per kind of query, and every miss.

    .venv/bin/python bench/search_quality.py
    .venv/bin/python bench/search_quality.py --database-url postgresql://postgres@127.0.0.1:5432/search
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty scratch database (default: a temporary SQLite file)")
    parser.add_argument("--verbose", action="store_true", help="print every query's results")
    args = parser.parse_args()

    from sqlalchemy.orm import Session

    from app import create_app
    from app.db import Base, make_engine
    from app.models import import_all_models
    from tests.courses.search_quality import evaluate, load_catalog

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/quality.db"
        app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
        import_all_models()
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        try:
            with app.app_context(), app.test_request_context(), Session(engine) as session:
                keys = load_catalog(session)
                figures = evaluate(session, keys, now=NOW)
                session.rollback()
        finally:
            if args.database_url:
                Base.metadata.drop_all(engine)
            engine.dispose()

    n = len(figures.outcomes)
    print(f"search quality: {len(keys)} courses, {n} queries ({engine.dialect.name})")
    print(f"  top-1 {figures.top1:6.1%}   top-3 {figures.top3:6.1%}   MRR {figures.mrr:.3f}   "
          f"zero results {figures.zero:.1%}   relaxed {sum(o.relaxed for o in figures.outcomes)}/{n}")
    by_kind = defaultdict(list)
    for outcome in figures.outcomes:
        by_kind[outcome.kind].append(outcome)
    for kind, outcomes in sorted(by_kind.items()):
        hits = sum(1 for o in outcomes if o.rank and o.rank <= 3)
        print(f"  {kind:<12} {hits}/{len(outcomes)} in top 3")
    for outcome in figures.outcomes if args.verbose else figures.misses:
        print(f"  {'MISS' if outcome in figures.misses else 'ok  '} {outcome.q}: expected {outcome.expected}, "
              f"got {outcome.got[:3]} ({outcome.total} results{', relaxed' if outcome.relaxed else ''})")


if __name__ == "__main__":
    main()
