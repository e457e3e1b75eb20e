"""The instructor and examiner pool (师资库): profiles, qualifications, availability, bookings,
conflicts of interest, teaching invitations and learners' ratings.

Depends on ``courses`` and ``app``; ``exams`` uses ``instructors.services.reserve_time`` and
``instructors.queries.rank_examiners`` / ``conflicts_between`` to assign examiners.
"""

from pathlib import Path

from flask_babel import lazy_gettext as _l

from app.access import Role
from app.domain import Domain, HomeCard, NavEntry

WORKER, PROVIDER, INSTRUCTOR, UNION = (frozenset({Role.WORKER}), frozenset({Role.PROVIDER_ADMIN}),
                                       frozenset({Role.INSTRUCTOR}), frozenset({Role.UNION_ADMIN}))
POOL = frozenset({Role.PROVIDER_ADMIN, Role.UNION_ADMIN})

DOMAIN = Domain(
    name="instructors",
    title=_l("Instructor pool"),
    blueprints=("instructors.views:bp", "instructors.api:bp"),
    models=("instructors.models",),
    demo="instructors.demo:load",
    labels=("instructors.labels",),
    translations=str(Path(__file__).parent / "translations"),
    nav=(
        NavEntry("instructors.my_profile", _l("Instructor profile"), INSTRUCTOR, order=25),
        NavEntry("instructors.pool", _l("Instructor pool"), POOL, order=25),
        NavEntry("instructors.review_queue", _l("Qualifications"), UNION, order=26),
    ),
    home_cards=(
        HomeCard("instructors.my_profile", _l("Instructor profile"),
                 _l("Qualifications, availability and invitations to teach."), INSTRUCTOR,
                 count="instructors.queries.home:count_pending_invitations", order=12),
        HomeCard("instructors.staff", _l("Our instructors"), _l("Your staff's profiles; search the union's pool."),
                 PROVIDER, order=12),
        HomeCard("instructors.review_queue", _l("Qualification review"),
                 _l("Examiner qualifications waiting for the union's check."), UNION,
                 count="instructors.queries.home:count_qualifications_to_review", order=12),
        HomeCard("instructors.pool", _l("Instructor pool"), _l("Search instructors and examiners across providers."),
                 UNION, order=13),
        HomeCard("instructors.my_ratings", _l("Rate your classes"), _l("Tell others how a finished class went."),
                 WORKER, count="instructors.queries.home:count_classes_to_rate", order=15),
    ),
    facts={"teaching": "instructors.facts:teaching"},
    setup="instructors.views:setup",
)
