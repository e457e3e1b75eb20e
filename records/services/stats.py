"""The dashboard's summary table, rebuilt from the aggregate facts the domains publish.

An aggregate publisher is ``fn(session, *, now) -> iterable of dicts`` with ``month`` (a
date: the first day of a month, Asia/Shanghai), ``metric``, ``value`` and any of the
breakdowns ``industry``, ``city``, ``union_name``, ``enterprise``, ``provider``, ``kind``
(course title, certificate or exam type). A row counts toward the total and toward each
breakdown it names; a row with ``dimension`` is already summed for that one breakdown (or, with
``dimension == ""``, for the total) and counts there only. Metrics in use: ``enrolled``, ``trained``
(completions), ``hours``, ``subsidy`` (fen), ``exams_sat``, ``exams_passed``,
``certificates_issued``, ``orders_trained``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import delete, insert, text
from sqlalchemy.orm import Session

from records.facts import STAT_FACTS, publishers
from records.models import StatCell, StatRebuild

DIMENSIONS = ("industry", "city", "union_name", "enterprise", "provider", "kind")
WIDTH = {"industry": 50, "city": 50, "union_name": 200, "enterprise": 200, "provider": 200, "kind": 200}


def _month(value) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.replace(day=1)


def rebuild_stats(session: Session, *, now: datetime) -> StatRebuild:
    """Replace the summary table with fresh aggregates of every installed domain (idempotent)."""
    started = time.perf_counter()
    cells: dict[tuple, int] = defaultdict(int)
    for name in STAT_FACTS:
        for publish in publishers(name):
            rows = publish(session, now=now)
            if not isinstance(rows, list | tuple):   # a snapshot of another shape (not monthly rows)
                continue
            for row in rows:
                if not isinstance(row, dict) or "metric" not in row or "month" not in row:
                    continue
                value = int(row.get("value") or 0)
                if not value:
                    continue
                month, metric = _month(row["month"]), str(row["metric"])
                if "dimension" in row:                            # already summed per breakdown
                    d = row["dimension"] if row["dimension"] in DIMENSIONS else ""
                    cells[(month, metric, d, str(row.get(d) or "")[:WIDTH[d]] if d else "")] += value
                    continue
                cells[(month, metric, "", "")] += value          # the total
                for d in DIMENSIONS:                              # and each breakdown the row carries
                    if d in row:
                        cells[(month, metric, d, str(row[d] or "")[:WIDTH[d]])] += value
    session.execute(delete(StatCell))
    rows = [{"month": month, "metric": metric, "dimension": d, **{x: (key if x == d else "") for x in DIMENSIONS},
             "value": v} for (month, metric, d, key), v in cells.items()]
    for start in range(0, len(rows), 5000):
        session.execute(insert(StatCell), rows[start:start + 5000])
    # Fresh statistics for the planner: the table was just replaced (on PostgreSQL a stale estimate
    # of one row made the dashboard sort every breakdown instead of hashing it, 3x slower).
    session.execute(text(f"ANALYZE {StatCell.__tablename__}"))
    rebuild = StatRebuild(finished_at=now, cells=len(rows), seconds=round(time.perf_counter() - started, 3))
    session.add(rebuild)
    session.flush()
    return rebuild
