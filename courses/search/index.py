"""A course's search terms and its ``CourseDocument`` (title terms, all terms), from which the
in-memory catalog index is built (``courses.queries.catalog_index``).

Besides jieba's words and the words inside them, a course is indexed under the stems of its
job and certificate words (茶艺师 → 茶艺), every tail of its Latin and digit runs (msoffice →
office, so a prefix query finds a code inside a longer name) and the full pinyin and initials
of its title's words (导游 → daoyou, dy).
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from courses.catalog_changes import mark_catalog_changed
from courses.models import Course, CourseDocument
from courses.search import text

# Field weights: the title matters most, then names a worker would search by.
WEIGHTS = {"title": 10, "skills": 4, "certificate_type": 4, "industry": 3, "provider": 2, "summary": 1}


def _add(terms: dict[str, int], term: str, weight: int) -> None:
    term = term[:text.MAX_TERM_LENGTH]
    terms[term] = terms.get(term, 0) + weight


def field_terms(value: str, weight: int, *, with_pinyin: bool = False) -> dict[str, int]:
    """Terms of one field's text with their weights."""
    terms: dict[str, int] = {}
    for term in text.segment(value):
        _add(terms, term, weight)
        stem = text.stem(term)
        if stem and stem not in terms:
            _add(terms, stem, max(1, weight * 3 // 4))
        if text.is_latin(term):
            for tail in text.latin_tails(term):
                if tail not in terms:
                    _add(terms, tail, max(1, weight // 2))
    if with_pinyin:
        for word in text.words(text.normalize(value)):
            spelled = text.pinyin(word)
            if spelled:
                for form in spelled:
                    if form not in terms:
                        _add(terms, form, max(1, weight // 2))
    return terms


def title_terms(course: Course) -> list[str]:
    return list(field_terms(course.title, WEIGHTS["title"], with_pinyin=True))


def course_terms(course: Course) -> dict[str, int]:
    """Term → weight for a course: a term found in several fields adds up their weights."""
    fields: list[tuple[str, str]] = [
        ("title", course.title), ("summary", course.summary), ("certificate_type", course.certificate_type),
        ("provider", course.provider.name if course.provider else ""),
    ]
    fields += [("industry", f"{i.name_zh} {i.name_en}") for i in course.industries]
    fields += [("skills", str(skill)) for skill in (course.skills or [])]
    terms: dict[str, int] = {}
    for field, value in fields:
        for term, weight in field_terms(value, WEIGHTS[field], with_pinyin=field == "title").items():
            _add(terms, term, weight)
    return terms


def index_course(session: Session, course: Course) -> None:
    """Replace the course's search document (and tell processes the catalog changed)."""
    session.execute(delete(CourseDocument).where(CourseDocument.course_id == course.id))
    session.execute(CourseDocument.__table__.insert(),
                    [document_row(course.id, title_terms(course), course_terms(course))])
    mark_catalog_changed(session)


def document_row(course_id: int, title: list[str], terms: dict[str, int]) -> dict:
    """The ``course_documents`` row of a course: its title's terms and all its terms, space-separated."""
    return {"course_id": course_id, "title": " ".join(title), "body": " ".join(terms)}


def reindex_all(session: Session, *, batch: int = 500) -> int:
    """Rebuild every course's search document (after a change to segmentation or the index's
    forms; the dictionary never needs it). Returns the number of courses."""
    from sqlalchemy import select

    count, last_id = 0, 0
    while True:
        courses = list(session.scalars(select(Course).where(Course.id > last_id).order_by(Course.id).limit(batch)))
        if not courses:
            return count
        for course in courses:
            index_course(session, course)
        session.flush()
        count += len(courses)
        last_id = courses[-1].id
