"""Configuration: environment variables over embedded defaults.

The embedded default needs nothing installed: SQLite in the instance folder, Celery tasks
run in-process, mail kept in the outbox, a generated secret kept in the instance folder.
Production sets DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis), SECRET_KEY,
PII_KEYS, MAIL_*, STRIPE_* (see README, "Production").
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet


def _instance_secret(instance: Path, name: str, make) -> str:
    """Read a generated secret from the instance folder, creating it on first use."""
    path = instance / name
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


def load_config(instance_path: str) -> dict:
    """Return the settings for an app whose instance folder is ``instance_path``."""
    instance = Path(instance_path)
    env = os.environ.get
    broker = env("CELERY_BROKER_URL")
    production = env("APP_ENV", "development") == "production"
    return {
        "APP_ENV": "production" if production else "development",
        "SECRET_KEY": env("SECRET_KEY")
        or _instance_secret(instance, "secret_key", lambda: secrets.token_urlsafe(48)),
        # Comma-separated Fernet keys, newest first (MultiFernet allows rotation).
        "PII_KEYS": env("PII_KEYS")
        or _instance_secret(instance, "pii_key", lambda: Fernet.generate_key().decode()),
        "PII_HASH_KEY": env("PII_HASH_KEY")
        or _instance_secret(instance, "pii_hash_key", lambda: secrets.token_hex(32)),
        "DATABASE_URL": env("DATABASE_URL") or f"sqlite:///{instance / 'skills_market.db'}",
        "CELERY": {
            "broker_url": broker or "memory://localhost/",
            "result_backend": env("CELERY_RESULT_BACKEND") or None,
            "task_always_eager": broker is None,
            "task_eager_propagates": True,
            "task_serializer": "json",
            "accept_content": ["json"],
            "timezone": "Asia/Shanghai",
            "enable_utc": True,
        },
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI") or (broker if broker and broker.startswith("redis") else "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": env("LOGIN_RATE_LIMIT", "5 per minute;30 per hour"),
        "PUBLIC_LOOKUP_RATE_LIMIT": env("PUBLIC_LOOKUP_RATE_LIMIT", "30 per minute"),
        # Seconds the catalog keeps anonymous pages, free seats and the search dictionary (0: off;
        # off under tests).
        "CATALOG_CACHE_SECONDS": int(env("CATALOG_CACHE_SECONDS", "10")),
        # How often a process asks whether its in-memory catalog is out of date (seconds).
        "CATALOG_INDEX_SECONDS": float(env("CATALOG_INDEX_SECONDS", "1")),
        "BABEL_DEFAULT_LOCALE": "zh_Hans",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": {"zh_Hans": "中文", "en": "English"},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Public address for links sent by mail/SMS: never taken from a request's Host header.
        # Required in production (create_app refuses to start without it).
        "SERVER_BASE_URL": env("SERVER_BASE_URL") or (None if production else "http://127.0.0.1:5000"),
        # How many proxies in front of the app set X-Forwarded-For/-Proto (0: none, trust no header).
        "TRUSTED_PROXY_HOPS": int(env("TRUSTED_PROXY_HOPS", "0")),
        # Seconds a SQLite write waits for the write lock before giving up.
        "SQLITE_BUSY_TIMEOUT": float(env("SQLITE_BUSY_TIMEOUT", "30")),
        "WTF_CSRF_CHECK_DEFAULT": False,  # checked in app.security so bearer API calls skip it
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "API_TOKEN_TTL": int(env("API_TOKEN_TTL", str(7 * 24 * 3600))),
        "PASSWORD_RESET_TTL": int(env("PASSWORD_RESET_TTL", "3600")),
        "SIGN_UP_TTL": int(env("SIGN_UP_TTL", "3600")),  # seconds a sign-up link works
        "INVITATION_TTL_DAYS": int(env("INVITATION_TTL_DAYS", "14")),
        # argon2id parameters; tests lower them for speed.
        "ARGON2_TIME_COST": int(env("ARGON2_TIME_COST", "3")),
        "ARGON2_MEMORY_COST": int(env("ARGON2_MEMORY_COST", "65536")),
        "MAIL_SERVER": env("MAIL_SERVER"),
        "MAIL_PORT": int(env("MAIL_PORT", "587")),
        "MAIL_USERNAME": env("MAIL_USERNAME"),
        "MAIL_PASSWORD": env("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", True),
        "MAIL_SENDER": env("MAIL_SENDER", "技能培训超市 <no-reply@localhost>"),
        "STRIPE_SECRET_KEY": env("STRIPE_SECRET_KEY"),
        "STRIPE_PUBLISHABLE_KEY": env("STRIPE_PUBLISHABLE_KEY"),
        "STRIPE_WEBHOOK_SECRET": env("STRIPE_WEBHOOK_SECRET"),
        "STRIPE_API_BASE": env("STRIPE_API_BASE"),  # e.g. a localstripe URL in tests
        "STRIPE_JS_URL": env("STRIPE_JS_URL", "https://js.stripe.com/v3/"),
        "SEAT_HOLD_MINUTES": int(env("SEAT_HOLD_MINUTES", "30")),
        "CURRENCY": "CNY",
        "UPLOAD_FOLDER": env("UPLOAD_FOLDER") or str(instance / "uploads"),
    }
