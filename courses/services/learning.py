"""Every write of the learning area: lessons, progress, completion, class days, attendance, check-in.

Completion rule (evaluated whenever a worker's progress or attendance changes):

- every lesson of the class is done, and
- for offline and blended classes, the worker was present on at least
  ``attendance_required_pct`` % of the class days (rounded up);
- an online class with no lessons is never completed automatically: there is nothing to
  show that the worker learned anything (the provider adds lessons first). An offline
  class with no lessons completes on attendance alone.

Completion is final: correcting attendance later does not undo it, and adding lessons to
a class does not re-open completed enrollments. Deleting a lesson re-checks the class's
confirmed enrollments (the deleted lesson may have been the only one missing).
"""

from __future__ import annotations

import hashlib
import math
import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

import nh3
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.models import User
from app.db import after_commit
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.i18n import SHANGHAI
from app.notify import queue_message
from courses.models import (
    Attendance,
    AttendanceMethod,
    ClassDay,
    ClassStatus,
    Enrollment,
    EnrollmentStatus,
    Lesson,
    LessonKind,
    LessonProgress,
    TrainingClass,
)
from courses.permissions import can_teach_class
from courses.queries.learning import (
    LEARNING,
    class_day_count,
    count_done,
    count_lessons,
    count_present,
    get_learning_enrollment,
    local_day,
    meets_in_person,
)

MAX_LESSON_FILE_BYTES = 50 * 1024 * 1024
CHECKIN_SALT = "class-checkin"
CHECKIN_MAX_AGE = timedelta(hours=12)
_CLOCK_SKEW = timedelta(minutes=5)

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


# --- progress and completion --------------------------------------------------------------

@dataclass
class Progress:
    enrollment: Enrollment
    lessons_done: int
    lessons_total: int
    days_present: int
    days_total: int
    completed_now: bool = False

    @property
    def percent(self) -> int:
        return round(100 * self.lessons_done / self.lessons_total) if self.lessons_total else 0


def progress_of(session: Session, enrollment: Enrollment) -> Progress:
    training_class = enrollment.training_class
    return Progress(enrollment=enrollment, lessons_done=count_done(session, enrollment.id),
                    lessons_total=count_lessons(session, training_class.id),
                    days_present=count_present(session, enrollment.id),
                    days_total=class_day_count(training_class))


def required_days(training_class: TrainingClass) -> int:
    """Days of presence the class's rule asks for (rounded up)."""
    return math.ceil(class_day_count(training_class) * training_class.attendance_required_pct / 100)


def evaluate_completion(session: Session, *, enrollment: Enrollment, now: datetime) -> Progress:
    """Complete a confirmed enrollment whose class rule is met and tell the worker (see module doc)."""
    progress = progress_of(session, enrollment)
    if enrollment.status != EnrollmentStatus.CONFIRMED:
        return progress
    training_class = enrollment.training_class
    lessons_ok = progress.lessons_done >= progress.lessons_total
    if meets_in_person(training_class):
        met = lessons_ok and progress.days_present >= required_days(training_class)
    else:
        met = lessons_ok and progress.lessons_total > 0
    if met:
        session.flush()
        # Two requests may both see the rule met (a double click, a scan while the roster is
        # saved); the conditional UPDATE lets exactly one of them complete and notify.
        result = session.execute(
            update(Enrollment).where(Enrollment.id == enrollment.id,
                                     Enrollment.status == EnrollmentStatus.CONFIRMED)
            .values(status=EnrollmentStatus.COMPLETED, completed_at=now)
            .execution_options(synchronize_session=False))
        session.refresh(enrollment, ["status", "completed_at"])
        if result.rowcount != 1:
            return progress
        progress.completed_now = True
        user = session.get(User, enrollment.user_id)
        if user is not None and user.contact:
            queue_message(session, recipient=user.contact,
                          subject=_("You have completed %(title)s", title=training_class.course.title),
                          body=_("Congratulations! You have completed the class %(cls)s of %(title)s.",
                                 cls=training_class.title, title=training_class.course.title))
    return progress


def mark_lesson_done(session: Session, *, actor: User, lesson_id: int, now: datetime) -> Progress:
    """Record that the actor finished a lesson (idempotent) and check completion.

    Raises NotFound, Forbidden ``not_enrolled``.
    """
    lesson = session.get(Lesson, lesson_id)
    if lesson is None:
        raise NotFound(_("No such lesson."))
    enrollment = get_learning_enrollment(session, lesson.class_id, actor.id)
    if enrollment is None:
        raise Forbidden(_("Lessons open once your enrollment in this class is confirmed."), code="not_enrolled")
    exists = session.scalar(select(LessonProgress.id).where(
        LessonProgress.enrollment_id == enrollment.id, LessonProgress.lesson_id == lesson.id))
    if exists is None:
        try:
            # A double click may race us to the same row: the unique constraint decides, and
            # the loser's savepoint is rolled back so it just reads the winner's record.
            with session.begin_nested():
                session.add(LessonProgress(enrollment_id=enrollment.id, lesson_id=lesson.id, completed_at=now))
        except IntegrityError:
            pass
    return evaluate_completion(session, enrollment=enrollment, now=now)


# --- class days and attendance ------------------------------------------------------------

def ensure_class_days(session: Session, training_class: TrainingClass) -> list[ClassDay]:
    """The class's days, one per calendar day starts_on..ends_on, created on first need (idempotent)."""
    if not meets_in_person(training_class):
        return []
    wanted = [training_class.starts_on + timedelta(days=i) for i in range(class_day_count(training_class))]
    existing = {d.day: d for d in session.scalars(select(ClassDay).where(ClassDay.class_id == training_class.id))}
    missing = [day for day in wanted if day not in existing]
    if missing:
        try:
            with session.begin_nested():
                for day in missing:
                    session.add(ClassDay(class_id=training_class.id, day=day,
                                         checkin_secret=secrets.token_urlsafe(24)))
        except IntegrityError:  # created meanwhile by a concurrent request
            pass
        existing = {d.day: d for d in session.scalars(
            select(ClassDay).where(ClassDay.class_id == training_class.id))}
    return [existing[day] for day in wanted if day in existing]


def get_class_day(session: Session, training_class: TrainingClass, day: date) -> ClassDay:
    """The class day on ``day``. Raises Invalid ``no_class_days`` (online) or ``not_a_class_day``."""
    if not meets_in_person(training_class):
        raise Invalid(_("An online class has no class days."), code="no_class_days", field="day")
    for class_day in ensure_class_days(session, training_class):
        if class_day.day == day:
            return class_day
    raise Invalid(_("The class does not meet on %(day)s.", day=day.isoformat()), code="not_a_class_day",
                  field="day")


def _upsert_attendance(session: Session, *, class_day: ClassDay, enrollment: Enrollment, present: bool,
                       method: AttendanceMethod, marked_by: User, now: datetime) -> tuple[Attendance, bool]:
    """Insert or update one mark; returns (mark, changed). Safe against a concurrent insert."""
    mark = session.scalar(select(Attendance).where(Attendance.class_day_id == class_day.id,
                                                   Attendance.enrollment_id == enrollment.id))
    if mark is None:
        try:
            with session.begin_nested():
                mark = Attendance(class_day_id=class_day.id, enrollment_id=enrollment.id, present=present,
                                  method=method, marked_by_id=marked_by.id, marked_at=now)
                session.add(mark)
            return mark, True
        except IntegrityError:
            mark = session.scalar(select(Attendance).where(Attendance.class_day_id == class_day.id,
                                                           Attendance.enrollment_id == enrollment.id))
    if mark.present == present:
        return mark, False
    mark.present, mark.method, mark.marked_by_id, mark.marked_at = present, method, marked_by.id, now
    return mark, True


def mark_attendance(session: Session, *, actor: User, class_id: int, day: date, present: list[int],
                    absent: list[int], now: datetime) -> list[Attendance]:
    """The teacher marks enrollments present or absent on a class day, then completion is checked.

    Raises NotFound (not your class), Invalid (``no_class_days``, ``not_a_class_day``,
    ``day_in_future``, ``unknown_enrollment``, ``marked_twice``).
    """
    training_class = get_class_for_teacher(session, actor=actor, class_id=class_id)
    class_day = get_class_day(session, training_class, day)
    if day > local_day(now):
        raise Invalid(_("Attendance can be marked on the day or afterwards, not before."), code="day_in_future",
                      field="day")
    if set(present) & set(absent):
        raise Invalid(_("A learner cannot be both present and absent."), code="marked_twice", field="present")
    wanted = {**{i: True for i in present}, **{i: False for i in absent}}
    enrollments = {e.id: e for e in session.scalars(select(Enrollment).where(
        Enrollment.id.in_(list(wanted)), Enrollment.class_id == training_class.id,
        Enrollment.status.in_(LEARNING)))} if wanted else {}
    unknown = sorted(set(wanted) - set(enrollments))
    if unknown:
        raise Invalid(_("These enrollments are not on the class roster: %(ids)s",
                        ids=", ".join(map(str, unknown))), code="unknown_enrollment", field="present")
    marks = []
    for enrollment_id, is_present in wanted.items():
        mark, changed = _upsert_attendance(session, class_day=class_day, enrollment=enrollments[enrollment_id],
                                           present=is_present, method=AttendanceMethod.ROSTER,
                                           marked_by=actor, now=now)
        marks.append(mark)
    session.flush()
    for enrollment_id in wanted:
        evaluate_completion(session, enrollment=enrollments[enrollment_id], now=now)
    return marks


# --- daily QR check-in --------------------------------------------------------------------

def _secret_tag(class_day: ClassDay) -> str:
    return hashlib.sha256(class_day.checkin_secret.encode()).hexdigest()[:8]


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=CHECKIN_SALT)


def make_checkin_code(session: Session, *, actor: User, class_id: int, secret_key: str,
                      now: datetime) -> tuple[ClassDay, str]:
    """Today's signed check-in code of the class for the teacher to show as a QR code.

    The code names the class day, carries a tag of the day's random secret and its issue
    time; it is accepted only on that day (Asia/Shanghai) and for 12 hours.
    Raises NotFound, Invalid ``no_class_days``, Conflict ``no_class_today``.
    """
    training_class = get_class_for_teacher(session, actor=actor, class_id=class_id)
    today = local_day(now)
    if training_class.status == ClassStatus.CANCELLED:
        raise Conflict(_("This class has been cancelled."), code="class_cancelled")
    if not meets_in_person(training_class):
        raise Invalid(_("An online class has no class days."), code="no_class_days")
    if not training_class.starts_on <= today <= training_class.ends_on:
        raise Conflict(_("The class does not meet today."), code="no_class_today")
    class_day = get_class_day(session, training_class, today)
    # A compact list keeps the URL short, so the QR code stays coarse enough to scan from afar.
    code = _serializer(secret_key).dumps([class_day.id, _secret_tag(class_day), int(now.timestamp())])
    return class_day, code


def checkin_expires_at(now: datetime) -> datetime:
    """When a code issued at ``now`` stops working: 12 hours later or the end of the day, whichever is first."""
    local = now.astimezone(SHANGHAI)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return min(now + CHECKIN_MAX_AGE, midnight.astimezone(now.tzinfo))


@dataclass
class Checkin:
    class_day: ClassDay
    training_class: TrainingClass
    enrollment: Enrollment
    attendance: Attendance | None   # the worker's mark for the day, if any
    recorded_now: bool = False      # this call turned the worker present

    @property
    def already(self) -> bool:
        return self.attendance is not None and self.attendance.present


def read_checkin(session: Session, *, actor: User, code: str, secret_key: str, now: datetime) -> Checkin:
    """What a check-in code is for, checked for the actor and the moment.

    Raises Invalid ``checkin_invalid`` (forged or damaged), Conflict ``checkin_expired``
    (older than 12 hours) or ``checkin_wrong_day`` (another day's code), Forbidden
    ``not_enrolled``.
    """
    try:
        data = _serializer(secret_key).loads(code or "")
    except BadSignature:
        data = None
    if not (isinstance(data, list) and len(data) == 3 and all(isinstance(x, int) for x in (data[0], data[2]))):
        raise Invalid(_("This check-in code is not valid. Scan the code shown at the venue."),
                      code="checkin_invalid", field="code")
    day_id, tag, issued_ts = data
    class_day = session.get(ClassDay, day_id)
    if class_day is None or tag != _secret_tag(class_day):
        raise Invalid(_("This check-in code is not valid. Scan the code shown at the venue."),
                      code="checkin_invalid", field="code")
    issued = datetime.fromtimestamp(issued_ts, tz=now.tzinfo)
    if class_day.day != local_day(now):
        raise Conflict(_("This check-in code is for %(day)s, not today. Scan today's code at the venue.",
                         day=class_day.day.isoformat()), code="checkin_wrong_day", field="code")
    if now - issued > CHECKIN_MAX_AGE or issued - now > _CLOCK_SKEW:
        raise Conflict(_("This check-in code has expired. Ask the instructor to show a new one."),
                       code="checkin_expired", field="code")
    training_class = session.get(TrainingClass, class_day.class_id)
    enrollment = get_learning_enrollment(session, class_day.class_id, actor.id)
    if enrollment is None:
        raise Forbidden(_("You are not enrolled in this class (or your enrollment is not confirmed yet)."),
                        code="not_enrolled")
    attendance = session.scalar(select(Attendance).where(Attendance.class_day_id == class_day.id,
                                                         Attendance.enrollment_id == enrollment.id))
    return Checkin(class_day=class_day, training_class=training_class, enrollment=enrollment,
                   attendance=attendance)


def check_in(session: Session, *, actor: User, code: str, secret_key: str, now: datetime) -> Checkin:
    """The worker checks in with the day's code: present, method ``qr`` (idempotent).

    Raises what :func:`read_checkin` raises.
    """
    checkin = read_checkin(session, actor=actor, code=code, secret_key=secret_key, now=now)
    if not checkin.already:
        checkin.attendance, _changed = _upsert_attendance(
            session, class_day=checkin.class_day, enrollment=checkin.enrollment, present=True,
            method=AttendanceMethod.QR, marked_by=actor, now=now)
        checkin.recorded_now = True
        session.flush()
        evaluate_completion(session, enrollment=checkin.enrollment, now=now)
    return checkin


def place_lesson(session: Session, *, actor: User, lesson_id: int, position: int) -> Lesson:
    """Move a lesson to the 0-based ``position`` in its class (clamped to the ends). Raises NotFound."""
    lesson = get_lesson_for_teacher(session, actor=actor, lesson_id=lesson_id)
    ordered = [i for i in session.scalars(select(Lesson.id).where(Lesson.class_id == lesson.class_id)
                                          .order_by(Lesson.position, Lesson.id)) if i != lesson.id]
    ordered.insert(max(0, min(position, len(ordered))), lesson.id)
    reorder_lessons(session, actor=actor, class_id=lesson.class_id, lesson_ids=ordered)
    return lesson
