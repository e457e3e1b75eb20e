"""Shared edge helpers for pages: run a form's or a button's service, commit once, show a DomainError."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, NamedTuple, TypeVar

from flask import flash
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
    return _run(action, lambda exc: show_error(form, exc))


def perform(action: Callable[[Session], T]) -> Outcome[T]:
    """Run a one-button action's service and commit once: ``Outcome(True, result)``.

    A DomainError rolls the transaction back and is flashed (``Outcome(False, None)``); a
    not-found one propagates, so the page answers 404.
    """

    def flash_error(exc: DomainError) -> None:
        if exc.status == 404:
            raise exc
        flash(exc.message, "error")

    return _run(action, flash_error)


def _run(action: Callable[[Session], T], on_error: Callable[[DomainError], None]) -> Outcome[T]:
    session = get_session()
    try:
        result = action(session)
    except DomainError as exc:
        session.rollback()
        on_error(exc)
        return Outcome(False, None)
    session.commit()
    return Outcome(True, result)
