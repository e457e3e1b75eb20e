"""The question bank (题库): questions one by one, and import/export of the layout Chinese exam
banks use: 题型, 题干, 选项A–F, 答案, 解析, 难度, 知识点 (XLSX or CSV), with a per-row report."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.errors import Invalid, NotFound
from exams.models import CertificateType, Question, QuestionKind

LETTERS = "ABCDEF"
HEADERS = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "答案", "解析", "难度", "知识点"]
KIND_NAMES = {
    "单选题": QuestionKind.SINGLE, "单选": QuestionKind.SINGLE, "多选题": QuestionKind.MULTIPLE,
    "多选": QuestionKind.MULTIPLE, "判断题": QuestionKind.TRUE_FALSE, "判断": QuestionKind.TRUE_FALSE,
    "填空题": QuestionKind.FILL, "填空": QuestionKind.FILL, "简答题": QuestionKind.SHORT, "简答": QuestionKind.SHORT,
    "实操题": QuestionKind.PRACTICAL, "实操": QuestionKind.PRACTICAL,
}
KIND_TITLES = {QuestionKind.SINGLE: "单选题", QuestionKind.MULTIPLE: "多选题", QuestionKind.TRUE_FALSE: "判断题",
               QuestionKind.FILL: "填空题", QuestionKind.SHORT: "简答题", QuestionKind.PRACTICAL: "实操题"}
TRUE_WORDS, FALSE_WORDS = {"T", "正确", "对", "√", "是", "TRUE", "Y"}, {"F", "错误", "错", "×", "否", "FALSE", "N"}
DIFFICULTY = {"易": 1, "容易": 1, "简单": 1, "中": 2, "中等": 2, "一般": 2, "难": 3, "困难": 3, "较难": 3}
DIFFICULTY_TITLES = {1: "易", 2: "中", 3: "难"}
MAX_IMPORT_ROWS = 20000
BATCH = 1000


@dataclass
class ImportReport:
    added: int = 0
    rejected: int = 0
    rows: list[dict] = field(default_factory=list)   # {"row", "status": "added"|"rejected", "message"}


def parse_question(values: dict) -> dict:
    """Validate one question's fields; returns the column values. Raises Invalid (with the field)."""
    kind = values.get("kind")
    if kind not in set(QuestionKind):
        raise Invalid(_("Unknown question type."), field="kind")
    stem = (values.get("stem") or "").strip()
    if not stem:
        raise Invalid(_("The question text is empty."), field="stem")
    options = [str(o).strip() for o in values.get("options") or [] if str(o or "").strip()]
    answer = [str(a).strip() for a in values.get("answer") or [] if str(a or "").strip()]
    rubric = values.get("rubric") or []
    difficulty = int(values.get("difficulty") or 2)
    if difficulty not in (1, 2, 3):
        raise Invalid(_("Difficulty is 1 (easy), 2 (medium) or 3 (hard)."), field="difficulty")
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(options) < 2:
            raise Invalid(_("A choice question needs at least two options."), field="options")
        letters = LETTERS[:len(options)]
        if not answer or any(a not in letters for a in answer):
            raise Invalid(_("The answer must be among the options' letters (%(letters)s).", letters=letters),
                          field="answer")
        if kind == QuestionKind.SINGLE and len(answer) != 1:
            raise Invalid(_("A single-choice question has exactly one answer."), field="answer")
        if kind == QuestionKind.MULTIPLE and len(answer) < 2:
            raise Invalid(_("A multiple-choice question has at least two answers."), field="answer")
        answer = sorted(set(answer))
    elif kind == QuestionKind.TRUE_FALSE:
        options = []
        if answer not in (["T"], ["F"]):
            raise Invalid(_("A true/false answer is T or F."), field="answer")
    elif kind == QuestionKind.FILL:
        options = []
        if not answer:
            raise Invalid(_("A fill-in question needs its accepted answers."), field="answer")
    elif kind == QuestionKind.PRACTICAL:
        options, answer = [], []
        if not rubric or any(int(item.get("points", 0)) <= 0 or not item.get("item") for item in rubric):
            raise Invalid(_("A practical task needs rubric items with positive points."), field="rubric")
        rubric = [{"item": str(item["item"]).strip(), "points": int(item["points"])} for item in rubric]
    else:   # short answer: reference answer optional
        options = []
    return {"kind": kind, "stem": stem, "options": options, "answer": answer, "rubric": rubric,
            "explanation": (values.get("explanation") or "").strip(), "difficulty": difficulty,
            "knowledge_point": (values.get("knowledge_point") or "").strip()[:100],
            "image": values.get("image") or None}


def create_question(session: Session, *, actor: User, type_id: int, values: dict, now: datetime) -> Question:
    """Add one question to a type's bank. Raises NotFound, Invalid."""
    if session.get(CertificateType, type_id) is None:
        raise NotFound(_("No such certificate type."))
    question = Question(certificate_type_id=type_id, created_at=now, **parse_question(values))
    session.add(question)
    session.flush()
    return question


def update_question(session: Session, *, actor: User, question_id: int, values: dict) -> Question:
    """Change a question (papers already drawn keep their question ids). Raises NotFound, Invalid."""
    question = session.get(Question, question_id)
    if question is None:
        raise NotFound(_("No such question."))
    for name, value in parse_question(values).items():
        setattr(question, name, value)
    question.is_active = bool(values.get("is_active", True))
    session.flush()
    return question


# --- import / export --------------------------------------------------------------------------------

def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[；;\n]", text) if part.strip()]


def row_to_values(row: dict) -> dict:
    """One sheet row (header → cell text) as question values. Raises Invalid."""
    kind_name = (row.get("题型") or "").strip()
    kind = KIND_NAMES.get(kind_name)
    if kind is None:
        raise Invalid(_("Unknown question type %(name)s.", name=kind_name or "—"), field="题型")
    raw_answer = (row.get("答案") or "").strip()
    options = [row.get(f"选项{letter}") or "" for letter in LETTERS]
    while options and not str(options[-1]).strip():
        options.pop()
    rubric: list[dict] = []
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        answer = [c for c in raw_answer.upper() if c.isalpha()]
    elif kind == QuestionKind.TRUE_FALSE:
        word = raw_answer.upper()
        answer = ["T"] if word in TRUE_WORDS else ["F"] if word in FALSE_WORDS else [raw_answer]
    elif kind == QuestionKind.FILL:
        answer = _split(raw_answer)
    elif kind == QuestionKind.PRACTICAL:
        answer = []
        for part in _split(raw_answer):
            item, _sep, points = part.rpartition(":") if ":" in part else part.rpartition("：")
            if not item or not points.strip().isdigit():
                raise Invalid(_("Rubric items are written as 项目:分值；项目:分值."), field="答案")
            rubric.append({"item": item.strip(), "points": int(points)})
    else:
        answer = [raw_answer] if raw_answer else []
    difficulty_text = str(row.get("难度") or "中").strip()
    difficulty = DIFFICULTY.get(difficulty_text) or (int(difficulty_text) if difficulty_text.isdigit() else 0)
    return {"kind": kind, "stem": row.get("题干") or "", "options": options, "answer": answer, "rubric": rubric,
            "explanation": row.get("解析") or "", "difficulty": difficulty,
            "knowledge_point": row.get("知识点") or ""}


def read_rows(filename: str, data: bytes) -> list[dict]:
    """The rows of an uploaded XLSX or CSV as header → text. Raises Invalid."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception:   # openpyxl raises many kinds for a damaged file
            raise Invalid(_("This is not a readable XLSX file."), field="file") from None
        rows = sheet.iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(rows, ())]
        table = [["" if v is None else str(v) for v in r] for r in rows]
    elif name.endswith(".csv"):
        text = data.decode("utf-8-sig", errors="replace")
        reader = csv.reader(io.StringIO(text))
        header = [h.strip() for h in next(reader, [])]
        table = list(reader)
    else:
        raise Invalid(_("Upload an .xlsx or .csv file."), field="file")
    if "题型" not in header or "题干" not in header:
        raise Invalid(_("The first row must hold the headers 题型, 题干, 选项A–F, 答案, 解析, 难度, 知识点."), field="file")
    if len(table) > MAX_IMPORT_ROWS:
        raise Invalid(_("At most %(n)s rows per file.", n=MAX_IMPORT_ROWS), field="file")
    return [dict(zip(header, r, strict=False)) for r in table if any(str(v).strip() for v in r)]


def import_questions(session: Session, *, actor: User, type_id: int, filename: str, data: bytes,
                     now: datetime) -> ImportReport:
    """Import a bank file: valid rows are added in batches, each rejected row reported with its reason.
    Raises NotFound, Invalid (unreadable file)."""
    if session.get(CertificateType, type_id) is None:
        raise NotFound(_("No such certificate type."))
    report = ImportReport()
    pending: list[dict] = []
    for number, row in enumerate(read_rows(filename, data), start=2):
        try:
            values = parse_question(row_to_values(row))
        except Invalid as exc:
            report.rejected += 1
            report.rows.append({"row": number, "status": "rejected", "message": exc.message, "field": exc.field})
            continue
        pending.append({**values, "certificate_type_id": type_id, "created_at": now, "is_active": True})
        report.added += 1
        report.rows.append({"row": number, "status": "added", "message": "", "field": None})
    for start in range(0, len(pending), BATCH):
        session.execute(insert(Question), pending[start:start + BATCH])
    session.flush()
    return report


def question_row(q: Question) -> list[str]:
    options = list(q.options) + [""] * (6 - len(q.options))
    if q.kind == QuestionKind.TRUE_FALSE:
        answer = "正确" if q.answer == ["T"] else "错误"
    elif q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        answer = "".join(q.answer)
    elif q.kind == QuestionKind.PRACTICAL:
        answer = "；".join(f"{r['item']}:{r['points']}" for r in q.rubric)
    else:
        answer = "；".join(q.answer)
    return [KIND_TITLES[q.kind], q.stem, *options[:6], answer, q.explanation,
            DIFFICULTY_TITLES.get(q.difficulty, "中"), q.knowledge_point]


def export_questions(session: Session, *, type_id: int, fmt: str) -> bytes:
    """The type's active bank in the import layout (XLSX or CSV): a file that imports back unchanged."""
    questions = session.scalars(select(Question).where(Question.certificate_type_id == type_id,
                                                       Question.is_active.is_(True)).order_by(Question.id))
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for q in questions:
            writer.writerow(question_row(q))
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("题库")
    sheet.append(HEADERS)
    for q in questions:
        sheet.append(question_row(q))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
