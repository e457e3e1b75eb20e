"""The catalog's in-memory index and how it stays in step with the database; the short-lived
cache of the anonymous result list and of anonymous catalog, course and class pages that set
no cookie."""

from __future__ import annotations

import pytest

from courses import search
from courses.catalog_cache import SharedTTLCache, ShortLived
from courses.queries.catalog import CatalogFilters, list_catalog
from courses.queries.catalog_index import CatalogIndex, IndexKeeper
from courses.services import shelf
from tests.conftest import count_queries, sign_in


@pytest.fixture
def listed(db, make_course, make_class, now):
    def make(**values):
        course = make_course(**values)
        make_class(course=course)
        shelf.refresh_course_listing(db, course.id, now=now)
        search.index_course(db, course)
        return course

    return make


@pytest.fixture
def cached_app(app):
    """The app with its catalog cache on (tests normally run without it)."""
    saved = app.testing, app.config.get("CATALOG_CACHE_SECONDS")
    app.testing, app.config["CATALOG_CACHE_SECONDS"] = False, 60
    try:
        yield app
    finally:
        app.testing, app.config["CATALOG_CACHE_SECONDS"] = saved
        for kept in ("catalog_cache", "search_cache", "seats_cache"):
            app.extensions.pop(kept, None)
        app.extensions.pop("catalog_index", None)   # its keeper asks once a second outside tests


def test_the_index_is_rebuilt_when_the_catalog_changes_and_only_then(db, listed, make_user):
    keeper = IndexKeeper(check_every=0)
    first = keeper.current(db)
    assert keeper.current(db) is first   # nothing changed: the same snapshot
    course = listed(title="电工培训")
    second = keeper.current(db)
    assert second is not first and course.id in second.cards
    user = make_user()
    user.name = "改了名字"
    db.flush()
    assert keeper.current(db) is second   # a write the catalog does not show keeps it
    course.provider.name = "新名字培训学校"
    db.flush()
    third = keeper.current(db)
    assert third is not second and third.cards[course.id].provider.name == "新名字培训学校"


def test_the_keeper_asks_for_the_token_at_most_every_check_every_seconds(db, listed):
    clock = [100.0]
    keeper = IndexKeeper(check_every=1, clock=lambda: clock[0])
    first = keeper.current(db)
    course = listed(title="电工培训")
    clock[0] += 0.5
    with count_queries(db) as statements:
        assert keeper.current(db) is first   # within the second: no statement at all
    assert statements == []
    clock[0] += 0.6
    assert course.id in keeper.current(db).cards


def test_building_the_index_takes_the_same_statements_whatever_the_catalog_size(db, listed):
    counts = []
    for n in (1, 6):
        for i in range(n):
            listed(title=f"电工培训{n}-{i}")
        with count_queries(db) as statements:
            CatalogIndex.load(db)
        counts.append(len(statements))
    assert counts[0] == counts[1] == 3


def test_a_withdrawn_course_leaves_the_page_at_once(db, listed, now):
    kept, withdrawn = listed(title="电工培训甲"), listed(title="电工培训乙")
    index = CatalogIndex.load(db)   # built before the withdrawal, as another process's may be
    page = list_catalog(db, CatalogFilters(q="电工"), now=now, is_member=False, index=index)
    assert {i.course.id for i in page.items} == {kept.id, withdrawn.id}
    withdrawn.is_published = False
    db.flush()
    page = list_catalog(db, CatalogFilters(q="电工"), now=now, is_member=False, index=index)
    assert [i.course.id for i in page.items] == [kept.id]


def test_anonymous_catalog_page_is_reused_and_sets_no_cookie(cached_app, db, listed):
    listed(title="电工培训")
    client = cached_app.test_client()
    first = client.get("/courses?q=电工")
    assert first.status_code == 200 and "Set-Cookie" not in first.headers
    assert 'name="csrf-token"' not in first.get_data(as_text=True)
    with count_queries(db) as statements:
        again = client.get("/courses?q=电工")
    assert again.get_data(as_text=True) == first.get_data(as_text=True)
    assert statements == []


def test_signed_in_pages_are_not_taken_from_the_anonymous_cache(cached_app, db, listed, make_member):
    listed(title="电工培训")
    anonymous = cached_app.test_client()
    assert "电工培训" in anonymous.get("/courses?q=电工").get_data(as_text=True)
    member = cached_app.test_client()
    sign_in(member, make_member())
    html = member.get("/courses?q=电工").get_data(as_text=True)
    assert 'name="csrf-token"' in html and "电工培训" in html


def test_a_search_that_memory_answers_makes_no_session(cached_app, db, listed):
    listed(title="电工培训")
    listed(title="焊工培训")
    client = cached_app.test_client()
    assert "电工培训" in client.get("/courses?q=电工").get_data(as_text=True)   # index built, seats kept
    client.get("/api/v1/courses?q=焊工")
    made = []
    maker = cached_app.extensions["db_sessionmaker"]
    cached_app.extensions["db_sessionmaker"] = lambda: made.append(1) or maker()
    try:
        with count_queries(db) as statements:
            page = client.get("/courses?q=电工培训")          # a new search: not a kept page
            body = client.get("/api/v1/courses?q=焊工培训").json
        assert "电工培训" in page.get_data(as_text=True) and body["items"][0]["title"] == "焊工培训"
        assert statements == [] and made == []
        assert client.get("/courses/999999").status_code == 404 and made   # other pages still get theirs
    finally:
        cached_app.extensions["db_sessionmaker"] = maker


def test_the_cache_is_shared_safely():
    cache = SharedTTLCache(maxsize=2, ttl=60)
    cache["a"], cache["b"], cache["c"] = 1, 2, 3
    assert cache.get("a") is None and cache["c"] == 3 and len(cache) == 2


def test_anonymous_api_search_is_reused_but_not_for_a_bearer(cached_app, db, listed, make_member):
    from tests.conftest import bearer

    listed(title="电工培训")
    client = cached_app.test_client()
    first = client.get("/api/v1/courses?q=电工")
    assert first.status_code == 200 and first.json["total"] == 1
    with count_queries(db) as statements:
        again = client.get("/api/v1/courses?q=电工")
    assert again.data == first.data and statements == []
    with count_queries(db) as statements:
        member = client.get("/api/v1/courses?q=电工", headers=bearer(make_member()))
    assert member.json["total"] == 1 and statements


def test_a_visitor_with_a_session_is_not_served_the_sessionless_page(cached_app, db, listed):
    listed(title="电工培训")
    assert "Set-Cookie" not in cached_app.test_client().get("/courses?q=电工").headers   # cached, no session
    visitor = cached_app.test_client()
    visitor.get("/login")   # a CSRF token in the session from now on
    html = visitor.get("/courses?q=电工").get_data(as_text=True)
    assert 'name="csrf-token"' in html and "电工培训" in html


def test_anonymous_course_and_class_pages_are_reused_after_one_visibility_check(cached_app, db, listed):
    course = listed(title="电工培训")
    for path in (f"/courses/{course.id}", f"/classes/{course.classes[0].id}"):
        client = cached_app.test_client()
        first = client.get(path)
        assert first.status_code == 200 and "Set-Cookie" not in first.headers
        with count_queries(db) as statements:
            again = client.get(path)
        assert again.get_data(as_text=True) == first.get_data(as_text=True)
        assert len(statements) == 1   # is the course still public?


def test_a_withdrawn_course_leaves_cached_course_and_class_pages_at_once(cached_app, db, listed):
    course = listed(title="电工培训")
    client = cached_app.test_client()
    paths = (f"/courses/{course.id}", f"/classes/{course.classes[0].id}")
    assert all(client.get(path).status_code == 200 for path in paths)
    course.is_published = False
    db.flush()
    assert all(client.get(path).status_code == 404 for path in paths)


def test_signed_in_viewers_see_their_own_enrollment_on_a_cached_class_page(cached_app, db, listed, make_member,
                                                                          make_enrollment):
    course = listed(title="电工培训")
    training_class = course.classes[0]
    member = make_member()
    enrollment = make_enrollment(training_class, member)
    anonymous = cached_app.test_client().get(f"/classes/{training_class.id}").get_data(as_text=True)
    assert f"/enrollments/{enrollment.id}" not in anonymous
    client = cached_app.test_client()
    sign_in(client, member)
    html = client.get(f"/classes/{training_class.id}").get_data(as_text=True)
    assert f"/enrollments/{enrollment.id}" in html and 'name="csrf-token"' in html
    assert cached_app.test_client().get(f"/classes/{training_class.id}").get_data(as_text=True) == anonymous


def test_a_web_worker_builds_the_index_before_its_first_request(app, db, listed, monkeypatch):
    import importlib.util
    import types
    from pathlib import Path

    course = listed(title="电工培训")
    app.extensions.pop("catalog_index", None)
    monkeypatch.setattr("gc.freeze", lambda: None)   # the test process keeps collecting as usual
    spec = importlib.util.spec_from_file_location("gunicorn_conf", Path(app.root_path).parent / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    try:
        conf.post_worker_init(types.SimpleNamespace(wsgi=app))   # what gunicorn calls in each worker
        keeper = app.extensions["catalog_index"]
        with count_queries(db) as statements:
            index = keeper.current(db)
        assert course.id in index.cards and len(statements) == 1   # built already: only the token is read
    finally:
        app.extensions.pop("catalog_index", None)


def test_kept_seats_spare_the_statement_and_a_withdrawal_is_kept_too(db, listed, now):
    shown, withdrawn = listed(title="电工培训甲"), listed(title="电工培训乙")
    index, dictionary, kept = CatalogIndex.load(db), search.load_dictionary(db), {}
    page = list_catalog(db, CatalogFilters(q="电工"), now=now, is_member=False, index=index,
                        dictionary=dictionary, seats_kept=kept)
    assert {i.course.id for i in page.items} == {shown.id, withdrawn.id} and set(kept) == {shown.id, withdrawn.id}
    with count_queries(db) as statements:
        again = list_catalog(db, CatalogFilters(q="电工"), now=now, is_member=False, index=index,
                        dictionary=dictionary, seats_kept=kept)
    assert statements == [] and [i.seats_left for i in again.items] == [i.seats_left for i in page.items]
    withdrawn.is_published = False
    db.flush()
    kept.pop(withdrawn.id)   # its seats expired from the cache: read again, no longer public
    page = list_catalog(db, CatalogFilters(q="电工"), now=now, is_member=False, index=index,
                        dictionary=dictionary, seats_kept=kept)
    assert [i.course.id for i in page.items] == [shown.id]
    with count_queries(db) as statements:
        page = list_catalog(db, CatalogFilters(q="电工"), now=now, is_member=False, index=index,
                        dictionary=dictionary, seats_kept=kept)
    assert statements == [] and [i.course.id for i in page.items] == [shown.id]


def test_a_changed_catalog_is_rebuilt_in_the_background_while_requests_keep_the_last_one(db, listed):
    import threading
    from contextlib import contextmanager

    started, release = threading.Event(), threading.Event()

    @contextmanager
    def open_session():
        started.set()
        release.wait(5)
        yield db

    keeper = IndexKeeper(check_every=0, open_session=open_session)
    first = keeper.current(db)   # the first build is the asking request's own
    course = listed(title="电工培训")
    assert keeper.current(db) is first   # changed: a rebuild starts, this request keeps the last one
    assert started.wait(5)
    assert keeper.current(db) is first   # one rebuild at a time; still the last snapshot
    release.set()
    keeper._building.join(5)
    assert course.id in keeper.current(db).cards


def test_the_industry_menu_comes_with_the_index_and_follows_a_rename(db, listed, industry):
    keeper = IndexKeeper(check_every=0)
    tourism = industry("tourism", "旅游业", "Tourism")
    assert ("tourism", "旅游业") in {(i.code, i.name_zh) for i in keeper.current(db).industries}
    tourism.name_zh = "文旅产业"
    db.flush()
    assert ("tourism", "文旅产业") in {(i.code, i.name_zh) for i in keeper.current(db).industries}


def test_short_lived_values_expire_and_the_store_stays_bounded():
    now = [100.0]
    kept = ShortLived(maxsize=3, ttl=10, clock=lambda: now[0])
    kept[1], kept[2] = 5, 0
    assert kept.get(1) == 5 and kept.get(2) == 0 and kept.get(3) is None
    now[0] = 109.9
    assert kept.get(1) == 5
    now[0] = 110.0
    assert kept.get(1) is None and kept.get(2, "gone") == "gone"
    kept[3] = 7
    kept[4] = 8    # full: emptied before it takes the new value
    assert len(kept) == 1 and kept.get(4) == 8 and kept.get(3) is None
