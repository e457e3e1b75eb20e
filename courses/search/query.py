"""A query's plan and how it ranks courses.

A query is cut into words (dictionary entries first, longest match, then jieba's precise
mode). Each word is a *group* of alternatives, any one of which satisfies it: the word itself;
the dictionary words that cover a compound (低压电工 → 低压 + 电工, all needed); the word
without a common ending (茶艺师 → 茶艺); the synonyms of the search dictionary (电焊 → 焊接,
网约车 → 网络预约出租汽车); for Latin and digits, the index's terms that start with it
(office → office2019, and msoffice through its indexed tails). A lone ending (证, 培训) is an
optional group: it adds to the score, it is never required.

A *strict* search keeps the courses that satisfy every ranked group (``ranked_groups``); a
*relaxed* one keeps courses that satisfy any, those satisfying more groups first: ``score =
groups matched × 10⁶ + text score``, so strict matches always rank above relaxed ones. The
text score sums, per group, the best alternative found in the course's title (its factor: the
word itself 1, a synonym or stem a little less) times the group's weight (``group_weights``:
its rarest term's inverse document frequency); a relaxed search adds each matched group's
weight. ``courses.queries.catalog_index`` computes it on the in-memory catalog.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass, field

from courses.search import text
from courses.search.dictionary import Dictionary

GROUP_SCALE = 1_000_000
TEXT_SCALE = 1000           # a weighted title match, to an integer well below GROUP_SCALE
RELAXED_PER_GROUP = 100     # a relaxed search considers at most this many courses per word (and per title)
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


def idf(df: int, n: int) -> float:
    return math.log(1 + (max(n, df) - df + 0.5) / (df + 0.5))


def prune_common(plan: Plan) -> list[Group]:
    """The plan's groups without those whose every term is in more than ``COMMON_SHARE`` of the
    courses, when some other required group remains (a query of common words only keeps them), in a
    catalog of at least ``COMMON_MIN_COURSES``. Strict and relaxed searches alike."""
    n = plan.courses or 0

    def common(group: Group) -> bool:
        return n >= COMMON_MIN_COURSES and all(plan.df.get(t, 0) > COMMON_SHARE * n for a in group.alternatives for t in a.terms)

    kept = [g for g in plan.groups if not common(g)]
    return kept if any(g.required for g in kept) else plan.groups


def ranked_groups(plan: Plan, relaxed: bool) -> tuple[list[Group], int]:
    """The groups a search ranks (the required ones, else all) and how many are required.

    Words most courses carry (培训, 服务 in a big catalog) are left out next to rarer ones, in a
    relaxed search too: they would be most of the work and rank next to nothing."""
    groups = prune_common(plan)
    required = [g for g in groups if g.required]
    return (required or groups), len(required)


def group_weights(plan: Plan, groups: list[Group]) -> list[float]:
    """Each group's weight: the largest idf of its terms (a rare word matters more)."""
    return [max((plan.idf.get(t, 1.0) for a in g.alternatives for t in a.terms), default=1.0) for g in groups]
