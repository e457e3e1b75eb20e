"""The catalog's short-lived cache: totals and page ids per filter set, the anonymous result list,
and anonymous catalog, course and class pages that set no cookie."""

from __future__ import annotations

import pytest
from cachetools import TTLCache

from courses import search
from courses.catalog_cache import SharedTTLCache
from courses.queries.catalog import CatalogFilters, list_catalog
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
        app.extensions.pop("catalog_cache", None)


def test_a_cached_search_skips_the_count_and_the_ranking(db, listed, now):
    for i in range(3):
        listed(title=f"电工培训{i}")
    cache = TTLCache(maxsize=100, ttl=60)
    first = list_catalog(db, CatalogFilters(q="电工", per_page=2), now=now, is_member=False, cache=cache)
    with count_queries(db) as statements:
        again = list_catalog(db, CatalogFilters(q="电工", per_page=2), now=now, is_member=False, cache=cache)
    assert [i.course.id for i in again.items] == [i.course.id for i in first.items]
    assert again.total == first.total == 3 and again.next_cursor == first.next_cursor
    assert not any("count(*)" in s.lower() for s in statements)   # no total counted again
    assert len(statements) == 1   # the page's cards (with seats and industries) only: the industry menu is kept too
    # The next page reuses the total counted for the first one.
    with count_queries(db) as statements:
        second = list_catalog(db, CatalogFilters(q="电工", per_page=2, after=first.next_cursor), now=now,
                              is_member=False, cache=cache)
    assert second.total == 3 and len(second.items) == 1
    assert not any("count(*)" in s.lower() for s in statements)   # no total counted again


def test_a_withdrawn_course_leaves_a_cached_page_at_once(db, listed, now):
    kept, withdrawn = listed(title="电工培训甲"), listed(title="电工培训乙")
    cache = TTLCache(maxsize=100, ttl=60)
    page = list_catalog(db, CatalogFilters(q="电工"), now=now, is_member=False, cache=cache)
    assert {i.course.id for i in page.items} == {kept.id, withdrawn.id}
    withdrawn.is_published = False
    db.flush()
    page = list_catalog(db, CatalogFilters(q="电工"), now=now, is_member=False, cache=cache)
    assert [i.course.id for i in page.items] == [kept.id]


def test_filters_and_viewers_have_their_own_entries(db, listed, now):
    listed(title="电工培训")
    listed(title="导游培训")
    cache = TTLCache(maxsize=100, ttl=60)
    assert list_catalog(db, CatalogFilters(q="电工"), now=now, is_member=False, cache=cache).total == 1
    assert list_catalog(db, CatalogFilters(q="培训"), now=now, is_member=False, cache=cache).total == 2
    assert list_catalog(db, CatalogFilters(q="培训"), now=now, is_member=True, cache=cache).total == 2
    assert len([k for k in cache if k[0] not in ("search", "industries")]) == 6   # a total and a page per filter set and viewer


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
