"""Images of questions: upload (PNG/JPEG/WebP checked by magic bytes, like course covers) and who
may see one — the candidate whose paper holds the question, the examiners who grade it, union admins."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import User
from app.errors import Forbidden, Invalid, NotFound
from courses.services.shelf import detect_image_type
from exams.models import Answer, Attempt, Question, SessionStaff, StaffRole
from instructors.queries.examiners import conflict_map

IMAGE_MAX_BYTES = 2 * 1024 * 1024
IMAGE_NAME = re.compile(r"^[A-Za-z0-9_-]{16,64}\.(png|jpg|webp)$")
FOLDER = "exam-images"


def set_question_image(session: Session, *, actor: User, question_id: int, content: bytes, upload_folder: str,
                       now: datetime) -> Question:
    """Store a question's image (≤ 2 MB, PNG/JPEG/WebP by magic bytes). Raises Forbidden, NotFound,
    Invalid (``image_too_large``, ``bad_image``)."""
    if not actor.has_role(Role.UNION_ADMIN):
        raise Forbidden(_("Only union admins edit the question bank."))
    question = session.get(Question, question_id)
    if question is None:
        raise NotFound(_("No such question."))
    if len(content) > IMAGE_MAX_BYTES:
        raise Invalid(_("A question's image may be at most 2 MB."), code="image_too_large", field="image")
    ext = detect_image_type(content)
    if ext is None:
        raise Invalid(_("The image must be a PNG, JPEG or WebP file."), code="bad_image", field="image")
    folder = Path(upload_folder) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(18)}.{ext}"
    (folder / name).write_bytes(content)
    question.image = name
    session.flush()
    return question


def image_file(upload_folder: str, name: str | None) -> Path | None:
    """The stored file of an image name, or None for anything that is not one."""
    if not IMAGE_NAME.fullmatch(name or ""):
        return None
    path = Path(upload_folder) / FOLDER / name
    return path if path.is_file() else None


def may_see_question(session: Session, *, user: User, question_id: int) -> bool:
    """Union admins; a candidate whose drawn paper holds the question (during and after the attempt);
    an examiner of a session where it was answered by a candidate they may mark (independence kept)."""
    if user.has_role(Role.UNION_ADMIN):
        return True
    mine = session.scalar(select(exists().where(Answer.question_id == question_id, Answer.attempt_id == Attempt.id,
                                                Attempt.user_id == user.id)))
    if mine:
        return True
    if not user.has_role(Role.INSTRUCTOR):
        return False
    candidates = set(session.scalars(
        select(Attempt.user_id).join(Answer, Answer.attempt_id == Attempt.id)
        .join(SessionStaff, SessionStaff.exam_session_id == Attempt.exam_session_id)
        .where(Answer.question_id == question_id, SessionStaff.user_id == user.id,
               SessionStaff.role == StaffRole.EXAMINER).distinct()))
    if not candidates:
        return False
    conflicts = conflict_map(session, [user.id], candidates)
    return any(not conflicts.get((user.id, c)) for c in candidates)
