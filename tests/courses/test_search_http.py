"""Search through HTTP: suggestions, the relaxed and empty result pages, the dictionary's admin
page and API (roles, errors), and a dictionary edit applying to the next search."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.access import Role
from courses import search
from courses.models import SearchSynonym
from courses.services import shelf, synonyms
from tests.conftest import bearer, post_form, sign_in


@pytest.fixture
def indexed(db, make_course, make_class, now):
    def make(**values):
        course = make_course(**values)
        make_class(course=course, price=10000)
        shelf.refresh_course_listing(db, course.id, now=now)
        search.index_course(db, course)
        return course

    return make


@pytest.fixture
def union_admin(make_user):
    return make_user(Role.UNION_ADMIN)


def signed_in(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


# --- suggestions --------------------------------------------------------------------------

def test_suggest_offers_dictionary_words_trade_words_and_titles(client, db, indexed):
    synonyms.seed_dictionary(db)
    indexed(title="挖掘机驾驶员培训")
    indexed(title="低压电工作业（特种作业操作证）")
    indexed(title="电工基础")
    body = client.get("/api/v1/search/suggest?q=挖").json
    kinds = {item["text"]: item for item in body["items"]}
    assert kinds["挖机"]["kind"] == "synonym" and kinds["挖机"]["hint"] == "挖掘机"
    assert kinds["挖掘机"]["url"] == "/courses?q=%E6%8C%96%E6%8E%98%E6%9C%BA"
    words = [i for i in client.get("/api/v1/search/suggest?q=驾").json["items"] if i["kind"] == "word"]
    assert "驾驶员" in [w["text"] for w in words]   # a word of the catalog, not of the dictionary
    assert "电工证" in body["popular"]   # featured seed entries
    titles = [i for i in client.get("/api/v1/search/suggest?q=電工").json["items"] if i["kind"] == "title"]
    assert {t["text"] for t in titles} == {"低压电工作业（特种作业操作证）", "电工基础"}
    assert all(t["url"].startswith("/courses/") for t in titles)


def test_suggest_for_nothing_gives_popular_searches_and_rejects_long_input(client, db):
    synonyms.seed_dictionary(db)
    body = client.get("/api/v1/search/suggest?q=").json
    assert body["items"] == [] and body["popular"]
    response = client.get("/api/v1/search/suggest?q=" + "电" * 101)
    assert response.status_code == 422 and response.json["error"]["field"] == "q"


def test_suggest_never_offers_hidden_courses(client, db, indexed):
    course = indexed(title="无人机驾驶员（多旋翼）")
    course.is_published = False
    db.flush()
    assert not [i for i in client.get("/api/v1/search/suggest?q=无人机").json["items"] if i["kind"] == "title"]


def test_catalog_page_has_the_suggest_box(client):
    html = client.get("/courses").get_data(as_text=True)
    assert 'data-suggest-url="/api/v1/search/suggest"' in html and "/static/js/search.js" in html
    assert client.get("/static/js/search.js").status_code == 200


# --- result pages -------------------------------------------------------------------------

def test_relaxed_page_says_so_and_lists_the_closest_first(client, indexed):
    indexed(title="低压电工作业培训")
    indexed(title="导游资格考试培训")
    html = client.get("/courses?q=电工 周末班 海口").get_data(as_text=True)
    assert "No course matches every word" in html and "低压电工作业培训" in html
    assert client.get("/api/v1/courses?q=电工 周末班").json["relaxed"] is True


def test_empty_page_offers_nearest_and_popular_searches(client, db, indexed):
    synonyms.seed_dictionary(db)
    indexed(title="电工基础")
    html = client.get("/courses?q=电钻").get_data(as_text=True)   # 电钻 is nowhere in the catalog
    assert "No course matches" in html and "Did you mean" in html and "Popular searches" in html
    assert "/courses?q=%E7%94%B5%E5%B7%A5" in html   # 电工, a word of the catalog starting like the query


def test_a_new_dictionary_entry_applies_to_the_next_search(app, db, indexed, union_admin):
    indexed(title="桥式起重机司机")
    client = app.test_client()
    assert client.get("/api/v1/courses?q=天车").json["total"] == 0
    response = client.post("/api/v1/search/synonyms", headers=bearer(union_admin),
                           json={"term": "天车", "expansion": "桥式起重机"})
    assert response.status_code == 201 and response.json["two_way"] is True
    assert [i["title"] for i in client.get("/api/v1/courses?q=天车").json["items"]] == ["桥式起重机司机"]
    assert client.delete(f"/api/v1/search/synonyms/{response.json['id']}",
                         headers=bearer(union_admin)).status_code == 204
    assert client.get("/api/v1/courses?q=天车").json["total"] == 0


# --- the dictionary: API and admin page ---------------------------------------------------

def test_dictionary_api_is_for_union_admins_only(app, make_user, union_admin):
    client = app.test_client()
    paths = [("GET", "/api/v1/search/synonyms", None), ("POST", "/api/v1/search/synonyms", {"term": "a", "expansion": "b"}),
             ("DELETE", "/api/v1/search/synonyms/1", None)]
    for method, path, body in paths:
        assert client.open(path, method=method, json=body).status_code == 401, path
        for role in (Role.WORKER, Role.PROVIDER_ADMIN, Role.ENTERPRISE_ADMIN, Role.INSTRUCTOR):
            user = make_user(role)
            user.grants = [g for g in user.grants if g.role == role]
            assert client.open(path, method=method, json=body, headers=bearer(user)).status_code == 403, (path, role)
    assert client.get("/api/v1/search/synonyms", headers=bearer(union_admin)).status_code == 200


def test_dictionary_api_errors_have_the_api_shape(client, union_admin):
    headers = bearer(union_admin)
    first = client.post("/api/v1/search/synonyms", headers=headers, json={"term": "挖機", "expansion": "挖掘机"})
    assert first.status_code == 201 and first.json["term"] == "挖机"   # stored normalised
    again = client.post("/api/v1/search/synonyms", headers=headers, json={"term": "挖机", "expansion": "挖掘機"})
    assert again.status_code == 409 and again.json["error"]["code"] == "synonym_exists"
    same = client.post("/api/v1/search/synonyms", headers=headers, json={"term": "挖机", "expansion": "挖机"})
    assert same.status_code == 422 and same.json["error"]["field"] == "expansion"
    punct = client.post("/api/v1/search/synonyms", headers=headers, json={"term": "！！", "expansion": "挖机"})
    assert punct.status_code == 422 and punct.json["error"]["field"] == "term"
    assert client.post("/api/v1/search/synonyms", headers=headers, json={"term": "x"}).status_code == 422
    assert client.delete("/api/v1/search/synonyms/999999", headers=headers).status_code == 404


def test_admin_page_adds_and_removes_entries(app, db, make_user, union_admin):
    worker = make_user(Role.WORKER)
    assert signed_in(app, worker).get("/admin/search-dictionary").status_code == 403
    assert app.test_client().get("/admin/search-dictionary").status_code == 302
    client = signed_in(app, union_admin)
    page = client.get("/admin/search-dictionary")
    assert page.status_code == 200 and 'href="/admin/search-dictionary"' in page.get_data(as_text=True)   # nav
    response = post_form(client, "/admin/search-dictionary",
                         {"term": "天车", "expansion": "桥式起重机", "two_way": "y", "featured": "y"})
    assert response.status_code == 302
    entry = db.scalar(select(SearchSynonym).where(SearchSynonym.term == "天车"))
    assert entry.expansion == "桥式起重机" and entry.two_way and entry.featured
    html = client.get("/admin/search-dictionary").get_data(as_text=True)
    assert "天车" in html and "↔" in html
    duplicate = post_form(client, "/admin/search-dictionary", {"term": "天车", "expansion": "桥式起重机"})
    assert duplicate.status_code == 200 and "already in the dictionary" in duplicate.get_data(as_text=True)
    assert post_form(client, f"/admin/search-dictionary/{entry.id}/delete").status_code == 302
    assert db.scalar(select(SearchSynonym).where(SearchSynonym.term == "天车")) is None
    assert post_form(client, "/admin/search-dictionary/999999/delete").status_code == 404
