"""Catalog: courses, training classes, enrollment, online lessons, attendance.

``DOMAIN`` below is everything this package adds to the platform (see ``app.domain``).
"""

from celery.schedules import crontab
from flask_babel import lazy_gettext as _l

from app.access import Role
from app.domain import Domain, HomeCard, NavEntry

WORKER, PROVIDER, INSTRUCTOR, UNION = (frozenset({Role.WORKER}), frozenset({Role.PROVIDER_ADMIN}),
                                       frozenset({Role.INSTRUCTOR}), frozenset({Role.UNION_ADMIN}))

DOMAIN = Domain(
    name="courses",
    title=_l("Courses"),
    blueprints=("courses.views:bp", "courses.api:bp"),
    models=("courses.models",),
    tasks=("courses.tasks",),
    beat={
        "release-expired-holds": {"task": "courses.release_expired_holds", "schedule": 60.0},
        "class-reminders": {"task": "courses.send_class_reminders", "schedule": crontab(minute=0)},
        "refresh-catalog-listings": {"task": "courses.refresh_listings", "schedule": crontab(hour=0, minute=5)},
    },
    demo="courses.demo:load",
    labels=("courses.labels",),
    nav=(
        NavEntry("courses.catalog", _l("Courses"), None, order=10),
        NavEntry("courses.my_training", _l("My training"), WORKER, order=20),
        NavEntry("courses.provider_courses", _l("My courses"), PROVIDER, order=20),
        NavEntry("courses.instructor_classes", _l("My classes"), INSTRUCTOR, order=20),
        NavEntry("courses.review_queue", _l("Course review"), UNION, order=20),
        NavEntry("courses.search_dictionary", _l("Search dictionary"), UNION, order=85),
    ),
    home_cards=(
        HomeCard("courses.catalog", _l("Find training"), _l("Search courses by trade, industry and city."),
                 WORKER, order=10),
        HomeCard("courses.my_training", _l("My training"), _l("Your classes, lessons, payments and check-in."),
                 WORKER, count="courses.queries.home:count_my_active_enrollments", order=11),
        HomeCard("courses.provider_courses", _l("My courses"), _l("Publish courses and classes; follow enrollments."),
                 PROVIDER, count="courses.queries.home:count_provider_drafts", order=10),
        HomeCard("courses.instructor_classes", _l("My classes"), _l("Attendance, lessons and the day's check-in code."),
                 INSTRUCTOR, count="courses.queries.home:count_classes_to_teach", order=10),
        HomeCard("courses.review_queue", _l("Course review"), _l("Courses waiting for the union's approval."),
                 UNION, count="courses.queries.home:count_courses_to_review", order=10),
    ),
    home_sections=("courses.views.catalog:home_section",),
    warm_up=("courses.catalog_cache:warm_up",),
    payment_purposes=("courses.services.enrollment.payment_handlers:ENROLLMENT_PAYMENTS",),
    facts={"training": "courses.queries.learning:list_my_training", "stats_training": "courses.facts:stats_training"},
)
