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


def field_terms(value: str, *, with_pinyin: bool = False) -> list[str]:
    """Terms of one field's text, each once, in order of appearance."""
    terms: dict[str, None] = {}
    for term in text.segment(value):
        terms[term] = None
        stem = text.stem(term)
        if stem:
            terms.setdefault(stem, None)
        if text.is_latin(term):
            terms.update(dict.fromkeys(text.latin_tails(term)))
    if with_pinyin:
        for word in text.words(text.normalize(value)):
            terms.update(dict.fromkeys(text.pinyin(word) or ()))
    return list(terms)   # each at most MAX_TERM_LENGTH already (segment and pinyin cut them)


def title_terms(course: Course) -> list[str]:
    return field_terms(course.title, with_pinyin=True)


def course_terms(course: Course) -> list[str]:
    """Every term of a course, each once: its title (with pinyin), summary, certificate type,
    provider, industries and skills."""
    fields = [course.summary, course.certificate_type, course.provider.name if course.provider else ""]
    fields += [f"{i.name_zh} {i.name_en}" for i in course.industries]
    fields += [str(skill) for skill in (course.skills or [])]
    terms = dict.fromkeys(title_terms(course))
    for value in fields:
        terms.update(dict.fromkeys(field_terms(value)))
    return list(terms)


def index_course(session: Session, course: Course) -> None:
    """Replace the course's search document (and tell processes the catalog changed)."""
    session.execute(delete(CourseDocument).where(CourseDocument.course_id == course.id))
    session.execute(CourseDocument.__table__.insert(),
                    [document_row(course.id, title_terms(course), course_terms(course))])
    mark_catalog_changed(session)


def document_row(course_id: int, title: list[str], terms: list[str]) -> dict:
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
