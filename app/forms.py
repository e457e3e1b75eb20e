"""Shared form helpers: show a service's DomainError on the field it names."""

from __future__ import annotations

from flask_wtf import FlaskForm

from app.errors import DomainError


def show_error(form: FlaskForm, exc: DomainError) -> None:
    """Attach ``exc`` to the form field it names, or to the whole form."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*list(field.errors or []), exc.message]
    else:
        form.form_errors.append(exc.message)
