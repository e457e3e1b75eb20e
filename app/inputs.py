"""Bounds on what any request may carry, so that no input reaches a 500.

- ``<int:...>`` in a URL accepts 0 … 2³¹−1 (the range of every id column on every database);
  a larger number matches no route: 404, like any id that does not exist.
- JSON bodies nested deeper than :data:`MAX_JSON_DEPTH` are malformed (400): Python's
  parser would otherwise fail with a ``RecursionError``.
- Money, counts and dates in API and form input use the bounded types below.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from flask import Flask
from pydantic import Field
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1
MAX_JSON_DEPTH = 32
# Fen: ten million yuan is more than any training costs; far below any column's limit.
MAX_FEN = 1_000_000_000
MAX_COUNT = 100_000
MIN_DATE, MAX_DATE = date(2000, 1, 1), date(2099, 12, 31)

Fen = Annotated[int, Field(ge=0, le=MAX_FEN, description="amount in fen (1/100 yuan)")]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]


class BoundedIntConverter(IntegerConverter):
    """Werkzeug's ``int`` converter; a number above :data:`MAX_ID` is an id that cannot exist: 404.

    (Failing the match instead would make Werkzeug answer 405 when another method's rule has
    the same path.)
    """

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound()
        return number


def out_of_range(value, path: str = "") -> str | None:
    """The path of the first number in parsed JSON/query data beyond ±:data:`MAX_ID`, or None.

    No id, count or amount of money on the platform comes near 2³¹; larger numbers (``1e30``,
    ``2**63``) would overflow a column or a date calculation further in.
    """
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int | float):
            if item != item or abs(item) > MAX_ID:  # NaN or too large
                return where
        elif isinstance(item, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, where) for v in item)
    return None


def json_depth_ok(value, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether a parsed JSON value nests at most ``limit`` arrays/objects deep (iterative)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return False
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return True


def check_date(value: date, field: str) -> date:
    """A date within the years the platform plans for, or Invalid (year 9999 would overflow)."""
    from flask_babel import gettext as _

    from app.errors import Invalid

    if not MIN_DATE <= value <= MAX_DATE:
        raise Invalid(_("Enter a date between %(first)s and %(last)s.", first=MIN_DATE.isoformat(),
                        last=MAX_DATE.isoformat()), field=field)
    return value


def init_app(app: Flask) -> None:
    """Install the bounded ``int`` converter (before any blueprint adds its rules)."""
    app.url_map.converters["int"] = BoundedIntConverter
