"""Every write of the exams domain. Services take ``session``, ``actor`` and ``now``, flush but
never commit, and raise ``DomainError`` subclasses."""
