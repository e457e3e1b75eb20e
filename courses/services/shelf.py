"""The shelf: providers put courses and classes on it, the union reviews them.

Review workflow: ``draft → submitted → approved | rejected``; a rejected course is edited
and submitted again. An approved course is shown to the public only while its provider
keeps it published. Editing the *substance* of an approved course (title, summary,
description, industries, skills, hours, certificate type, cover) sends it back to
``submitted``: it leaves the public catalog until a union admin approves the change, and
comes back by itself (the published flag is kept). Instructors and classes are not
substance: providers change them freely. Editing a rejected course makes it a draft again.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import nh3
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import Organization, RoleGrant, User
from app.auth.services import require_approved_org
from app.db import utcnow
from app.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from app.i18n import SHANGHAI
from courses import search
from courses.models import (
    ClassMode,
    ClassStatus,
    Course,
    CourseStatus,
    Industry,
    RefundRule,
    TrainingClass,
)
from courses.permissions import can_manage_course
from courses.pricing import price_for

# The provincial plan's industries (DOMAIN.md); the union adds others.
INDUSTRIES = (
    ("tourism", "旅游业", "Tourism", False),
    ("services", "现代服务业", "Modern services", False),
    ("hightech", "高新技术产业", "High technology", False),
    ("tropical_agriculture", "热带特色高效农业", "Tropical agriculture", False),
    ("seed_breeding", "南繁", "Seed breeding (Nanfan)", True),
    ("deep_sea", "深海", "Deep sea", True),
    ("aerospace", "航天", "Aerospace", True),
)

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
CLASS_FIELDS = ("title", "mode", "city", "venue", "starts_on", "ends_on", "enroll_opens_at", "enroll_closes_at",
                "capacity", "price", "member_price", "free_for_members", "requires_membership", "refund_rule",
                "refund_deadline_days", "instructor_id")


# --- industries ---------------------------------------------------------------------------

def seed_industries(session: Session) -> list[Industry]:
    """Create the seven industries of the provincial plan if missing (idempotent)."""
    existing = {i.code: i for i in session.scalars(select(Industry))}
    for position, (code, name_zh, name_en, is_future) in enumerate(INDUSTRIES):
        if code not in existing:
            existing[code] = Industry(code=code, name_zh=name_zh, name_en=name_en, is_future=is_future,
                                      position=position)
            session.add(existing[code])
    session.flush()
    return sorted(existing.values(), key=lambda i: (i.position, i.id))


def add_industry(session: Session, *, actor: User, code: str, name_zh: str, name_en: str,
                 is_future: bool = False) -> Industry:
    """A union admin adds an industry tag. Raises Forbidden, Invalid, Conflict (``industry_exists``)."""
    if not actor.has_role(Role.UNION_ADMIN):
        raise Forbidden(_("Only union admins add industries."))
    code = (code or "").strip().lower()
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,31}", code):
        raise Invalid(_("Use 2–32 lower-case letters, digits or _ for the code."), field="code")
    name_zh, name_en = (name_zh or "").strip(), (name_en or "").strip()
    if not name_zh or len(name_zh) > 50:
        raise Invalid(_("Enter the Chinese name (at most 50 characters)."), field="name_zh")
    if not name_en or len(name_en) > 80:
        raise Invalid(_("Enter the English name (at most 80 characters)."), field="name_en")
    if session.scalar(select(Industry.id).where((Industry.code == code) | (Industry.name_zh == name_zh))):
        raise Conflict(_("This industry already exists."), code="industry_exists", field="code")
    position = (session.scalar(select(Industry.position).order_by(Industry.position.desc()).limit(1)) or 0) + 1
    industry = Industry(code=code, name_zh=name_zh, name_en=name_en, is_future=is_future, position=position)
    session.add(industry)
    session.flush()
    return industry


# --- courses ------------------------------------------------------------------------------

def sanitize_html(html: str) -> str:
    """Keep basic formatting and links; drop scripts, styles, event handlers and other tags."""
    return nh3.clean(html or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow").strip()


def _text(value: Any, field: str, max_length: int, *, required: bool = False) -> str:
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


def _instructors(session: Session, provider_id: int, ids: Iterable[int]) -> list[User]:
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
        course.title = _text(changes["title"], "title", 200, required=True)
    if "summary" in changes:
        course.summary = _text(changes["summary"], "summary", 500)
    if "description_html" in changes:
        description = sanitize_html(str(changes["description_html"] or ""))
        if len(description) > 50_000:
            raise Invalid(_("The description is too long."), field="description_html")
        course.description_html = description
    if "certificate_type" in changes:
        course.certificate_type = _text(changes["certificate_type"], "certificate_type", 100)
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
        course.instructors = _instructors(session, course.provider_id, changes["instructor_ids"])
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
    course.review_note = _text(note, "note", 500)
    session.flush()
    return course


def reject_course(session: Session, *, actor: User, course_id: int, reason: str, now: datetime) -> Course:
    """A union admin rejects a submitted course with a reason. Raises Forbidden, NotFound, Conflict, Invalid."""
    course = _course_for_review(session, actor, course_id)
    reason = _text(reason, "reason", 500)
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


# --- classes ------------------------------------------------------------------------------

def local_day_start(day: date) -> datetime:
    """00:00 of ``day`` in Asia/Shanghai, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=SHANGHAI)


def _validate_class(session: Session, tc: TrainingClass, provider_id: int) -> None:
    tc.title = _text(tc.title, "title", 200, required=True)
    try:
        tc.mode = ClassMode(tc.mode)
    except ValueError:
        raise Invalid(_("Choose online, offline or blended."), field="mode") from None
    tc.city, tc.venue = _text(tc.city, "city", 50), _text(tc.venue, "venue", 200)
    if tc.mode in (ClassMode.OFFLINE, ClassMode.BLENDED):
        if not tc.city:
            raise Invalid(_("Offline and blended classes need a city."), field="city")
        if not tc.venue:
            raise Invalid(_("Offline and blended classes need a venue."), field="venue")
    if not isinstance(tc.starts_on, date) or not isinstance(tc.ends_on, date):
        raise Invalid(_("Enter the start and end dates."), field="starts_on")
    if tc.ends_on < tc.starts_on:
        raise Invalid(_("The class cannot end before it starts."), code="ends_before_start", field="ends_on")
    for name in ("enroll_opens_at", "enroll_closes_at"):
        value = getattr(tc, name)
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise Invalid(_("Enter the enrollment window."), field=name)
    if tc.enroll_closes_at <= tc.enroll_opens_at:
        raise Invalid(_("Enrollment must close after it opens."), code="window_reversed", field="enroll_closes_at")
    if tc.enroll_closes_at > local_day_start(tc.ends_on + timedelta(days=1)):
        raise Invalid(_("Enrollment must close before the class ends."), code="window_after_end",
                      field="enroll_closes_at")
    if not isinstance(tc.capacity, int) or not 1 <= tc.capacity <= 10_000:
        raise Invalid(_("Seats must be between 1 and 10000."), field="capacity")
    if tc.capacity < (tc.seats_taken or 0):
        raise Conflict(_("%(n)d seats are already taken; capacity cannot be lower.", n=tc.seats_taken),
                       code="capacity_below_taken", field="capacity")
    if not isinstance(tc.price, int) or tc.price < 0:
        raise Invalid(_("The price cannot be negative."), field="price")
    if tc.member_price is not None and (not isinstance(tc.member_price, int) or tc.member_price < 0):
        raise Invalid(_("The member price cannot be negative."), field="member_price")
    if tc.member_price is not None and tc.member_price > tc.price:
        raise Invalid(_("The member price cannot be higher than the price."), code="member_price_above_price",
                      field="member_price")
    try:
        tc.refund_rule = RefundRule(tc.refund_rule)
    except ValueError:
        raise Invalid(_("Unknown refund rule."), field="refund_rule") from None
    if not isinstance(tc.refund_deadline_days, int) or not 0 <= tc.refund_deadline_days <= 365:
        raise Invalid(_("Refund deadline must be 0–365 days."), field="refund_deadline_days")
    if tc.instructor_id is not None:
        _instructors(session, provider_id, [tc.instructor_id])


def _class_values(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(CLASS_FIELDS)
    if unknown:
        raise Invalid(_("Unknown field."), field=sorted(unknown)[0])
    return dict(data)


def create_class(session: Session, *, actor: User, course_id: int, now: datetime, **data: Any) -> TrainingClass:
    """Add a scheduled class to a course. Raises NotFound, Forbidden, Invalid, Conflict."""
    course = get_course_for_manager(session, actor=actor, course_id=course_id)
    require_approved_org(actor, Role.PROVIDER_ADMIN, course.provider_id)
    values = _class_values(data)
    values.setdefault("city", "")
    values.setdefault("venue", "")
    values.setdefault("refund_rule", RefundRule.FULL_BEFORE_START)
    values.setdefault("refund_deadline_days", 0)
    values.setdefault("free_for_members", False)
    values.setdefault("requires_membership", False)
    values.setdefault("price", 0)
    tc = TrainingClass(course_id=course.id, seats_taken=0, status=ClassStatus.SCHEDULED, created_at=now,
                       member_price=values.pop("member_price", None), instructor_id=values.pop("instructor_id", None),
                       **{k: v for k, v in values.items()})
    if isinstance(tc.starts_on, date) and tc.starts_on < now.astimezone(SHANGHAI).date():
        raise Invalid(_("The class cannot start in the past."), code="starts_in_past", field="starts_on")
    _validate_class(session, tc, course.provider_id)
    session.add(tc)
    session.flush()
    refresh_course_listing(session, course.id, now=now)
    return tc


def update_class(session: Session, *, actor: User, class_id: int, changes: Mapping[str, Any],
                 now: datetime) -> TrainingClass:
    """Edit a scheduled class. Raises NotFound, Forbidden, Invalid, Conflict (cancelled, capacity below seats taken)."""
    tc = session.get(TrainingClass, class_id)
    if tc is None or not can_manage_course(actor, tc.course):
        raise NotFound(_("No such class."))
    require_approved_org(actor, Role.PROVIDER_ADMIN, tc.course.provider_id)
    if tc.status != ClassStatus.SCHEDULED:
        raise Conflict(_("A cancelled class cannot be edited."), code="class_cancelled")
    provider_id = tc.course.provider_id
    # Lock the row so capacity is checked against the seats taken right now (PostgreSQL).
    session.refresh(tc, with_for_update=True)
    with session.no_autoflush:
        for key, value in _class_values(changes).items():
            setattr(tc, key, value)
        try:
            _validate_class(session, tc, provider_id)
        except DomainError:
            session.expire(tc)   # never flush half-validated values
            raise
    session.flush()
    refresh_course_listing(session, tc.course_id, now=now)
    return tc


def open_classes_select(course_ids, now: datetime):
    """Scheduled classes whose enrollment has not closed yet (listed in the catalog)."""
    return (select(TrainingClass).where(TrainingClass.course_id.in_(course_ids),
                                        TrainingClass.status == ClassStatus.SCHEDULED,
                                        TrainingClass.enroll_closes_at > now)
            .order_by(TrainingClass.starts_on, TrainingClass.id))


def refresh_course_listing(session: Session, course_id: int, *, now: datetime | None = None) -> Course:
    """Recompute the course's catalog columns from its open classes (call whenever classes change).
    Raises NotFound."""
    now = now or utcnow()
    course = session.get(Course, course_id)
    if course is None:
        raise NotFound(_("No such course."))
    session.flush()
    classes = list(session.scalars(open_classes_select([course_id], now)))
    list_prices = [price_for(c, is_verified_member=False).amount for c in classes]
    member_prices = [price_for(c, is_verified_member=True).amount for c in classes]
    course.next_start_on = min((c.starts_on for c in classes), default=None)
    course.price_from = min(list_prices, default=None)
    course.member_price_from = min(member_prices, default=None)
    course.has_free_member_class = any(p == 0 for p in member_prices)
    modes = sorted({str(c.mode) for c in classes})
    cities = sorted({c.city for c in classes if c.city})
    course.modes = f" {' '.join(modes)} " if modes else ""
    course.cities = f" {' '.join(cities)} "[:200] if cities else ""
    session.flush()
    return course


def refresh_all_listings(session: Session, *, now: datetime) -> int:
    """Recompute every listed course's catalog columns (a nightly job: classes close as time passes)."""
    ids = list(session.scalars(select(Course.id).where(Course.next_start_on.is_not(None))))
    for course_id in ids:
        refresh_course_listing(session, course_id, now=now)
    return len(ids)


def provider_of(session: Session, provider_id: int) -> Organization | None:
    return session.get(Organization, provider_id)
