"""The search-quality set: a realistic catalog of vocational courses (``catalog.txt``) and the
queries workers type (``queries.txt``), each with the courses that should be in its top 3.

``load_catalog`` puts the catalog into a database (approved, published, indexed) with the seed
dictionary; ``evaluate`` runs every query through the catalog search and returns top-1, top-3,
MRR and the zero-result rate. Used by tests/courses/test_search_quality.py and
bench/search_quality.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

HERE = Path(__file__).resolve().parent


@dataclass
class CatalogRow:
    key: str
    industry: str
    provider: str
    certificate_type: str
    title: str
    skills: list[str]
    summary: str


@dataclass
class QueryRow:
    q: str
    expected: list[str]
    kind: str


@dataclass
class Outcome:
    q: str
    kind: str
    expected: list[str]
    got: list[str]          # keys of the first results, best first
    total: int
    relaxed: bool

    @property
    def rank(self) -> int | None:
        """1-based rank of the first expected course, or None."""
        return next((n for n, key in enumerate(self.got, start=1) if key in self.expected), None)


@dataclass
class Figures:
    outcomes: list[Outcome] = field(default_factory=list)

    def _share(self, pred) -> float:
        return sum(1 for o in self.outcomes if pred(o)) / len(self.outcomes)

    @property
    def top1(self) -> float:
        return self._share(lambda o: o.rank == 1)

    @property
    def top3(self) -> float:
        return self._share(lambda o: o.rank is not None and o.rank <= 3)

    @property
    def mrr(self) -> float:
        return sum(1 / o.rank for o in self.outcomes if o.rank) / len(self.outcomes)

    @property
    def zero(self) -> float:
        return self._share(lambda o: o.total == 0)

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not (o.rank and o.rank <= 3)]


def _rows(name: str) -> list[list[str]]:
    lines = (HERE / name).read_text(encoding="utf-8").splitlines()
    return [[cell.strip() for cell in line.split("|")] for line in lines if line.strip() and not line.startswith("#")]


def catalog_rows() -> list[CatalogRow]:
    return [CatalogRow(key, industry, provider, cert, title, [s for s in skills.split("、") if s], summary)
            for key, industry, provider, cert, title, skills, summary in _rows("catalog.txt")]


def query_rows() -> list[QueryRow]:
    return [QueryRow(q, expected.split(), kind) for q, expected, kind in _rows("queries.txt")]


def load_catalog(session: Session) -> dict[int, str]:
    """Create the providers, courses (approved, published) and their index rows, and the seed
    dictionary; returns course id → key."""
    from app.auth.models import Organization, OrgKind, OrgStatus
    from courses import search
    from courses.models import Course, CourseStatus, Industry
    from courses.services.shelf import seed_industries
    from courses.services.synonyms import seed_dictionary

    seed_industries(session)
    seed_dictionary(session)
    industries = {i.code: i for i in session.scalars(select(Industry))}
    providers: dict[str, Organization] = {}
    keys: dict[int, str] = {}
    for row in catalog_rows():
        if row.provider not in providers:
            providers[row.provider] = Organization(kind=OrgKind.PROVIDER, name=row.provider,
                                                   status=OrgStatus.APPROVED)
            session.add(providers[row.provider])
            session.flush()
        course = Course(provider_id=providers[row.provider].id, title=row.title, summary=row.summary,
                        skills=row.skills, certificate_type=row.certificate_type,
                        status=CourseStatus.APPROVED, is_published=True)
        course.industries = [industries[row.industry]]
        session.add(course)
        session.flush()
        search.index_course(session, course)
        keys[course.id] = row.key
    session.flush()
    return keys


def evaluate(session: Session, keys: dict[int, str], *, now: datetime) -> Figures:
    """Run every query of the set through the catalog search."""
    from courses.queries.catalog import CatalogFilters, list_catalog

    figures = Figures()
    for row in query_rows():
        page = list_catalog(session, CatalogFilters(q=row.q, per_page=5), now=now, is_member=False)
        figures.outcomes.append(Outcome(q=row.q, kind=row.kind, expected=row.expected,
                                        got=[keys[i.course.id] for i in page.items], total=page.total,
                                        relaxed=page.relaxed))
    return figures
