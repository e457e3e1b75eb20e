"""The instructor and examiner pool (师资库): profiles, qualifications, availability, bookings,
conflicts of interest, teaching invitations and learners' ratings.

Depends on ``courses`` and ``app``; ``exams`` uses ``instructors.services.reserve_time`` and
``instructors.queries.rank_examiners`` / ``conflicts_between`` to assign examiners.
"""

from pathlib import Path

from app.domain import Domain

DOMAIN = Domain(
    name="instructors",
    models=("instructors.models",),
    labels=("instructors.labels",),
    translations=str(Path(__file__).parent / "translations"),
)
