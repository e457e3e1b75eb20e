"""The question bank: import (XLSX/CSV, Chinese layout, per-row report, 5,000 rows in seconds),
export that imports back unchanged, and the demo bank."""

from __future__ import annotations

import csv
import io
import time

from openpyxl import Workbook
from sqlalchemy import func, select

from exams.demo_bank import low_voltage_bank
from exams.models import ExamPaper, ExamSession, Question
from exams.services import bank
from tests.conftest import post_form, sign_in
from tests.exams.conftest import NOW

HEADERS = bank.HEADERS


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _row(kind, stem, options=(), answer="", explanation="", difficulty="中", kp="安全用电") -> list[str]:
    opts = list(options) + [""] * (6 - len(options))
    return [kind, stem, *opts, answer, explanation, difficulty, kp]


def test_csv_import_reports_each_row(db, special_ops, union_admin):
    data = _csv([
        _row("单选题", "兆欧表用于测量（ ）。", ["电流", "绝缘电阻", "电压"], "B", "兆欧表测绝缘电阻。", "易", "电工仪表"),
        _row("多选题", "安全技术措施包括（ ）。", ["停电", "验电", "工作票"], "AB", "", "中"),
        _row("判断题", "湿手可以操作开关。", [], "错误"),
        _row("填空题", "人身防护用漏电保护器动作电流不大于____mA。", [], "30", "", "2"),
        _row("简答题", "简述停电检修的安全技术措施。", [], "停电、验电、装设接地线、悬挂标示牌"),
        _row("实操题", "单相电能表接线", [], "接线正确:60；安全文明:40"),
        _row("单选题", "", ["甲", "乙"], "A"),
        _row("单选题", "答案越界", ["甲", "乙"], "D"),
        _row("论述题", "不支持的题型", [], "x"),
        _row("判断题", "无效判断", [], "也许"),
        _row("实操题", "无评分项", [], "接线正确"),
    ])
    report = bank.import_questions(db, actor=union_admin, type_id=special_ops.id, filename="题库.csv", data=data,
                                   now=NOW)
    assert (report.added, report.rejected) == (6, 5)
    rejected = {r["row"]: r for r in report.rows if r["status"] == "rejected"}
    assert sorted(rejected) == [8, 9, 10, 11, 12]
    assert rejected[8]["field"] == "stem" and rejected[10]["field"] == "题型"
    single = db.scalar(select(Question).where(Question.stem == "兆欧表用于测量（ ）。"))
    assert (single.answer, single.difficulty, single.knowledge_point) == (["B"], 1, "电工仪表")
    practical = db.scalar(select(Question).where(Question.kind == "practical"))
    assert practical.rubric == [{"item": "接线正确", "points": 60}, {"item": "安全文明", "points": 40}]
    assert db.scalar(select(Question.answer).where(Question.kind == "true_false")) == ["F"]


def test_export_imports_back_unchanged(db, special_ops, skill_level, union_admin):
    db.execute(Question.__table__.insert(), [{**q, "rubric": q.get("rubric", []), "certificate_type_id": special_ops.id,
                                              "created_at": NOW, "is_active": True} for q in low_voltage_bank()])
    for fmt, name in (("xlsx", "bank.xlsx"), ("csv", "bank.csv")):
        data = bank.export_questions(db, type_id=special_ops.id, fmt=fmt)
        before = db.scalar(select(func.count()).select_from(Question).where(
            Question.certificate_type_id == skill_level.id))
        report = bank.import_questions(db, actor=union_admin, type_id=skill_level.id, filename=name, data=data,
                                       now=NOW)
        assert report.rejected == 0 and report.added == len(low_voltage_bank())
        fields = ("kind", "stem", "options", "answer", "rubric", "explanation", "difficulty", "knowledge_point")
        original = sorted(tuple(str(getattr(q, f)) for f in fields) for q in db.scalars(
            select(Question).where(Question.certificate_type_id == special_ops.id)))
        copied = sorted(tuple(str(getattr(q, f)) for f in fields) for q in db.scalars(
            select(Question).where(Question.certificate_type_id == skill_level.id).offset(before)
            .order_by(Question.id)))
        assert copied == original, fmt
        db.execute(Question.__table__.delete().where(Question.certificate_type_id == skill_level.id))


def test_five_thousand_rows_import_in_seconds(db, special_ops, union_admin):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADERS)
    for i in range(5000):
        sheet.append(_row("单选题", f"第{i}题：低压验电器的测试电压范围为（ ）。", ["60～500V", "1～10kV", "36V以下"], "A",
                          "低压验电笔适用于60～500V。", "中", f"知识点{i % 20}"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    started = time.perf_counter()
    report = bank.import_questions(db, actor=union_admin, type_id=special_ops.id, filename="big.xlsx",
                                   data=buffer.getvalue(), now=NOW)
    elapsed = time.perf_counter() - started
    assert report.added == 5000 and report.rejected == 0
    assert elapsed < 15, elapsed   # batched inserts: typically 2-4 s on the shared 2-core machine


def test_unreadable_files_are_refused(db, special_ops, union_admin):
    import pytest

    from app.errors import Invalid

    for name, data in (("x.xlsx", b"not a zip"), ("x.txt", b"a"), ("x.csv", "名称,内容\n".encode())):
        with pytest.raises(Invalid):
            bank.import_questions(db, actor=union_admin, type_id=special_ops.id, filename=name, data=data, now=NOW)


def test_import_page_shows_the_report(client, db, special_ops, union_admin):
    sign_in(client, union_admin)
    data = _csv([_row("判断题", "PE线上不得装设开关。", [], "正确"), _row("单选题", "缺选项", [], "A")])
    response = post_form(client, f"/exams/admin/types/{special_ops.id}/bank",
                         {"file": (io.BytesIO(data), "bank.csv")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "1 added, 1 rejected" in page


def test_import_api(client, db, special_ops, union_admin, make_user):
    from app.access import Role
    from tests.conftest import bearer

    data = _csv([_row("判断题", "PE线上不得装设开关。", [], "正确")])
    url = f"/api/v1/certificate-types/{special_ops.id}/questions/import"
    response = client.post(url, data={"file": (io.BytesIO(data), "bank.csv")}, headers=bearer(union_admin),
                           content_type="multipart/form-data")
    assert response.status_code == 200 and response.json["added"] == 1
    assert client.post(url, data={}, headers=bearer(union_admin)).status_code == 422
    assert client.post(url, data={"file": (io.BytesIO(data), "bank.csv")}, headers=bearer(make_user(Role.WORKER)),
                       content_type="multipart/form-data").status_code == 403


def test_demo_loads_the_electrician_exams(app, db):
    from app.demo import load_demo

    load_demo(db)
    load_demo(db)   # idempotent
    assert db.scalar(select(func.count()).select_from(Question)) >= 100
    titles = set(db.scalars(select(ExamSession.title)))
    assert {"第一期电工培训班·低压电工作业理论考试", "第一期电工培训班·低压电工作业实操考试"} <= titles
    assert db.scalar(select(func.count()).select_from(ExamSession)) == 2
    assert db.scalar(select(func.count()).select_from(ExamPaper)) == 2


def test_create_question_api(client, db, special_ops, union_admin, make_user):
    from app.access import Role
    from tests.conftest import bearer

    url = f"/api/v1/certificate-types/{special_ops.id}/questions"
    body = {"kind": "multiple", "stem": "保证安全的技术措施包括（ ）。", "options": ["停电", "验电", "工作票"],
            "answer": ["A", "B"], "knowledge_point": "安全用电基础", "explanation": "工作票属于组织措施。"}
    response = client.post(url, json=body, headers=bearer(union_admin))
    assert response.status_code == 201 and response.json["answer"] == ["A", "B"]
    bad = client.post(url, json={**body, "answer": ["A"]}, headers=bearer(union_admin))
    assert (bad.status_code, bad.json["error"]["field"]) == (422, "answer")
    assert client.post(url, json={**body, "nonsense": 1}, headers=bearer(union_admin)).status_code == 422
    task = {"kind": "practical", "stem": "电动机正反转控制线路接线", "rubric": [{"item": "主电路", "points": 50},
                                                                               {"item": "控制电路", "points": 50}]}
    assert client.post(url, json=task, headers=bearer(union_admin)).json["rubric"][1]["points"] == 50
    assert client.post(url, json=body, headers=bearer(make_user(Role.WORKER))).status_code == 403
    assert client.post("/api/v1/certificate-types/987654/questions", json=body,
                       headers=bearer(union_admin)).status_code == 404
