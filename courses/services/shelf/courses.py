"""Courses on the shelf: creation, editing, covers, union review and publishing."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import nh3
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import RoleGrant, User
from app.auth.services import require_approved_org
from app.errors import Conflict, Forbidden, Invalid, NotFound
from courses import search
from courses.models import (
    Course,
    CourseStatus,
    Industry,
)
from courses.permissions import can_manage_course

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h3", "h4", "blockquote", "a",
                "table", "thead", "tbody", "tr", "th", "td", "hr", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}

COVER_MAX_BYTES = 5 * 1024 * 1024
COVER_TYPES = (  # (magic prefix test, extension)
    (lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"), "png"),
    (lambda b: b.startswith(b"\xff\xd8\xff"), "jpg"),
    (lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP", "webp"),
)
COVER_NAME = re.compile(r"^[A-Za-z0-9_-]{16,64}\.(png|jpg|webp)$")

SUBSTANCE = ("title", "summary", "description_html", "industry_codes", "skills", "hours", "certificate_type")
COURSE_FIELDS = (*SUBSTANCE, "instructor_ids")



# --- courses ------------------------------------------------------------------------------

def sanitize_html(html: str) -> str:
    """Keep basic formatting and links; drop scripts, styles, event handlers and other tags."""
    return nh3.clean(html or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow").strip()


def clean_text(value: Any, field: str, max_length: int, *, required: bool = False) -> str:
    """Stripped text of at most ``max_length`` characters. Raises Invalid naming ``field``."""
    text = str(value or "").strip()
    if required and not text:
        raise Invalid(_("This field is required."), field=field)
    if len(text) > max_length:
        raise Invalid(_("At most %(n)d characters.", n=max_length), field=field)
    return text


def _skills(value: Iterable[str] | str | None) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"[,，、;；\n]+", value)
    skills = list(dict.fromkeys(s.strip() for s in (value or []) if s and s.strip()))
    if len(skills) > 20 or any(len(s) > 50 for s in skills):
        raise Invalid(_("At most 20 skills of at most 50 characters each."), field="skills")
    return skills


def _industries(session: Session, codes: Iterable[str]) -> list[Industry]:
    codes = list(dict.fromkeys(codes or []))
    if not codes:
        return []
    found = list(session.scalars(select(Industry).where(Industry.code.in_(codes))))
    if len(found) != len(codes):
        raise Invalid(_("Unknown industry."), code="unknown_industry", field="industry_codes")
    return found


def provider_instructors(session: Session, provider_id: int) -> list[User]:
    """Users holding the instructor role in the provider organization."""
    return list(session.scalars(
        select(User).join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.organization_id == provider_id, RoleGrant.role == Role.INSTRUCTOR)
        .order_by(User.name).distinct()))


def check_instructors(session: Session, provider_id: int, ids: Iterable[int]) -> list[User]:
    """The provider's instructors with these ids. Raises Invalid for anyone else."""
    ids = list(dict.fromkeys(int(i) for i in (ids or [])))
    if not ids:
        return []
    staff = {u.id: u for u in provider_instructors(session, provider_id)}
    if any(i not in staff for i in ids):
        raise Invalid(_("Instructors must be on this provider's staff."), code="not_instructor",
                      field="instructor_ids")
    return [staff[i] for i in ids]


def _apply_course(session: Session, course: Course, changes: Mapping[str, Any]) -> bool:
    """Apply validated changes; returns whether the substance changed."""
    unknown = set(changes) - set(COURSE_FIELDS)
    if unknown:
        raise Invalid(_("Unknown field."), field=sorted(unknown)[0])
    before = _substance(course)
    if "title" in changes:
        course.title = clean_text(changes["title"], "title", 200, required=True)
    if "summary" in changes:
        course.summary = clean_text(changes["summary"], "summary", 500)
    if "description_html" in changes:
        description = sanitize_html(str(changes["description_html"] or ""))
        if len(description) > 50_000:
            raise Invalid(_("The description is too long."), field="description_html")
        course.description_html = description
    if "certificate_type" in changes:
        course.certificate_type = clean_text(changes["certificate_type"], "certificate_type", 100)
    if "hours" in changes:
        hours = changes["hours"] or 0
        if not isinstance(hours, int) or not 0 <= hours <= 2000:
            raise Invalid(_("Hours must be between 0 and 2000."), field="hours")
        course.hours = hours
    if "skills" in changes:
        course.skills = _skills(changes["skills"])
    if "industry_codes" in changes:
        course.industries = _industries(session, changes["industry_codes"])
    if "instructor_ids" in changes:
        course.instructors = check_instructors(session, course.provider_id, changes["instructor_ids"])
    return _substance(course) != before


def _substance(course: Course) -> tuple:
    return (course.title, course.summary, course.description_html, tuple(i.code for i in course.industries or []),
            tuple(course.skills or []), course.hours, course.certificate_type, course.cover_image)


def get_course_for_manager(session: Session, *, actor: User, course_id: int) -> Course:
    """The course if ``actor`` administers its provider. Raises NotFound (also for other providers' courses)."""
    course = session.get(Course, course_id)
    if course is None or not can_manage_course(actor, course):
        raise NotFound(_("No such course."))
    return course


def create_course(session: Session, *, actor: User, provider_id: int | None = None, now: datetime,
                  **fields: Any) -> Course:
    """A provider admin creates a draft course. Raises Forbidden (not an approved provider), Invalid."""
    org = require_approved_org(actor, Role.PROVIDER_ADMIN, provider_id)
    course = Course(provider_id=org.id, title="", status=CourseStatus.DRAFT, created_at=now, updated_at=now,
                    skills=[], summary="", description_html="", certificate_type="", hours=0)
    course.provider = org
    course.industries, course.instructors = [], []
    if not str(fields.get("title") or "").strip():
        raise Invalid(_("This field is required."), field="title")
    session.add(course)
    _apply_course(session, course, fields)
    session.flush()
    search.index_course(session, course)
    return course


def update_course(session: Session, *, actor: User, course_id: int, changes: Mapping[str, Any],
                  now: datetime) -> Course:
    """Edit a course; substance changes to an approved course send it back to review.
    Raises NotFound, Forbidden (provider not approved), Invalid, Conflict (``under_review``)."""
    course = get_course_for_manager(session, actor=actor, course_id=course_id)
    require_approved_org(actor, Role.PROVIDER_ADMIN, course.provider_id)
    substance_changed = _apply_course(session, course, changes)
    if substance_changed:
        _after_substance_change(course, now)
    course.updated_at = now
    session.flush()
    search.index_course(session, course)
    return course


def _after_substance_change(course: Course, now: datetime) -> None:
    if course.status == CourseStatus.APPROVED:
        course.status, course.submitted_at, course.review_note = CourseStatus.SUBMITTED, now, ""
    elif course.status == CourseStatus.REJECTED:
        course.status = CourseStatus.DRAFT


def detect_image_type(content: bytes) -> str | None:
    """``png`` / ``jpg`` / ``webp`` by magic bytes, or None."""
    for test, ext in COVER_TYPES:
        if test(content[:16]):
            return ext
    return None


def set_course_cover(session: Session, *, actor: User, course_id: int, content: bytes, upload_folder: str,
                     now: datetime) -> Course:
    """Store a PNG/JPEG/WebP cover (≤ 5 MB, checked by magic bytes). Raises NotFound, Invalid (``bad_image``)."""
    course = get_course_for_manager(session, actor=actor, course_id=course_id)
    require_approved_org(actor, Role.PROVIDER_ADMIN, course.provider_id)
    if len(content) > COVER_MAX_BYTES:
        raise Invalid(_("The cover image may be at most 5 MB."), code="image_too_large", field="cover")
    ext = detect_image_type(content)
    if ext is None:
        raise Invalid(_("The cover must be a PNG, JPEG or WebP image."), code="bad_image", field="cover")
    folder = Path(upload_folder) / "covers"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(18)}.{ext}"
    (folder / name).write_bytes(content)
    course.cover_image = name
    _after_substance_change(course, now)
    course.updated_at = now
    session.flush()
    return course


def cover_path(upload_folder: str, name: str) -> Path | None:
    """The stored cover file for a public name, or None for anything that is not one."""
    if not COVER_NAME.fullmatch(name or ""):
        return None
    path = Path(upload_folder) / "covers" / name
    return path if path.is_file() else None


def submit_course(session: Session, *, actor: User, course_id: int, now: datetime) -> Course:
    """Send a draft or rejected course for union review. Raises NotFound, Forbidden, Conflict (``bad_state``)."""
    course = get_course_for_manager(session, actor=actor, course_id=course_id)
    require_approved_org(actor, Role.PROVIDER_ADMIN, course.provider_id)
    if course.status not in (CourseStatus.DRAFT, CourseStatus.REJECTED):
        raise Conflict(_("Only drafts and rejected courses can be submitted."), code="bad_state")
    if not course.summary or not course.industries:
        raise Invalid(_("Add a summary and at least one industry before submitting."), code="incomplete",
                      field="summary" if not course.summary else "industry_codes")
    course.status, course.submitted_at, course.review_note = CourseStatus.SUBMITTED, now, ""
    session.flush()
    return course


def _course_for_review(session: Session, actor: User, course_id: int) -> Course:
    if not actor.has_role(Role.UNION_ADMIN):
        raise Forbidden(_("Only union admins review courses."))
    course = session.get(Course, course_id)
    if course is None:
        raise NotFound(_("No such course."))
    if course.status != CourseStatus.SUBMITTED:
        raise Conflict(_("This course is not waiting for review."), code="bad_state")
    return course


def approve_course(session: Session, *, actor: User, course_id: int, now: datetime, note: str = "") -> Course:
    """A union admin approves a submitted course. Raises Forbidden, NotFound, Conflict (``bad_state``)."""
    course = _course_for_review(session, actor, course_id)
    course.status, course.reviewed_at, course.reviewed_by_id = CourseStatus.APPROVED, now, actor.id
    course.review_note = clean_text(note, "note", 500)
    session.flush()
    return course


def reject_course(session: Session, *, actor: User, course_id: int, reason: str, now: datetime) -> Course:
    """A union admin rejects a submitted course with a reason. Raises Forbidden, NotFound, Conflict, Invalid."""
    course = _course_for_review(session, actor, course_id)
    reason = clean_text(reason, "reason", 500)
    if not reason:
        raise Invalid(_("Give a reason for the rejection."), code="reason_required", field="reason")
    course.status, course.reviewed_at, course.reviewed_by_id = CourseStatus.REJECTED, now, actor.id
    course.review_note = reason
    session.flush()
    return course


def publish_course(session: Session, *, actor: User, course_id: int, publish: bool = True,
                   now: datetime) -> Course:
    """Show (or hide) an approved course in the catalog. Raises NotFound, Forbidden, Conflict (``not_approved``)."""
    course = get_course_for_manager(session, actor=actor, course_id=course_id)
    require_approved_org(actor, Role.PROVIDER_ADMIN, course.provider_id)
    if publish and course.status != CourseStatus.APPROVED:
        raise Conflict(_("Only approved courses can be published."), code="not_approved")
    course.is_published = publish
    course.updated_at = now
    session.flush()
    return course
