"""Alembic environment: the metadata of every domain's models; URL from the config or env."""

from __future__ import annotations

import os

from alembic import context

from app.db import Base, make_engine
from app.models import import_all_models

import_all_models()
config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("set DATABASE_URL (or use `skills-market db-upgrade`)")
    return url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def _include_name(name, type_, parent_names) -> bool:
    """Autogenerate leaves alone the tables made by DDL rather than models (SQLite's FTS5 search table)."""
    from courses.models import is_full_text_table

    return not (type_ == "table" and name and is_full_text_table(name))


def run_migrations_online() -> None:
    engine = make_engine(_url())
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite", compare_type=True,
                          include_name=_include_name)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
