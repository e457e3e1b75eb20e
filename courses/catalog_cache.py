"""The catalog's short-lived cache (an edge helper for the catalog views and API).

One ``cachetools.TTLCache`` per application and process holds, per filter set, the total and
the ids of each page (``courses.queries.catalog.list_catalog``); for anonymous callers, the
rendered result list of the HTML page (per query string and language), the whole page when the
visitor has no session at all, and the JSON body of ``GET /api/v1/courses``; and the industry
menu. ``CATALOG_CACHE_SECONDS`` (default 10) sets how long an entry lives (0 turns the cache
off); it is off under tests, whose data changes between requests. Signed-in users' pages are
never taken from it (their prices and menus are their own), only their totals and page ids.

The course and class pages of a visitor with no session are kept whole too
(``anonymous_page_key``): their seats left, prices, "Enrolling"/"open" tags and a class's
cancellation may lag by up to ``CATALOG_CACHE_SECONDS``, the same few seconds as the catalog's
totals. Before a kept page is served the course is checked to be still public (one narrow
query), so a withdrawn course disappears at once, as it does from the list. A signed-in viewer,
or anyone with a session (a CSRF token, a flashed message), always gets a page rendered for
them: their own enrollment, member price and menus.
"""

from __future__ import annotations

import logging
import threading

from cachetools import TTLCache
from flask import current_app, request
from flask import session as flask_session
from flask_babel import get_locale
from flask_login import current_user

from courses.queries.catalog_index import CatalogIndex, IndexKeeper

logger = logging.getLogger(__name__)
MAX_ENTRIES = 1024
MAX_SEARCH_ENTRIES = 20_000   # small values: term statistics, index prefixes, the dictionary
_create_lock = threading.Lock()


class SharedTTLCache(TTLCache):
    """A ``TTLCache`` that a worker's threads may share (cachetools' caches are not thread-safe)."""

    def __init__(self, maxsize: int, ttl: float):
        super().__init__(maxsize=maxsize, ttl=ttl)
        self._lock = threading.RLock()

    def __getitem__(self, key):
        with self._lock:
            return super().__getitem__(key)

    def __setitem__(self, key, value):
        with self._lock:
            super().__setitem__(key, value)

    def get(self, key, default=None):
        with self._lock:
            return super().get(key, default)


def catalog_cache() -> SharedTTLCache | None:
    """This app's catalog cache, or None when it is off."""
    app = current_app._get_current_object()
    seconds = app.config.get("CATALOG_CACHE_SECONDS", 0)
    if app.testing or not seconds:
        return None
    cache = app.extensions.get("catalog_cache")
    if cache is None:
        with _create_lock:
            cache = app.extensions.setdefault("catalog_cache", SharedTTLCache(MAX_ENTRIES, seconds))
    return cache


def search_cache() -> SharedTTLCache | None:
    """This app's cache of the search's own reads (``courses.search.plan_query``): the dictionary,
    each term's document frequency, the index terms under a Latin prefix and the number of
    courses. Kept ``CATALOG_CACHE_SECONDS`` like the catalog's entries, so a dictionary edit
    applies within that time; apart from the catalog's pages so that many small entries never
    push pages out. None when the cache is off (tests)."""
    app = current_app._get_current_object()
    seconds = app.config.get("CATALOG_CACHE_SECONDS", 0)
    if app.testing or not seconds:
        return None
    cache = app.extensions.get("search_cache")
    if cache is None:
        with _create_lock:
            cache = app.extensions.setdefault("search_cache", SharedTTLCache(MAX_SEARCH_ENTRIES, seconds))
    return cache


def catalog_index(session) -> CatalogIndex:
    """This process's snapshot of the public catalog, checked for changes at most every
    ``CATALOG_INDEX_SECONDS`` (under tests: at every use, since their data changes between
    requests). See ``courses.queries.catalog_index``."""
    app = current_app._get_current_object()
    keeper = app.extensions.get("catalog_index")
    if keeper is None:
        seconds = 0 if app.testing else app.config.get("CATALOG_INDEX_SECONDS", 1)
        with _create_lock:
            keeper = app.extensions.setdefault("catalog_index", IndexKeeper(seconds))
    return keeper.current(session)


def warm_up(app) -> None:
    """Build this process's catalog index before its first request (declared in
    ``courses.DOMAIN``): at 10,000 courses it takes about half a second. A database that is
    not reachable yet only defers it to the first catalog request."""
    import gc

    from app.db import get_session

    try:
        with app.app_context():
            catalog_index(get_session())
    except Exception:   # noqa: BLE001 - a warm-up never stops a server from starting
        logger.warning("catalog index not built at start; the first catalog request builds it", exc_info=True)
        return
    gc.collect()
    gc.freeze()   # the index's objects stay out of the collector's full walks (see search.warm_up)


def anonymous_page_key(page: str) -> tuple | None:
    """Cache key of this request's whole HTML page, or None when it may not be shared: cache off,
    a session (sign-in, CSRF token, flashed message) or a signed-in user. The page then depends
    only on its path, query string (the language links carry it) and language."""
    if catalog_cache() is None or flask_session or current_user.is_authenticated:
        return None
    return ("page-html", page, str(get_locale()), request.path, request.query_string)
