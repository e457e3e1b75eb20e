"""Security headers, cookie flags, password storage, log redaction."""

import logging

from app import create_app
from app.access import Role
from app.security import RedactingFilter
from tests.conftest import TEST_CONFIG, TEST_PASSWORD, csrf_token, sign_in


def test_security_headers_on_pages_and_api(client):
    for path in ("/", "/api/v1/openapi.json", "/login"):
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_lax(client, make_user):
    response = sign_in(client, make_user(Role.WORKER))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_sessions_open_and_close_as_flask_would(client, make_user):
    """``CookieSessions`` skips the signer only where Flask would find and write nothing."""
    anonymous = client.get("/courses")
    assert "Set-Cookie" not in anonymous.headers and "Cookie" in anonymous.headers.get("Vary", "")
    sign_in(client, make_user(Role.WORKER))
    assert client.get("/api/v1/me").status_code == 200
    cookie = client.get_cookie("session")
    client.set_cookie("session", cookie.value[:-4] + "AAAA")   # a forged signature: an empty session
    assert client.get("/api/v1/me").status_code == 401
    client.set_cookie("session", cookie.value)
    assert client.get("/api/v1/me").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get("/api/v1/me").status_code == 401


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_passwords_are_stored_as_argon2id(make_user):
    user = make_user(Role.WORKER)
    assert user.password_hash.startswith("$argon2id$") and TEST_PASSWORD not in user.password_hash


def test_redacting_filter_masks_ids_and_passwords():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "id=%s body=%s", ("11010519491231002X",
                               '{"password": "hunter22"}'), None)
    RedactingFilter().filter(record)
    message = record.getMessage()
    assert "11010519491231002X" not in message and "002X" in message and "hunter22" not in message


def test_embedded_default_generates_and_keeps_secrets(monkeypatch, tmp_path):
    for name in ("SECRET_KEY", "PII_KEYS", "PII_HASH_KEY", "DATABASE_URL", "CELERY_BROKER_URL"):
        monkeypatch.delenv(name, raising=False)
    from app.config import load_config

    first, second = load_config(str(tmp_path)), load_config(str(tmp_path))
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) > 40
    assert first["DATABASE_URL"].startswith("sqlite:///") and str(tmp_path) in first["DATABASE_URL"]
    assert first["CELERY"]["task_always_eager"] is True
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db/prod")
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    from app.config import load_config

    config = load_config(str(tmp_path))
    assert config["DATABASE_URL"] == "postgresql://u@db/prod" and config["SECRET_KEY"] == "from-env"
    assert config["CELERY"]["task_always_eager"] is False
    assert config["CELERY"]["broker_url"] == "redis://127.0.0.1:6379/0"
    assert config["RATELIMIT_STORAGE_URI"].startswith("redis://")


def test_the_rate_limiter_checks_exactly_the_limited_routes(app, client):
    """Routes without a limit skip the limiter (a request filter); the limited ones are checked."""
    for _ in range(2):
        client.get("/courses")
    limited = app.extensions["rate_limited_endpoints"]
    assert {"auth.login", "auth.signup", "certificates.lookup", "certificates_api.verify_lookup"} <= limited
    assert "certificates.verify_page" not in limited and "courses.catalog" not in limited
    assert client.get("/courses").headers.get("X-RateLimit-Limit") is None
    limit_headers = client.get("/verify?number=X&name=Y").headers
    assert limit_headers.get("X-RateLimit-Limit") == "30"
