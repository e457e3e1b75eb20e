"""The public catalog held in memory: what a search or a listing page needs, per process.

Why (docs/bench-catalog.md, issue 8): people rarely repeat each other's searches, so what
counts is a search nobody made before. Sent to the database, such a search cost ≈ 1 ms of
SQL on SQLite and several on PostgreSQL before any page was drawn, more than the whole
request may cost. Held in memory, it is set algebra on bitmaps and a few hundred Python steps.

A ``CatalogIndex`` is an immutable snapshot of every public course:

- its card values (``CourseCard``: title, provider, prices, start date, cities, industries);
- its facets (industry, mode, city, certificate, free) as ``pyroaring.BitMap`` sets of ids,
  whose intersections and counts run in C;
- its title and body terms (``course_documents``, segmented once at index time) as posting
  bitmaps: a plan's strict match is the intersection of its groups, each the union of its
  alternatives, each the intersection of its terms;
- the catalog's orders (start date, newest, price for the public and for members), so that a
  page in an order is a walk from a cursor, never a sort of every match.

Ranking is ``courses.search.query``'s: ``groups matched × 10⁶`` plus, per group, the best
alternative found in the title times the group's idf; a relaxed search (few strict matches)
scores at most ``RELAXED_PER_GROUP`` candidates per word. Seats left are not here: they change
with every enrollment, so a page reads its own courses' seats (and that they are still public)
in one statement, or takes them from the few seconds they are kept (``list_catalog``).

Freshness: a write that changes what the catalog shows sets a new random token in
``catalog_state`` in its transaction (``courses.catalog_changes``). ``IndexKeeper`` compares
the stored token with the one its snapshot was built at, at most every ``check_every``
seconds, and rebuilds on a difference.
"""

from __future__ import annotations

import logging
import threading
import time
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from pyroaring import BitMap
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import Organization
from courses.catalog_changes import catalog_token
from courses.models import (
    ClassMode,
    Course,
    CourseDocument,
    CourseStatus,
    Industry,
    course_industries,
)
from courses.pricing import Price
from courses.search import Plan, build_plan, idf
from courses.search.dictionary import Dictionary
from courses.search.query import (
    GROUP_SCALE,
    MAX_PREFIX_TERMS,
    RELAXED_PER_GROUP,
    TEXT_SCALE,
    group_weights,
    ranked_groups,
)

logger = logging.getLogger(__name__)
EMPTY = BitMap()
WORDS_KEPT = 50_000          # words whose alternatives a snapshot keeps (emptied when full)
NO_DATE = date.min
STARTING_SOON_DAYS = 30      # the "starting soon" filter: a class starts within this many days


class CourseRef(NamedTuple):
    id: int
    name: str


class IndustryChoice(NamedTuple):
    code: str
    name_zh: str
    name_en: str
    is_future: bool = False


@dataclass(frozen=True, slots=True)
class CourseCard:
    """What a catalog card and an API list item show of a course: plain values. Hashable: equal
    cards show the same thing (the catalog page keeps rendered cards by it)."""

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


class Order:
    """Course ids in one order of the catalog, with their sort keys (ascending tuples ending
    with the id) for finding where a cursor's page starts."""

    def __init__(self, keyed: list[tuple[tuple, int]]):
        keyed.sort()
        self.keys = [key for key, _id in keyed]
        self.ids = [course_id for _key, course_id in keyed]
        self.position = {course_id: n for n, course_id in enumerate(self.ids)}

    def first(self, members: BitMap | None, after: tuple | None, offset: int, count: int) -> list[int]:
        """Up to ``count`` ids of ``members`` (None: every course) in this order, past the key
        ``after`` and ``offset`` of them. Walking the order finds them in about ``(offset +
        count) × courses / members`` steps, sorting the members by position in ``members``
        steps: whichever is fewer."""
        start = bisect_right(self.keys, after) if after is not None else 0
        if members is None:
            return self.ids[start + offset:start + offset + count]
        if len(members) ** 2 < (offset + count) * (len(self.ids) - start):
            position = self.position
            chosen = sorted(p for p in map(position.__getitem__, members) if p >= start)
            return [self.ids[p] for p in chosen[offset:offset + count]]
        found: list[int] = []
        skip, ids = offset, self.ids
        for n in range(start, len(ids)):
            course_id = ids[n]
            if course_id in members:
                if skip:
                    skip -= 1
                    continue
                found.append(course_id)
                if len(found) == count:
                    break
        return found


def list_industry_choices(session: Session) -> list[IndustryChoice]:
    """Code and names of every industry, in menu order (plain rows)."""
    return [IndustryChoice(*row) for row in
            session.execute(select(Industry.code, Industry.name_zh, Industry.name_en, Industry.is_future)
                            .order_by(Industry.position, Industry.id))]


def price_for_viewer(card: CourseCard, *, is_member: bool) -> Price | None:
    """The lowest price of the course's open classes for a viewer, from its listing values."""
    if card.price_from is None:
        return None
    if card.price_from == 0:
        return Price(0, "CNY", "free")
    if is_member and card.member_price_from is not None and card.member_price_from < card.price_from:
        kind = "member_free" if card.member_price_from == 0 else "member"
        return Price(card.member_price_from, "CNY", kind)
    return Price(card.price_from, "CNY", "list")


def soon_key(start: date | None, course_id: int) -> tuple:
    """Start-date order: dated courses soonest first, then undated ones, each by id."""
    return (0, start, course_id) if start is not None else (1, NO_DATE, course_id)


def price_key(price: int | None, course_id: int) -> tuple:
    """Price order: lowest first, courses without a price last, each by id."""
    return (0, price, course_id) if price is not None else (1, 0, course_id)


def newest_key(course_id: int) -> tuple:
    return (-course_id,)


# Courses by relevance: (score, ids with that score), highest score first.
Tiers = list[tuple[int, BitMap]]


class CatalogIndex:
    """A snapshot of the public catalog (see the module docstring). Build with :meth:`load`."""

    def __init__(self, token: str | None, cards: dict[int, CourseCard], titles: dict[int, str],
                 bodies: dict[int, str], industries: dict[str, list[int]], menu: list[IndustryChoice]):
        self.token = token
        self.industries = menu   # every industry, in menu order (the catalog's industry menus)
        self.cards = cards
        self.count = len(cards)
        body: dict[str, list[int]] = defaultdict(list)
        title: dict[str, list[int]] = defaultdict(list)
        by_mode: dict[str, list[int]] = defaultdict(list)
        by_city: dict[str, list[int]] = defaultdict(list)
        by_certificate: dict[str, list[int]] = defaultdict(list)
        free, member_free = [], []
        for course_id in sorted(cards):
            card = cards[course_id]
            for term in set(bodies.get(course_id, "").split()):
                body[term].append(course_id)
            for term in set(titles.get(course_id, "").split()):
                title[term].append(course_id)
            for mode in card.modes.split():
                by_mode[mode].append(course_id)
            for city in card.cities.split():
                by_city[city].append(course_id)
            by_certificate[card.certificate_type].append(course_id)
            if card.price_from == 0:
                free.append(course_id)
            if card.price_from == 0 or card.has_free_member_class:
                member_free.append(course_id)
        self.body = {term: BitMap(ids) for term, ids in body.items()}
        self.title = {term: BitMap(ids) for term, ids in title.items()}
        self.terms = sorted(self.body)
        self.by_industry = {code: BitMap(ids) for code, ids in industries.items()}
        self.by_mode = {mode: BitMap(ids) for mode, ids in by_mode.items()}
        self.by_city = {city: BitMap(ids) for city, ids in by_city.items()}
        self.by_certificate = {kind: BitMap(ids) for kind, ids in by_certificate.items()}
        self.free, self.member_free = BitMap(free), BitMap(member_free)
        # Each course's price for the public and for verified members, made once.
        self.prices = {i: (price_for_viewer(c, is_member=False), price_for_viewer(c, is_member=True))
                       for i, c in cards.items()}
        self._groups: dict[tuple, tuple] = {}
        self._unions: dict[tuple, BitMap] = {}
        self.orders = {
            "soon": Order([(soon_key(c.next_start_on, i), i) for i, c in cards.items()]),
            "newest": Order([(newest_key(i), i) for i in cards]),
            "price": Order([(price_key(c.price_from, i), i) for i, c in cards.items()]),
            "member_price": Order([(price_key(c.member_price_from, i), i) for i, c in cards.items()]),
        }

    # --- building -------------------------------------------------------------------------

    @classmethod
    def load(cls, session: Session, token: str | None = None) -> CatalogIndex:
        """The public catalog as ``session`` sees it now (three statements)."""
        menu = list_industry_choices(session)
        codes: dict[int, set[str]] = defaultdict(set)
        industries: dict[str, list[int]] = defaultdict(list)
        for course_id, code in session.execute(_INDUSTRY_ROWS):
            codes[course_id].add(code)
        cards, titles, bodies = {}, {}, {}
        for row in session.execute(_COURSE_ROWS):
            course_id = row[0]
            mine = codes.get(course_id, ())
            cards[course_id] = CourseCard(*row[:12], provider=CourseRef(row[12], row[13]),
                                          industries=tuple(i for i in menu if i.code in mine))
            titles[course_id], bodies[course_id] = row[14] or "", row[15] or ""
            for code in mine:
                industries[code].append(course_id)
        return cls(token, cards, titles, bodies, industries, menu)

    # --- a query's plan ---------------------------------------------------------------------

    def prefix_terms(self, prefix: str, limit: int = MAX_PREFIX_TERMS) -> list[str]:
        """Indexed terms that start with ``prefix`` (longer than it), in order."""
        start = bisect_right(self.terms, prefix)
        end = bisect_left(self.terms, prefix + "\uffff", start)
        return self.terms[start:min(end, start + limit)]

    def plan(self, q: str | None, dictionary: Dictionary) -> Plan:
        """The plan of ``q`` with its terms' document frequencies over the public catalog.

        A word's alternatives depend only on the dictionary and this index's terms, so they are
        worked out once per word for each (snapshot, dictionary): searches nobody made before
        are mostly made of words somebody searched for."""
        if len(self._groups) >= WORDS_KEPT:
            self._groups.clear()
        plan = build_plan(q, dictionary, self.prefix_terms, known=self._groups)
        if plan:
            plan.df = {t: len(self.body.get(t, EMPTY)) for t in plan.terms}
            plan.courses = self.count
            plan.idf = {t: idf(df, self.count) for t, df in plan.df.items()}
        return plan

    # --- filters ------------------------------------------------------------------------------

    def filtered(self, *, industry: str | None, mode: str | None, city: str | None, certificate_type: str | None,
                 free: bool, today: date | None, is_member: bool) -> BitMap | None:
        """The courses passing the filters (None: no filter). ``mode`` must be a class mode
        (checked by the caller); ``today`` given: starting within ``STARTING_SOON_DAYS``."""
        sets: list[BitMap] = []
        if industry:
            sets.append(self.by_industry.get(industry, EMPTY))
        if mode:
            sets.append(self.by_mode.get(mode, EMPTY))
        if city and city.strip():
            sets.append(self.by_city.get(city.strip(), EMPTY))
        if certificate_type and certificate_type.strip():
            sets.append(self.by_certificate.get(certificate_type.strip(), EMPTY))
        if free:
            sets.append(self.member_free if is_member else self.free)
        if today is not None:
            soon = self.orders["soon"]
            first = bisect_left(soon.keys, (0, today))
            last = bisect_right(soon.keys, (0, today + timedelta(days=STARTING_SOON_DAYS), float("inf")))
            sets.append(BitMap(soon.ids[first:last]))
        if not sets:
            return None
        return BitMap.intersection(*sets) if len(sets) > 1 else sets[0]

    # --- matching -----------------------------------------------------------------------------

    def _all_of(self, terms: tuple[str, ...], postings: dict[str, BitMap]) -> BitMap:
        sets = [postings.get(t) for t in terms]
        if any(s is None for s in sets):
            return EMPTY
        return sets[0] if len(sets) == 1 else BitMap.intersection(*sets)

    def _group(self, group, postings: dict[str, BitMap]) -> BitMap:
        """The courses holding any alternative of ``group`` in ``postings`` (``self.body`` or
        ``self.title``). Kept per snapshot like the words' alternatives, so a word met before
        costs one look-up; shared, so never changed by its users."""
        key = (id(postings), tuple(group.alternatives))   # body and title live as long as the snapshot
        union = self._unions.get(key)
        if union is None:
            sets = [s for s in (self._all_of(alt.terms, postings) for alt in group.alternatives) if s]
            union = BitMap.union(*sets) if sets else EMPTY
            if len(self._unions) >= WORDS_KEPT:
                self._unions.clear()
            self._unions[key] = union
        return union

    def _title_parts(self, group, weight: float, members: BitMap) -> list[tuple[float, BitMap]]:
        """``members`` split by the best alternative of ``group`` found in their title: ``(its
        factor × 10 × the group's weight, courses)``, best first, then ``(0, the others)``."""
        options = sorted(((alt.factor * 10 * weight * TEXT_SCALE / 10, self._all_of(alt.terms, self.title))
                          for alt in group.alternatives), key=lambda option: -option[0])
        parts, taken = [], BitMap()
        for value, ids in options:
            ids = (ids & members) - taken
            if ids:
                parts.append((value, ids))
                taken |= ids
        rest = members - taken
        if rest:
            parts.append((0.0, rest))
        return parts

    @staticmethod
    def _tiers(partitions: list[list[tuple[int, float, BitMap]]], members: BitMap, groups_held: int) -> Tiers:
        """``members`` by score. Each group splits them into parts ``(groups it adds, text score
        it adds, courses)``; every non-empty combination of one part per group is a set of
        courses with one score, ``groups × 10⁶ + text score``. Worked out on bitmaps, so the
        cost follows the number of distinct scores, not of courses (a common word's title holds
        thousands of courses in a big catalog)."""
        by_score: dict[int, BitMap] = defaultdict(BitMap)

        def combine(n: int, held: int, text: float, ids: BitMap) -> None:
            if n == len(partitions):
                by_score[held * GROUP_SCALE + min(round(text), GROUP_SCALE - 1)] |= ids
                return
            for adds, value, part in partitions[n]:
                both = ids & part
                if both:
                    combine(n + 1, held + adds, text + value, both)

        if members:
            combine(0, groups_held, 0.0, members)
        return sorted(by_score.items(), reverse=True)

    def strict(self, plan: Plan, within: BitMap | None) -> tuple[BitMap, Tiers]:
        """Courses holding every ranked group, and the same courses by score: the required
        groups × 10⁶ plus, per group, its best alternative in the title × its weight."""
        groups, required = ranked_groups(plan, relaxed=False)
        sets = sorted((self._group(g, self.body) for g in groups), key=len)
        matches = BitMap.intersection(*sets) if len(sets) > 1 else BitMap(sets[0])
        if within is not None:
            matches &= within
        partitions = [[(0, value, ids) for value, ids in self._title_parts(group, weight, matches)]
                      for group, weight in zip(groups, group_weights(plan, groups), strict=True)]
        return matches, self._tiers(partitions, matches, required)

    def relaxed(self, plan: Plan, within: BitMap | None) -> tuple[BitMap, Tiers]:
        """The candidates of a relaxed search and the same by score: per ranked group, its title
        matches and its first matches, at most ``RELAXED_PER_GROUP`` of each; a candidate scores
        the groups it holds × 10⁶ plus, per group held, its weight and its best title match."""
        groups, _required = ranked_groups(plan, relaxed=True)
        weights = group_weights(plan, groups)
        held = [self._group(g, self.body) for g in groups]
        picked = []
        for group, matches in zip(groups, held, strict=True):
            in_title = self._group(group, self.title) & matches
            picked += [in_title[:RELAXED_PER_GROUP], matches[:RELAXED_PER_GROUP]]
        candidates = BitMap.union(*picked) if picked else BitMap()
        if within is not None:
            candidates &= within
        partitions = []
        for group, weight, matches in zip(groups, weights, held, strict=True):
            holding = candidates & matches
            parts = [(1, weight * TEXT_SCALE / 10 + value, ids) for value, ids in self._title_parts(group, weight, holding)]
            partitions.append([*parts, (0, 0.0, candidates - holding)])
        return candidates, self._tiers(partitions, candidates, 0)

    # --- pages --------------------------------------------------------------------------------

    def price(self, course_id: int, *, is_member: bool) -> Price | None:
        """The lowest price of the course's open classes for the viewer."""
        return self.prices[course_id][is_member]

    def ranked_page(self, tiers: Tiers, after: tuple[int, int] | None, offset: int,
                    count: int) -> list[tuple[int, int]]:
        """``(id, score)`` in relevance order (score down, then id) past the cursor ``(score,
        id)``, skipping ``offset`` of them."""
        rows: list[tuple[int, int]] = []
        for score, ids in tiers:
            if after is not None:
                if score > after[0]:
                    continue
                if score == after[0]:
                    ids = ids[ids.rank(after[1]):]
            if offset >= len(ids):
                offset -= len(ids)
                continue
            rows += [(course_id, score) for course_id in ids[offset:offset + count - len(rows)]]
            offset = 0
            if len(rows) >= count:
                break
        return rows

    def ordered_page(self, sort: str, after: tuple | None, members: BitMap | None, offset: int,
                     count: int) -> list[tuple[int, int]]:
        """``(id, 0)`` of ``members`` in a catalog order past the cursor key ``after``."""
        return [(course_id, 0) for course_id in self.orders[sort].first(members, after, offset, count)]



# The snapshot's statements (built once). SQLite compares the status through coalesce() so that
# the rows, not the catalog index, drive the read (the same reason as the catalog's cards).
_PUBLIC = (Course.status == CourseStatus.APPROVED) & Course.is_published.is_(True)
_COURSE_ROWS = (
    select(Course.id, Course.title, Course.summary, Course.hours, Course.cover_image, Course.certificate_type,
           Course.price_from, Course.member_price_from, Course.has_free_member_class, Course.next_start_on,
           Course.modes, Course.cities, Organization.id, Organization.name, CourseDocument.title, CourseDocument.body)
    .join(Organization, Organization.id == Course.provider_id)
    .outerjoin(CourseDocument, CourseDocument.course_id == Course.id)
    .where(_PUBLIC).order_by(Course.id))
_INDUSTRY_ROWS = (select(course_industries.c.course_id, Industry.code)
                  .join(Industry, Industry.id == course_industries.c.industry_id)
                  .join(Course, Course.id == course_industries.c.course_id).where(_PUBLIC))
MODES = frozenset(m.value for m in ClassMode)


class IndexKeeper:
    """A process's current ``CatalogIndex``: the token is read at most every ``check_every``
    seconds (0: at every use) and the snapshot rebuilt when it changed. Thread-safe: the
    snapshot is immutable and replaced whole.

    ``open_session`` (a context manager factory giving a session of its own): when given, a
    changed catalog is rebuilt in a background thread while requests keep the previous
    snapshot, so no request waits for a build (about half a second at 10,000 courses, five at
    100,000); only the first build is made by the asking request. Without it (tests) every
    rebuild is made at once, so each request sees the writes before it."""

    def __init__(self, check_every: float, clock: Callable[[], float] = time.monotonic,
                 open_session: Callable[[], AbstractContextManager[Session]] | None = None):
        self.check_every = check_every
        self.clock = clock
        self.open_session = open_session
        self._index: CatalogIndex | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        self._building: threading.Thread | None = None

    def current(self, session: Session) -> CatalogIndex:
        index, now = self._index, self.clock()
        if index is not None and now - self._checked_at < self.check_every:
            return index
        token = catalog_token(session)
        self._checked_at = now
        if index is not None and index.token == token:
            return index
        if index is not None and self.open_session is not None:
            self._rebuild_in_background()
            return index
        with self._lock:
            index = self._index
            if index is None or index.token != token:
                index = self._index = CatalogIndex.load(session, token)
        return index

    def _rebuild_in_background(self) -> None:
        with self._lock:
            if self._building is not None and self._building.is_alive():
                return
            self._building = threading.Thread(target=self._rebuild, name="catalog-index", daemon=True)
            self._building.start()

    def _rebuild(self) -> None:
        try:
            with self.open_session() as session:
                index = CatalogIndex.load(session, catalog_token(session))
            self._index = index
        except Exception:   # noqa: BLE001 - the previous snapshot stays; the next check tries again
            logger.exception("rebuilding the catalog index failed; the previous one is kept")
            self._checked_at = float("-inf")
