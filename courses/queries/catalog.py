"""Catalog reads: the public course list with search, filters, sort and keyset pagination.

Every list runs a fixed number of statements whatever the page size: a count, the page
of courses (provider joined) and one ``selectin`` load of their industries. The first page of a
relevance-ranked search counts its matches in the ranking statement itself (a window count). Pages after
the first are found by a keyset cursor (``after=``) on the sort key and the id, so a deep
page costs what the first one does; ``page=`` (OFFSET) stays for API clients that want it.

The count and the ranking read every match (a common term such as 培训 matches nearly every
course), so callers may pass a short-lived ``cache`` (a ``cachetools.TTLCache``): it keeps
the total per filter set and the ids of each page for a few seconds. The page's courses are
always loaded fresh and must still be public, so a withdrawn course disappears at once; a
newly published one, and the total, may lag by the cache's lifetime.
"""

from __future__ import annotations

import base64
import json
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, false, func, literal, or_, select
from sqlalchemy.orm import Session, joinedload, lazyload, raiseload

from app.auth.models import User
from app.errors import Invalid, NotFound
from app.i18n import SHANGHAI
from app.membership.queries import get_profile
from courses import search
from courses.models import (
    ClassMode,
    ClassStatus,
    Course,
    CourseStatus,
    Industry,
    TrainingClass,
    course_industries,
)
from courses.permissions import can_see_course
from courses.pricing import Price, price_for

SORTS = ("relevance", "soon", "newest", "price")
STARTING_SOON_DAYS = 30
RELAX_BELOW = 3                      # a strict search finding fewer courses is relaxed


@dataclass
class CatalogFilters:
    q: str = ""
    industry: str | None = None
    mode: str | None = None
    city: str | None = None
    certificate_type: str | None = None
    free: bool = False
    starting_soon: bool = False
    sort: str | None = None          # default: relevance with a query, else soon
    after: str | None = None         # keyset cursor from the previous page
    page: int = 1
    per_page: int = 20


@dataclass
class CatalogItem:
    course: Course
    price: Price | None              # the lowest price that applies to the viewer
    score: int = 0
    seats_left: int = 0              # free seats over the course's classes open for enrollment


@dataclass
class CatalogPage:
    items: list[CatalogItem]
    total: int
    page: int
    per_page: int
    sort: str
    next_cursor: str | None = None
    terms: list[str] = field(default_factory=list)   # the words of the query
    relaxed: bool = False            # few courses matched every word: those first, then some of the words
    strict_total: int = 0            # courses matching every word (equals total unless relaxed)


def seats_left_by_course(session: Session, course_ids: list[int], *, now: datetime) -> dict[int, int]:
    """Free seats per course over its classes still open for enrollment (one grouped query)."""
    if not course_ids:
        return {}
    # SQLite without statistics would walk every scheduled class through the status index;
    # comparing through coalesce() keeps it on the course index (a page: 8 ms → 0.3 ms at 10k courses).
    status = (func.coalesce(TrainingClass.status, "") if session.get_bind().dialect.name == "sqlite"
              else TrainingClass.status)
    rows = session.execute(
        select(TrainingClass.course_id, func.sum(TrainingClass.capacity - TrainingClass.seats_taken))
        .where(TrainingClass.course_id.in_(course_ids), status == ClassStatus.SCHEDULED,
               TrainingClass.enroll_opens_at <= now, TrainingClass.enroll_closes_at > now)
        .group_by(TrainingClass.course_id))
    return {course_id: int(left or 0) for course_id, left in rows}


def is_verified_member(session: Session, user) -> bool:
    """Whether member prices apply to ``user`` (anonymous: no)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    profile = get_profile(session, user.id)
    return bool(profile and profile.is_verified)


def public_courses():
    return and_(Course.status == CourseStatus.APPROVED, Course.is_published.is_(True))


def viewer_price(course: Course, *, is_member: bool) -> Price | None:
    """The lowest price of the course's open classes for this viewer, from the listing columns."""
    if course.price_from is None:
        return None
    if course.price_from == 0:
        return Price(0, "CNY", "free")
    if is_member and course.member_price_from is not None and course.member_price_from < course.price_from:
        kind = "member_free" if course.member_price_from == 0 else "member"
        return Price(course.member_price_from, "CNY", kind)
    return Price(course.price_from, "CNY", "list")


# --- cursors ------------------------------------------------------------------------------

def encode_cursor(sort: str, key: Any, course_id: int) -> str:
    if isinstance(key, date):
        key = key.isoformat()
    raw = json.dumps([sort, key, course_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    """``(key, id)`` of a cursor made for ``sort``. Raises Invalid (``bad_cursor``)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, key, course_id = json.loads(raw)
        if cursor_sort != sort or not isinstance(course_id, int):
            raise ValueError
        if sort == "soon" and key is not None:
            key = date.fromisoformat(key)
        elif sort in ("price", "relevance") and key is not None and not isinstance(key, int):
            raise ValueError
        return key, course_id
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise Invalid(_("This page link is out of date. Start from the first page."), code="bad_cursor",
                      field="after") from None


def _after_nullable(column, key, course_id):
    """Rows after (key, id) in ``column ASC NULLS LAST, id ASC`` order."""
    if key is None:
        return and_(column.is_(None), Course.id > course_id)
    return or_(column > key, and_(column == key, Course.id > course_id), column.is_(None))


# --- the list -----------------------------------------------------------------------------

def _soonest(session: Session, base, after: str | None, limit: int) -> list:
    """Keyset page in start-date order, undated courses last.

    Dated courses come from a range on the catalog index (``next_start_on >= key``), which an
    ``OR ... IS NULL`` would prevent; undated ones are read by id only once the dated ones run
    out, so most pages are one statement and the boundary page two.
    """
    key, last_id = decode_cursor(after, "soon") if after else (date.min, 0)
    rows: list = []
    if key is not None:
        dated = base.where(Course.next_start_on.is_not(None))
        if after:
            dated = dated.where(Course.next_start_on >= key,
                                or_(Course.next_start_on > key, Course.id > last_id))
        rows = session.execute(dated.order_by(Course.next_start_on, Course.id).limit(limit)).all()
        last_id = 0
    if len(rows) < limit:
        undated = base.where(Course.next_start_on.is_(None), Course.id > last_id)
        rows += session.execute(undated.order_by(Course.id).limit(limit - len(rows))).all()
    return rows


def _public_matches(session: Session):
    """``public_courses()`` for a text search.

    SQLite's statistics cannot tell that a term is rare, so it walks every public course
    through the catalog index and probes the term index for each; comparing through
    ``coalesce()`` keeps it off that index and lets the term's rows drive the join (10k
    courses: 电工 page 6 → 1 ms, 培训 page 21 → 4 ms). PostgreSQL plans the plain form well.
    """
    if session.get_bind().dialect.name == "sqlite":
        return and_(func.coalesce(Course.status, "") == CourseStatus.APPROVED,
                    func.coalesce(Course.is_published, False).is_(True))
    return public_courses()


def _conditions(session: Session, filters: CatalogFilters, *, now: datetime, is_member: bool,
                searching: bool = False) -> list:
    conditions = [_public_matches(session) if searching else public_courses()]
    if filters.industry:
        conditions.append(Course.id.in_(
            select(course_industries.c.course_id).join(Industry, Industry.id == course_industries.c.industry_id)
            .where(Industry.code == filters.industry)))
    if filters.mode:
        if filters.mode not in {m.value for m in ClassMode}:
            raise Invalid(_("Choose online, offline or blended."), field="mode")
        # The padded listing column (" online offline ") matches whole words only.
        conditions.append(Course.modes.contains(f" {filters.mode} "))
    if filters.city:
        conditions.append(Course.cities.contains(f" {filters.city.strip()} ", autoescape=True))
    if filters.certificate_type:
        conditions.append(Course.certificate_type == filters.certificate_type.strip())
    if filters.free:
        free = Course.price_from == 0
        conditions.append(or_(free, Course.has_free_member_class.is_(True)) if is_member else free)
    if filters.starting_soon:
        today = now.astimezone(SHANGHAI).date()
        conditions.append(Course.next_start_on.between(today, today + timedelta(days=STARTING_SOON_DAYS)))
    return conditions


def list_catalog(session: Session, filters: CatalogFilters, *, now: datetime, is_member: bool,
                 cache: MutableMapping | None = None, search_cache: MutableMapping | None = None) -> CatalogPage:
    """A page of public courses matching ``filters``, ranked and priced for the viewer; totals and
    page ids may come from ``cache`` (see the module docstring), the search dictionary and term
    statistics from ``search_cache`` (else from ``cache``). Raises Invalid (bad sort, mode or cursor).

    A text search is strict first (every word); when that finds fewer than ``RELAX_BELOW``
    courses it is relaxed (any word, the courses matching more words first) and the page says so.
    """
    plan = search.plan_query(session, filters.q, cache=search_cache if search_cache is not None else cache)
    sort = filters.sort or ("relevance" if plan else "soon")
    if sort not in SORTS:
        raise Invalid(_("Unknown sort order."), field="sort")
    if sort == "relevance" and not plan:
        sort = "soon"
    conditions = _conditions(session, filters, now=now, is_member=is_member, searching=bool(plan))
    nothing = bool(filters.q and filters.q.strip() and not plan)
    if nothing:
        conditions.append(false())   # only punctuation or stop words: nothing can match
    today = now.astimezone(SHANGHAI).date() if filters.starting_soon else None
    filter_key = (plan.query, nothing, filters.industry, filters.mode, (filters.city or "").strip(),
                  (filters.certificate_type or "").strip(), filters.free, today, is_member)
    page_key = ("page", filter_key, sort, filters.after, filters.page, filters.per_page)
    known = _cached(cache, ("total", filter_key))
    found = _cached(cache, page_key)
    if known is None or found is None:
        total, strict_total, relaxed = known if known is not None else (None, 0, False)
        total, found = _search(session, filters, plan, sort, conditions, is_member=is_member, total=total,
                               relaxed=relaxed)
        if known is None:
            strict_total = total
            if plan and total < RELAX_BELOW:
                relaxed_total, relaxed_found = _search(session, filters, plan, sort, conditions,
                                                       is_member=is_member, total=None, relaxed=True)
                if relaxed_total > total:
                    total, found, relaxed = relaxed_total, relaxed_found, True
        _store(cache, ("total", filter_key), (total, strict_total, relaxed))
        _store(cache, page_key, found)
    else:
        total, strict_total, relaxed = known
    rows, page = found
    has_more = len(rows) > filters.per_page
    rows = rows[:filters.per_page]
    by_id = {}
    if rows:
        # Still public now: a course withdrawn since its page was cached is left out at once.
        # (_public_matches: SQLite would otherwise walk every public course through the catalog index.)
        loaded = session.scalars(select(Course).where(Course.id.in_([row[0] for row in rows]),
                                                      _public_matches(session))
                                 .options(raiseload(Course.instructors)))
        by_id = {course.id: course for course in loaded}
    seats = seats_left_by_course(session, list(by_id), now=now)
    items = [CatalogItem(course=by_id[row[0]], price=viewer_price(by_id[row[0]], is_member=is_member),
                         score=int(row[1] or 0), seats_left=seats.get(row[0], 0)) for row in rows if row[0] in by_id]
    next_cursor = None
    if has_more and items:
        last = items[-1]
        price_key = "member_price_from" if is_member else "price_from"
        key = {"relevance": last.score, "newest": None, "price": getattr(last.course, price_key),
               "soon": last.course.next_start_on}[sort]
        next_cursor = encode_cursor(sort, key, last.course.id)
    return CatalogPage(items=items, total=total, page=page, per_page=filters.per_page, sort=sort,
                       next_cursor=next_cursor, terms=plan.words, relaxed=relaxed,
                       strict_total=strict_total)


def _cached(cache: MutableMapping | None, key: tuple):
    return cache.get(key) if cache is not None else None


def _store(cache: MutableMapping | None, key: tuple, value) -> None:
    if cache is not None:
        cache[key] = value


def _search(session: Session, filters: CatalogFilters, plan: search.Plan, sort: str, conditions: list, *,
            is_member: bool, total: int | None, relaxed: bool = False) -> tuple[int, tuple[list[tuple[int, int]], int]]:
    """``(total, (rows, page))``: the number of matches (counted unless given) and the page's
    ``(course id, score)`` rows, one more than ``per_page`` when there is a next page."""
    # The page is found on narrow rows (id and sort key) and only its courses are loaded after,
    # so sorting thousands of matches never drags their descriptions along.
    score = literal(0)
    base = select(Course.id)
    count = select(func.count()).select_from(Course)
    if plan:
        matches = search.matching_courses(plan, relaxed=relaxed,
                                         dialect=session.get_bind().dialect.name).subquery()
        score = matches.c.score
        base = base.join(matches, matches.c.course_id == Course.id)
        count = count.join(matches, matches.c.course_id == Course.id)
    base = base.add_columns(score)
    base = base.where(*conditions)
    # Ranking by relevance reads every match anyway: the first page counts them in the same pass
    # (a window count) instead of a second statement that reads them all again.
    count_in_page = total is None and sort == "relevance" and not filters.after
    if count_in_page:
        base = base.add_columns(func.count().over())
    elif total is None:
        total = session.scalar(count.where(*conditions)) or 0

    price_column = Course.member_price_from if is_member else Course.price_from
    if sort == "relevance":
        order = (score.desc(), Course.id.asc())
    elif sort == "newest":
        order = (Course.id.desc(),)
    elif sort == "price":
        order = (price_column.asc().nulls_last(), Course.id.asc())
    else:
        order = (Course.next_start_on.asc().nulls_last(), Course.id.asc())

    page, limit = filters.page, filters.per_page + 1
    if sort == "soon" and (filters.after or filters.page == 1):
        rows = _soonest(session, base, filters.after, limit)
        page = 0 if filters.after else 1
    else:
        if filters.after:
            key, last_id = decode_cursor(filters.after, sort)
            if sort == "relevance":
                base = base.where(or_(score < key, and_(score == key, Course.id > last_id)))
            elif sort == "newest":
                base = base.where(Course.id < last_id)
            else:
                base = base.where(_after_nullable(price_column, key, last_id))
            page = 0   # position unknown and not needed with cursors
        else:
            base = base.offset((filters.page - 1) * filters.per_page)
        rows = session.execute(base.order_by(*order).limit(limit)).all()
        if count_in_page:
            # An OFFSET past the end returns no row to read the count from: count them then.
            total = rows[0][2] if rows else (session.scalar(count.where(*conditions)) or 0
                                             if filters.page > 1 else 0)
    return total, ([(row[0], int(row[1] or 0)) for row in rows], page)


def get_visible_course(session: Session, *, viewer, course_id: int) -> Course:
    """The course if ``viewer`` may see it. Raises NotFound (drafts stay secret: same answer as missing)."""
    course = session.get(Course, course_id)
    if course is None or not can_see_course(viewer, course):
        raise NotFound(_("No such course."))
    return course


def get_visible_class(session: Session, *, viewer, class_id: int) -> TrainingClass:
    """The class if ``viewer`` may see its course. Raises NotFound.

    One statement: the class with its course, the course's provider and the class's instructor
    joined; the course's industries and instructors (not on the class page) load only if asked for."""
    training_class = session.get(TrainingClass, class_id, options=[
        joinedload(TrainingClass.course).options(lazyload(Course.industries), lazyload(Course.instructors)),
        joinedload(TrainingClass.instructor).lazyload(User.grants)])
    if training_class is None or not can_see_course(viewer, training_class.course):
        raise NotFound(_("No such class."))
    return training_class


# Built once: these run before every page served from the cache, where building them would be
# a good part of the cost.
_PUBLIC_COURSE = select(Course.id).where(Course.id == bindparam("id"), public_courses())
_PUBLIC_CLASS = (select(TrainingClass.id).join(Course, Course.id == TrainingClass.course_id)
                 .where(TrainingClass.id == bindparam("id"), public_courses()))


def is_public_course(session: Session, course_id: int) -> bool:
    """Whether the course is approved and published now (one narrow statement)."""
    return session.scalar(_PUBLIC_COURSE, {"id": course_id}) is not None


def is_public_class(session: Session, class_id: int) -> bool:
    """Whether the class's course is approved and published now (one narrow statement)."""
    return session.scalar(_PUBLIC_CLASS, {"id": class_id}) is not None


def list_industries(session: Session) -> list[Industry]:
    return list(session.scalars(select(Industry).order_by(Industry.position, Industry.id)))


class IndustryChoice(NamedTuple):
    code: str
    name_zh: str
    name_en: str


def list_industry_choices(session: Session) -> list[IndustryChoice]:
    """Code and name of every industry, for the catalog's menus (plain rows: safe to cache)."""
    return [IndustryChoice(*row) for row in
            session.execute(select(Industry.code, Industry.name_zh, Industry.name_en)
                            .order_by(Industry.position, Industry.id))]


def list_open_classes(session: Session, course_id: int, *, now: datetime) -> list[TrainingClass]:
    """Scheduled classes of a course that have not finished, soonest first."""
    today = now.astimezone(SHANGHAI).date()
    return list(session.scalars(
        select(TrainingClass).where(TrainingClass.course_id == course_id,
                                    TrainingClass.status == ClassStatus.SCHEDULED,
                                    TrainingClass.ends_on >= today)
        .order_by(TrainingClass.starts_on, TrainingClass.id)))


def is_enrollable(training_class: TrainingClass, *, now: datetime) -> bool:
    return (training_class.status == ClassStatus.SCHEDULED
            and training_class.enroll_opens_at <= now < training_class.enroll_closes_at)


def class_price(training_class: TrainingClass, *, is_member: bool) -> Price:
    return price_for(training_class, is_verified_member=is_member)


def list_review_queue(session: Session) -> list[Course]:
    return list(session.scalars(select(Course).where(Course.status == CourseStatus.SUBMITTED)
                                .order_by(Course.submitted_at, Course.id)))


def list_provider_courses(session: Session, provider_ids: set[int]) -> list[Course]:
    """Courses of the given providers with their classes (two statements)."""
    from sqlalchemy.orm import selectinload

    if not provider_ids:
        return []
    return list(session.scalars(select(Course).where(Course.provider_id.in_(provider_ids))
                                .options(selectinload(Course.classes))
                                .order_by(Course.updated_at.desc(), Course.id.desc())))


def list_featured(session: Session, *, now: datetime, limit: int = 6) -> list[Course]:
    """Public courses starting soonest, for the home page."""
    today = now.astimezone(SHANGHAI).date()
    return list(session.scalars(select(Course).options(raiseload(Course.instructors))
                                .where(public_courses(), Course.next_start_on >= today)
                                .order_by(Course.next_start_on, Course.id).limit(limit)))
