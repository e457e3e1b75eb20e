"""The union's targets, as data."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import User
from app.errors import Forbidden, Invalid, NotFound
from records.models import Target
from records.services.stats import DIMENSIONS

METRICS = ("trained", "enrolled", "hours", "certificates_issued", "exams_passed", "exams_sat", "subsidy",
           "orders_trained")


def save_target(session: Session, *, actor: User, title: str, metric: str, goal: int, starts_on: date,
                ends_on: date, dimension: str = "", value: str = "", now: datetime,
                target_id: int | None = None) -> Target:
    """Create or change a target. Raises Forbidden, NotFound, Invalid."""
    if not actor.has_role(Role.UNION_ADMIN):
        raise Forbidden(_("Only union admins set targets."))
    if not title.strip():
        raise Invalid(_("Enter a title."), field="title")
    if metric not in METRICS:
        raise Invalid(_("Choose what the target counts."), field="metric")
    if goal <= 0:
        raise Invalid(_("The goal must be above zero."), field="goal")
    if ends_on < starts_on:
        raise Invalid(_("The target ends before it starts."), field="ends_on")
    if dimension and dimension not in DIMENSIONS:
        raise Invalid(_("Choose a breakdown."), field="dimension")
    if dimension and not value.strip():
        raise Invalid(_("Enter the value of the breakdown."), field="value")
    if target_id is None:
        target = Target(created_at=now)
        session.add(target)
    else:
        target = session.get(Target, target_id)
        if target is None:
            raise NotFound(_("No such target."))
    target.title, target.metric, target.goal = title.strip()[:200], metric, goal
    target.starts_on, target.ends_on = starts_on, ends_on
    target.dimension, target.value = dimension, value.strip()[:200] if dimension else ""
    session.flush()
    return target


def delete_target(session: Session, *, actor: User, target_id: int) -> None:
    """Remove a target. Raises Forbidden, NotFound."""
    if not actor.has_role(Role.UNION_ADMIN):
        raise Forbidden(_("Only union admins set targets."))
    target = session.get(Target, target_id)
    if target is None:
        raise NotFound(_("No such target."))
    session.delete(target)
    session.flush()
