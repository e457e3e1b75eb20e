"""HTML pages of the exams domain; one blueprint, split by who uses it."""

from flask import Blueprint

bp = Blueprint("exams", __name__, template_folder="../templates")

from exams.views import admin, bans, grading, taking, worker  # noqa: E402,F401
