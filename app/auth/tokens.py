"""Signed, time-limited tokens: API bearer tokens and password-reset links.

Both embed the user's ``credentials_version``, so a password change invalidates every
token issued before it.
"""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User

API_SALT = "api-token"
RESET_SALT = "password-reset"


def make_token(secret_key: str, salt: str, user: User) -> str:
    return URLSafeTimedSerializer(secret_key, salt=salt).dumps({"u": user.id, "v": user.credentials_version})


def load_token(session: Session, secret_key: str, salt: str, token: str, max_age: int) -> User | None:
    """The active user a valid, unexpired token names, or ``None``."""
    try:
        data = URLSafeTimedSerializer(secret_key, salt=salt).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict):
        return None
    # the user with their role grants in one statement (every API request asks for both)
    user = session.get(User, data.get("u"), options=[joinedload(User.grants)])
    if user is None or not user.is_active or user.credentials_version != data.get("v"):
        return None
    return user
