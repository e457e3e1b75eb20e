"""Class days, roster attendance and the daily QR check-in."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.models import User
from app.errors import Conflict, Forbidden, Invalid
from app.i18n import SHANGHAI
from courses.models import (
    Attendance,
    AttendanceMethod,
    ClassDay,
    ClassStatus,
    Enrollment,
    TrainingClass,
)
from courses.queries.learning import (
    LEARNING,
    class_day_count,
    get_learning_enrollment,
    local_day,
    meets_in_person,
)
from courses.services.learning.lessons import get_class_for_teacher
from courses.services.learning.progress import evaluate_completion

CHECKIN_SALT = "class-checkin"
CHECKIN_MAX_AGE = timedelta(hours=12)
_CLOCK_SKEW = timedelta(minutes=5)


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
    # A read: the class days were prepared when the class was scheduled (shelf services).
    class_day = session.scalar(select(ClassDay).where(ClassDay.class_id == training_class.id,
                                                      ClassDay.day == today))
    if class_day is None:
        raise Conflict(_("The class does not meet today."), code="no_class_today")
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
    if not (isinstance(data, list) and len(data) == 3 and all(type(x) is int for x in (data[0], data[2]))):
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
