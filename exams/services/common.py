"""Helpers shared by the exams services: locking, logging, month arithmetic."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from exams.models import ExamLog


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus ``months`` calendar months (the day clamped to the month's end)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = moment.day
    while True:
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            day -= 1


def lock_user(session: Session, user_id: int) -> None:
    """Serialise one candidate's bookings (a row lock on PostgreSQL; SQLite serialises writers)."""
    session.execute(select(User.id).where(User.id == user_id).with_for_update())


def log(session: Session, *, action: str, actor: User | None, now: datetime, exam_session_id: int | None = None,
        **detail) -> ExamLog:
    entry = ExamLog(exam_session_id=exam_session_id, actor_id=actor.id if actor else None, action=action,
                    detail=detail, created_at=now)
    session.add(entry)
    return entry
