"""Fixtures for the trust tests: an app on its own SQLite file that commits for real."""

from __future__ import annotations

import pytest

from app import create_app
from app.db import Base
from app.models import import_all_models
from tests.conftest import TEST_CONFIG, IsolatedClient


@pytest.fixture
def make_own_app(app, tmp_path):
    """``make_own_app(**config)``: a second app on its own SQLite file, as ``run.py start`` serves it."""
    made = []

    def make(**config):
        import_all_models()
        own = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / f'own{len(made)}.db'}", **config})
        own.test_client_class = IsolatedClient
        Base.metadata.create_all(own.extensions["db_engine"])
        made.append(own)
        return own

    yield make
    for own in made:
        own.extensions["db_engine"].dispose()
    app.extensions["celery"].set_current()   # eager tasks of later tests run in the suite's app
    app.extensions["celery"].set_default()


@pytest.fixture
def embedded(make_own_app):
    return make_own_app()
