"""Chinese full-text search for the catalog: jieba segmentation and the ``CourseTerm`` index.

A course's title, summary, provider name, industry names, skills and certificate type are
segmented with jieba's search mode (``cut_for_search``: whole words plus the shorter words
inside them, so 电工 is found inside 低压电工) and stored one row per (term, course) with a
weight; title terms weigh most. A query is segmented the same way and a course must carry
every query term (AND); results rank by the summed weight. No ``LIKE '%...%'`` scans: a
query is an indexed look-up of a handful of terms.
"""

from __future__ import annotations

import logging
import threading
import unicodedata

import jieba
from sqlalchemy import Select, and_, delete, select
from sqlalchemy.orm import Session, aliased

from courses.models import Course, CourseTerm

# Field weights: the title matters most, then names a worker would search by.
WEIGHTS = {"title": 10, "skills": 4, "certificate_type": 4, "industry": 3, "provider": 2, "summary": 1}
MAX_TERM_LENGTH = 64
MAX_QUERY_TERMS = 8

# Trade words jieba's general dictionary splits badly; a high frequency keeps them whole.
DOMAIN_WORDS = (
    "电工", "低压电工", "高压电工", "高处作业", "焊工", "电焊工", "特种作业", "特种作业操作证",
    "登高作业", "电力", "配电", "变电", "输电线路", "继电保护", "安全生产", "应急救援",
    "导游", "讲解员", "养老护理员", "育婴员", "家政服务员", "健康管理师", "无人机", "无人机驾驶员",
    "嫁接", "热带水果", "芒果", "槟榔", "南繁", "制种", "育种", "深海", "潜水员", "航天",
    "电子商务", "直播电商", "网络安全", "数据标注", "人工智能", "叉车", "电梯", "钳工", "汽修",
    "新能源汽车", "中式烹调师", "西式面点师", "咖啡师", "调酒师", "茶艺师",
)
# Words that carry no meaning on their own in a course search.
STOP_WORDS = frozenset({"的", "了", "和", "与", "及", "或", "在", "是", "为", "等", "之", "其", "the", "and",
                        "of", "for", "to", "in", "a", "an"})

_tokenizer: jieba.Tokenizer | None = None
_lock = threading.Lock()


def tokenizer() -> jieba.Tokenizer:
    """The shared jieba tokenizer with the domain dictionary (built once per process)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                for word in DOMAIN_WORDS:
                    tok.add_word(word, freq=20000)
                tok.initialize()
                _tokenizer = tok
    return _tokenizer


def _normalize(text: str) -> str:
    # NFKC folds full-width Latin letters and digits (Ｐｙｔｈｏｎ) into ASCII.
    return unicodedata.normalize("NFKC", text or "").lower()


def segment(text: str) -> list[str]:
    """Search terms of ``text`` in order of appearance, without duplicates, stop words or punctuation."""
    seen: dict[str, None] = {}
    for token in tokenizer().cut_for_search(_normalize(text)):
        token = token.strip()
        if not token or token in STOP_WORDS or not any(ch.isalnum() for ch in token):
            continue
        seen.setdefault(token[:MAX_TERM_LENGTH], None)
    return list(seen)


def query_terms(q: str | None) -> list[str]:
    """The terms a query must all match (at most ``MAX_QUERY_TERMS``)."""
    return segment(q or "")[:MAX_QUERY_TERMS]


def course_terms(course: Course) -> dict[str, int]:
    """Term → weight for a course: a term found in several fields adds up their weights."""
    fields: list[tuple[str, str]] = [
        ("title", course.title), ("summary", course.summary), ("certificate_type", course.certificate_type),
        ("provider", course.provider.name if course.provider else ""),
    ]
    fields += [("industry", f"{i.name_zh} {i.name_en}") for i in course.industries]
    fields += [("skills", str(skill)) for skill in (course.skills or [])]
    terms: dict[str, int] = {}
    for field, text in fields:
        for term in segment(text):
            terms[term] = terms.get(term, 0) + WEIGHTS[field]
    return terms


def index_course(session: Session, course: Course) -> None:
    """Replace the course's rows in the search index."""
    session.execute(delete(CourseTerm).where(CourseTerm.course_id == course.id))
    rows = [{"term": term, "course_id": course.id, "weight": weight}
            for term, weight in course_terms(course).items()]
    if rows:
        session.execute(CourseTerm.__table__.insert(), rows)


def matching_courses(terms: list[str]) -> Select:
    """``(course_id, score)`` of courses carrying every term.

    An intersection by self-join on the ``(term, course_id)`` primary key, starting from the
    longest term (usually the rarest): each further term is one index probe per candidate,
    instead of aggregating every row of a common term such as 培训.
    """
    ordered = sorted(dict.fromkeys(terms), key=lambda t: (-len(t), t))
    first = aliased(CourseTerm, name="t0")
    score = first.weight
    query = select(first.course_id.label("course_id"))
    for n, term in enumerate(ordered[1:], start=1):
        other = aliased(CourseTerm, name=f"t{n}")
        query = query.join(other, and_(other.course_id == first.course_id, other.term == term))
        score = score + other.weight
    return query.add_columns(score.label("score")).where(first.term == ordered[0])
