"""Reads of the pool: search, public profiles, teaching records, ratings, review queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.auth.models import User
from courses.models import Course, Enrollment, EnrollmentStatus, TrainingClass
from instructors.models import (
    Availability,
    InstructorBooking,
    InstructorProfile,
    InvitationStatus,
    Qualification,
    QualificationStatus,
    Rating,
    TeachingInvitation,
    TeachingTrade,
)
from instructors.queries.examiners import local_day, qualification_counts

LEARNERS = (EnrollmentStatus.CONFIRMED, EnrollmentStatus.COMPLETED)


@dataclass
class RatingSummary:
    count: int = 0
    average: float = 0.0
    stars: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(5, 0, -1), 0))

    @property
    def rounded(self) -> str:
        return f"{self.average:.1f}"


def _summary(rows) -> RatingSummary:
    summary = RatingSummary()
    total = 0
    for stars, count in rows:
        summary.stars[int(stars)] = int(count)
        summary.count += int(count)
        total += int(stars) * int(count)
    summary.average = total / summary.count if summary.count else 0.0
    return summary


def instructor_rating(session: Session, user_id: int) -> RatingSummary:
    return _summary(session.execute(select(Rating.stars, func.count()).where(Rating.instructor_user_id == user_id)
                                    .group_by(Rating.stars)))


def course_rating(session: Session, course_id: int) -> RatingSummary:
    return _summary(session.execute(select(Rating.stars, func.count()).where(Rating.course_id == course_id)
                                    .group_by(Rating.stars)))


def recent_ratings(session: Session, *, instructor_user_id: int | None = None, course_id: int | None = None,
                   limit: int = 10) -> list[Rating]:
    stmt = select(Rating).order_by(Rating.created_at.desc(), Rating.id.desc()).limit(limit)
    if instructor_user_id is not None:
        stmt = stmt.where(Rating.instructor_user_id == instructor_user_id)
    if course_id is not None:
        stmt = stmt.where(Rating.course_id == course_id)
    return list(session.scalars(stmt))


def ratings_by_instructor(session: Session, user_ids: list[int]) -> dict[int, RatingSummary]:
    out: dict[int, list] = {}
    for user_id, stars, count in session.execute(
            select(Rating.instructor_user_id, Rating.stars, func.count()).where(Rating.instructor_user_id.in_(user_ids))
            .group_by(Rating.instructor_user_id, Rating.stars)):
        out.setdefault(user_id, []).append((stars, count))
    return {user_id: _summary(rows) for user_id, rows in out.items()}


def get_profile(session: Session, user_id: int) -> InstructorProfile | None:
    return session.scalar(select(InstructorProfile).where(InstructorProfile.user_id == user_id))


def qualifications_of(session: Session, user_id: int) -> list[Qualification]:
    return list(session.scalars(select(Qualification).where(Qualification.user_id == user_id)
                                .order_by(Qualification.expires_on.desc(), Qualification.id)))


def counting_qualifications(session: Session, user_ids: list[int], *, now: datetime) -> dict[int, list[Qualification]]:
    """Verified, unexpired qualifications per person (what the public and searchers see)."""
    out: dict[int, list[Qualification]] = {}
    for q in session.scalars(select(Qualification).where(
            Qualification.user_id.in_(user_ids), Qualification.status == QualificationStatus.VERIFIED,
            Qualification.expires_on > local_day(now)).order_by(Qualification.id)):
        if qualification_counts(q, now=now):
            out.setdefault(q.user_id, []).append(q)
    return out


@dataclass
class PoolFilters:
    trade: str = ""
    certificate_type_code: str = ""
    level: str = ""
    city: str = ""
    available_from: datetime | None = None
    available_until: datetime | None = None


def pool_select(filters: PoolFilters, *, now: datetime) -> Select:
    """Profiles in the pool matching the filters, by name (one indexed query)."""
    stmt = (select(InstructorProfile).join(User, User.id == InstructorProfile.user_id)
            .where(InstructorProfile.in_pool.is_(True), User.is_active.is_(True))
            .options(selectinload(InstructorProfile.trades)).order_by(User.name, User.id))
    if filters.city:
        stmt = stmt.where(InstructorProfile.city == filters.city)
    if filters.trade:
        trade = select(TeachingTrade.id).where(TeachingTrade.profile_id == InstructorProfile.id,
                                               TeachingTrade.trade.contains(filters.trade, autoescape=True))
        if filters.level and not filters.certificate_type_code:
            trade = trade.where(TeachingTrade.level == filters.level)
        stmt = stmt.where(exists(trade))
    if filters.certificate_type_code:
        qual = select(Qualification.id).where(
            Qualification.user_id == InstructorProfile.user_id,
            or_(Qualification.certificate_type_code == filters.certificate_type_code,
                Qualification.certificate_type_name.contains(filters.certificate_type_code, autoescape=True)),
            Qualification.status == QualificationStatus.VERIFIED, Qualification.expires_on > local_day(now))
        if filters.level:
            qual = qual.where(or_(Qualification.level == filters.level, Qualification.level.is_(None)))
        stmt = stmt.where(exists(qual))
    if filters.available_from and filters.available_until:
        start, end = filters.available_from, filters.available_until
        stmt = stmt.where(
            exists(select(Availability.id).where(Availability.user_id == InstructorProfile.user_id,
                                                 Availability.starts_at <= start, Availability.ends_at >= end)),
            ~exists(select(InstructorBooking.id).where(InstructorBooking.user_id == InstructorProfile.user_id,
                                                       InstructorBooking.starts_at < end,
                                                       InstructorBooking.ends_at > start)),
            ~exists(select(TrainingClass.id).where(   # classes given a teacher on the shelf, unbooked
                TrainingClass.instructor_id == InstructorProfile.user_id, TrainingClass.status == "scheduled",
                TrainingClass.starts_on <= local_day(end - timedelta(microseconds=1)),
                TrainingClass.ends_on >= local_day(start))))
    return stmt


def pass_rates(session: Session, class_ids: list[int], *, now: datetime) -> dict[int, dict]:
    """``{class_id: {"sat", "passed"}}``: how the classes' learners did at the exams their courses prepare for.

    Read from the ``pass_rates_of_classes`` fact the exams domain publishes (exams depends on this package,
    so it is never imported here); empty when no installed domain publishes it.
    """
    found: dict[int, dict] = {}
    if not class_ids:
        return found
    for publisher in current_app.extensions["domains"].fact("pass_rates_of_classes"):
        for class_id, row in publisher(session, class_ids, now=now).items():
            mine = found.setdefault(class_id, {"sat": 0, "passed": 0})
            mine["sat"] += row["sat"]
            mine["passed"] += row["passed"]
    return found


def _rate(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def teaching_record(session: Session, user_id: int, *, now: datetime) -> dict:
    """Classes taught (started), hours, learners, completions and the completion rate; of the learners who
    sat the exams their courses prepare for, how many passed (the pass rate)."""
    today = local_day(now)
    classes = session.execute(
        select(TrainingClass.id, Course.hours).join(Course, Course.id == TrainingClass.course_id)
        .where(TrainingClass.instructor_id == user_id, TrainingClass.starts_on <= today,
               TrainingClass.status == "scheduled")).all()
    ids = [c.id for c in classes]
    learners = completed = 0
    if ids:
        learners, completed = session.execute(
            select(func.count(), func.count().filter(Enrollment.status == EnrollmentStatus.COMPLETED))
            .where(Enrollment.class_id.in_(ids), Enrollment.status.in_([str(s) for s in LEARNERS]))).one()
    rates = pass_rates(session, ids, now=now).values()
    sat, passed = sum(r["sat"] for r in rates), sum(r["passed"] for r in rates)
    return {"classes": len(ids), "hours": sum(c.hours or 0 for c in classes), "learners": learners,
            "completed": completed, "completion_rate": _rate(completed, learners),
            "sat": sat, "passed": passed, "pass_rate": _rate(passed, sat)}


def teaching_fact(session: Session, user_id: int, *, now: datetime) -> list[dict]:
    """The ``teaching`` fact (records/): one dict per class the member teaches or taught."""
    rows = session.execute(
        select(TrainingClass, Course.title, Course.hours,
               func.count(Enrollment.id).filter(Enrollment.status.in_([str(s) for s in LEARNERS])),
               func.count(Enrollment.id).filter(Enrollment.status == EnrollmentStatus.COMPLETED))
        .join(Course, Course.id == TrainingClass.course_id)
        .outerjoin(Enrollment, Enrollment.class_id == TrainingClass.id)
        .where(TrainingClass.instructor_id == user_id)
        .group_by(TrainingClass.id, Course.title, Course.hours).order_by(TrainingClass.starts_on.desc())).all()
    if not rows:          # most members teach nothing: one statement, not three
        return []
    ratings = dict(session.execute(select(Rating.class_id, func.avg(Rating.stars))
                                   .where(Rating.instructor_user_id == user_id).group_by(Rating.class_id)).all())
    exams = pass_rates(session, [row[0].id for row in rows], now=now)
    none = {"sat": 0, "passed": 0}
    return [{"class_id": tc.id, "course": title, "class": tc.title, "starts_on": tc.starts_on, "ends_on": tc.ends_on,
             "hours": hours or 0, "learners": learners, "completed": completed,
             "rating": round(float(ratings[tc.id]), 1) if tc.id in ratings else None,
             "finished": tc.ends_on < local_day(now),
             "sat": exams.get(tc.id, none)["sat"], "passed": exams.get(tc.id, none)["passed"],
             "pass_rate": _rate(exams.get(tc.id, none)["passed"], exams.get(tc.id, none)["sat"])}
            for tc, title, hours, learners, completed in rows]


def review_queue(session: Session) -> list[Qualification]:
    return list(session.scalars(select(Qualification).where(Qualification.status == QualificationStatus.PENDING)
                                .order_by(Qualification.created_at, Qualification.id)))


def availability_of(session: Session, user_id: int, *, now: datetime) -> list[Availability]:
    return list(session.scalars(select(Availability).where(Availability.user_id == user_id, Availability.ends_at > now)
                                .order_by(Availability.starts_at)))


def bookings_of(session: Session, user_id: int, *, now: datetime) -> list[InstructorBooking]:
    return list(session.scalars(select(InstructorBooking).where(InstructorBooking.user_id == user_id,
                                                                InstructorBooking.ends_at > now)
                                .order_by(InstructorBooking.starts_at)))


def invitations_for(session: Session, user_id: int) -> list[tuple[TeachingInvitation, TrainingClass, Course]]:
    return list(session.execute(
        select(TeachingInvitation, TrainingClass, Course)
        .join(TrainingClass, TrainingClass.id == TeachingInvitation.class_id)
        .join(Course, Course.id == TrainingClass.course_id)
        .where(TeachingInvitation.user_id == user_id)
        .order_by((TeachingInvitation.status == InvitationStatus.PENDING).desc(), TeachingInvitation.created_at.desc())
        .limit(50)).all())


def invitable_classes(session: Session, provider_ids: set[int], *, now: datetime) -> list[TrainingClass]:
    """The provider's scheduled classes that have not ended (for an invitation)."""
    if not provider_ids:
        return []
    return list(session.scalars(
        select(TrainingClass).join(Course, Course.id == TrainingClass.course_id)
        .where(Course.provider_id.in_(provider_ids), TrainingClass.status == "scheduled",
               TrainingClass.ends_on >= local_day(now)).order_by(TrainingClass.starts_on).limit(100)))


def ratable_classes(session: Session, user_id: int, *, now: datetime) -> list[tuple[TrainingClass, Course]]:
    """Classes the learner may rate and has not rated yet (completed, or ended and attended)."""
    from courses.models import Attendance

    rated = select(Rating.id).where(Rating.class_id == TrainingClass.id, Rating.user_id == user_id)
    attended = select(Attendance.id).where(Attendance.enrollment_id == Enrollment.id, Attendance.present.is_(True))
    return list(session.execute(
        select(TrainingClass, Course).join(Enrollment, Enrollment.class_id == TrainingClass.id)
        .join(Course, Course.id == TrainingClass.course_id)
        .where(Enrollment.user_id == user_id, ~exists(rated),
               or_(Enrollment.status == EnrollmentStatus.COMPLETED,
                   and_(Enrollment.status == EnrollmentStatus.CONFIRMED, TrainingClass.ends_on < local_day(now),
                        exists(attended))))
        .order_by(TrainingClass.ends_on.desc())).all())


def staff_of(session: Session, provider_ids: set[int]) -> list[tuple[User, InstructorProfile | None]]:
    from app.access import Role
    from app.auth.models import RoleGrant

    if not provider_ids:
        return []
    staff = select(RoleGrant.user_id).where(RoleGrant.role == Role.INSTRUCTOR,
                                            RoleGrant.organization_id.in_(provider_ids))
    return list(session.execute(
        select(User, InstructorProfile).outerjoin(InstructorProfile, InstructorProfile.user_id == User.id)
        .where(User.id.in_(staff)).order_by(User.name, User.id)).all())

