"""HTML pages of the catalog domain; one blueprint, split by area into modules."""

from flask import Blueprint

bp = Blueprint("courses", __name__, template_folder="../templates")

from courses import cli  # noqa: E402,F401 - registers `skills-market courses search-reindex`
from courses.views import catalog, enrollment, learning, search, shelf  # noqa: E402,F401
