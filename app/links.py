"""Links that leave the site (mail, SMS, QR codes) and the public address they are built on.

``url_for(..., _external=True)`` takes scheme and host from the request, and the request's
``Host`` header is whatever the caller sent: a password-reset link built that way can point
at an attacker's site. Every link sent out is built here from ``SERVER_BASE_URL`` instead.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app


def check_base_url(app: Flask) -> None:
    """Refuse to start in production without a usable public address (``SERVER_BASE_URL``)."""
    base = app.config.get("SERVER_BASE_URL")
    if not base:
        if app.config.get("APP_ENV") == "production":
            raise RuntimeError("SERVER_BASE_URL must be set in production: the public https:// address "
                               "used in links sent by mail and SMS.")
        return
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise RuntimeError(f"SERVER_BASE_URL must be an absolute http(s) address, not {base!r}.")


def public_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint`` at the configured public address, whatever the request says."""
    base = urlsplit(current_app.config["SERVER_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                                       url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
