"""Alembic: one head, upgrade from empty matches the models, downgrade works, on both databases."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, make_url, text

from app.cli import alembic_config
from app.db import Base, make_engine
from app.models import import_all_models
from tests.conftest import is_postgres


@pytest.fixture
def empty_database(db_url, tmp_path):
    """A fresh, empty database of the kind the suite runs on."""
    if not is_postgres(db_url):
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"migr_{uuid.uuid4().hex[:10]}"
    admin = make_engine(db_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(db_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_single_head(db_url):
    heads = ScriptDirectory.from_config(alembic_config(db_url)).get_heads()
    assert len(heads) == 1


def test_upgrade_from_empty_matches_models_and_downgrade_works(empty_database):
    import_all_models()
    config = alembic_config(empty_database)
    command.upgrade(config, "head")
    engine = make_engine(empty_database)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        command.downgrade(config, "base")
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        command.upgrade(config, "head")
    finally:
        engine.dispose()
