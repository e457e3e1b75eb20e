"""The catalog's kept state (an edge helper for the catalog views and API).

- The in-memory **catalog index** of each process (``catalog_index``; see
  ``courses.queries.catalog_index``): built when a web worker starts (``warm_up``), rebuilt
  when a write changed what the catalog shows, checked at most every
  ``CATALOG_INDEX_SECONDS`` (1 s).
- Short-lived caches, one each per application and process (``cachetools.TTLCache``; the seats,
  asked for twenty at a time, in a plainer ``ShortLived``), entries living
  ``CATALOG_CACHE_SECONDS`` (default 10; 0 turns them off; off under tests, whose data
  changes between requests): the **catalog cache** (for anonymous callers the rendered result
  list of the HTML page per query string and language, the whole page when the visitor has no
  session at all, the JSON body of ``GET /api/v1/courses``), the **search
  cache** (dictionary, popular searches) and the **seats cache** (free seats per course shown
  in lists). Signed-in users' pages are never taken from them (their prices and menus are
  their own).

The course and class pages of a visitor with no session are kept whole too
(``anonymous_page_key``): their seats left, prices, "Enrolling"/"open" tags and a class's
cancellation may lag by up to ``CATALOG_CACHE_SECONDS``, as the lists' seats do. Before a kept
page is served the course is checked to be still public (one narrow query), so a withdrawn
course disappears at once. A signed-in viewer, or anyone with a session (a CSRF token, a
flashed message), always gets a page rendered for them: their own enrollment, member price
and menus.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager

from cachetools import TTLCache
from flask import current_app, request
from flask import session as flask_session
from flask_login import current_user

from app.i18n import locale_code
from courses.queries.catalog_index import CatalogIndex, IndexKeeper

logger = logging.getLogger(__name__)
MAX_ENTRIES = 1024
MAX_SEARCH_ENTRIES = 1_000    # the dictionary and the popular searches
MAX_SEATS_ENTRIES = 50_000    # free seats per course
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


class ShortLived:
    """Values kept ``ttl`` seconds each, for many small look-ups a request: a plain dict of
    ``(value, expires)`` that a worker's threads may share (a look-up or a store is one dict
    operation, atomic in CPython), emptied when it reaches ``maxsize``.

    A catalog page asks for twenty courses' seats: through a locked ``TTLCache`` that was a
    twentieth of a search's time; here it is one dict look-up and one clock read each. Only
    ``get`` and item assignment: what ``list_catalog(seats_kept=...)`` needs."""

    def __init__(self, maxsize: int, ttl: float, clock=time.monotonic):
        self.maxsize, self.ttl, self._clock = maxsize, ttl, clock
        self._values: dict = {}

    def get(self, key, default=None):
        entry = self._values.get(key)
        if entry is None or entry[1] <= self._clock():
            return default
        return entry[0]

    def __setitem__(self, key, value) -> None:
        if len(self._values) >= self.maxsize:
            self._values = {}
        self._values[key] = (value, self._clock() + self.ttl)

    def __len__(self) -> int:
        return len(self._values)


def _kept(name: str, make):
    """This app's store ``name`` (``make(seconds)`` the first time), its entries living
    ``CATALOG_CACHE_SECONDS``; None when that is 0 or under tests, whose data changes between
    requests."""
    app = current_app._get_current_object()
    seconds = app.config.get("CATALOG_CACHE_SECONDS", 0)
    if app.testing or not seconds:
        return None
    store = app.extensions.get(name)
    if store is None:
        with _create_lock:
            store = app.extensions.setdefault(name, make(seconds))
    return store


def catalog_cache() -> SharedTTLCache | None:
    """This app's catalog cache (rendered lists and pages), or None when off."""
    return _kept("catalog_cache", lambda seconds: SharedTTLCache(MAX_ENTRIES, seconds))


def search_cache() -> SharedTTLCache | None:
    """This app's cache of the search's own reads: the dictionary and the popular searches, so
    a dictionary edit applies within ``CATALOG_CACHE_SECONDS``; apart from the catalog's pages
    so that small entries never push pages out. None when off."""
    return _kept("search_cache", lambda seconds: SharedTTLCache(MAX_SEARCH_ENTRIES, seconds))


def seats_cache() -> ShortLived | None:
    """This app's free seats per course for catalog lists (``list_catalog(seats_kept=...)``):
    searches nobody made before mostly show courses that earlier searches showed. None when off."""
    return _kept("seats_cache", lambda seconds: ShortLived(MAX_SEATS_ENTRIES, seconds))


def catalog_index(session) -> CatalogIndex:
    """This process's snapshot of the public catalog, checked for changes at most every
    ``CATALOG_INDEX_SECONDS`` and then rebuilt in the background. Under tests it is checked at
    every use and rebuilt at once, since their data changes between requests. See
    ``courses.queries.catalog_index``."""
    app = current_app._get_current_object()
    keeper = app.extensions.get("catalog_index")
    if keeper is None:
        with _create_lock:
            keeper = app.extensions.get("catalog_index")
            if keeper is None:
                keeper = app.extensions["catalog_index"] = (
                    IndexKeeper(0) if app.testing else
                    IndexKeeper(app.config.get("CATALOG_INDEX_SECONDS", 1), open_session=lambda: reading_session(app)))
    return keeper.current(session)


@contextmanager
def reading_session(app):
    """A session of its own that only reads (no write lock on SQLite, no transaction on
    PostgreSQL), in an application context: the index's builds outside requests."""
    with app.app_context():
        extensions = app.extensions
        session = (extensions.get("db_read_sessionmaker") or extensions["db_sessionmaker"])()
        try:
            yield session
        finally:
            session.close()


def warm_up(app) -> None:
    """Build this process's catalog index before its first request (declared in
    ``courses.DOMAIN``): at 10,000 courses it takes about half a second. A database that is
    not reachable yet only defers it to the first catalog request."""
    import gc

    try:
        with reading_session(app) as session:
            catalog_index(session)
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
    return ("page-html", page, locale_code(), request.path, request.query_string)
