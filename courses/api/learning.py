"""JSON API of the learning area: lessons, progress, attendance, check-in, "My training".

File lessons are created and replaced on the class's lessons page (multipart upload of up
to 50 MB); the API creates and edits text and video lessons and lists file lessons with
their download URL.
"""

from __future__ import annotations

from flask import current_app, jsonify, url_for
from flask_login import current_user

from app.access import Role, allow
from app.api import PageQuery, created, endpoint, page_of, parse_body, parse_query
from app.db import get_session, utcnow
from app.links import public_url
from courses.api import bp
from courses.models import Enrollment, Lesson, LessonKind
from courses.queries import learning as queries
from courses.schemas.learning import (
    AttendanceIn,
    AttendanceOut,
    CheckinCodeOut,
    CheckinIn,
    CheckinOut,
    ClassRef,
    CourseRef,
    LessonIn,
    LessonOut,
    LessonPage,
    LessonPatch,
    MarkOut,
    ProgressOut,
    TrainingOut,
    TrainingPage,
)
from courses.services import learning as services

TEACHERS = (Role.INSTRUCTOR, Role.PROVIDER_ADMIN)
TAGS = ("learning",)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def lesson_out(lesson: Lesson, done: bool | None = None) -> dict:
    file_url = (url_for("courses.lesson_file", lesson_id=lesson.id)
                if lesson.kind == LessonKind.FILE and lesson.file_path else None)
    return LessonOut(id=lesson.id, class_id=lesson.class_id, position=lesson.position, title=lesson.title,
                     kind=lesson.kind, minutes=lesson.minutes, body_html=lesson.body_html or "",
                     video_url=lesson.video_url, file_name=lesson.file_name, file_url=file_url,
                     done=done).model_dump()


def progress_out(lesson_id: int, progress: services.Progress) -> dict:
    enrollment: Enrollment = progress.enrollment
    return ProgressOut(lesson_id=lesson_id, enrollment_id=enrollment.id, enrollment_status=enrollment.status,
                       completed_at=_iso(enrollment.completed_at), lessons_done=progress.lessons_done,
                       lessons_total=progress.lessons_total, percent=progress.percent,
                       days_present=progress.days_present, days_total=progress.days_total).model_dump()


@bp.get("/classes/<int:class_id>/lessons")
@allow(Role.WORKER, *TEACHERS)
@endpoint("Lessons of a class, in order; for an enrolled worker each carries 'done'", query=PageQuery,
          response=LessonPage, errors=(403, 404), tags=TAGS)
def list_lessons(class_id: int):
    args = parse_query(PageQuery)
    session = get_session()
    _class, enrollment = services.get_class_for_viewer(session, actor=current_user, class_id=class_id)
    lessons = queries.list_lessons(session, class_id)
    done = queries.done_lesson_ids(session, enrollment.id) if enrollment else None
    start = (args.page - 1) * args.per_page
    items = [lesson_out(x, None if done is None else x.id in done) for x in lessons[start:start + args.per_page]]
    return jsonify(page_of(items, page=args.page, per_page=args.per_page, total=len(lessons)))


@bp.post("/classes/<int:class_id>/lessons")
@allow(*TEACHERS)
@endpoint("Add a text or video lesson at the end of a class (instructor, provider admin)", body=LessonIn,
          response=LessonOut, status=201, errors=(404,), tags=TAGS)
def add_lesson(class_id: int):
    data = parse_body(LessonIn)
    session = get_session()
    lesson = services.add_lesson(session, actor=current_user, class_id=class_id, title=data.title,
                                 kind=LessonKind(data.kind), body_html=data.body_html, video_url=data.video_url,
                                 minutes=data.minutes)
    session.commit()
    return created(lesson_out(lesson))


@bp.patch("/lessons/<int:lesson_id>")
@allow(*TEACHERS)
@endpoint("Edit a lesson or move it to another position (instructor, provider admin)", body=LessonPatch,
          response=LessonOut, errors=(404,), tags=TAGS)
def update_lesson(lesson_id: int):
    data = parse_body(LessonPatch)
    session = get_session()
    lesson = services.update_lesson(session, actor=current_user, lesson_id=lesson_id, title=data.title,
                                    body_html=data.body_html, video_url=data.video_url, minutes=data.minutes)
    if data.position is not None:
        services.place_lesson(session, actor=current_user, lesson_id=lesson_id, position=data.position)
    session.commit()
    return jsonify(lesson_out(lesson))


@bp.delete("/lessons/<int:lesson_id>")
@allow(*TEACHERS)
@endpoint("Delete a lesson and its progress records (instructor, provider admin)", status=204, errors=(404,),
          tags=TAGS)
def delete_lesson(lesson_id: int):
    session = get_session()
    services.delete_lesson(session, actor=current_user, lesson_id=lesson_id, now=utcnow(),
                           upload_folder=current_app.config["UPLOAD_FOLDER"])
    session.commit()
    return "", 204


@bp.post("/lessons/<int:lesson_id>/progress")
@allow(Role.WORKER)
@endpoint("Mark a lesson done (idempotent); returns progress and the enrollment's status", response=ProgressOut,
          errors=(403, 404), tags=TAGS)
def mark_done(lesson_id: int):
    session = get_session()
    progress = services.mark_lesson_done(session, actor=current_user, lesson_id=lesson_id, now=utcnow())
    session.commit()
    return jsonify(progress_out(lesson_id, progress))


@bp.get("/me/training")
@allow(Role.WORKER)
@endpoint("The caller's enrollments with progress, attendance and the next step", query=PageQuery,
          response=TrainingPage, tags=TAGS)
def my_training():
    args = parse_query(PageQuery)
    rows = queries.list_my_training(get_session(), current_user.id, now=utcnow())
    start = (args.page - 1) * args.per_page
    items = []
    for row in rows[start:start + args.per_page]:
        e, tc = row.enrollment, row.training_class
        items.append(TrainingOut(
            enrollment_id=e.id, status=e.status, hold_expires_at=_iso(e.hold_expires_at),
            completed_at=_iso(e.completed_at),
            class_=ClassRef(id=tc.id, title=tc.title, mode=tc.mode, starts_on=tc.starts_on, ends_on=tc.ends_on,
                            city=tc.city, venue=tc.venue),
            course=CourseRef(id=tc.course.id, title=tc.course.title, provider=tc.course.provider.name),
            lessons_done=row.lessons_done, lessons_total=row.lessons_total, days_present=row.days_present,
            days_total=row.days_total, meets_today=row.meets_today, next_step=row.next_step,
        ).model_dump(mode="json", by_alias=True))
    return jsonify(page_of(items, page=args.page, per_page=args.per_page, total=len(rows)))


@bp.put("/classes/<int:class_id>/attendance")
@allow(*TEACHERS)
@endpoint("Mark enrollments present or absent on a class day (instructor, provider admin)", body=AttendanceIn,
          response=AttendanceOut, errors=(404,), tags=TAGS)
def put_attendance(class_id: int):
    data = parse_body(AttendanceIn)
    session = get_session()
    marks = services.mark_attendance(session, actor=current_user, class_id=class_id, day=data.day,
                                     present=data.present, absent=data.absent, now=utcnow())
    session.commit()
    return jsonify(AttendanceOut(class_id=class_id, day=data.day, marks=[
        MarkOut(enrollment_id=m.enrollment_id, present=m.present, method=m.method) for m in marks
    ]).model_dump(mode="json"))


@bp.get("/classes/<int:class_id>/checkin-code")
@allow(*TEACHERS)
@endpoint("Today's check-in code and URL to show as a QR code (instructor, provider admin)",
          response=CheckinCodeOut, errors=(404, 409, 422), tags=TAGS)
def checkin_code(class_id: int):
    session = get_session()
    now = utcnow()
    class_day, code = services.make_checkin_code(session, actor=current_user, class_id=class_id,
                                                 secret_key=current_app.config["SECRET_KEY"], now=now)
    return jsonify(CheckinCodeOut(class_id=class_id, day=class_day.day, code=code,
                                  url=public_url("courses.checkin", code=code),
                                  expires_at=services.checkin_expires_at(now).isoformat()).model_dump(mode="json"))


@bp.post("/checkin")
@allow(Role.WORKER)
@endpoint("Check in at the venue with the day's code (idempotent)", body=CheckinIn, response=CheckinOut,
          errors=(403, 409), tags=TAGS)
def checkin():
    data = parse_body(CheckinIn)
    session = get_session()
    result = services.check_in(session, actor=current_user, code=data.code,
                               secret_key=current_app.config["SECRET_KEY"], now=utcnow())
    session.commit()
    tc = result.training_class
    return jsonify(CheckinOut(class_id=tc.id, class_title=tc.title, course_title=tc.course.title,
                              day=result.class_day.day, enrollment_id=result.enrollment.id,
                              enrollment_status=result.enrollment.status, method=result.attendance.method,
                              already=not result.recorded_now).model_dump(mode="json"))
