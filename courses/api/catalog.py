"""JSON catalog: course search, course and class pages, industries."""

from __future__ import annotations

from datetime import datetime, time

from flask import current_app, jsonify, request, url_for
from flask_login import current_user

from app.access import PUBLIC, allow
from app.api import endpoint, parse_query
from app.db import get_session, session_when_needed, utcnow
from app.i18n import SHANGHAI
from app.money import money_json
from courses import search
from courses.api import bp
from courses.catalog_cache import catalog_cache, catalog_index, search_cache, seats_cache
from courses.models import Course, TrainingClass
from courses.queries import catalog as queries
from courses.queries.catalog_index import price_for_viewer
from courses.schemas.catalog import (
    CatalogPageOut,
    CatalogQuery,
    ClassOut,
    CourseOut,
    IndustryListOut,
)


def industry_json(industry) -> dict:
    return {"code": industry.code, "name": industry.name_zh, "name_en": industry.name_en,
            "is_future": industry.is_future}


def _words(padded: str) -> list[str]:
    return padded.split() if padded else []


def _course_url(course_id: int) -> str:
    """A course page's address: the route is built once per app (a page of twenty items called
    ``url_for`` twenty times, a tenth of an API search's time)."""
    prefix = current_app.extensions.get("course_url_prefix")
    if prefix is None:
        prefix = current_app.extensions["course_url_prefix"] = url_for("courses.course_detail",
                                                                       course_id=0).removesuffix("0")
    return f"{prefix}{course_id}"


def course_item_json(course: Course, price, seats_left: int | None = None) -> dict:
    return {
        "id": course.id, "title": course.title, "summary": course.summary,
        "provider": {"id": course.provider.id, "name": course.provider.name},
        "industries": [industry_json(i) for i in course.industries],
        "certificate_type": course.certificate_type, "hours": course.hours,
        "cover_url": url_for("courses.cover", name=course.cover_image) if course.cover_image else None,
        "price_from": money_json(course.price_from) if course.price_from is not None else None,
        "member_price_from": money_json(course.member_price_from) if course.member_price_from is not None else None,
        "price": price.as_json() if price else None,
        "has_free_member_class": course.has_free_member_class,
        "next_start_on": course.next_start_on.isoformat() if course.next_start_on else None,
        "modes": _words(course.modes), "cities": _words(course.cities),
        "seats_left": seats_left,
        "url": _course_url(course.id),
    }


def class_brief_json(tc: TrainingClass, *, is_member: bool, now: datetime) -> dict:
    price = queries.class_price(tc, is_member=is_member)
    return {
        "id": tc.id, "title": tc.title, "mode": str(tc.mode), "city": tc.city, "venue": tc.venue,
        "starts_on": tc.starts_on.isoformat(), "ends_on": tc.ends_on.isoformat(),
        "starts_at": datetime.combine(tc.starts_on, time(0), tzinfo=SHANGHAI).isoformat(),
        "enroll_opens_at": tc.enroll_opens_at.astimezone(SHANGHAI).isoformat(),
        "enroll_closes_at": tc.enroll_closes_at.astimezone(SHANGHAI).isoformat(),
        "is_open": queries.is_enrollable(tc, now=now), "capacity": tc.capacity, "seats_left": tc.seats_left,
        "price": price.as_json(), "list_price": money_json(tc.price, tc.currency),
        "member_price": money_json(tc.member_price, tc.currency) if tc.member_price is not None else None,
        "free_for_members": tc.free_for_members, "requires_membership": tc.requires_membership,
    }


def course_json(session, course: Course, *, is_member: bool, now: datetime) -> dict:
    classes = queries.list_open_classes(session, course.id, now=now)
    return {
        **course_item_json(course, price_for_viewer(course, is_member=is_member)),
        "description_html": course.description_html, "skills": list(course.skills or []),
        "instructors": [{"id": u.id, "name": u.name} for u in course.instructors],
        "status": str(course.status), "is_published": course.is_published, "review_note": course.review_note,
        "classes": [class_brief_json(c, is_member=is_member, now=now) for c in classes],
    }


def visible_course(session, course_id: int) -> Course:
    return queries.get_visible_course(session, viewer=current_user, course_id=course_id)


def visible_class(session, class_id: int) -> TrainingClass:
    return queries.get_visible_class(session, viewer=current_user, class_id=class_id)


@bp.get("/courses")
@allow(PUBLIC)
@endpoint("Search the catalog: Chinese text, filters, sort; page= or keyset after=", query=CatalogQuery,
          response=CatalogPageOut, tags=("catalog",))
def list_courses():
    args = parse_query(CatalogQuery)
    session = session_when_needed()   # a search that memory answers needs none
    is_member = queries.is_verified_member(session, current_user)
    cache = catalog_cache()
    # Anonymous callers all get the same body for the same query string: reuse it.
    key = None if cache is None or current_user.is_authenticated else ("json", request.query_string)
    body = cache.get(key) if key else None
    if body is None:
        result = queries.list_catalog(session, queries.CatalogFilters(**args.model_dump()), now=utcnow(),
                                      is_member=is_member, index=catalog_index(session),
                                      dictionary=search.dictionary(session, search_cache()), seats_kept=seats_cache())
        body = jsonify({
            "items": [course_item_json(i.course, i.price, i.seats_left) for i in result.items],
            "page": result.page, "per_page": result.per_page, "total": result.total,
            "next_cursor": result.next_cursor, "relaxed": result.relaxed, "strict_total": result.strict_total,
        }).get_data()
        if key:
            cache[key] = body
    return current_app.response_class(body, mimetype=current_app.json.mimetype)


@bp.get("/courses/<int:course_id>")
@allow(PUBLIC)
@endpoint("A course with its open classes and the caller's prices", response=CourseOut, errors=(404,),
          tags=("catalog",))
def get_course(course_id: int):
    session = get_session()
    course = visible_course(session, course_id)
    is_member = queries.is_verified_member(session, current_user)
    return jsonify(course_json(session, course, is_member=is_member, now=utcnow()))


@bp.get("/classes/<int:class_id>")
@allow(PUBLIC)
@endpoint("A class: dates, venue, seats left and the price for the caller", response=ClassOut, errors=(404,),
          tags=("catalog",))
def get_class(class_id: int):
    session = get_session()
    tc = visible_class(session, class_id)
    is_member = queries.is_verified_member(session, current_user)
    return jsonify({
        **class_brief_json(tc, is_member=is_member, now=utcnow()),
        "course": {"id": tc.course.id, "name": tc.course.title},
        "provider": {"id": tc.course.provider.id, "name": tc.course.provider.name},
        "status": str(tc.status), "refund_rule": str(tc.refund_rule),
        "refund_deadline_days": tc.refund_deadline_days,
        "instructor": {"id": tc.instructor.id, "name": tc.instructor.name} if tc.instructor else None,
        "cancel_reason": tc.cancel_reason,
    })


@bp.get("/industries")
@allow(PUBLIC)
@endpoint("Industry tags for browsing and for tagging courses", response=IndustryListOut,
          tags=("catalog",))
def list_industries():
    industries = queries.list_industries(get_session())
    return jsonify({"items": [industry_json(i) for i in industries]})


