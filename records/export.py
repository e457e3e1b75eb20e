"""XLSX exports of the dashboard's tables (openpyxl), from the summary table only."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from app.labels import label
from records.queries import dashboard as dash

COLUMNS = dash.HEADLINE


def _value(metric: str, value: int) -> float | int:
    return value / 100 if metric == "subsidy" else value


def dashboard_workbook(session: Session, *, table: str, period: dash.Period, by: str) -> bytes:
    book = Workbook()
    sheet = book.active
    if table == "breakdown":
        sheet.title = str(label(by, "dimension"))[:31]
        sheet.append([str(label(by, "dimension")), *(str(label(m, "metric")) for m in COLUMNS), "%"])
        for row in dash.breakdown(session, period, by, limit=10_000):
            sheet.append([row.key, *(_value(m, row.values.get(m, 0)) for m in COLUMNS), row.pass_rate])
    elif table == "months":
        sheet.title = "months"
        series = {m: dash.monthly(session, period, m) for m in COLUMNS}
        sheet.append(["month", *(str(label(m, "metric")) for m in COLUMNS)])
        for i, (month, _v) in enumerate(series[COLUMNS[0]]):
            sheet.append([month.strftime("%Y-%m"), *(_value(m, series[m][i][1]) for m in COLUMNS)])
    else:
        sheet.title = "targets"
        sheet.append(["target", "metric", "breakdown", "value", "from", "to", "goal", "done", "%"])
        for t in dash.list_targets(session):
            sheet.append([t.target.title, str(label(t.target.metric, "metric")), t.target.dimension, t.target.value,
                          t.target.starts_on, t.target.ends_on, t.target.goal, t.done, t.percent])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
