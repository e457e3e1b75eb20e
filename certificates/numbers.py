"""Certificate numbers: ``CODE-YYYY-NNNNNNN-C``, the type's code, the year of issue, a
sequence (the certificate's id) and an ISO 7064 MOD 37-2 check character (python-stdnum)
over the characters without hyphens, so a mistyped or swapped character is caught."""

from __future__ import annotations

import re
import secrets

from stdnum.iso7064 import mod_37_2

_CODE = re.compile(r"[^0-9A-Z]")


def clean_code(code: str) -> str:
    """The type's code as it appears in numbers: ``special-ops-low-voltage`` -> ``SOLV``."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", code or "") if p]
    short = "".join(p[0] for p in parts) if len(parts) > 1 else "".join(parts)
    return (_CODE.sub("", short.upper()) or "CERT")[:8]


def make_number(code: str, year: int, sequence: int) -> str:
    body = f"{clean_code(code)}{year:04d}{sequence:07d}"
    return f"{clean_code(code)}-{year:04d}-{sequence:07d}-{mod_37_2.calc_check_digit(body)}"


def normalise_number(value: str) -> str | None:
    """The stored form of a typed number, or None if its check character is wrong."""
    compact = re.sub(r"[\s\-－—]", "", (value or "").upper())
    if len(compact) < 13 or not re.fullmatch(r"[0-9A-Z]+\d{11}[0-9A-Z*]", compact):
        return None
    if not mod_37_2.is_valid(compact):
        return None
    return f"{compact[:-12]}-{compact[-12:-8]}-{compact[-8:-1]}-{compact[-1]}"


def new_token() -> str:
    """The unguessable token of a certificate's public URL (128 bits)."""
    return secrets.token_urlsafe(16)
