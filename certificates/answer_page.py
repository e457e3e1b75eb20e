"""The public verification answer as HTML: what a phone shows after scanning a certificate's QR
code, and what the look-up by number and name shows.

Every scan is of a different certificate, so a cache of rendered pages does not help; what
repeats is the page's *shape*: the language, the status and which facts are present. The page
is a skeleton per shape filled with the certificate's facts (``app.skeletons``; a test compares
every shape with a plain render).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from urllib.parse import quote

from flask import current_app, render_template, url_for
from markupsafe import escape

from app.i18n import SHANGHAI, locale_code
from app.skeletons import filled, marker


@dataclass(frozen=True)
class ShownCertificate:
    """What a public answer shows of a certificate, as text (dates in Asia/Shanghai); empty
    where the certificate has no such fact."""

    number: str
    holder_name: str
    title: str
    level: str
    issuer_name: str
    valid_from: str
    valid_until: str
    review_due: str
    suspended_at: str
    suspension_reason: str
    revoked_at: str
    revocation_reason: str
    credential_url: str


FACTS = tuple(field.name for field in fields(ShownCertificate))
DAY, MINUTE = "%Y-%m-%d", "%Y-%m-%d %H:%M"    # local_time's "yyyy-MM-dd" and default "yyyy-MM-dd HH:mm"


def _shanghai(value, pattern: str) -> str:
    """A moment in Asia/Shanghai: what ``local_time`` prints for the same pattern, without
    Babel's pattern machinery (digits only, the same in every language)."""
    return value.astimezone(SHANGHAI).strftime(pattern) if value is not None else ""


def shown(cert) -> ShownCertificate:
    """The facts of a certificate (or of a row of :func:`queries.public_by_token`) as shown."""
    return ShownCertificate(
        number=cert.number, holder_name=cert.holder_name, title=cert.title, level=cert.level or "",
        issuer_name=cert.issuer_name, valid_from=_shanghai(cert.valid_from, DAY),
        valid_until=_shanghai(cert.valid_until, DAY), review_due=_shanghai(cert.review_due, DAY),
        suspended_at=_shanghai(cert.suspended_at, MINUTE), suspension_reason=cert.suspension_reason or "",
        revoked_at=_shanghai(cert.revoked_at, MINUTE), revocation_reason=cert.revocation_reason or "",
        credential_url=_credential_url(cert.token),
    )


def _credential_url(token: str) -> str:
    """The credential's address: the route built once per app, the token put in its place
    (tokens are URL-safe: letters, digits, ``-`` and ``_``)."""
    pattern = current_app.extensions.get("credential_url_pattern")
    if pattern is None:
        pattern = current_app.extensions["credential_url_pattern"] = url_for(
            "certificates_api.certificate_credential", token="TOKEN")  # noqa: S106 - a slot, not a secret
    return pattern.replace("TOKEN", quote(token, safe=""))


def render_answer(facts: ShownCertificate | None, status: str) -> str:
    """The verification page rendered by its template (skeletons are made with it)."""
    return render_template("certificates/verify.html", cert=facts, status=status)


def verification_html(facts: ShownCertificate | None, status: str) -> str:
    """The verification page of one certificate: its shape's skeleton, filled (``app.skeletons``)."""
    values = {name: getattr(facts, name) for name in FACTS} if facts is not None else {}
    present = tuple(bool(value) for value in values.values())

    def render() -> str:
        marked = None
        if facts is not None:
            marked = ShownCertificate(**{name: marker(name) if value else "" for name, value in values.items()})
        return render_answer(marked, status)

    filling = {name: str(escape(value)) for name, value in values.items() if value}
    return filled("certificate_answer", (locale_code(), status, present), render, filling)
