"""Pure predicates: who may do what with courses, classes and enrollments."""

from __future__ import annotations

from app.access import Role
from app.auth.models import User
from courses.models import Course, Enrollment, TrainingClass


def is_provider_admin_of(user: User, provider_id: int) -> bool:
    return user.is_authenticated and provider_id in user.org_ids(Role.PROVIDER_ADMIN)


def can_manage_course(user: User, course: Course) -> bool:
    """Provider admins of the course's provider edit it, its classes and lessons."""
    return is_provider_admin_of(user, course.provider_id)


def can_review_courses(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.UNION_ADMIN)


def can_see_course(user: User, course: Course) -> bool:
    """Public once approved and published; otherwise its provider and union reviewers."""
    return course.is_public or can_manage_course(user, course) or can_review_courses(user)


def can_teach_class(user: User, training_class: TrainingClass) -> bool:
    """The class's instructor, or its provider's admins (roster, attendance, lessons)."""
    return user.is_authenticated and (
        training_class.instructor_id == user.id or is_provider_admin_of(user, training_class.course.provider_id))


def owns_enrollment(user: User, enrollment: Enrollment) -> bool:
    return user.is_authenticated and enrollment.user_id == user.id
