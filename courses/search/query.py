"""A query's plan and the statement that ranks courses for it.

A query is cut into words (dictionary entries first, longest match, then jieba's precise
mode). Each word is a *group* of alternatives, any one of which satisfies it: the word itself;
the dictionary words that cover a compound (低压电工 → 低压 + 电工, all needed); the word
without a common ending (茶艺师 → 茶艺); the synonyms of the search dictionary (电焊 → 焊接,
网约车 → 网络预约出租汽车); for Latin and digits, the index's terms that start with it
(office → office2019, and msoffice through its indexed tails). A lone ending (证, 培训) is an
optional group: it adds to the score, it is never required.

Scoring is BM25-style: each matched term adds its saturated field weight times its inverse
document frequency times the alternative's factor (the word itself 1, a stem or synonym a
little less); a group counts the best of its alternatives, a partly matched alternative a
third. A *strict* search keeps the courses that satisfy every group; a *relaxed* one keeps
every course that matched any term, the courses satisfying more groups first
(``score = groups × 10⁶ + text score``), so strict matches always rank above relaxed ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass, field

from sqlalchemy import Integer, String, TextualSelect, func, literal, select, union_all
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from courses.models import Course, CourseTerm
from courses.search import text
from courses.search.dictionary import Dictionary

GROUP_SCALE = 1_000_000
BM25_K1 = 5.0               # saturation of the summed field weights (title 10, summary 1)
PARTIAL = 0.3               # what a partly matched alternative is worth
FACTOR = {"word": 1.0, "parts": 0.9, "synonym": 0.9, "stem": 0.75, "prefix": 0.7}   # curated synonyms beat mechanical stems
MAX_PREFIX_TERMS = 12
MAX_DEPTH = 2
COMMON_SHARE = 0.4          # a term in more of the courses than this is left out next to rarer ones
COMMON_MIN_COURSES = 500    # ... in a catalog big enough for it to matter


@dataclass(frozen=True)
class Alternative:
    terms: tuple[str, ...]   # all needed
    factor: float
    kind: str


@dataclass
class Group:
    word: str
    required: bool
    alternatives: list[Alternative] = field(default_factory=list)

    def add(self, terms: Iterable[str], factor: float, kind: str) -> None:
        terms = tuple(dict.fromkeys(t[:text.MAX_TERM_LENGTH] for t in terms if t))
        if not terms:
            return
        for n, alt in enumerate(self.alternatives):
            if alt.terms == terms:
                if factor > alt.factor:
                    self.alternatives[n] = Alternative(terms, factor, kind)
                return
        self.alternatives.append(Alternative(terms, factor, kind))


@dataclass
class Plan:
    query: str                                      # normalised query text
    groups: list[Group]
    idf: dict[str, float] = field(default_factory=dict)
    df: dict[str, int] = field(default_factory=dict)
    courses: int = 0

    def __bool__(self) -> bool:
        return bool(self.groups)

    @property
    def words(self) -> list[str]:
        return [g.word for g in self.groups]

    @property
    def terms(self) -> list[str]:
        return list(dict.fromkeys(t for g in self.groups for a in g.alternatives for t in a.terms))

    @property
    def required(self) -> int:
        return sum(1 for g in self.groups if g.required)


def cut_query(query: str, dictionary: Dictionary) -> list[str]:
    """Words of a normalised query: dictionary entries by longest match, jieba's words in between."""
    out: list[str] = []
    longest = dictionary.longest
    for chunk in query.split():
        buffer, i = "", 0
        while i < len(chunk):
            for size in range(min(longest, len(chunk) - i), 1, -1):
                if chunk[i:i + size] in dictionary:
                    out += text.words(buffer)
                    buffer = ""
                    out.append(chunk[i:i + size])
                    i += size
                    break
            else:
                buffer += chunk[i]
                i += 1
        out += text.words(buffer)
    return list(dict.fromkeys(out))[:text.MAX_QUERY_TERMS]


def _expand(group: Group, word: str, factor: float, kind: str, depth: int, dictionary: Dictionary,
            prefixes: Callable[[str], list[str]]) -> None:
    group.add([word], factor, kind)
    pieces = text.parts(word)
    if pieces:
        group.add(pieces, factor * FACTOR["parts"], "parts")
    if depth < MAX_DEPTH:
        for synonym in dictionary.get(word):
            _expand(group, synonym, factor * FACTOR["synonym"], "synonym", depth + 1, dictionary, prefixes)
        stem = text.stem(word)
        if stem and (text.is_word(stem) or stem in dictionary):   # 茶艺师 → 茶艺, not 管理人员 → 管理人
            _expand(group, stem, factor * FACTOR["stem"], "stem", depth + 1, dictionary, prefixes)
    if text.is_latin(word) and len(word) >= text.MIN_LATIN:
        for term in prefixes(word):
            group.add([term], factor * FACTOR["prefix"], "prefix")


def build_plan(query: str | None, dictionary: Dictionary, prefixes: Callable[[str], list[str]], *,
               known: MutableMapping[tuple, tuple[Alternative, ...]] | None = None) -> Plan:
    """The groups of ``query`` (see the module docstring); an empty plan when no word is left.

    ``known``: each word's alternatives kept by the caller, by ``(dictionary.serial, word)``;
    the caller empties it when ``prefixes`` would answer differently."""
    normalised = text.normalize(query or "")
    words = cut_query(normalised, dictionary)
    endings = set(text.SUFFIXES)
    has_core = any(w not in endings for w in words)
    groups = []
    for word in words:
        required = not (has_core and word in endings)
        alternatives = known.get((dictionary.serial, word)) if known is not None else None
        if alternatives is None:
            group = Group(word=word, required=required)
            _expand(group, word, 1.0, "word", 0, dictionary, prefixes)
            if known is not None:
                known[(dictionary.serial, word)] = tuple(group.alternatives)
        else:
            group = Group(word=word, required=required, alternatives=list(alternatives))
        groups.append(group)
    return Plan(query=normalised, groups=groups)


# --- reading the index --------------------------------------------------------------------

def prefix_terms(session: Session, prefix: str, limit: int = MAX_PREFIX_TERMS) -> list[str]:
    """Indexed terms that start with ``prefix`` (a range on the term index; never LIKE)."""
    return list(session.scalars(
        select(CourseTerm.term).where(CourseTerm.term > prefix, CourseTerm.term < prefix + "\uffff")
        .distinct().order_by(CourseTerm.term).limit(limit)))


def term_statistics(session: Session, terms: list[str], *, with_count: bool) -> tuple[dict[str, int], int | None]:
    """Document frequency of each term and (if asked) the number of courses, in one statement."""
    parts = []
    if terms:
        parts.append(select(CourseTerm.term, func.count().label("n")).where(CourseTerm.term.in_(terms))
                     .group_by(CourseTerm.term))
    if with_count:
        parts.append(select(literal(None, String).label("term"), func.count().label("n")).select_from(Course))
    if not parts:
        return {}, None
    rows = session.execute(union_all(*parts) if len(parts) > 1 else parts[0]).all()
    df = {term: n for term, n in rows if term is not None}
    count = next((n for term, n in rows if term is None), None)
    return df, count


def idf(df: int, n: int) -> float:
    return math.log(1 + (max(n, df) - df + 0.5) / (df + 0.5))


def postings_matching(plan: Plan, *, relaxed: bool = False) -> TextualSelect:
    """``(course_id, score)`` from the ``course_terms`` postings (the portable engine, for databases
    without FTS5 or tsvector; ``courses.search.engine`` picks): the courses that satisfy every
    required group of ``plan`` (strict) or match any of its terms (relaxed), scored as the module
    docstring says.

    One pass over the postings of the plan's terms, grouped by course: whether a course holds a
    term is a conditional aggregate, so a group's alternatives (all terms of one of them) are a
    boolean expression over those, and the text score a sum over the postings. Groups made only
    of terms most courses carry (培训) are left out when another group is required (see
    ``prune_common``): their postings would be most of the work and their idf next to nothing.

    Written as SQL text with bound values (the same on SQLite and PostgreSQL): every query has
    its own shape, and building and compiling it as SQLAlchemy expressions cost more than
    running it.
    """
    groups = plan.groups if relaxed else prune_common(plan)
    factor: dict[str, float] = {}
    for group in groups:
        for alt in group.alternatives:
            for term in alt.terms:
                factor[term] = max(factor.get(term, 0.0), alt.factor * plan.idf.get(term, 1.0))
    if len(factor) == 1 and len(groups) == 1:
        # One word, one term (培训): a course holds it at most once, so no grouping is needed.
        (term, f), = factor.items()
        required = 1 if groups[0].required else 0
        return sql_text(
            f"SELECT course_id, CAST({required * GROUP_SCALE} + weight * {(BM25_K1 + 1) * 100} / (weight + {BM25_K1}) "  # noqa: S608
            "* :f0 AS INTEGER) AS score FROM course_terms WHERE term = :t0"   # (at most 600 × idf: below GROUP_SCALE)
        ).bindparams(t0=term, f0=f).columns(
            course_id=Integer, score=Integer)
    names = {term: f"t{n}" for n, term in enumerate(factor)}
    params: dict = {names[t]: t for t in factor}
    params.update({f"f{n}": f for n, f in enumerate(factor.values())})
    held = {t: f"MAX(CASE WHEN term = :{names[t]} THEN 1 ELSE 0 END)" for t in factor}
    oks = ["CASE WHEN " + " OR ".join("(" + " AND ".join(f"{held[t]} = 1" for t in alt.terms) + ")"
                                      for alt in g.alternatives) + " THEN 1 ELSE 0 END"
           for g in groups if g.required]
    matched = " + ".join(oks) or "0"
    weight = "CASE term " + " ".join(f"WHEN :{names[t]} THEN :f{n}" for n, t in enumerate(factor)) + " ELSE 0 END"
    text_score = f"SUM(weight * {BM25_K1 + 1} / (weight + {BM25_K1}) * ({weight})) * 100"
    # Only generated placeholders and constants go into the string; every value is bound.
    sql = (f"SELECT course_id, CAST(({matched}) * {GROUP_SCALE} + CASE WHEN {text_score} < {GROUP_SCALE - 1} "  # noqa: S608
           f"THEN {text_score} ELSE {GROUP_SCALE - 1} END AS INTEGER) AS score "
           f"FROM course_terms WHERE term IN ({', '.join(':' + names[t] for t in factor)}) GROUP BY course_id")
    if not relaxed and oks:
        sql += " HAVING " + " AND ".join(f"({ok}) = 1" for ok in oks)
    return sql_text(sql).bindparams(**params).columns(course_id=Integer, score=Integer)


def prune_common(plan: Plan) -> list[Group]:
    """The plan's groups without those whose every term is in more than ``COMMON_SHARE`` of the
    courses, when some other required group remains (a query of common words only keeps them), in a
    catalog of at least ``COMMON_MIN_COURSES``. Strict and relaxed searches alike (the postings
    engine prunes strict ones only)."""
    n = plan.courses or 0

    def common(group: Group) -> bool:
        return n >= COMMON_MIN_COURSES and all(plan.df.get(t, 0) > COMMON_SHARE * n for a in group.alternatives for t in a.terms)

    kept = [g for g in plan.groups if not common(g)]
    return kept if any(g.required for g in kept) else plan.groups
