"""Skill appraisal (技能鉴定): certificate types and their exam rules, the question bank and
papers, exam sessions and booking, timed online attempts, grading by independent examiners.

``DOMAIN`` below is everything this package adds to the platform (see ``app.domain``).
"""

from pathlib import Path

from celery.schedules import crontab
from flask_babel import lazy_gettext as _l

from app.access import Role
from app.domain import Domain, HomeCard, NavEntry

WORKER, INSTRUCTOR, UNION = (frozenset({Role.WORKER}), frozenset({Role.INSTRUCTOR}), frozenset({Role.UNION_ADMIN}))

DOMAIN = Domain(
    name="exams",
    title=_l("Exams"),
    blueprints=("exams.views:bp", "exams.api:bp"),
    models=("exams.models",),
    tasks=("exams.tasks",),
    beat={
        "exams-submit-overdue": {"task": "exams.submit_overdue", "schedule": 60.0},
        "exam-reminders": {"task": "exams.send_reminders", "schedule": crontab(minute=10)},
        "exams-release-expired-holds": {"task": "exams.release_expired_holds", "schedule": 60.0},
    },
    demo="exams.demo:load",
    labels=("exams.labels",),
    translations=str(Path(__file__).parent / "translations"),
    nav=(
        NavEntry("exams.sessions", _l("Exams"), None, order=15),
        NavEntry("exams.my_exams", _l("My exams"), WORKER, order=30),
        NavEntry("exams.grading_queue", _l("Grading"), INSTRUCTOR, order=30),
        NavEntry("exams.admin_sessions", _l("Exam sessions"), UNION, order=30),
    ),
    home_cards=(
        HomeCard("exams.my_exams", _l("My exams"), _l("Book exams, admission tickets, online exams and results."),
                 WORKER, count="exams.queries:count_upcoming", order=30),
        HomeCard("exams.grading_queue", _l("Grading"), _l("Answers and practical tasks waiting for your mark."),
                 INSTRUCTOR, count="exams.queries:count_to_grade", order=30),
        HomeCard("exams.admin_sessions", _l("Exam sessions"),
                 _l("Schedule sessions, assign examiners, release results; certificate types and question banks."),
                 UNION, count="exams.queries:count_sessions_to_release", order=30),
    ),
    payment_purposes=("exams.services.booking:EXAM_FEE",),
    facts={
        "exam_results": "exams.facts:exam_results",
        "exam_results_of_many": "exams.facts:exam_results_of_many",
        "certificate_eligibility": "exams.facts:certificate_eligibility",
        "released_candidates": "exams.facts:released_candidates",
        "stats_exams": "exams.facts:stats_exams",
        "pass_rates_of_classes": "exams.facts:pass_rates_of_classes",
    },
)
