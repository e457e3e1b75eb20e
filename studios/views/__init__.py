"""HTML pages of the studios domain; one blueprint, split by area into modules."""

from flask import Blueprint

bp = Blueprint("studios", __name__, template_folder="../templates")

from studios.views import apprenticeships, help, profiles, union  # noqa: E402,F401
