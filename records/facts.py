"""Reading what the other domains publish (``Domain.facts``), never their tables.

Each publisher is ``fn(session, user_id, *, now, **options)`` and returns a list of plain
dicts (or, for courses' "training", its rows). A domain that is not installed simply has no
publisher: its section of the record is empty.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from app.i18n import SHANGHAI

# The per-member facts a record is built from, and the aggregate facts of the dashboard.
MEMBER_FACTS = ("training", "exam_results", "certificates", "order_training", "studio_roles", "apprenticeships",
                "teaching", "honours")
STAT_FACTS = ("stats_training", "stats_exams", "stats_certificates", "stats_orders", "stats_studios")


def publishers(name: str) -> list[Callable]:
    return current_app.extensions["domains"].fact(name)


def gather(session: Session, name: str, user_id: int, *, now: datetime, **options: Any) -> list:
    """Everything every installed domain publishes as ``name`` for the member."""
    items: list = []
    for publish in publishers(name):
        items.extend(publish(session, user_id, now=now, **options) or ())
    return items


def installed(name: str) -> bool:
    return bool(publishers(name))


def as_date(value: Any) -> date | None:
    """A fact's date or time (date, aware datetime or ISO text) as a Shanghai calendar day."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            from datetime import UTC
            value = value.replace(tzinfo=UTC)
        return value.astimezone(SHANGHAI).date()
    if isinstance(value, date):
        return value
    return None


def get(item: Any, key: str, default: Any = None) -> Any:
    """A field of a fact, whether it is a dict or an object with attributes."""
    if isinstance(item, dict):
        return item.get(key, default)
    return getattr(item, key, default)
