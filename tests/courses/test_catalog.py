"""The catalog: visibility, filters, sort, keyset pagination, viewer prices, pages, API shapes, query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.access import Role
from app.errors import Invalid
from app.membership.models import MembershipStatus
from courses import search
from courses.models import ClassMode, CourseStatus
from courses.queries.catalog import CatalogFilters, decode_cursor, encode_cursor, list_catalog
from courses.services import shelf
from tests.conftest import bearer, count_queries, sign_in


@pytest.fixture
def listed(db, make_course, make_class, now):
    """``listed(title=..., classes=[{...}])`` — a course with classes, listing columns and index up to date."""

    def make(*, classes=({},), **values):
        course = make_course(**values)
        for spec in classes:
            make_class(course=course, **spec)
        shelf.refresh_course_listing(db, course.id, now=now)
        search.index_course(db, course)
        return course

    return make


def titles(db, now, is_member=False, **filters):
    page = list_catalog(db, CatalogFilters(**filters), now=now, is_member=is_member)
    return [item.course.title for item in page.items]


def in_days(now, n):
    return (now + timedelta(days=n)).date()


# --- visibility ---------------------------------------------------------------------------

def test_only_approved_and_published_courses_are_listed(db, listed, now):
    listed(title="公开课程")
    listed(title="草稿", status=CourseStatus.DRAFT)
    listed(title="待审", status=CourseStatus.SUBMITTED)
    listed(title="驳回", status=CourseStatus.REJECTED)
    listed(title="已下架", published=False)
    assert titles(db, now) == ["公开课程"]


def test_draft_course_and_its_classes_are_404_to_the_public(client, listed):
    course = listed(title="草稿课程", status=CourseStatus.DRAFT)
    tc = course.classes[0]
    for url in (f"/courses/{course.id}", f"/api/v1/courses/{course.id}", f"/classes/{tc.id}",
                f"/api/v1/classes/{tc.id}"):
        assert client.get(url).status_code == 404, url


def test_draft_is_visible_to_its_provider_admins_and_union_admins(app, listed, make_user, provider):
    course = listed(title="草稿课程", status=CourseStatus.DRAFT)
    for user in (make_user(Role.PROVIDER_ADMIN, org=provider), make_user(Role.UNION_ADMIN)):
        assert app.test_client().get(f"/api/v1/courses/{course.id}", headers=bearer(user)).status_code == 200
    other = make_user(Role.PROVIDER_ADMIN)
    assert app.test_client().get(f"/api/v1/courses/{course.id}", headers=bearer(other)).status_code == 404


# --- filters ------------------------------------------------------------------------------

def test_filter_by_industry(db, listed, industry, now):
    tourism = industry("tourism", "旅游业", "Tourism")
    listed(title="导游实务", industries=[tourism])
    listed(title="电工")
    assert titles(db, now, industry="tourism") == ["导游实务"]


def test_filter_by_mode_and_city(db, listed, now):
    listed(title="线上", classes=[{"mode": ClassMode.ONLINE, "city": "", "venue": ""}])
    listed(title="海口线下", classes=[{"city": "海口"}])
    listed(title="三亚混合", classes=[{"mode": ClassMode.BLENDED, "city": "三亚"}, {"city": "海口"}])
    assert titles(db, now, mode="online") == ["线上"]
    assert sorted(titles(db, now, mode="offline")) == ["三亚混合", "海口线下"]
    assert titles(db, now, city="三亚") == ["三亚混合"]
    assert titles(db, now, city="海") == [], "whole city names only"
    assert titles(db, now, city="%") == []
    with pytest.raises(Invalid):
        titles(db, now, mode="teleport")


def test_filter_by_certificate_type(db, listed, now):
    listed(title="低压", certificate_type="特种作业操作证（低压电工作业）")
    listed(title="高压", certificate_type="特种作业操作证（高压电工作业）")
    assert titles(db, now, certificate_type="特种作业操作证（高压电工作业）") == ["高压"]


def test_free_filter_depends_on_the_viewer(db, listed, now):
    listed(title="免费课", classes=[{"price": 0}])
    listed(title="会员免费", classes=[{"price": 50000, "free_for_members": True}])
    listed(title="收费课", classes=[{"price": 50000, "member_price": 40000}])
    assert titles(db, now, free=True) == ["免费课"]
    assert sorted(titles(db, now, is_member=True, free=True)) == ["会员免费", "免费课"]


def test_starting_soon_filter(db, listed, now):
    listed(title="下周", classes=[{"starts_on": in_days(now, 7)}])
    listed(title="两个月后", classes=[{"starts_on": in_days(now, 60), "enroll_closes_at": now + timedelta(days=50)}])
    assert titles(db, now, starting_soon=True) == ["下周"]


# --- sort and pagination ------------------------------------------------------------------

def test_sorts(db, listed, now):
    listed(title="A", classes=[{"starts_on": in_days(now, 20), "price": 30000}])
    listed(title="B", classes=[{"starts_on": in_days(now, 10), "price": 90000, "member_price": 10000}])
    listed(title="C", classes=[])   # no open class: last when sorting by date or price
    assert titles(db, now) == ["B", "A", "C"]
    assert titles(db, now, sort="newest") == ["C", "B", "A"]
    assert titles(db, now, sort="price") == ["A", "B", "C"]
    assert titles(db, now, sort="price", is_member=True) == ["B", "A", "C"]
    with pytest.raises(Invalid):
        titles(db, now, sort="random")


@pytest.mark.parametrize("sort, q", [("soon", ""), ("newest", ""), ("price", ""), ("relevance", "电工")])
def test_cursor_pages_walk_every_course_once_in_order(db, listed, now, sort, q):
    for n in range(11):
        classes = [] if n % 4 == 0 else [{"starts_on": in_days(now, 5 + n % 3), "price": 1000 * (n % 3)}]
        listed(title=f"电工课程{n:02d}" if n % 2 else f"电工作业培训{n:02d}", classes=classes,
               summary="电工" if n % 3 else "")
    everything = titles(db, now, q=q, sort=sort, per_page=50)
    assert len(everything) == 11
    seen, after = [], None
    while True:
        page = list_catalog(db, CatalogFilters(q=q, sort=sort, per_page=3, after=after), now=now, is_member=False)
        assert page.total == 11
        seen += [i.course.title for i in page.items]
        after = page.next_cursor
        if after is None:
            break
    assert seen == everything


def test_page_numbers_still_work_for_api_clients(db, listed, now):
    for n in range(5):
        listed(title=f"课程{n}", classes=[{"starts_on": in_days(now, 5 + n)}])
    page2 = list_catalog(db, CatalogFilters(page=2, per_page=2), now=now, is_member=False)
    assert [i.course.title for i in page2.items] == ["课程2", "课程3"] and page2.total == 5


def test_cursor_must_belong_to_the_sort():
    cursor = encode_cursor("newest", None, 5)
    assert decode_cursor(cursor, "newest") == (None, 5)
    for bad in ("garbage!", encode_cursor("soon", "2026-12-01", 5)):
        with pytest.raises(Invalid) as exc:
            decode_cursor(bad, "newest")
        assert exc.value.code == "bad_cursor"


# --- viewer price -------------------------------------------------------------------------

def test_verified_members_see_member_price_others_list_price(app, listed, make_member, make_user):
    course = listed(title="电工", classes=[{"price": 128000, "member_price": 98000}])
    worker = make_user(Role.WORKER)
    pending = make_member(status=MembershipStatus.PENDING)
    member = make_member()
    client = app.test_client()
    for user, amount, kind in ((None, 128000, "list"), (worker, 128000, "list"), (pending, 128000, "list"),
                               (member, 98000, "member")):
        headers = bearer(user) if user else {}
        item = client.get("/api/v1/courses", headers=headers).json["items"][0]
        assert item["price"] == {"amount": amount, "currency": "CNY", "kind": kind}
        assert item["price_from"] == {"amount": 128000, "currency": "CNY"}
        detail = client.get(f"/api/v1/courses/{course.id}", headers=headers).json
        assert detail["classes"][0]["price"]["amount"] == amount
        tc = client.get(f"/api/v1/classes/{course.classes[0].id}", headers=headers).json
        assert tc["price"]["kind"] == kind


def test_union_subsidised_place_is_free_for_members(app, listed, make_member):
    course = listed(classes=[{"price": 50000, "free_for_members": True}])
    body = app.test_client().get(f"/api/v1/classes/{course.classes[0].id}", headers=bearer(make_member())).json
    assert body["price"] == {"amount": 0, "currency": "CNY", "kind": "member_free"}


# --- API shapes ---------------------------------------------------------------------------

def test_catalog_api_shape(client, listed, industry):
    listed(title="低压电工作业培训", industries=[industry("hightech", "高新技术产业", "High tech")],
           classes=[{"price": 128000, "member_price": 98000, "city": "海口"}])
    body = client.get("/api/v1/courses?q=电工&per_page=5").json
    assert set(body) == {"items", "page", "per_page", "total", "next_cursor", "relaxed", "strict_total"}
    assert (body["page"], body["per_page"], body["total"], body["next_cursor"]) == (1, 5, 1, None)
    item = body["items"][0]
    assert item["title"] == "低压电工作业培训"
    assert item["provider"]["name"] == "海南省电力学校"
    assert item["industries"][0]["code"] == "hightech" and item["industries"][0]["name"] == "高新技术产业"
    assert item["modes"] == ["offline"] and item["cities"] == ["海口"]
    assert item["next_start_on"] == "2026-12-06"
    assert item["url"] == f"/courses/{item['id']}" and client.get(item["url"]).status_code == 200


def test_course_api_lists_open_classes(client, listed, now):
    course = listed(classes=[{"capacity": 30, "price": 1000}, {"starts_on": in_days(now, 30), "capacity": 5}])
    body = client.get(f"/api/v1/courses/{course.id}").json
    assert len(body["classes"]) == 2
    first = body["classes"][0]
    assert {"id", "mode", "starts_at", "seats_left", "price"} <= set(first)
    assert first["starts_at"] == "2026-12-06T00:00:00+08:00" and first["seats_left"] == 30
    assert first["price"] == {"amount": 1000, "currency": "CNY", "kind": "list"}


def test_class_api_shape(client, make_class, now):
    tc = make_class(venue="海南省电力学校实训楼", price=128000)
    body = client.get(f"/api/v1/classes/{tc.id}").json
    assert body["venue"] == "海南省电力学校实训楼" and body["seats_left"] == 30 and body["is_open"] is True
    assert body["enroll_closes_at"].endswith("+08:00")
    assert body["course"]["id"] == tc.course_id


def test_bad_catalog_input_is_422_never_500(client):
    for url in ("/api/v1/courses?per_page=500", "/api/v1/courses?page=0", "/api/v1/courses?after=%%%",
                "/api/v1/courses?mode=boat", "/api/v1/courses?sort=x", "/api/v1/courses?free=maybe"):
        response = client.get(url)
        assert response.status_code == 422, url
        assert "error" in response.json
    assert client.get("/courses?after=nonsense").status_code == 422


def test_industries_api(client, db):
    shelf.seed_industries(db)
    items = client.get("/api/v1/industries").json["items"]
    assert [i["name"] for i in items][:3] == ["旅游业", "现代服务业", "高新技术产业"]


# --- pages --------------------------------------------------------------------------------

def test_catalog_page_search_and_cursor_next_link(client, listed):
    for n in range(3):
        listed(title=f"低压电工作业培训{n}")
    listed(title="养老护理员")
    html = client.get("/courses?q=电工&per_page=2").get_data(as_text=True)
    assert "低压电工作业培训0" in html and "养老护理员" not in html
    assert 'rel="next"' in html and "after=" in html
    import re

    next_url = re.search(r'href="([^"]*after=[^"]*)"', html).group(1).replace("&amp;", "&")
    html2 = client.get(next_url).get_data(as_text=True)
    assert "低压电工作业培训2" in html2 and "低压电工作业培训0" not in html2


def test_course_and_class_pages_show_member_price(app, listed, make_member):
    course = listed(title="高压电工作业培训", classes=[{"price": 168000, "member_price": 128000}])
    client = app.test_client()
    html = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "高压电工作业培训" in html and "¥1,680.00" in html
    sign_in(client, make_member())
    html = client.get(f"/classes/{course.classes[0].id}").get_data(as_text=True)
    assert "¥1,280.00" in html and "海南省电力学校实训楼" in html


def test_home_page_shows_courses_starting_soon(client, listed):
    listed(title="低压电工作业培训")
    html = client.get("/").get_data(as_text=True)
    assert "低压电工作业培训" in html and 'action="/courses"' in html


def test_nav_has_courses_for_everyone(client):
    assert 'href="/courses"' in client.get("/").get_data(as_text=True)


# --- query counts -------------------------------------------------------------------------

def _many(listed, industry, n):
    tags = [industry("hightech", "高新技术产业", "High tech"), industry("tourism", "旅游业", "Tourism")]
    for i in range(n):
        listed(title=f"电工培训{i}", industries=tags)


def test_catalog_page_runs_a_fixed_number_of_queries(app, db, listed, industry, make_member):
    _many(listed, industry, 12)
    client = app.test_client()
    sign_in(client, make_member())
    client.get("/courses")   # builds the process's catalog index (once per catalog change)
    counts = []
    for per_page in (2, 10):
        with count_queries(db) as statements:
            assert client.get(f"/courses?per_page={per_page}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_search_api_runs_a_fixed_number_of_queries(app, db, listed, industry):
    _many(listed, industry, 12)
    client = app.test_client()
    client.get("/api/v1/courses")   # builds the process's catalog index (once per catalog change)
    counts = []
    for per_page in (5, 50):
        with count_queries(db) as statements:
            body = client.get(f"/api/v1/courses?q=电工&per_page={per_page}").json
        assert len(body["items"]) == min(per_page, 12)
        counts.append(len(statements))
    # The index's token (production asks at most once a second), the search dictionary (kept
    # in the search cache in production) and the page's free seats.
    assert counts[0] == counts[1] == 3


def test_course_page_queries_do_not_grow_with_classes(app, db, listed):
    few = listed(classes=[{}])
    many = listed(classes=[{} for _ in range(6)])
    client = app.test_client()
    counts = []
    for course in (few, many):
        db.expire_all()
        with count_queries(db) as statements:
            client.get(f"/courses/{course.id}")
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_relevance_totals_are_counted_with_the_page_even_past_the_last_page(db, listed, now):
    for i in range(3):
        listed(title=f"电工培训{i}")
    listed(title="导游培训")
    for page, expected in ((1, 2), (2, 1), (5, 0)):
        result = list_catalog(db, CatalogFilters(q="电工", per_page=2, page=page), now=now, is_member=False)
        assert result.total == 3 and len(result.items) == expected
    nothing = list_catalog(db, CatalogFilters(q="焊工"), now=now, is_member=False)
    assert nothing.total == 0 and nothing.items == []


def test_class_page_queries_do_not_grow_with_lessons(app, db, listed, make_class, make_lesson, make_user):
    course = listed(classes=[{}])
    instructor = make_user(Role.INSTRUCTOR)
    few = make_class(course=course)
    many = make_class(course=course, instructor_id=instructor.id)
    make_lesson(few)
    for _ in range(6):
        make_lesson(many)
    client = app.test_client()
    counts = []
    for training_class in (few, many):
        db.expire_all()
        with count_queries(db) as statements:
            html = client.get(f"/classes/{training_class.id}").get_data(as_text=True)
        counts.append(len(statements))
    assert instructor.name in html
    assert counts[0] == counts[1] <= 3   # the class (course, provider, instructor joined) and its lessons


def test_catalog_items_carry_seats_left_over_open_classes(client, db, make_course, make_class, make_member,
                                                          make_enrollment):
    from app.db import utcnow

    course = make_course(title="叉车司机培训")
    now = utcnow()
    open_class = make_class(course=course, capacity=5, enroll_opens_at=now - timedelta(days=1),
                            enroll_closes_at=now + timedelta(days=5), starts_on=(now + timedelta(days=7)).date())
    make_class(course=course, capacity=9, enroll_opens_at=now - timedelta(days=9),
               enroll_closes_at=now - timedelta(days=1), starts_on=(now + timedelta(days=2)).date())  # closed
    make_enrollment(open_class, make_member())
    shelf.refresh_course_listing(db, course.id, now=now)
    search.index_course(db, course)
    item = client.get("/api/v1/courses?q=叉车").json["items"][0]
    assert item["seats_left"] == 4
    assert "4 seats left" in client.get("/courses?q=叉车").get_data(as_text=True)
    # Rendered cards are kept by everything they show: one more enrollment is a new card at once.
    make_enrollment(open_class, make_member())
    html = client.get("/courses?q=叉车").get_data(as_text=True)
    assert "3 seats left" in html and "4 seats left" not in html
