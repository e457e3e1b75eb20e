"""Helpers every orders service shares: text and number checks, telling people, dates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import RoleGrant, User
from app.errors import Invalid
from app.i18n import SHANGHAI
from app.inputs import MAX_ID, check_date
from app.notify import queue_message, speaking_to


def clean_text(value: Any, field: str, max_length: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise Invalid(_("This field is required."), field=field)
    if len(text) > max_length:
        raise Invalid(_("At most %(n)d characters.", n=max_length), field=field)
    return text


def clean_int(value: Any, field: str, *, minimum: int = 0, maximum: int = MAX_ID, required: bool = True) -> int | None:
    if value is None or value == "":
        if required:
            raise Invalid(_("This field is required."), field=field)
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Invalid(_("Enter a whole number."), field=field) from None
    if not minimum <= number <= maximum:
        raise Invalid(_("Enter a number between %(a)d and %(b)d.", a=minimum, b=maximum), field=field)
    return number


def clean_date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            raise Invalid(_("Enter a date as YYYY-MM-DD."), field=field) from None
    return check_date(value, field)   # year 9999 would overflow the date arithmetic further in


def today(now: datetime) -> date:
    return now.astimezone(SHANGHAI).date()


def admins_of(session: Session, organization_id: int, role: Role) -> list[User]:
    return list(session.scalars(select(User).join(RoleGrant, RoleGrant.user_id == User.id)
                                .where(RoleGrant.organization_id == organization_id, RoleGrant.role == role)))


def union_admins(session: Session) -> list[User]:
    return list(session.scalars(select(User).join(RoleGrant, RoleGrant.user_id == User.id)
                                .where(RoleGrant.role == Role.UNION_ADMIN).distinct()))


def tell_all(session: Session, users: Iterable[User], subject_fn, body_fn) -> None:
    """Queue a message to each user (after commit), written in the recipient's language.

    ``subject_fn`` / ``body_fn`` are called inside the recipient's locale, so translation
    happens for each reader.
    """
    seen = set()
    for user in users:
        if user.id in seen or not user.contact:
            continue
        seen.add(user.id)
        with speaking_to(user):
            queue_message(session, recipient=user.contact, subject=str(subject_fn()), body=str(body_fn()))
