"""Training classes of a course, and the catalog listing columns they feed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import Organization, User
from app.auth.services import require_approved_org
from app.errors import Conflict, DomainError, Invalid, NotFound
from app.i18n import SHANGHAI
from app.inputs import MAX_FEN, check_date
from courses.models import (
    ClassMode,
    ClassStatus,
    Course,
    RefundRule,
    TrainingClass,
)
from courses.permissions import can_manage_course
from courses.pricing import price_for
from courses.services.learning.attendance import ensure_class_days
from courses.services.shelf.courses import check_instructors, clean_text, get_course_for_manager

CLASS_FIELDS = ("title", "mode", "city", "venue", "starts_on", "ends_on", "enroll_opens_at", "enroll_closes_at",
                "capacity", "price", "member_price", "free_for_members", "requires_membership", "refund_rule",
                "refund_deadline_days", "instructor_id")

# --- classes ------------------------------------------------------------------------------

def local_day_start(day: date) -> datetime:
    """00:00 of ``day`` in Asia/Shanghai, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=SHANGHAI)


def _validate_class(session: Session, tc: TrainingClass, provider_id: int) -> None:
    tc.title = clean_text(tc.title, "title", 200, required=True)
    try:
        tc.mode = ClassMode(tc.mode)
    except ValueError:
        raise Invalid(_("Choose online, offline or blended."), field="mode") from None
    tc.city, tc.venue = clean_text(tc.city, "city", 50), clean_text(tc.venue, "venue", 200)
    if tc.mode in (ClassMode.OFFLINE, ClassMode.BLENDED):
        if not tc.city:
            raise Invalid(_("Offline and blended classes need a city."), field="city")
        if not tc.venue:
            raise Invalid(_("Offline and blended classes need a venue."), field="venue")
    if not isinstance(tc.starts_on, date) or not isinstance(tc.ends_on, date):
        raise Invalid(_("Enter the start and end dates."), field="starts_on")
    check_date(tc.starts_on, "starts_on")
    check_date(tc.ends_on, "ends_on")
    if tc.ends_on < tc.starts_on:
        raise Invalid(_("The class cannot end before it starts."), code="ends_before_start", field="ends_on")
    for name in ("enroll_opens_at", "enroll_closes_at"):
        value = getattr(tc, name)
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise Invalid(_("Enter the enrollment window."), field=name)
        check_date(value.date(), name)  # its own local date: converting year 1 or 9999 could overflow
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
    if tc.price > MAX_FEN:
        raise Invalid(_("The price is too high."), code="out_of_range", field="price")
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
        check_instructors(session, provider_id, [tc.instructor_id])


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
    ensure_class_days(session, tc)
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
    ensure_class_days(session, tc)
    refresh_course_listing(session, tc.course_id, now=now)
    return tc


def open_classes_select(course_ids, now: datetime):
    """Scheduled classes whose enrollment has not closed yet (listed in the catalog)."""
    return (select(TrainingClass).where(TrainingClass.course_id.in_(course_ids),
                                        TrainingClass.status == ClassStatus.SCHEDULED,
                                        TrainingClass.enroll_closes_at > now)
            .order_by(TrainingClass.starts_on, TrainingClass.id))


def refresh_course_listing(session: Session, course_id: int, *, now: datetime) -> Course:
    """Recompute the course's catalog columns from its open classes (call whenever classes change).
    Raises NotFound."""
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
