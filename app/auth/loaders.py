"""How Flask-Login finds the user: the session cookie for pages, a bearer token for the API."""

from __future__ import annotations

from flask import Flask, current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from app.auth.models import User
from app.auth.tokens import API_SALT, load_token
from app.db import get_session
from app.errors import json_error, wants_json
from app.extensions import login_manager


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load_user(user_id: str):
        user = get_session().get(User, int(user_id)) if user_id.isdigit() else None
        return user if user and user.is_active else None

    @login_manager.request_loader
    def _load_from_bearer(req):
        header = req.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        return load_token(get_session(), current_app.config["SECRET_KEY"], API_SALT,
                          header[7:].strip(), current_app.config["API_TOKEN_TTL"])

    @login_manager.unauthorized_handler
    def _unauthorized():
        if wants_json():
            return json_error("unauthorized", "Sign in first.", 401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
