"""Cross-cutting security: password hashing, personal-data encryption, CSRF gating,
response headers and log redaction."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect, generate_csrf

csrf = CSRFProtect()

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


# --- passwords ---------------------------------------------------------------------------

def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_COST"])


def hash_password(password: str) -> str:
    """argon2id hash of ``password``."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def dummy_password_hash() -> str:
    """A hash with the current parameters that no password matches: verifying against it costs
    what verifying a real account's password costs (sign-in timing reveals no account)."""
    cfg = current_app.config
    key = (cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"])
    cache = current_app.extensions.setdefault("dummy_password_hash", {})
    if key not in cache:
        cache[key] = hash_password(secrets.token_urlsafe(32))
    return cache[key]


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


# --- personal data (resident ID numbers) -----------------------------------------------------

class PersonalDataVault:
    """Encrypts sensitive identifiers (Fernet, rotatable) and derives keyed lookup hashes."""

    def __init__(self, keys: str, hash_key: str):
        self._fernet = MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])
        self._hash_key = hash_key.encode()

    def encrypt(self, value: str) -> bytes:
        return self._fernet.encrypt(value.encode())

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken as exc:  # a key was rotated away: never show garbage
            raise ValueError("cannot decrypt personal data with the configured keys") from exc

    def seal(self, data: dict) -> str:
        """``data`` encrypted and authenticated as a URL-safe token (for one-time links)."""
        return self._fernet.encrypt(json.dumps(data, separators=(",", ":")).encode()).decode()

    def unseal(self, token: str, *, max_age: int) -> dict | None:
        """The data of a token made by :meth:`seal` at most ``max_age`` seconds ago, or None."""
        try:
            data = json.loads(self._fernet.decrypt(token.encode(), ttl=max_age))
        except (InvalidToken, ValueError, TypeError):
            return None
        return data if isinstance(data, dict) else None

    def lookup_hash(self, value: str) -> str:
        """Keyed hash for equality look-ups without decrypting (HMAC-SHA256)."""
        return hmac.new(self._hash_key, value.upper().encode(), hashlib.sha256).hexdigest()


def vault() -> PersonalDataVault:
    return current_app.extensions["pii_vault"]


# --- headers, CSRF, logs ------------------------------------------------------------------

def _bearer_request() -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


class RedactingFilter(logging.Filter):
    """Masks anything shaped like a resident ID number or a password field in log entries (records)."""

    ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")
    PASSWORD_RE = re.compile(r"(password[\"']?\s*[:=]\s*[\"']?)[^\"'&\s,}]+", re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = self.ID_RE.sub("*" * 14 + r"\3", message)
        masked = self.PASSWORD_RE.sub(r"\1***", masked)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def page_csrf_token() -> str | None:
    """The CSRF token for a page's ``<meta name="csrf-token">``, or None when nothing needs one.

    Making a token stores it in the session, so rendering one on every page would write a
    signed session cookie for every anonymous visitor (a catalog page would cost a session
    write and could never be cached). A token is shown when the visitor already has one, when
    this request made one (a form on the page), or when someone is signed in (sign-out form).
    Forms still carry their own token and every unsafe request is still checked.
    """
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field in g or field in session or current_user.is_authenticated:
        return generate_csrf()
    return None


# Pages for anonymous visitors that still carry something personal: one-time tokens in the
# address, a typed account name or contact on a re-rendered form.
NO_STORE_ENDPOINTS = frozenset({"auth.login", "auth.signup", "auth.finish_signup", "auth.forgot_password",
                                "auth.reset_password", "auth.invitation"})


def _personal(req) -> bool:
    if req.endpoint in NO_STORE_ENDPOINTS or req.headers.get("Authorization"):
        return True
    # Signed in by cookie, or a session that named a user (even one since signed out elsewhere);
    # no account is loaded to decide it.
    return bool(session.get("_user_id"))


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, minus the work a request without one does not need.

    Most requests to public pages bring no session cookie and leave the session empty: Flask
    builds a signer to open it and works out seven cookie settings to save it all the same
    (about a twentieth of a catalog search). Here such a session opens and saves with nothing
    built; anything else goes through Flask unchanged."""

    def open_session(self, app: Flask, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session, response) -> None:
        if not session and not session.modified:   # nothing to write, nothing to delete
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessions()
    app.jinja_env.globals["page_csrf_token"] = page_csrf_token
    app.extensions["pii_vault"] = PersonalDataVault(app.config["PII_KEYS"], app.config["PII_HASH_KEY"])
    csrf.init_app(app)

    @app.before_request
    def _csrf_unless_bearer():
        # Forms and cookie-authenticated API calls need a CSRF token. API calls that carry no
        # ambient credential (a bearer token, or no signed-in session cookie at all, as for
        # /api/v1/auth/token) cannot be forged cross-site, so CSRF does not apply to them.
        if request.path.startswith("/api/") and (_bearer_request() or not session.get("_user_id")):
            return
        if request.method in UNSAFE_METHODS:
            view = app.view_functions.get(request.endpoint or "")
            if view is None or not getattr(view, "csrf_exempt", False):
                csrf.protect()

    stripe_js = app.config["STRIPE_JS_URL"].rsplit("/v3", 1)[0]
    always = (
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "geolocation=(), microphone=()"),
        ("Content-Security-Policy",
         "default-src 'self'; img-src 'self' data: https:; style-src 'self'; "
         f"script-src 'self' {stripe_js}; frame-src {stripe_js}; connect-src 'self' {stripe_js}; "
         "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"),
    )

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        # The names the view set, read once (asking Headers for a missing name raises inside).
        present = {name.lower() for name in headers.keys()}
        for name, value in always:   # a view's own value stays (e.g. a stricter Referrer-Policy)
            if name.lower() not in present:
                headers.add(name, value)
        if request.is_secure and "strict-transport-security" not in present:
            headers.add("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if "cache-control" not in present and _personal(request):
            # Pages and answers for a signed-in person (or carrying a one-time token) must not
            # stay in a shared computer's browser cache or a proxy.
            headers["Cache-Control"] = "no-store"
            headers.add("Vary", "Cookie")
            headers.add("Vary", "Authorization")
        return response

    redactor = RedactingFilter()
    for handler in logging.getLogger().handlers + app.logger.handlers:
        handler.addFilter(redactor)
    logging.getLogger().addFilter(redactor)
    app.logger.addFilter(redactor)
