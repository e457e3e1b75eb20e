"""Failed sign-ins counted per account, not only per address.

The per-address limit (Flask-Limiter, ``LOGIN_RATE_LIMIT``) stops one machine; an attacker
with many addresses is stopped here. After :data:`FREE_FAILURES` wrong passwords for one
account within a day, each further attempt must wait a delay that doubles with every failure
(30 s, 1 min, 2 min ... at most 15 min) — even with the right password. The delay never
grows past 15 minutes, so someone failing on purpose cannot lock the owner out for good, and
a successful sign-in or password reset clears the count. Counters live in the rate-limit
storage (memory in the embedded default, Redis in production), keyed by a hash of the
normalised account name.
"""

from __future__ import annotations

import hashlib
import math
import time

from flask import current_app
from werkzeug.exceptions import TooManyRequests

from app.auth.validation import normalize_account
from app.errors import Invalid
from app.extensions import limiter

FREE_FAILURES = 5
BASE_DELAY = 30
MAX_DELAY = 15 * 60
WINDOW = 24 * 3600


def _key(account: str) -> str:
    try:
        _kind, value = normalize_account(account or "")
    except Invalid:
        value = (account or "").strip().lower()[:254]
    digest = hashlib.sha256((current_app.config["SECRET_KEY"] + "\0" + value).encode()).hexdigest()[:32]
    return f"signin-failures/{digest}"


def delay_after(failures: int) -> int:
    """Seconds to wait after ``failures`` consecutive failures (0 while still free)."""
    if failures < FREE_FAILURES:
        return 0
    return min(MAX_DELAY, BASE_DELAY * 2 ** min(failures - FREE_FAILURES, 16))


def check(account: str) -> None:
    """Raise 429 (with Retry-After) while the account must wait after its failures."""
    storage = limiter.storage
    lock = _key(account) + "/lock"
    if storage.get(lock) > 0:
        wait = max(1, math.ceil(storage.get_expiry(lock) - time.time()))
        raise TooManyRequests(retry_after=wait)


def failed(account: str) -> None:
    """Count a wrong password for the account and start its delay when it has one."""
    storage = limiter.storage
    key = _key(account)
    failures = storage.incr(key, WINDOW)
    delay = delay_after(failures)
    if delay:
        storage.clear(key + "/lock")
        storage.incr(key + "/lock", delay)


def succeeded(*accounts: str | None) -> None:
    """Forget the failures of these account names (signed in, or password reset)."""
    storage = limiter.storage
    for account in accounts:
        if account:
            storage.clear(_key(account))
            storage.clear(_key(account) + "/lock")
