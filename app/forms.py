"""Shared form helpers: run a form's service once, show a DomainError on the field it names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, NamedTuple, TypeVar

from flask_wtf import FlaskForm
from sqlalchemy.orm import Session

from app.db import get_session
from app.errors import DomainError

T = TypeVar("T")


def show_error(form: FlaskForm, exc: DomainError) -> None:
    """Attach ``exc`` to the form field it names, or to the whole form."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*list(field.errors or []), exc.message]
    else:
        form.form_errors.append(exc.message)


class Outcome(NamedTuple, Generic[T]):
    ok: bool
    value: T | None


def submit(form: FlaskForm, action: Callable[[Session], T]) -> Outcome[T]:
    """Run ``action(session)`` for a validated form and commit once: ``Outcome(True, result)``.

    A DomainError rolls the transaction back and is shown on the form: ``Outcome(False, None)``.
    """
    session = get_session()
    try:
        result = action(session)
    except DomainError as exc:
        session.rollback()
        show_error(form, exc)
        return Outcome(False, None)
    session.commit()
    return Outcome(True, result)
