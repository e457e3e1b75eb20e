"""Celery tasks of the records domain: the dashboard's summaries and the talent cards."""

from __future__ import annotations

from celery import shared_task

from app.db import get_session, utcnow
from records.services import stats, talent


@shared_task(name="records.rebuild_stats", ignore_result=True)
def rebuild_stats() -> int:
    """Rebuild the dashboard's summary table from every domain's aggregate facts (idempotent)."""
    session = get_session()
    rebuild = stats.rebuild_stats(session, now=utcnow())
    session.commit()
    return rebuild.cells


@shared_task(name="records.refresh_talent_cards", ignore_result=True)
def refresh_talent_cards() -> int:
    """Rebuild what listed members show enterprises, so changed sources show within minutes."""
    session = get_session()
    done = talent.refresh_cards(session, now=utcnow())
    session.commit()
    return done
