"""Resident ID numbers (居民身份证号码, GB 11643-1999): validation and masking.

No well-kept library covers this small, fixed standard, so it lives here, with its test
vectors in ``tests/app/test_idnumber.py``.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# First two digits: province-level divisions (GB/T 2260), incl. 71 Taiwan, 81/82 HK/Macao.
PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83", "91",
}


class IdNumberError(Exception):
    """Why an ID number was refused; ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message) -> None:
        super().__init__(code)
        self.code, self.message = code, message

    def __str__(self) -> str:
        return str(self.message)


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalize_id_number(raw: str, *, today: date) -> str:
    """Return the canonical 18-character form of ``raw`` or raise :class:`IdNumberError`."""
    value = re.sub(r"\s", "", raw or "").upper()
    if re.fullmatch(r"\d{15}", value):
        raise IdNumberError("old_format", _l(
            "This is an old 15-digit ID number. Please enter the 18-character number on your current ID card."))
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise IdNumberError("format", _l(
            "An ID number has 18 characters: 17 digits and a final digit or X."))
    if value[:2] not in PROVINCES:
        raise IdNumberError("region", _l("The first digits of this ID number are not a valid region code."))
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError("birth_date", _l("The birth date inside this ID number is not a real date.")) from None
    if birth > today or birth.year < today.year - 120:
        raise IdNumberError("birth_date", _l("The birth date inside this ID number is not plausible."))
    if check_char(value[:17]) != value[17]:
        raise IdNumberError("check_digit", _l(
            "The last character (check digit) does not match. Please check the number for a typo."))
    return value


def mask_id_number(last4: str) -> str:
    """How an ID number is shown anywhere but its owner's own page: last 4 only."""
    return "**************" + last4
