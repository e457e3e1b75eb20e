"""How Flask-Login finds the user: the session cookie for pages, a bearer token for the API.

A session remembers the account's ``credentials_version`` at sign-in; sign-out, a password
change and a reset bump it, so every other session of the account (a stolen cookie included)
and every API token stop working at once. A request that carries a bearer token is
authenticated by that token alone, never by a cookie riding along with it.
"""

from __future__ import annotations

from flask import Flask, current_app, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import user_logged_in
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.auth.tokens import API_SALT, load_token
from app.db import get_session
from app.errors import json_error, wants_json
from app.extensions import login_manager

SESSION_VERSION_KEY = "_cv"


def bearer_header(req=None) -> str | None:
    """The bearer token the request carries, or None."""
    header = (req or request).headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def may_be_signed_in(req=None) -> bool:
    """Whether the request can belong to a signed-in user: its session names one, or it carries
    a bearer token (no remember-me cookie is ever issued). When not, asking Flask-Login for the
    current user is needless work (an anonymous visitor's page never loads an account)."""
    return bool(session.get("_user_id")) or bearer_header(req) is not None


def _remember_credentials(_app, user, **_extra) -> None:
    session[SESSION_VERSION_KEY] = user.credentials_version


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.session_protection = "strong"

    user_logged_in.connect(_remember_credentials, app)

    @login_manager.user_loader
    def _load_user(user_id: str):
        if bearer_header() is not None:
            return None  # the token decides (request_loader), not the cookie
        user = (get_session().get(User, int(user_id), options=[joinedload(User.grants)])
                if user_id.isdigit() and len(user_id) < 12 else None)
        if user is None or not user.is_active:
            return None
        if session.get(SESSION_VERSION_KEY) != user.credentials_version:
            return None  # signed out, password changed or reset since this session began
        return user

    @login_manager.request_loader
    def _load_from_bearer(req):
        token = bearer_header(req)
        if token is None:
            return None
        return load_token(get_session(), current_app.config["SECRET_KEY"], API_SALT,
                          token, current_app.config["API_TOKEN_TTL"])

    @login_manager.unauthorized_handler
    def _unauthorized():
        if wants_json():
            return json_error("unauthorized", "Sign in first.", 401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
