"""Facts the instructor pool publishes for ``records`` (read through the domain registry)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from instructors.models import InstructorProfile, Qualification, QualificationStatus, Rating
from instructors.queries.examiners import local_day
from instructors.queries.pool import teaching_fact

teaching = teaching_fact   # fn(session, user_id, *, now) -> [{class_id, course, class, hours, learners, ...}]


def stats(session: Session, *, now: datetime) -> dict:
    """The union dashboard's numbers: pool size, examiners who count today, reviews waiting, ratings."""
    examiners = session.scalar(select(func.count(func.distinct(Qualification.user_id))).where(
        Qualification.status == QualificationStatus.VERIFIED, Qualification.expires_on > local_day(now))) or 0
    count, average = session.execute(select(func.count(Rating.id), func.avg(Rating.stars))).one()
    return {
        "pool": session.scalar(select(func.count()).select_from(InstructorProfile)
                               .where(InstructorProfile.in_pool.is_(True))) or 0,
        "qualified_examiners": examiners,
        "qualifications_to_review": session.scalar(select(func.count()).select_from(Qualification).where(
            Qualification.status == QualificationStatus.PENDING)) or 0,
        "ratings": count or 0, "average_rating": round(float(average), 2) if average is not None else None,
    }
