"""Catalog reads: the public course list with search, filters, sort and keyset pagination.

Every list runs a fixed number of statements whatever the page size: a count, the page's ids
(one generated SQL statement) and the page's cards (one prebuilt statement: provider, free seats
and industry codes included). The first page of a relevance-ranked search counts its matches in
the ranking statement itself (a window count). Pages after
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
import re
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session, joinedload, lazyload, raiseload

from app.auth.models import Organization, User
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
    course: CourseCard
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


# --- the list -----------------------------------------------------------------------------
#
# The statement that picks a page is SQL text with bound values, written per request: every
# search has its own shape (its groups and alternatives), and building and compiling it as
# SQLAlchemy expressions cost more than running it (docs/bench-catalog.md, issue 8). The page's
# cards are then read by one statement built once at import (the courses with their provider,
# free seats and industry codes), with the ids as one expanding parameter.

class CourseRef(NamedTuple):
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class CourseCard:
    """What a catalog card and an API list item show of a course: plain values read in one
    statement, not an ORM object (a page of 20 costs a fraction of loading 20 ``Course``).
    Hashable: equal cards show the same thing (the catalog page keeps rendered cards by it)."""

    id: int
    title: str
    summary: str
    hours: int
    cover_image: str | None
    certificate_type: str
    price_from: int | None
    member_price_from: int | None
    has_free_member_class: bool
    next_start_on: date | None
    modes: str
    cities: str
    provider: CourseRef
    industries: tuple[IndustryChoice, ...] = ()


class _Where:
    """Conditions of the page statement: SQL fragments over ``courses c`` and their values."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: dict[str, Any] = {}

    def add(self, fragment: str, **params) -> None:
        self.parts.append(fragment)
        self.params.update(params)

    @property
    def sql(self) -> str:
        return " AND ".join(self.parts) or "1 = 1"


def _like(value: str) -> str:
    """A LIKE pattern finding ``value`` anywhere (``ESCAPE '/'``)."""
    escaped = value.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def _where(dialect: str, filters: CatalogFilters, *, now: datetime, is_member: bool, searching: bool) -> _Where:
    where = _Where()
    if searching and dialect == "sqlite":
        # SQLite's statistics cannot tell that a term is rare: comparing through coalesce() keeps
        # it off the catalog index and lets the matches drive the join (see public_matches).
        where.add("coalesce(c.status, '') = :f_approved AND coalesce(c.is_published, 0) = 1",
                  f_approved=CourseStatus.APPROVED.value)
    else:
        where.add("c.status = :f_approved AND c.is_published = :f_true", f_approved=CourseStatus.APPROVED.value,
                  f_true=True)
    if filters.industry:
        where.add("c.id IN (SELECT ci.course_id FROM course_industries ci JOIN industries i ON i.id = ci.industry_id "
                  "WHERE i.code = :f_industry)", f_industry=filters.industry)
    if filters.mode:
        if filters.mode not in {m.value for m in ClassMode}:
            raise Invalid(_("Choose online, offline or blended."), field="mode")
        # The padded listing column (" online offline ") matches whole words only.
        where.add("c.modes LIKE :f_mode ESCAPE '/'", f_mode=_like(f" {filters.mode} "))
    if filters.city:
        where.add("c.cities LIKE :f_city ESCAPE '/'", f_city=_like(f" {filters.city.strip()} "))
    if filters.certificate_type:
        where.add("c.certificate_type = :f_certificate", f_certificate=filters.certificate_type.strip())
    if filters.free:
        where.add("(c.price_from = 0 OR c.has_free_member_class = :f_true)" if is_member else "c.price_from = 0",
                  **({"f_true": True} if is_member else {}))
    if filters.starting_soon:
        today = now.astimezone(SHANGHAI).date()
        where.add("c.next_start_on BETWEEN :f_soon_from AND :f_soon_to", f_soon_from=today,
                  f_soon_to=today + timedelta(days=STARTING_SOON_DAYS))
    return where


_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")   # :name, not a ::cast


def _run(session: Session, sql: str, params: dict) -> list:
    """Rows of generated SQL text with ``:name`` values, handed straight to the driver: the text
    is new for nearly every search, and SQLAlchemy's compiling of a ``text()`` (≈ 0.4 ms) cost
    more than SQLite's work on a small page. Dates are bound as SQLAlchemy stores them on SQLite
    (ISO text); psycopg takes ``%(name)s``."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        values = {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}
        return connection.exec_driver_sql(sql, values).all()
    return connection.exec_driver_sql(_NAMED.sub(r"%(\1)s", sql), params).all()


def public_matches(session: Session):
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




_CARD_COLUMNS = (Course.id, Course.title, Course.summary, Course.hours, Course.cover_image, Course.certificate_type,
                 Course.price_from, Course.member_price_from, Course.has_free_member_class, Course.next_start_on,
                 Course.modes, Course.cities, Organization.id, Organization.name)


def _cards_statement(public, class_status, codes):
    # Free seats over the course's classes open for enrollment (a correlated sum on the classes'
    # course index) and the course's industry codes (one string), per card.
    seats = (select(func.coalesce(func.sum(TrainingClass.capacity - TrainingClass.seats_taken), 0))
             .where(TrainingClass.course_id == Course.id, class_status == ClassStatus.SCHEDULED,
                    TrainingClass.enroll_opens_at <= bindparam("now"), TrainingClass.enroll_closes_at > bindparam("now"))
             .correlate(Course).scalar_subquery())
    industries = (select(codes).select_from(course_industries)
                  .join(Industry, Industry.id == course_industries.c.industry_id)
                  .where(course_industries.c.course_id == Course.id).correlate(Course).scalar_subquery())
    return (select(*_CARD_COLUMNS, seats, industries).join(Organization, Organization.id == Course.provider_id)
            .where(Course.id.in_(bindparam("ids", expanding=True)), public))


# Built once (see above). SQLite compares through coalesce() so that the ids, not the catalog
# index, drive the look-up (public_matches), and the classes' course index, not their status
# index, finds the seats (a page: 8 ms → 0.3 ms at 10k courses).
_CARDS = {"sqlite": _cards_statement(and_(func.coalesce(Course.status, "") == CourseStatus.APPROVED,
                                          func.coalesce(Course.is_published, False).is_(True)),
                                     func.coalesce(TrainingClass.status, ""), func.group_concat(Industry.code, " ")),
          "": _cards_statement(public_courses(), TrainingClass.status, func.string_agg(Industry.code, " "))}


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def course_cards(session: Session, course_ids: list[int], *, now: datetime,
                 industries: list[IndustryChoice]) -> dict[int, tuple[CourseCard, int]]:
    """The card and free seats of those of ``course_ids`` that are public now, by id (one
    statement); ``industries``: every industry in menu order (``list_industry_choices``)."""
    if not course_ids:
        return {}
    rows = session.execute(_CARDS.get(_dialect(session), _CARDS[""]), {"ids": course_ids, "now": now})
    cards = {}
    for row in rows:
        codes = set((row[15] or "").split())
        cards[row[0]] = (CourseCard(*row[:12], provider=CourseRef(row[12], row[13]),
                                    industries=tuple(i for i in industries if i.code in codes)), int(row[14] or 0))
    return cards


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
    where = _where(_dialect(session), filters, now=now, is_member=is_member, searching=bool(plan))
    nothing = bool(filters.q and filters.q.strip() and not plan)
    if nothing:
        where.add("1 = 0")   # only punctuation or stop words: nothing can match
    today = now.astimezone(SHANGHAI).date() if filters.starting_soon else None
    filter_key = (plan.query, nothing, filters.industry, filters.mode, (filters.city or "").strip(),
                  (filters.certificate_type or "").strip(), filters.free, today, is_member)
    page_key = ("page", filter_key, sort, filters.after, filters.page, filters.per_page)
    known = _cached(cache, ("total", filter_key))
    found = _cached(cache, page_key)
    if known is None or found is None:
        total, strict_total, relaxed = known if known is not None else (None, 0, False)
        if known is None and plan and search.cannot_match_strictly(plan):
            total, found = 0, ([], filters.page)   # a word no course holds: straight to the relaxed search
        else:
            total, found = _search(session, filters, plan, sort, where, is_member=is_member, total=total,
                                   relaxed=relaxed)
        if known is None:
            strict_total = total
            if plan and total < RELAX_BELOW:
                relaxed_total, relaxed_found = _search(session, filters, plan, sort, where,
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
    # Still public now: a course withdrawn since its page was cached is left out at once.
    by_id = course_cards(session, [row[0] for row in rows], now=now,
                         industries=industry_menu(session, cache) if rows else [])
    items = [CatalogItem(course=by_id[row[0]][0], price=viewer_price(by_id[row[0]][0], is_member=is_member),
                         score=int(row[1] or 0), seats_left=by_id[row[0]][1]) for row in rows if row[0] in by_id]
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




def _search(session: Session, filters: CatalogFilters, plan: search.Plan, sort: str, where: _Where, *,
            is_member: bool, total: int | None, relaxed: bool = False) -> tuple[int, tuple[list[tuple[int, int]], int]]:
    """``(total, (rows, page))``: the number of matches (counted unless given) and the page's
    ``(course id, score)`` rows, one more than ``per_page`` when there is a next page."""
    # The page is found on narrow rows (id and sort key) and only its courses are read after,
    # so sorting thousands of matches never drags their descriptions along.
    params = dict(where.params)
    join, score = "", "0"
    if plan:
        match_sql, match_params = search.matching_sql(plan, relaxed=relaxed, dialect=_dialect(session))
        join, score = f" JOIN ({match_sql}) m ON m.course_id = c.id", "m.score"
        params.update(match_params)
    base = f"FROM courses c{join} WHERE {where.sql}"   # generated fragments only; every value is bound

    def count() -> int:
        return _run(session, f"SELECT count(*) {base}", params)[0][0] or 0  # noqa: S608

    # Ranking by relevance reads every match anyway: the first page counts them in the same pass
    # (a window count) instead of a second statement that reads them all again.
    count_in_page = total is None and sort == "relevance" and not filters.after
    if total is None and not count_in_page:
        total = count()
    columns = f"c.id, {score} AS score" + (", count(*) OVER () AS total" if count_in_page else "")
    price = "c.member_price_from" if is_member else "c.price_from"
    page, params["k_limit"] = filters.page, filters.per_page + 1

    if sort == "soon" and (filters.after or filters.page == 1):
        # Start-date order, undated courses last: dated ones from a range on the catalog index
        # (an ``OR ... IS NULL`` would prevent it), undated ones by id once the dated run out.
        key, last_id = decode_cursor(filters.after, "soon") if filters.after else (date.min, 0)
        rows: list = []
        if key is not None:
            dated = "c.next_start_on IS NOT NULL"
            if filters.after:
                dated += " AND c.next_start_on >= :k_key AND (c.next_start_on > :k_key OR c.id > :k_last)"
                params.update(k_key=key, k_last=last_id)
            rows = _run(session, f"SELECT {columns} {base} AND {dated} "  # noqa: S608
                        "ORDER BY c.next_start_on, c.id LIMIT :k_limit", params)
            last_id = 0
        if len(rows) < filters.per_page + 1:
            params.update(k_undated_last=last_id, k_undated_limit=filters.per_page + 1 - len(rows))
            rows += _run(session, f"SELECT {columns} {base} AND c.next_start_on IS NULL "  # noqa: S608
                         "AND c.id > :k_undated_last ORDER BY c.id LIMIT :k_undated_limit", params)
        page = 0 if filters.after else 1
    else:
        order = {"relevance": "m.score DESC, c.id", "newest": "c.id DESC",
                 "price": f"{price} IS NULL, {price}, c.id", "soon": "c.next_start_on IS NULL, c.next_start_on, c.id"}[sort]
        after = ""
        if filters.after:
            key, last_id = decode_cursor(filters.after, sort)
            params.update(k_key=key, k_last=last_id)
            if sort == "relevance":
                after = " AND (m.score < :k_key OR (m.score = :k_key AND c.id > :k_last))"
            elif sort == "newest":
                after = " AND c.id < :k_last"
            elif key is None:
                after = f" AND {price} IS NULL AND c.id > :k_last"
            else:
                after = f" AND ({price} > :k_key OR ({price} = :k_key AND c.id > :k_last) OR {price} IS NULL)"
            page = 0   # position unknown and not needed with cursors
            tail = " LIMIT :k_limit"
        else:
            params["k_offset"] = (filters.page - 1) * filters.per_page
            tail = " LIMIT :k_limit OFFSET :k_offset"
        rows = _run(session, f"SELECT {columns} {base}{after} ORDER BY {order}{tail}", params)  # noqa: S608
        if count_in_page:
            # An OFFSET past the end returns no row to read the count from: count them then.
            total = rows[0][2] if rows else (count() if filters.page > 1 else 0)
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
    is_future: bool = False


def list_industry_choices(session: Session) -> list[IndustryChoice]:
    """Code and name of every industry, for the catalog's menus (plain rows: safe to cache)."""
    return [IndustryChoice(*row) for row in
            session.execute(select(Industry.code, Industry.name_zh, Industry.name_en, Industry.is_future)
                            .order_by(Industry.position, Industry.id))]


def industry_menu(session: Session, cache: MutableMapping | None = None) -> list[IndustryChoice]:
    """``list_industry_choices``, kept in the catalog's short-lived ``cache`` when given."""
    menu = _cached(cache, ("industries",))
    if menu is None:
        menu = list_industry_choices(session)
        _store(cache, ("industries",), menu)
    return menu


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
