"""Catalog reads: the public course list with search, filters, sort and keyset pagination.

A page is picked from the process's in-memory snapshot of the public catalog
(``courses.queries.catalog_index``): filters, the text search and the order are set algebra
there, so a search nobody made before costs what a repeated one does. Every list then sends one
statement, whatever the page size: the free seats of the page's courses, which also leaves out
a course withdrawn since the snapshot was built. Pages after the first are found by a keyset
cursor (``after=``) on the sort key and the id, so a deep page costs what the first one does;
``page=`` (OFFSET) stays for API clients that want it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session, joinedload, lazyload, raiseload

from app.auth.models import User
from app.errors import Invalid, NotFound
from app.i18n import SHANGHAI
from app.membership.queries import get_profile
from courses import search
from courses.models import (
    ClassStatus,
    Course,
    CourseStatus,
    Industry,
    TrainingClass,
)
from courses.permissions import can_see_course
from courses.pricing import Price, price_for
from courses.queries.catalog_index import (
    MODES,
    CatalogIndex,
    CourseCard,
    newest_key,
    price_key,
    soon_key,
)

SORTS = ("relevance", "soon", "newest", "price")
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
# A page is picked from the in-memory catalog (``courses.queries.catalog_index``): its filters,
# search and order are set algebra there. The only statement a page sends is the free seats of
# its own courses, which also drops any course withdrawn since the snapshot was built.

def _seats_statement(public, class_status):
    # Free seats over the course's classes open for enrollment (a correlated sum on the classes'
    # course index), per course of the page that is still public.
    seats = (select(func.coalesce(func.sum(TrainingClass.capacity - TrainingClass.seats_taken), 0))
             .where(TrainingClass.course_id == Course.id, class_status == ClassStatus.SCHEDULED,
                    TrainingClass.enroll_opens_at <= bindparam("now"), TrainingClass.enroll_closes_at > bindparam("now"))
             .correlate(Course).scalar_subquery())
    return select(Course.id, seats).where(Course.id.in_(bindparam("ids", expanding=True)), public)


# Built once. SQLite compares through coalesce() so that the ids, not the catalog index, drive
# the look-up (its statistics cannot tell that 20 ids are few), and the classes' course index, not their status index, finds
# the seats (a page: 8 ms → 0.3 ms at 10k courses).
_SEATS = {"sqlite": _seats_statement(and_(func.coalesce(Course.status, "") == CourseStatus.APPROVED,
                                          func.coalesce(Course.is_published, False).is_(True)),
                                     func.coalesce(TrainingClass.status, "")),
          "": _seats_statement(public_courses(), TrainingClass.status)}


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def free_seats(session: Session, course_ids: list[int], *, now: datetime) -> dict[int, int]:
    """Free seats over the open classes of those of ``course_ids`` that are public now (one
    statement)."""
    if not course_ids:
        return {}
    # On the connection: a Core statement needs none of the ORM's per-execution work.
    rows = session.connection().execute(_SEATS.get(_dialect(session), _SEATS[""]), {"ids": course_ids, "now": now})
    return {course_id: int(seats or 0) for course_id, seats in rows}


class KeptSeats(Protocol):
    """Free seats per course kept a short while by the caller (a dict will do)."""

    def get(self, course_id: int, default=None) -> int | None: ...

    def __setitem__(self, course_id: int, seats: int) -> None: ...


def list_catalog(session: Session, filters: CatalogFilters, *, now: datetime, is_member: bool,
                 index: CatalogIndex | None = None, dictionary: search.Dictionary | None = None,
                 seats_kept: KeptSeats | None = None) -> CatalogPage:
    """A page of public courses matching ``filters``, ranked and priced for the viewer. Raises
    Invalid (bad sort, mode or cursor).

    ``index``: the process's snapshot of the catalog (``IndexKeeper.current``); without it one is
    built from ``session`` for this call. ``dictionary``: the search dictionary, kept by the
    caller (else read now). ``seats_kept``: a short-lived cache of free seats per course (the
    catalog's, in production): a page whose courses all have kept seats sends no statement, and
    its seats and a withdrawal lag by the cache's lifetime at most, as the cached pages do.

    A text search is strict first (every word); when that finds fewer than ``RELAX_BELOW``
    courses it is relaxed (any word, the courses matching more words first) and the page says so.
    """
    if index is None:
        index = CatalogIndex.load(session)
    plan = index.plan(filters.q, dictionary if dictionary is not None else search.load_dictionary(session))
    sort = filters.sort or ("relevance" if plan else "soon")
    if sort not in SORTS:
        raise Invalid(_("Unknown sort order."), field="sort")
    if sort == "relevance" and not plan:
        sort = "soon"
    if filters.mode and filters.mode not in MODES:
        raise Invalid(_("Choose online, offline or blended."), field="mode")
    after = decode_cursor(filters.after, sort) if filters.after else None
    today = now.astimezone(SHANGHAI).date()
    within = index.filtered(industry=filters.industry, mode=filters.mode, city=filters.city,
                            certificate_type=filters.certificate_type, free=filters.free,
                            today=today if filters.starting_soon else None, is_member=is_member)
    offset = 0 if after else (filters.page - 1) * filters.per_page
    wanted = filters.per_page + 1
    relaxed, strict_total = False, 0
    if filters.q and filters.q.strip() and not plan:
        total, rows = 0, []          # only punctuation or stop words: nothing can match
    elif plan:
        matches, tiers = index.strict(plan, within)
        total = strict_total = len(matches)
        if total < RELAX_BELOW:
            loose, loose_tiers = index.relaxed(plan, within)
            if len(loose) > total:
                matches, tiers, relaxed, total = loose, loose_tiers, True, len(loose)
        if sort == "relevance":
            rows = index.ranked_page(tiers, after, offset, wanted)
        else:
            rows = index.ordered_page(*_order(sort, is_member, after), matches, offset, wanted)
    else:
        total = len(within) if within is not None else index.count
        rows = index.ordered_page(*_order(sort, is_member, after), within, offset, wanted)
    has_more = len(rows) > filters.per_page
    rows = rows[:filters.per_page]
    seats = _seats(session, [row[0] for row in rows], now=now, kept=seats_kept)
    items = [CatalogItem(course=index.cards[course_id], price=index.price(course_id, is_member=is_member),
                         score=score, seats_left=seats[course_id]) for course_id, score in rows if course_id in seats]
    next_cursor = None
    if has_more and items:
        last = items[-1]
        price_key = "member_price_from" if is_member else "price_from"
        key = {"relevance": last.score, "newest": None, "price": getattr(last.course, price_key),
               "soon": last.course.next_start_on}[sort]
        next_cursor = encode_cursor(sort, key, last.course.id)
    return CatalogPage(items=items, total=total, page=0 if after else filters.page, per_page=filters.per_page,
                       sort=sort, next_cursor=next_cursor, terms=plan.words, relaxed=relaxed,
                       strict_total=strict_total if relaxed else total)


WITHDRAWN = -1   # kept for a course no longer public: it is left out of pages


def _seats(session: Session, course_ids: list[int], *, now: datetime, kept: KeptSeats | None) -> dict[int, int]:
    """Free seats of the page's courses that are still public: read now (a course withdrawn
    since the snapshot was built is left out at once), or from ``kept`` where it holds them."""
    if kept is None:
        return free_seats(session, course_ids, now=now)
    seats = {course_id: kept.get(course_id) for course_id in course_ids}
    missing = [course_id for course_id, value in seats.items() if value is None]
    if missing:
        read = free_seats(session, missing, now=now)
        for course_id in missing:
            seats[course_id] = kept[course_id] = read.get(course_id, WITHDRAWN)
    return {course_id: value for course_id, value in seats.items() if value != WITHDRAWN}


def _order(sort: str, is_member: bool, after) -> tuple[str, tuple | None]:
    """The index order of a sort and the key its cursor ``(key, id)`` stands at."""
    name = "member_price" if sort == "price" and is_member else sort
    if after is None:
        return name, None
    key, course_id = after
    if sort == "soon":
        return name, soon_key(key, course_id)
    if sort == "price":
        return name, price_key(key, course_id)
    return name, newest_key(course_id)


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
