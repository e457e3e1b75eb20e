"""Celery tasks of the payments module (filled by the enrollment & payments work)."""
