"""Celery tasks of the catalog domain (filled by the enrollment & payments work)."""
