"""Reads of the instructor pool. ``exams`` uses ``rank_examiners`` and ``conflicts_between``."""

from instructors.queries.examiners import (
    ExaminerChoice,
    conflict_map,
    conflicts_between,
    qualification_counts,
    rank_examiners,
)

__all__ = ["ExaminerChoice", "conflict_map", "conflicts_between", "qualification_counts", "rank_examiners"]
