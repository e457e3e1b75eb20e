"""JSON shelf: providers create and edit courses and classes; union admins review them."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_login import current_user

from app.access import Role, allow
from app.api import created, endpoint, parse_body
from app.db import get_session, utcnow
from app.errors import Invalid
from courses.api import bp
from courses.api.catalog import class_brief_json, course_json, industry_json, visible_class
from courses.queries.catalog import is_verified_member
from courses.schemas.catalog import (
    ClassBrief,
    ClassIn,
    ClassPatch,
    CourseIn,
    CourseOut,
    CoursePatch,
    CourseStateOut,
    CoverIn,
    IndustryIn,
    IndustryOut,
    RejectIn,
    ReviewIn,
)
from courses.services import shelf


def _course_out(course) -> dict:
    session = get_session()
    return course_json(session, course, is_member=is_verified_member(session, current_user), now=utcnow())


def _state(course) -> dict:
    return {"id": course.id, "status": str(course.status), "is_published": course.is_published,
            "review_note": course.review_note}


@bp.post("/courses")
@allow(Role.PROVIDER_ADMIN)
@endpoint("Create a draft course (provider admins of an approved provider)", body=CourseIn, response=CourseOut,
          status=201, tags=("shelf",))
def create_course():
    data = parse_body(CourseIn)
    session = get_session()
    fields = data.model_dump()
    course = shelf.create_course(session, actor=current_user, provider_id=fields.pop("provider_id"),
                                 now=utcnow(), **fields)
    session.commit()
    return created(_course_out(course))


@bp.patch("/courses/<int:course_id>")
@allow(Role.PROVIDER_ADMIN)
@endpoint("Edit a course; changing an approved course's substance sends it back to review", body=CoursePatch,
          response=CourseOut, errors=(404, 409), tags=("shelf",))
def update_course(course_id: int):
    data = parse_body(CoursePatch)
    session = get_session()
    course = shelf.update_course(session, actor=current_user, course_id=course_id,
                                 changes=data.model_dump(exclude_unset=True), now=utcnow())
    session.commit()
    return jsonify(_course_out(course))


@bp.post("/courses/<int:course_id>/cover")
@allow(Role.PROVIDER_ADMIN)
@endpoint("Upload the cover image (multipart field `cover`; PNG, JPEG or WebP, at most 5 MB)",
          body=CoverIn, form=True, response=CourseStateOut, errors=(404,), tags=("shelf",))
def upload_cover(course_id: int):
    upload = request.files.get("cover")
    if upload is None:
        raise Invalid("Send the image as the multipart field 'cover'.", field="cover")
    session = get_session()
    course = shelf.set_course_cover(session, actor=current_user, course_id=course_id,
                                    content=upload.read(shelf.COVER_MAX_BYTES + 1),
                                    upload_folder=current_app.config["UPLOAD_FOLDER"], now=utcnow())
    session.commit()
    return jsonify(_state(course))


@bp.post("/courses/<int:course_id>/submit")
@allow(Role.PROVIDER_ADMIN)
@endpoint("Send a draft or rejected course for union review", response=CourseStateOut, errors=(404, 409, 422),
          tags=("shelf",))
def submit_course(course_id: int):
    session = get_session()
    course = shelf.submit_course(session, actor=current_user, course_id=course_id, now=utcnow())
    session.commit()
    return jsonify(_state(course))


@bp.post("/courses/<int:course_id>/publish")
@allow(Role.PROVIDER_ADMIN)
@endpoint("Show an approved course in the public catalog", response=CourseStateOut, errors=(404, 409),
          tags=("shelf",))
def publish_course(course_id: int):
    session = get_session()
    course = shelf.publish_course(session, actor=current_user, course_id=course_id, publish=True, now=utcnow())
    session.commit()
    return jsonify(_state(course))


@bp.post("/courses/<int:course_id>/unpublish")
@allow(Role.PROVIDER_ADMIN)
@endpoint("Hide a course from the public catalog", response=CourseStateOut, errors=(404,), tags=("shelf",))
def unpublish_course(course_id: int):
    session = get_session()
    course = shelf.publish_course(session, actor=current_user, course_id=course_id, publish=False, now=utcnow())
    session.commit()
    return jsonify(_state(course))


@bp.post("/courses/<int:course_id>/approve")
@allow(Role.UNION_ADMIN)
@endpoint("Approve a submitted course (union admins)", body=ReviewIn, response=CourseStateOut,
          errors=(404, 409), tags=("shelf",))
def approve_course(course_id: int):
    data = parse_body(ReviewIn) if request.get_data() else ReviewIn()
    session = get_session()
    course = shelf.approve_course(session, actor=current_user, course_id=course_id, note=data.note, now=utcnow())
    session.commit()
    return jsonify(_state(course))


@bp.post("/courses/<int:course_id>/reject")
@allow(Role.UNION_ADMIN)
@endpoint("Reject a submitted course with a reason (union admins)", body=RejectIn, response=CourseStateOut,
          errors=(404, 409), tags=("shelf",))
def reject_course(course_id: int):
    data = parse_body(RejectIn)
    session = get_session()
    course = shelf.reject_course(session, actor=current_user, course_id=course_id, reason=data.reason,
                                 now=utcnow())
    session.commit()
    return jsonify(_state(course))


@bp.post("/courses/<int:course_id>/classes")
@allow(Role.PROVIDER_ADMIN)
@endpoint("Add a class (dates, venue, seats, prices) to a course", body=ClassIn, response=ClassBrief, status=201,
          errors=(404, 409), tags=("shelf",))
def create_class(course_id: int):
    data = parse_body(ClassIn)
    session = get_session()
    tc = shelf.create_class(session, actor=current_user, course_id=course_id, now=utcnow(), **data.model_dump())
    session.commit()
    return created(class_brief_json(tc, is_member=False, now=utcnow()))


@bp.patch("/classes/<int:class_id>")
@allow(Role.PROVIDER_ADMIN)
@endpoint("Edit a scheduled class; capacity never drops below seats taken", body=ClassPatch, response=ClassBrief,
          errors=(404, 409), tags=("shelf",))
def update_class(class_id: int):
    data = parse_body(ClassPatch)
    session = get_session()
    visible_class(session, class_id)
    tc = shelf.update_class(session, actor=current_user, class_id=class_id,
                            changes=data.model_dump(exclude_unset=True), now=utcnow())
    session.commit()
    return jsonify(class_brief_json(tc, is_member=False, now=utcnow()))


@bp.post("/industries")
@allow(Role.UNION_ADMIN)
@endpoint("Add an industry tag (union admins)", body=IndustryIn, response=IndustryOut, status=201,
          errors=(409,), tags=("shelf",))
def add_industry():
    data = parse_body(IndustryIn)
    session = get_session()
    industry = shelf.add_industry(session, actor=current_user, **data.model_dump())
    session.commit()
    return created(industry_json(industry))
