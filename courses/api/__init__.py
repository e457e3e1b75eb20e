"""JSON API of the catalog domain (``/api/v1``); one blueprint, split by area into modules."""

from flask import Blueprint

bp = Blueprint("courses_api", __name__, url_prefix="/api/v1")

from courses.api import catalog, enrollment, learning, search, shelf  # noqa: E402,F401
