"""Human labels for stored values (statuses, roles, kinds), translated when shown.

Stored values stay stable English codes; pages show ``{{ value|label }}`` or
``{{ value|label("role") }}``. Domains register their own labels with :func:`register`.
Labels are written with ``lazy_gettext`` so ``pybabel extract`` sees every one.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

_LABELS: dict[tuple[str, str], object] = {}


def register(group: str, labels: dict[str, object]) -> None:
    for value, text in labels.items():
        _LABELS[(group, str(value))] = text


def label(value: object, group: str = "status") -> str:
    """The translated label of ``value`` in ``group``, or the value itself."""
    if value is None:
        return ""
    return str(_LABELS.get((group, str(value)), value))


register("status", {
    "pending": _l("Pending"), "approved": _l("Approved"), "verified": _l("Verified"), "rejected": _l("Rejected"),
})
register("role", {
    "worker": _l("Worker"), "enterprise_admin": _l("Enterprise admin"), "provider_admin": _l("Provider admin"),
    "instructor": _l("Instructor"), "union_admin": _l("Union admin"),
})
register("org_kind", {"enterprise": _l("Enterprise"), "provider": _l("Training provider"), "union": _l("Trade union")})
register("import_outcome", {"added": _l("Added"), "updated": _l("Updated"), "rejected": _l("Not imported")})
# Why a register row was not imported (stored as codes so each viewer reads their own language).
register("import_reason", {
    "required": _l("member number, name and union are required"),
    "duplicate": _l("the same member number appears earlier in this file"),
    "id_old_format": _l("This is an old 15-digit ID number. Please enter the 18-character number on your current ID card."),
    "id_format": _l("An ID number has 18 characters: 17 digits and a final digit or X."),
    "id_region": _l("The first digits of this ID number are not a valid region code."),
    "id_birth_date": _l("The birth date inside this ID number is not a real date."),
    "id_check_digit": _l("The last character (check digit) does not match. Please check the number for a typo."),
})
