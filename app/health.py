"""``GET /healthz``: is the platform and what it depends on up?"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from app.access import PUBLIC, allow
from app.db import get_session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@allow(PUBLIC)
def healthz():
    checks: dict[str, str] = {}
    try:
        get_session().execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - report, never raise, from a health check
        checks["database"] = "error"
    broker = current_app.config["CELERY"]["broker_url"]
    if broker.startswith("redis"):
        try:
            import redis

            redis.Redis.from_url(broker, socket_timeout=2).ping()
            checks["broker"] = "ok"
        except Exception:  # noqa: BLE001
            checks["broker"] = "error"
    else:
        checks["broker"] = "in-process"
    checks["payments"] = "configured" if current_app.config.get("STRIPE_SECRET_KEY") else "not configured"
    healthy = all(v != "error" for v in checks.values())
    return jsonify({"status": "ok" if healthy else "degraded", **checks}), (200 if healthy else 503)
