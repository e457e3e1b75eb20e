"""Facts the catalog domain publishes for records/ (see ``DOMAIN.facts``).

"training" (per member) is ``courses.queries.learning:list_my_training``; "stats_training" below
is the aggregate the union's dashboard is summarised from: a few grouped statements (a total
and one per breakdown), never one row per enrollment.
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

LEARNING = (EnrollmentStatus.CONFIRMED, EnrollmentStatus.COMPLETED)


def month_start(session: Session, column):
    """The first day of the Asia/Shanghai month of a UTC timestamp column, as text YYYY-MM-01."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.date_trunc("month", column + literal_column("interval '8 hours'")), "YYYY-MM-DD")
    return func.strftime("%Y-%m-01", column, "+8 hours")


def _breakdowns():
    """Each breakdown's expression and the joins it needs (a course's first industry counts)."""
    industry = (select(func.min(Industry.name_zh)).join(course_industries, course_industries.c.industry_id == Industry.id)
                .where(course_industries.c.course_id == Course.id).correlate(Course).scalar_subquery())
    return {
        "": (None, ()),
        "industry": (industry, ("course",)),
        "city": (TrainingClass.city, ()),
        "union_name": (MemberProfile.union_name, ("member",)),
        "enterprise": (MemberProfile.employer_name, ("member",)),
        "provider": (Organization.name, ("course", "provider")),
        "kind": (Course.title, ("course",)),
    }


def stats_training(session: Session, *, now: datetime) -> list[dict]:
    """Enrollments, completions, hours and union subsidy per month: in total and per industry,
    city, grassroots union, employer, provider and course (rows carry their ``dimension``)."""
    metrics = (
        # (month of, values, where, names)
        (func.coalesce(Enrollment.confirmed_at, Enrollment.created_at), (func.count(Enrollment.id),),
         (Enrollment.status.in_(LEARNING),), ("enrolled",)),
        (Enrollment.completed_at, (func.count(Enrollment.id), func.sum(Course.hours)),
         (Enrollment.status == EnrollmentStatus.COMPLETED,), ("trained", "hours")),
        (func.coalesce(Enrollment.confirmed_at, Enrollment.created_at),
         (func.sum(TrainingClass.price - Enrollment.amount_due),),
         (Enrollment.status.in_(LEARNING), Enrollment.price_kind == "member_free"), ("subsidy",)),
    )
    out: list[dict] = []
    for dimension, (key, joins) in _breakdowns().items():
        for month_of, values, where, names in metrics:
            month = month_start(session, month_of).label("month")
            columns = [month] + ([key.label("key")] if key is not None else [])
            stmt = (select(*columns, *values).select_from(Enrollment)
                    .join(TrainingClass, TrainingClass.id == Enrollment.class_id))
            if "course" in joins or "hours" in names:
                stmt = stmt.join(Course, Course.id == TrainingClass.course_id)
            if "provider" in joins:
                stmt = stmt.join(Organization, Organization.id == Course.provider_id)
            if "member" in joins:
                stmt = stmt.outerjoin(MemberProfile, (MemberProfile.user_id == Enrollment.user_id)
                                      & (MemberProfile.status == MembershipStatus.VERIFIED))
            stmt = stmt.where(*where).group_by(*columns)
            for row in session.execute(stmt):
                base = {"month": date.fromisoformat(row[0]), "dimension": dimension}
                if key is not None:
                    base[dimension] = row[1] or ""
                for name, value in zip(names, row[len(columns):], strict=True):
                    out.append({**base, "metric": name, "value": max(int(value or 0), 0)})
    return out
