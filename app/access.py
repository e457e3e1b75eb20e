"""Who may use a route. Every view and endpoint declares it with :func:`allow`.

``allow(PUBLIC)`` — anyone; ``allow(SIGNED_IN)`` — any signed-in person; ``allow(Role.X, ...)``
— people holding one of those roles. Anonymous callers of a protected route are sent to
sign-in (HTML) or get 401 (JSON); signed-in callers without the role get 403. A route that
declares nothing is refused (fail closed), and a test walks every route to check.
"""

from __future__ import annotations

from enum import StrEnum
from functools import wraps

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from app.errors import json_error, wants_json

PUBLIC = "public"
SIGNED_IN = "signed_in"


class Role(StrEnum):
    WORKER = "worker"
    ENTERPRISE_ADMIN = "enterprise_admin"
    PROVIDER_ADMIN = "provider_admin"
    INSTRUCTOR = "instructor"
    UNION_ADMIN = "union_admin"


def allow(*who: str):
    """Declare and enforce who may call the decorated view."""
    declared = frozenset(str(w) for w in who)
    if not declared:
        raise ValueError("allow() needs at least one role, PUBLIC or SIGNED_IN")

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            refusal = refuse(declared)
            if refusal is not None:
                return refusal
            return view(*args, **kwargs)

        wrapper.access = declared
        return wrapper

    return decorator


def refuse(declared: frozenset[str]):
    """The answer for a caller the rule does not admit (401/sign-in page, or 403), else None."""
    if PUBLIC in declared:
        return None
    if not current_user.is_authenticated:
        if wants_json():
            return json_error("unauthorized", "Sign in first.", 401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if SIGNED_IN not in declared and not current_user.has_any_role(declared):
        abort(403)
    return None


def access_of(endpoint: str) -> frozenset[str] | None:
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def init_app(app) -> None:
    """Check every request's access rule before anything reads its body.

    Registered before the CSRF check (which parses forms): an anonymous 30 MB upload is
    refused without being read. The decorator checks again at the view (cheap: the user is
    already loaded).
    """

    @app.before_request
    def _check_access():
        if not request.endpoint or request.endpoint == "static" or request.endpoint.endswith(".static"):
            return None   # the platform's and every domain blueprint's static files are public
        declared = access_of(request.endpoint)
        if declared is None:
            abort(403)   # fail closed: a route without a rule
        return refuse(declared)
