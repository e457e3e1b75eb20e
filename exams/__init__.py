"""Skill appraisal (技能鉴定): certificate types and their exam rules, the question bank and
papers, exam sessions and booking, timed online attempts, grading by independent examiners.

``DOMAIN`` below is everything this package adds to the platform (see ``app.domain``).
"""

from pathlib import Path

from app.domain import Domain

DOMAIN = Domain(
    name="exams",
    models=("exams.models",),
    translations=str(Path(__file__).parent / "translations"),
    facts={
        "exam_results": "exams.facts:exam_results",
        "certificate_eligibility": "exams.facts:certificate_eligibility",
        "released_candidates": "exams.facts:released_candidates",
    },
)
