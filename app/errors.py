"""Domain errors and how each edge renders them.

A service raises a :class:`DomainError` with a machine ``code``, a human ``message``, an
HTTP ``status`` and optionally the ``field`` at fault. JSON edges answer
``{"error": {"code", "message", "field"}}``; HTML edges show the message on the form or
on an error page. Nothing a user types reaches a 500.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the domain was broken; safe to show to the user."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None,
                 status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.field = field
        self.status = status or self.status


class Invalid(DomainError):
    status, code = 422, "invalid"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class Conflict(DomainError):
    status, code = 409, "conflict"


def wants_json() -> bool:
    """API paths and clients that ask for JSON get JSON errors."""
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def json_error(code: str, message: str, status: int, field: str | None = None):
    response = jsonify({"error": {"code": code, "message": message, "field": field}})
    response.status_code = status
    return response


_HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
    422: "invalid", 429: "rate_limited",
}


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        if wants_json():
            return json_error(exc.code, exc.message, exc.status, exc.field)
        return render_template("error.html", status=exc.status, message=exc.message), exc.status

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        message = _("Your form has expired or was sent from elsewhere. Please try again.")
        if wants_json():
            return json_error("csrf_failed", message, 400)
        return render_template("error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        if status == 429:
            message = _("Too many attempts. Please wait a moment and try again.")
        elif status == 404:
            message = _("Not found.")
        elif status == 403:
            message = _("You are not allowed to do this.")
        else:
            message = exc.description or exc.name
        if wants_json():
            response = json_error(_HTTP_CODES.get(status, "error"), message, status)
        else:
            response = app.make_response(
                (render_template("error.html", status=status, message=message), status))
        for key in ("Retry-After", "Allow"):
            if exc.get_response().headers.get(key):
                response.headers[key] = exc.get_response().headers[key]
        return response

    @app.errorhandler(IntegrityError)
    def _integrity_error(exc: IntegrityError):
        # Two requests raced for the same unique thing (a phone number, an enrollment):
        # the loser's transaction was refused by the database, nothing of it was written.
        _reset_session()
        log.info("integrity conflict on %s %s: %s", request.method, request.path, exc.orig)
        message = _("Someone else changed this at the same moment. Please reload and try again.")
        if wants_json():
            return json_error("conflict", message, 409)
        return _error_page(app, 409, message)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        # The failure may have left the session needing a rollback (a failed flush): the
        # error page must not fail in turn when it loads the signed-in user or a label.
        _reset_session()
        message = _("Something went wrong on our side. It has been logged.")
        if wants_json():
            return json_error("internal_error", message, 500)
        return _error_page(app, 500, message)


def _reset_session() -> None:
    from app.db import db_session

    try:
        db_session.rollback()
    except Exception:
        log.exception("could not roll the session back")
        db_session.remove()


def _error_page(app: Flask, status: int, message: str):
    try:
        return app.make_response((render_template("error.html", status=status, message=message), status))
    except Exception:
        log.exception("the error page itself failed")
        return app.response_class(f"{status}: {message}", status=status, mimetype="text/plain")
