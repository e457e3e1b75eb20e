"""Facts the instructor pool publishes for ``records`` (read through the domain registry)."""

from instructors.queries.pool import teaching_fact

teaching = teaching_fact

__all__ = ["teaching"]
