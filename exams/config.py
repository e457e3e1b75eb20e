"""Settings of the exams domain read from the app's configuration (by the edges, never by services)."""

from __future__ import annotations

from flask import current_app


def hold_minutes() -> int:
    """How long an unpaid exam fee holds a seat: EXAM_FEE_HOLD_MINUTES, else the enrollment's SEAT_HOLD_MINUTES."""
    config = current_app.config
    return int(config.get("EXAM_FEE_HOLD_MINUTES") or config["SEAT_HOLD_MINUTES"])
