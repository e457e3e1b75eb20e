"""Reads of the union's dashboard: sums over the summary table only (never the source rows)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from records.models import StatCell, StatRebuild, Target
from records.services.stats import DIMENSIONS

HEADLINE = ("trained", "enrolled", "hours", "certificates_issued", "exams_sat", "exams_passed", "subsidy",
            "orders_trained")


@dataclass
class Period:
    start: date     # first month (first day)
    end: date       # last month (first day), inclusive

    @classmethod
    def year_of(cls, day: date) -> Period:
        return cls(date(day.year, 1, 1), date(day.year, 12, 1))


def pass_rate(values: dict[str, int]) -> float | None:
    sat = values.get("exams_sat", 0)
    return round(100 * values.get("exams_passed", 0) / sat, 1) if sat else None


def totals(session: Session, period: Period) -> dict[str, int]:
    rows = session.execute(select(StatCell.metric, func.sum(StatCell.value))
                           .where(StatCell.dimension == "", StatCell.month.between(period.start, period.end))
                           .group_by(StatCell.metric))
    return {metric: int(value or 0) for metric, value in rows}


def monthly(session: Session, period: Period, metric: str) -> list[tuple[date, int]]:
    """The metric per month of the period (months without data are 0)."""
    rows = dict(session.execute(select(StatCell.month, func.sum(StatCell.value))
                                .where(StatCell.dimension == "", StatCell.metric == metric,
                                       StatCell.month.between(period.start, period.end))
                                .group_by(StatCell.month)).all())
    months, day = [], period.start
    while day <= period.end:
        months.append((day, int(rows.get(day, 0) or 0)))
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return months


@dataclass
class BreakdownRow:
    key: str
    values: dict[str, int]

    @property
    def pass_rate(self) -> float | None:
        return pass_rate(self.values)


def breakdown(session: Session, period: Period, dimension: str, *, limit: int = 50) -> list[BreakdownRow]:
    """The headline metrics per value of one breakdown, the biggest first."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    column = getattr(StatCell, dimension)
    rows = session.execute(select(column, StatCell.metric, func.sum(StatCell.value))
                           .where(StatCell.dimension == dimension, StatCell.month.between(period.start, period.end))
                           .group_by(column, StatCell.metric))
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for key, metric, value in rows:
        table[key or ""][metric] = int(value or 0)
    ordered = sorted(table.items(), key=lambda kv: (-kv[1].get("trained", 0), -kv[1].get("enrolled", 0), kv[0]))
    return [BreakdownRow(key=k, values=v) for k, v in ordered[:limit]]


@dataclass
class TargetProgress:
    target: Target
    done: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.target.goal)) if self.target.goal else 0


def list_targets(session: Session) -> list[TargetProgress]:
    """Every target with its progress (one grouped statement per target; targets are few)."""
    out = []
    for target in session.scalars(select(Target).order_by(Target.ends_on.desc(), Target.id)):
        stmt = select(func.sum(StatCell.value)).where(
            StatCell.dimension == target.dimension, StatCell.metric == target.metric,
            StatCell.month.between(target.starts_on.replace(day=1), target.ends_on))
        if target.dimension:
            stmt = stmt.where(getattr(StatCell, target.dimension) == target.value)
        out.append(TargetProgress(target=target, done=int(session.scalar(stmt) or 0)))
    return out


def last_rebuild(session: Session) -> StatRebuild | None:
    return session.scalar(select(StatRebuild).order_by(StatRebuild.id.desc()).limit(1))
