"""Facts the catalog domain publishes for records/ (see ``DOMAIN.facts``).

"training" (per member) is ``courses.queries.learning:list_my_training``; "stats_training" below
is the aggregate the union's dashboard is summarised from: one grouped statement per metric,
never one row per enrollment.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from app.auth.models import Organization
from app.membership.models import MemberProfile, MembershipStatus
from courses.models import (
    Course,
    Enrollment,
    EnrollmentStatus,
    Industry,
    TrainingClass,
    course_industries,
)


def _month(session: Session, column):
    """The first day of the Asia/Shanghai month of a UTC timestamp column, as text YYYY-MM-01."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.date_trunc("month", column + literal_column("interval '8 hours'")), "YYYY-MM-DD")
    return func.strftime("%Y-%m-01", column, "+8 hours")


def stats_training(session: Session, *, now: datetime) -> list[dict]:
    """Enrollments, completions, hours and union subsidy per month, industry, city, grassroots
    union, employer, provider and course (a course's first industry counts)."""
    industry = (select(func.min(Industry.name_zh)).join(course_industries, course_industries.c.industry_id == Industry.id)
                .where(course_industries.c.course_id == Course.id).correlate(Course).scalar_subquery())
    union = func.coalesce(MemberProfile.union_name, "")
    employer = func.coalesce(MemberProfile.employer_name, "")
    dims = (industry.label("industry"), TrainingClass.city, union.label("union_name"), employer.label("enterprise"),
            Organization.name.label("provider"), Course.title.label("kind"))

    def grouped(month_col, *values, where):
        month = _month(session, month_col).label("month")
        stmt = (select(month, *dims, *values).select_from(Enrollment)
                .join(TrainingClass, TrainingClass.id == Enrollment.class_id)
                .join(Course, Course.id == TrainingClass.course_id)
                .join(Organization, Organization.id == Course.provider_id)
                .outerjoin(MemberProfile, (MemberProfile.user_id == Enrollment.user_id)
                           & (MemberProfile.status == MembershipStatus.VERIFIED))
                .where(*where).group_by(month, *dims))
        return session.execute(stmt)

    out: list[dict] = []
    names = ("industry", "city", "union_name", "enterprise", "provider", "kind")
    learning = (EnrollmentStatus.CONFIRMED, EnrollmentStatus.COMPLETED)
    for row in grouped(func.coalesce(Enrollment.confirmed_at, Enrollment.created_at), func.count(Enrollment.id),
                       where=(Enrollment.status.in_(learning),)):
        base = {"month": date.fromisoformat(row[0]), **dict(zip(names, row[1:7], strict=True))}
        out.append({**base, "metric": "enrolled", "value": row[7]})
    for row in grouped(Enrollment.completed_at, func.count(Enrollment.id), func.sum(Course.hours),
                       where=(Enrollment.status == EnrollmentStatus.COMPLETED,)):
        base = {"month": date.fromisoformat(row[0]), **dict(zip(names, row[1:7], strict=True))}
        out.append({**base, "metric": "trained", "value": row[7]})
        out.append({**base, "metric": "hours", "value": row[8] or 0})
    for row in grouped(func.coalesce(Enrollment.confirmed_at, Enrollment.created_at),
                       func.sum(TrainingClass.price - Enrollment.amount_due),
                       where=(Enrollment.status.in_(learning), Enrollment.price_kind == "member_free")):
        base = {"month": date.fromisoformat(row[0]), **dict(zip(names, row[1:7], strict=True))}
        out.append({**base, "metric": "subsidy", "value": max(int(row[7] or 0), 0)})
    return out
