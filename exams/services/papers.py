"""Papers (试卷): a blueprint drawn at random per candidate from a stored seed, or a fixed list."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.errors import Invalid, NotFound
from exams.models import CertificateType, ComponentKind, ExamPaper, Question, QuestionKind

CHOICE = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


@dataclass(frozen=True)
class DrawnQuestion:
    question_id: int
    points: int
    option_order: list[int]   # shown option i is the question's original option option_order[i]


def _pool(session: Session, type_id: int, row: dict):
    stmt = select(Question.id).where(Question.certificate_type_id == type_id, Question.is_active.is_(True),
                                     Question.kind == row["kind"])
    if row.get("knowledge_point"):
        stmt = stmt.where(Question.knowledge_point == row["knowledge_point"])
    if row.get("difficulty"):
        stmt = stmt.where(Question.difficulty == int(row["difficulty"]))
    return stmt


def _describe(row: dict) -> str:
    parts = [row["kind"]]
    if row.get("knowledge_point"):
        parts.append(row["knowledge_point"])
    if row.get("difficulty"):
        parts.append(f"difficulty {row['difficulty']}")
    return " / ".join(parts)


def check_blueprint(session: Session, type_id: int, blueprint: list[dict]) -> int:
    """The paper's total points; refuses a blueprint the bank cannot satisfy, saying which row. Raises Invalid."""
    if not blueprint:
        raise Invalid(_("A blueprint needs at least one row."), field="blueprint")
    total = 0
    for index, row in enumerate(blueprint, start=1):
        if row.get("kind") not in set(QuestionKind):
            raise Invalid(_("Row %(n)s: unknown question type.", n=index), field="blueprint")
        count, points = int(row.get("count") or 0), int(row.get("points") or 0)
        if count <= 0 or points <= 0:
            raise Invalid(_("Row %(n)s: count and points must be positive.", n=index), field="blueprint")
        available = session.scalar(select(func.count()).select_from(_pool(session, type_id, row).subquery()))
        if available < count:
            raise Invalid(_("Row %(n)s (%(what)s) asks for %(count)s questions but the bank has only %(available)s.",
                            n=index, what=_describe(row), count=count, available=available), field="blueprint",
                          code="blueprint_unsatisfiable")
        total += count * points
    # The same question may not be drawn twice by overlapping rows.
    return total


def create_paper(session: Session, *, actor: User, type_id: int, component_kind: str, title: str,
                 blueprint: list[dict] | None = None, fixed_questions: list[dict] | None = None,
                 shuffle_options: bool = True, now: datetime) -> ExamPaper:
    """A blueprint paper (checked against the bank) or a fixed one. Raises NotFound, Invalid."""
    ctype = session.get(CertificateType, type_id)
    if ctype is None:
        raise NotFound(_("No such certificate type."))
    if component_kind not in set(ComponentKind) or ctype.component(component_kind) is None:
        raise Invalid(_("This type has no such component."), field="component_kind")
    if not (title or "").strip():
        raise Invalid(_("A title is required."), field="title")
    blueprint = [{"kind": r["kind"], "knowledge_point": r.get("knowledge_point") or "",
                  "difficulty": int(r.get("difficulty") or 0), "count": int(r.get("count") or 0),
                  "points": int(r.get("points") or 0)} for r in blueprint or []]
    fixed = [{"question_id": int(r["question_id"]), "points": int(r["points"])} for r in fixed_questions or []]
    if fixed:
        ids = [r["question_id"] for r in fixed]
        found = set(session.scalars(select(Question.id).where(Question.id.in_(ids),
                                                              Question.certificate_type_id == type_id)))
        if len(set(ids)) != len(ids) or found != set(ids) or any(r["points"] <= 0 for r in fixed):
            raise Invalid(_("A fixed paper lists distinct questions of this type's bank with positive points."),
                          field="fixed_questions")
        blueprint = []
    else:
        check_blueprint(session, type_id, blueprint)
    paper = ExamPaper(certificate_type_id=type_id, component_kind=component_kind, title=title.strip(),
                      blueprint=blueprint, fixed_questions=fixed, shuffle_options=shuffle_options, created_at=now)
    session.add(paper)
    session.flush()
    return paper


def paper_points(paper: ExamPaper) -> int:
    if paper.is_fixed:
        return sum(r["points"] for r in paper.fixed_questions)
    return sum(r["count"] * r["points"] for r in paper.blueprint)


def draw_paper(session: Session, paper: ExamPaper, seed: int) -> list[DrawnQuestion]:
    """The candidate's questions for ``seed``: the same seed and bank give the same paper. Raises Invalid."""
    rng = random.Random(seed)
    if paper.is_fixed:
        chosen = [(r["question_id"], r["points"]) for r in paper.fixed_questions]
    else:
        chosen, taken = [], set()
        for index, row in enumerate(paper.blueprint, start=1):
            pool = [i for i in session.scalars(_pool(session, paper.certificate_type_id, row).order_by(Question.id))
                    if i not in taken]
            if len(pool) < row["count"]:
                raise Invalid(_("Row %(n)s (%(what)s) asks for %(count)s questions but the bank has only "
                                "%(available)s.", n=index, what=_describe(row), count=row["count"],
                                available=len(pool)), field="blueprint", code="blueprint_unsatisfiable")
            picked = rng.sample(pool, row["count"])
            taken.update(picked)
            chosen.extend((qid, row["points"]) for qid in picked)
    options = dict(session.execute(select(Question.id, Question.options).where(
        Question.id.in_([qid for qid, _points in chosen]))).all())
    drawn = []
    for qid, points in chosen:
        order = list(range(len(options.get(qid) or [])))
        if paper.shuffle_options and len(order) > 1:
            rng.shuffle(order)
        drawn.append(DrawnQuestion(qid, points, order))
    return drawn
