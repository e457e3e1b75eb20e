"""Normalising what people type as sign-in names: Chinese mobile numbers and e-mail."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

from app.errors import Invalid


def normalize_phone(raw: str, *, field: str = "phone") -> str:
    """E.164 form of a mainland mobile number (``+8613800138000``) or :class:`Invalid`."""
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        raise Invalid(_l("Enter a valid mobile phone number."), field=field) from None
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise Invalid(_l("Enter a valid mobile phone number."), field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str, *, field: str = "email") -> str:
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise Invalid(_l("Enter a valid e-mail address."), field=field) from None


def normalize_account(raw: str, *, field: str = "account") -> tuple[str, str]:
    """Return ``("email", value)`` or ``("phone", value)`` for a sign-in name."""
    raw = (raw or "").strip()
    if "@" in raw:
        return "email", normalize_email(raw, field=field)
    return "phone", normalize_phone(raw, field=field)


def check_password_strength(password: str, *, field: str = "password", user_inputs: tuple = ()) -> None:
    """Refuse short, digits-only, overlong and guessable passwords.

    Guessable is zxcvbn's estimate below 10⁶ guesses (score < 2): its lists of common
    passwords (``password``, ``qwertyuiop``, ``Password1``, ``1qaz2wsx`` ...), keyboard walks,
    dates, repeats, and the person's own name, phone or e-mail.
    """
    if len(password or "") < 8:
        raise Invalid(_l("Use at least 8 characters for the password."), field=field)
    if len(password) > 128:
        raise Invalid(_l("Use at most 128 characters for the password."), field=field)
    if password.isdigit():
        raise Invalid(_l("Use letters as well as digits in the password."), field=field)
    words = []
    for value in (str(v) for v in user_inputs if v):
        words.append(value)
        if value.startswith("+86"):
            words.append(value[3:])            # the number as people type it
        if "@" in value:
            words.append(value.split("@", 1)[0])
    if zxcvbn(password, user_inputs=words)["score"] < 2:
        raise Invalid(_l("This password is too common or easy to guess. Add more words or characters."),
                      code="weak_password", field=field)
