"""Lessons of a class: safe rich text, video links, uploaded files; managed by the class's teachers."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

import nh3
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.db import after_commit
from app.errors import Forbidden, Invalid, NotFound
from courses.models import (
    Enrollment,
    EnrollmentStatus,
    Lesson,
    LessonKind,
    TrainingClass,
)
from courses.permissions import can_teach_class
from courses.queries.learning import (
    get_learning_enrollment,
)
from courses.services.learning.progress import evaluate_completion

MAX_LESSON_FILE_BYTES = 50 * 1024 * 1024


# Rich text of lessons: formatting, lists, tables, links and images; nothing that runs.
ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "mark",
    "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "code", "a", "img", "figure", "figcaption",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "span", "div",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
                      "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}


def sanitize_html(raw: str) -> str:
    """Safe rich text: scripts, event handlers, styles and javascript: links are removed."""
    return nh3.clean(raw or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow").strip()


def check_video_url(url: str | None) -> str:
    """An absolute http(s) URL, or Invalid (``bad_video_url``)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or len(url) > 500 or any(
            c.isspace() for c in url):
        raise Invalid(_("Enter a video link starting with http:// or https://."), code="bad_video_url",
                      field="video_url")
    return url


# --- lessons ------------------------------------------------------------------------------

@dataclass
class Upload:
    """A file handed in by an edge: the name the user gave it and a readable stream."""

    filename: str
    stream: BinaryIO


def get_class_for_teacher(session: Session, *, actor: User, class_id: int) -> TrainingClass:
    """The class if the actor teaches it or administers its provider. Raises NotFound otherwise."""
    training_class = session.get(TrainingClass, class_id)
    if training_class is None or not can_teach_class(actor, training_class):
        raise NotFound(_("No such class."))
    return training_class


def get_lesson_for_teacher(session: Session, *, actor: User, lesson_id: int) -> Lesson:
    """The lesson if the actor teaches its class. Raises NotFound otherwise."""
    lesson = session.get(Lesson, lesson_id)
    if lesson is None or not can_teach_class(actor, lesson.training_class):
        raise NotFound(_("No such lesson."))
    return lesson


def _store_upload(upload: Upload, upload_folder: str, max_bytes: int) -> tuple[str, str]:
    """Write the upload under ``<folder>/lessons/<random>``; returns (stored path, original name)."""
    original = os.path.basename((upload.filename or "").replace("\\", "/")).strip()[:255]
    if not original:
        raise Invalid(_("Choose a file to upload."), code="file_required", field="file")
    folder = Path(upload_folder) / "lessons"
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(original).suffix.lower()[:10]
    stored = secrets.token_hex(16) + (suffix if suffix[1:].isalnum() else "")
    target = folder / stored
    size = 0
    with target.open("wb") as out:
        while chunk := upload.stream.read(1024 * 1024):
            size += len(chunk)
            if size > max_bytes:
                out.close()
                target.unlink(missing_ok=True)
                raise Invalid(_("The file is larger than %(mb)d MB.", mb=max_bytes // (1024 * 1024) or 1),
                              code="file_too_large", field="file")
            out.write(chunk)
    if size == 0:
        target.unlink(missing_ok=True)
        raise Invalid(_("The file is empty."), code="file_empty", field="file")
    return f"lessons/{stored}", original


def _remove_file_after_commit(session: Session, upload_folder: str | None, file_path: str | None) -> None:
    if upload_folder and file_path:
        path = Path(upload_folder) / file_path
        after_commit(session, lambda: path.unlink(missing_ok=True))


def _apply_content(lesson: Lesson, *, kind: LessonKind, body_html: str | None, video_url: str | None) -> None:
    lesson.body_html = sanitize_html(body_html or "")
    if kind == LessonKind.VIDEO:
        lesson.video_url = check_video_url(video_url)
    else:
        lesson.video_url = None
    if kind == LessonKind.TEXT and not lesson.body_html:
        raise Invalid(_("Write the text of the lesson."), code="body_required", field="body_html")


def _check_title_minutes(title: str | None, minutes: int | None) -> tuple[str, int]:
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise Invalid(_("Give the lesson a title (up to 200 characters)."), field="title")
    minutes = minutes or 0
    if not 0 <= minutes <= 10000:
        raise Invalid(_("Minutes must be between 0 and 10000."), field="minutes")
    return title, minutes


def add_lesson(session: Session, *, actor: User, class_id: int, title: str, kind: LessonKind,
               body_html: str | None = None, video_url: str | None = None, minutes: int | None = 0,
               upload: Upload | None = None, upload_folder: str | None = None,
               max_bytes: int = MAX_LESSON_FILE_BYTES) -> Lesson:
    """Add a lesson at the end of the class. Raises NotFound, Invalid (bad_video_url, file_too_large, ...)."""
    training_class = get_class_for_teacher(session, actor=actor, class_id=class_id)
    title, minutes = _check_title_minutes(title, minutes)
    kind = LessonKind(kind)
    lesson = Lesson(class_id=training_class.id, title=title, kind=kind, minutes=minutes)
    _apply_content(lesson, kind=kind, body_html=body_html, video_url=video_url)
    if kind == LessonKind.FILE:
        if upload is None or upload_folder is None:
            raise Invalid(_("Choose a file to upload."), code="file_required", field="file")
        lesson.file_path, lesson.file_name = _store_upload(upload, upload_folder, max_bytes)
    last = session.scalar(select(Lesson.position).where(Lesson.class_id == training_class.id)
                          .order_by(Lesson.position.desc()).limit(1))
    lesson.position = 0 if last is None else last + 1
    session.add(lesson)
    session.flush()
    return lesson


def update_lesson(session: Session, *, actor: User, lesson_id: int, title: str | None = None,
                  body_html: str | None = None, video_url: str | None = None, minutes: int | None = None,
                  upload: Upload | None = None, upload_folder: str | None = None,
                  max_bytes: int = MAX_LESSON_FILE_BYTES) -> Lesson:
    """Change a lesson's title, text, video link or file (``None`` keeps a value). Raises NotFound, Invalid."""
    lesson = get_lesson_for_teacher(session, actor=actor, lesson_id=lesson_id)
    new_title, new_minutes = _check_title_minutes(title if title is not None else lesson.title,
                                                  minutes if minutes is not None else lesson.minutes)
    lesson.title, lesson.minutes = new_title, new_minutes
    _apply_content(lesson, kind=LessonKind(lesson.kind),
                   body_html=body_html if body_html is not None else lesson.body_html,
                   video_url=video_url if video_url is not None else lesson.video_url)
    if upload is not None and lesson.kind == LessonKind.FILE:
        if upload_folder is None:
            raise Invalid(_("Choose a file to upload."), code="file_required", field="file")
        old = lesson.file_path
        lesson.file_path, lesson.file_name = _store_upload(upload, upload_folder, max_bytes)
        _remove_file_after_commit(session, upload_folder, old)
    session.flush()
    return lesson


def delete_lesson(session: Session, *, actor: User, lesson_id: int, now: datetime,
                  upload_folder: str | None = None) -> None:
    """Delete a lesson, its progress records and (after commit) its file. Raises NotFound.

    Learners who had done every other lesson may now meet the class's rule, so completion
    is checked for the class's confirmed enrollments.
    """
    lesson = get_lesson_for_teacher(session, actor=actor, lesson_id=lesson_id)
    class_id = lesson.class_id
    _remove_file_after_commit(session, upload_folder, lesson.file_path)
    session.delete(lesson)
    session.flush()
    for enrollment in session.scalars(select(Enrollment).where(
            Enrollment.class_id == class_id, Enrollment.status == EnrollmentStatus.CONFIRMED)):
        evaluate_completion(session, enrollment=enrollment, now=now)


def reorder_lessons(session: Session, *, actor: User, class_id: int, lesson_ids: list[int]) -> list[Lesson]:
    """Put the class's lessons in the given order (all of them, each once). Raises NotFound, Invalid."""
    get_class_for_teacher(session, actor=actor, class_id=class_id)
    lessons = list(session.scalars(select(Lesson).where(Lesson.class_id == class_id)))
    by_id = {lesson.id: lesson for lesson in lessons}
    if sorted(lesson_ids) != sorted(by_id):
        raise Invalid(_("List every lesson of the class exactly once."), code="bad_order", field="lesson_ids")
    for position, lesson_id in enumerate(lesson_ids):
        by_id[lesson_id].position = position
    session.flush()
    return [by_id[i] for i in lesson_ids]


def move_lesson(session: Session, *, actor: User, lesson_id: int, offset: int) -> Lesson:
    """Move a lesson up (-1) or down (+1) in its class; at either end nothing changes. Raises NotFound."""
    lesson = get_lesson_for_teacher(session, actor=actor, lesson_id=lesson_id)
    ordered = list(session.scalars(select(Lesson.id).where(Lesson.class_id == lesson.class_id)
                                   .order_by(Lesson.position, Lesson.id)))
    index = ordered.index(lesson.id)
    target = index + (1 if offset > 0 else -1)
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
        reorder_lessons(session, actor=actor, class_id=lesson.class_id, lesson_ids=ordered)
    return lesson


# --- seeing lessons as a learner ----------------------------------------------------------

def get_lesson_for_viewer(session: Session, *, actor: User, lesson_id: int) -> tuple[Lesson, Enrollment | None]:
    """The lesson and the actor's learning enrollment (None for teachers).

    Raises NotFound (no lesson), Forbidden ``not_enrolled`` (neither learner nor teacher).
    """
    lesson = session.get(Lesson, lesson_id)
    if lesson is None:
        raise NotFound(_("No such lesson."))
    enrollment = get_learning_enrollment(session, lesson.class_id, actor.id)
    if enrollment is None and not can_teach_class(actor, lesson.training_class):
        raise Forbidden(_("Lessons open once your enrollment in this class is confirmed."), code="not_enrolled")
    return lesson, enrollment


def get_class_for_viewer(session: Session, *, actor: User, class_id: int) -> tuple[TrainingClass, Enrollment | None]:
    """The class and the actor's learning enrollment. Raises NotFound, Forbidden ``not_enrolled``."""
    training_class = session.get(TrainingClass, class_id)
    if training_class is None:
        raise NotFound(_("No such class."))
    enrollment = get_learning_enrollment(session, class_id, actor.id)
    if enrollment is None and not can_teach_class(actor, training_class):
        raise Forbidden(_("Lessons open once your enrollment in this class is confirmed."), code="not_enrolled")
    return training_class, enrollment


def place_lesson(session: Session, *, actor: User, lesson_id: int, position: int) -> Lesson:
    """Move a lesson to the 0-based ``position`` in its class (clamped to the ends). Raises NotFound."""
    lesson = get_lesson_for_teacher(session, actor=actor, lesson_id=lesson_id)
    ordered = [i for i in session.scalars(select(Lesson.id).where(Lesson.class_id == lesson.class_id)
                                          .order_by(Lesson.position, Lesson.id)) if i != lesson.id]
    ordered.insert(max(0, min(position, len(ordered))), lesson.id)
    reorder_lessons(session, actor=actor, class_id=lesson.class_id, lesson_ids=ordered)
    return lesson
