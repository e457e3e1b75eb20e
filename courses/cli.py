"""Command line of the catalog: ``skills-market courses search-reindex``."""

from __future__ import annotations

import click

from courses.views import bp


@bp.cli.command("search-reindex")
def search_reindex() -> None:
    """Rebuild the search index of every course (after upgrading the search; not needed for the dictionary)."""
    from app.db import get_session
    from courses.search.index import reindex_all

    session = get_session()
    count = reindex_all(session)
    session.commit()
    click.echo(f"reindexed {count} courses")
