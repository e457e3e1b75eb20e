"""(filled by the enrollment work)."""
