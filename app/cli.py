"""Command line: ``skills-market db-upgrade | demo | run | ...`` (a Flask CLI group)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_database(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` with Alembic."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


@click.command("db-upgrade")
@click.option("--revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply Alembic migrations to DATABASE_URL (or the embedded SQLite file)."""
    current_app.instance_path and Path(current_app.instance_path).mkdir(parents=True, exist_ok=True)
    upgrade_database(current_app.config["DATABASE_URL"], revision)
    click.echo("database is at " + revision)


@click.command("demo")
def demo() -> None:
    """Load Chinese demo data (idempotent) and print the sign-in details."""
    from app.db import get_session
    from app.demo import load_demo

    session = get_session()
    accounts = load_demo(session)
    session.commit()
    click.echo(f"\n演示账号 demo accounts (password for all: {accounts.password}):")
    for role, account, name in accounts.rows:
        click.echo(f"  {role:<18} {account:<22} {name}")
    click.echo("")


def register_commands(app) -> None:
    app.cli.add_command(db_upgrade)
    app.cli.add_command(demo)


def main() -> None:
    from app import create_app

    FlaskGroup(create_app=create_app, name="skills-market")()
