"""Ranking a plan with the database's own full-text machinery (see docs/decisions.md, 2026-11-29:
measured 10-50× faster than aggregating ``course_terms`` postings).

Both engines read ``course_documents`` (a course's pre-segmented terms: title and body), take the
plan's groups as one boolean query — (word OR stem OR synonym OR (part AND part)) AND … — and
return ``(course_id, score)`` with ``score = groups matched × 10⁶ + text score``, so strict
matches rank above relaxed ones and the catalog's keyset cursor keeps working:

- SQLite: the FTS5 table ``course_documents_fts``; the text score is the number of groups found in
  the title, then ``bm25()`` with the title weighing 10 and the body 1; the groups a course
  matches are counted with one FTS look-up per group.
- PostgreSQL: the GIN index on ``array_to_tsvector(string_to_array(body, ' '))`` finds the
  matches; the text score sums, per group, the best alternative's factor for a match in the
  title, times the group's idf (no per-row work on the body: see ``postgresql_sql``).
- Anything else: the ``course_terms`` postings (``courses.search.query.postings_matching``).

The work is bounded (issue 8, second round): a relaxed search takes at most
``RELAXED_PER_GROUP`` candidates per word, and on SQLite a strict one expected to find more than
``RANKED_AT_MOST`` courses is ordered by title matches without ``bm25()``.
"""

from __future__ import annotations

from sqlalchemy import Integer, TextualSelect
from sqlalchemy import text as sql_text

from courses.search.query import GROUP_SCALE, Group, Plan, postings_matching, prune_common

BODY_VECTOR = "array_to_tsvector(string_to_array(body, ' '))"    # the expression of the GIN index
# A title's words, split once per row (the subquery that computes it carries OFFSET 0 so that the
# planner does not fold it in and split the title again for every alternative tested).
TITLE_WORDS = "string_to_array(title, ' ')"
TEXT_SCALE = 1000            # bm25 (≈ 0–30) and the tsvector score to an integer below GROUP_SCALE
TITLE_HIT = 100_000          # SQLite: per group found in the title, above any bm25
RANKED_AT_MOST = 400         # a strict search expected to find more is ranked without per-row text scores
RELAXED_PER_GROUP = 100      # a relaxed search considers at most this many courses per word


def _fts5_group(group: Group) -> str:
    def phrase(term: str) -> str:
        return '"' + term.replace('"', '""') + '"'

    alts = [phrase(a.terms[0]) if len(a.terms) == 1 else "(" + " AND ".join(phrase(t) for t in a.terms) + ")"
            for a in group.alternatives]
    return "(" + " OR ".join(alts) + ")"


def _tsquery_group(group: Group) -> str:
    def lexeme(term: str) -> str:
        return "'" + term.replace("'", "''") + "'"   # normalised terms hold no backslash

    alts = [lexeme(a.terms[0]) if len(a.terms) == 1 else "(" + " & ".join(lexeme(t) for t in a.terms) + ")"
            for a in group.alternatives]
    return "(" + " | ".join(alts) + ")"


def _statement(sql: str, params: dict) -> TextualSelect:
    return sql_text(sql).bindparams(**params).columns(course_id=Integer, score=Integer)


def ranked_groups(plan: Plan, relaxed: bool) -> tuple[list[Group], int]:
    """The groups a search ranks (the required ones, else all) and how many are required.

    Words most courses carry (培训, 服务 in a big catalog) are left out next to rarer ones, in a
    relaxed search too: they would be most of the work and rank next to nothing."""
    groups = prune_common(plan)
    required = [g for g in groups if g.required]
    return (required or groups), len(required)


def estimated_matches(plan: Plan, groups: list[Group]) -> int:
    """At most how many courses a strict search of ``groups`` finds, from the terms' document
    frequencies (``plan.df``, already read for the idf): the rarest group bounds it."""
    def group_size(group: Group) -> int:
        return sum(min((plan.df.get(t, 0) for t in alt.terms), default=0) for alt in group.alternatives)

    return min((group_size(g) for g in groups if g.required), default=0) if groups else 0


def cannot_match_strictly(plan: Plan) -> bool:
    """Whether a strict search of ``plan`` must come back empty: one of its required words is in
    no course at all (by the document frequencies the plan read), so the relaxed search can run
    at once (random word pairs often hold such a word: 周末班, 实操训练)."""
    groups, _required = ranked_groups(plan, relaxed=False)
    return bool(plan.df) and estimated_matches(plan, groups) == 0


def _fts5_alt(alt) -> str:
    return _fts5_group(Group(word="", required=True, alternatives=[alt]))


def _greatest(values: list[str], function: str) -> str:
    return values[0] if len(values) == 1 else f"{function}({', '.join(values)})"


def group_weights(plan: Plan, groups: list[Group]) -> list[float]:
    """Each group's weight: the largest idf of its terms (a rare word matters more)."""
    return [max((plan.idf.get(t, 1.0) for a in g.alternatives for t in a.terms), default=1.0) for g in groups]


def sqlite_sql(plan: Plan, *, relaxed: bool = False) -> tuple[str, dict]:
    """SQL text and values of ``(course_id, score)`` on FTS5 (see the module docstring)."""
    groups, required = ranked_groups(plan, relaxed)
    exprs = [_fts5_group(g) for g in groups]
    params: dict = {}

    def found(column: str, name: str, query: str) -> str:
        # One FTS look-up (evaluated once per statement): is this course among those it matches?
        params[name] = query
        return f"({column} IN (SELECT rowid FROM course_documents_fts WHERE course_documents_fts MATCH :{name}))"  # noqa: S608

    def titles(column: str) -> str:
        # Per group, the best alternative found in the title (the word itself beats a stem or a synonym).
        return " + ".join(
            _greatest([f"{found(column, f'h{n}_{k}', 'title : ' + _fts5_alt(alt))} * {alt.factor:.3f}"
                       for k, alt in enumerate(group.alternatives)], "MAX") for n, group in enumerate(groups))

    if not relaxed:
        params["q"] = " AND ".join(exprs)
        text_score = f"({titles('rowid')}) * {TITLE_HIT}"
        if estimated_matches(plan, groups) <= RANKED_AT_MOST:
            # Then bm25 (whose idf says little in a small catalog); for many matches it would be
            # most of the cost (a few µs a row), and the title already says which come first.
            text_score += f" + MIN(-bm25(course_documents_fts, 10.0, 1.0) * {TEXT_SCALE}, {TITLE_HIT - 1})"
        return (f"SELECT rowid AS course_id, CAST({required} * {GROUP_SCALE} + MIN({text_score}, {GROUP_SCALE - 1}) "  # noqa: S608
                "AS INTEGER) AS score FROM course_documents_fts WHERE course_documents_fts MATCH :q", params)
    # Relaxed: the candidates are at most RELAXED_PER_GROUP courses per word (all of a rare
    # word's), scored by the words they match, those in the title and the words' idf.
    candidates = " UNION ".join(
        f"SELECT id FROM (SELECT rowid AS id FROM course_documents_fts WHERE course_documents_fts MATCH :c{n} "  # noqa: S608
        f"LIMIT {RELAXED_PER_GROUP})" for n in range(len(groups)))
    params.update({f"c{n}": expr for n, expr in enumerate(exprs)})
    held = [found("r.id", f"g{n}", expr) for n, expr in enumerate(exprs)]
    matched = " + ".join(held)
    rare = " + ".join(f"{h} * {w * TEXT_SCALE / 10:.0f}" for h, w in zip(held, group_weights(plan, groups), strict=True))
    return (f"SELECT r.id AS course_id, CAST(({matched}) * {GROUP_SCALE} + MIN(({titles('r.id')}) * {TITLE_HIT} "  # noqa: S608
            f"+ {rare}, {GROUP_SCALE - 1}) AS INTEGER) AS score FROM ({candidates}) AS r", params)


def postgresql_sql(plan: Plan, *, relaxed: bool = False) -> tuple[str, dict]:
    """SQL text and values of ``(course_id, score)`` on the tsvector GIN index (see the module docstring)."""
    groups, required = ranked_groups(plan, relaxed)
    exprs = [_tsquery_group(g) for g in groups]
    weights = group_weights(plan, groups)
    params: dict = {}
    # No per-row text work beyond the title: splitting a document's body into words (or building
    # its tsvector) costs tens of µs a row, most of a search's time. A title match is the
    # title's words containing the alternative's; a body match is the GIN index's answer for
    # the group (every strict match has each group in its body).
    def in_title(n: int, k: int, alt) -> str:
        params[f"t{n}_{k}"] = list(alt.terms)
        return f"d.t @> CAST(:t{n}_{k} AS text[])"

    titles = " + ".join(
        _greatest([f"(CASE WHEN {in_title(n, k, alt)} THEN {alt.factor * 10:.3f} ELSE 0 END)"
                   for k, alt in enumerate(group.alternatives)], "GREATEST") + f" * {weights[n] * TEXT_SCALE / 10:.3f}"
        for n, group in enumerate(groups))
    if not relaxed:
        params["q"] = " & ".join(exprs)
        return (f"SELECT d.course_id, CAST({required} * {GROUP_SCALE} + LEAST({titles}, {GROUP_SCALE - 1}) "  # noqa: S608
                f"AS INTEGER) AS score FROM (SELECT course_id, {TITLE_WORDS} AS t FROM course_documents "
                f"WHERE {BODY_VECTOR} @@ CAST(:q AS tsquery) OFFSET 0) AS d", params)
    # Each word's matches once, from the GIN index (MATERIALIZED: with a LIMIT beside it the
    # planner would rather scan every document, computing its vector); the candidates are the
    # first RELAXED_PER_GROUP of each, and a candidate's words are looked up in the same sets.
    params.update({f"g{n}": expr for n, expr in enumerate(exprs)})
    sets = ", ".join(f"w{n} AS MATERIALIZED (SELECT course_id FROM course_documents "  # noqa: S608
                     f"WHERE {BODY_VECTOR} @@ CAST(:g{n} AS tsquery))" for n in range(len(groups)))
    candidates = " UNION ".join(f"(SELECT course_id FROM w{n} LIMIT {RELAXED_PER_GROUP})"  # noqa: S608
                                for n in range(len(groups)))
    held = [f"(d.course_id IN (SELECT course_id FROM w{n}))::int" for n in range(len(groups))]  # noqa: S608
    rare = " + ".join(f"{h} * {w * TEXT_SCALE / 10:.3f}" for h, w in zip(held, weights, strict=True))
    return (f"WITH {sets} SELECT d.course_id, CAST(({' + '.join(held)}) * {GROUP_SCALE} + LEAST({titles} + {rare}, "  # noqa: S608
            f"{GROUP_SCALE - 1}) AS INTEGER) AS score FROM (SELECT course_id, {TITLE_WORDS} AS t "
            f"FROM course_documents WHERE course_id IN ({candidates}) OFFSET 0) AS d", params)


def matching_sql(plan: Plan, *, relaxed: bool = False, dialect: str = "") -> tuple[str, dict]:
    """SQL text and bound values of ``(course_id, score)`` for ``plan`` on this database, to be
    joined into a larger statement (the catalog's page)."""
    if dialect == "sqlite":
        return sqlite_sql(plan, relaxed=relaxed)
    if dialect == "postgresql":
        return postgresql_sql(plan, relaxed=relaxed)
    statement = postings_matching(plan, relaxed=relaxed)
    return statement.element.text, {k: v.value for k, v in statement.element._bindparams.items()}


def matching_courses(plan: Plan, *, relaxed: bool = False, dialect: str = "") -> TextualSelect:
    """``(course_id, score)`` of the courses matching ``plan`` on this database (see the module docstring)."""
    return _statement(*matching_sql(plan, relaxed=relaxed, dialect=dialect))
