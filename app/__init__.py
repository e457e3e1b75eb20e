"""The platform every domain stands on: ``create_app()`` wires configuration, database,
security, language, Celery and the blueprints of every domain."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.middleware.proxy_fix import ProxyFix


class ChineseJSON(DefaultJSONProvider):
    """JSON out as UTF-8 without escaping Chinese (API.md conventions).

    Response bodies (``jsonify``) are encoded by orjson, about ten times faster than the
    standard library on a page of courses (a fifth of an API search's time was spent there);
    what it does not take the way Flask does (dates, decimals, dataclasses, ``__html__``) goes
    through Flask's own conversions, and what it cannot encode at all (an integer beyond 64
    bits) through the standard library. ``dumps`` (the ``tojson`` filter) stays Flask's.

    In: a body nested deeper than ``app.inputs.MAX_JSON_DEPTH`` is malformed (a ValueError,
    which Flask turns into 400) instead of a RecursionError deep in the parser.
    """

    ensure_ascii = False
    sort_keys = False
    _OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

    def response(self, *args, **kwargs):
        obj = self._prepare_response_obj(args, kwargs)
        options = self._OPTIONS
        if (self.compact is None and self._app.debug) or self.compact is False:
            options |= orjson.OPT_INDENT_2
        try:
            body = orjson.dumps(obj, default=self.default, option=options)
        except orjson.JSONEncodeError:
            return super().response(obj)
        return self._app.response_class(body + b"\n", mimetype=self.mimetype)

    def loads(self, s, **kwargs):
        from app.inputs import json_depth_ok

        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        if not json_depth_ok(value):
            raise ValueError("JSON nested too deeply")
        return value


# The domains this platform runs, in dependency order: the one place ``app/`` names them.
DOMAINS: tuple[str, ...] = ("courses", "instructors", "exams", "certificates", "orders", "studios", "records")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; ``config`` overrides settings (tests use it)."""
    from app import access, db, errors, i18n, inputs, security
    from app.celery import celery_init_app
    from app.config import load_config
    from app.domain import install, load_domains
    from app.extensions import limiter, login_manager
    from app.links import check_base_url

    app = Flask(__name__, instance_relative_config=True)
    app.json_provider_class = ChineseJSON
    app.json = ChineseJSON(app)
    app.config.update(load_config(app.instance_path))
    if config:
        app.config.update(config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    domains = load_domains(app.config.get("DOMAINS", DOMAINS))
    check_base_url(app)
    if app.config.get("TRUSTED_PROXY_HOPS"):
        # Behind N trusted proxies the client's address and scheme come from their headers
        # (rate limits, HSTS, logs); without proxies those headers are the client's and ignored.
        hops = app.config["TRUSTED_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    inputs.init_app(app)
    db.init_app(app)
    errors.init_app(app)
    access.init_app(app)    # before security: access is checked before CSRF reads a body
    security.init_app(app)
    i18n.init_app(app, domains)
    login_manager.init_app(app)
    limiter.init_app(app)
    celery_init_app(app, domains)

    from app.auth import loaders
    loaders.init_app(app)

    _register_platform(app)
    install(app, domains)

    from app.cli import register_commands
    register_commands(app)
    return app


def _register_platform(app: Flask) -> None:
    """The platform's own blueprints and tasks; domains add theirs through their declaration."""
    from app import notify  # noqa: F401 - tasks
    from app.api import openapi_bp
    from app.auth.api import bp as auth_api
    from app.auth.views import bp as auth_views
    from app.health import bp as health
    from app.membership.api import bp as membership_api
    from app.membership.views import bp as membership_views
    from app.payments import tasks  # noqa: F401 - tasks
    from app.payments.api import bp as payments_api
    from app.payments.views import bp as payments_views
    from app.views import bp as main_views

    for blueprint in (main_views, health, auth_views, membership_views, openapi_bp, auth_api, membership_api,
                      payments_views, payments_api):
        app.register_blueprint(blueprint)
