"""Facts this domain publishes for records/ (read through the domain registry, never the tables)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from studios.models import Apprenticeship, Honor, HonorStatus, Studio, StudioMember, StudioStatus


def honours_of_member(session: Session, user_id: int, *, now: datetime) -> list[dict]:
    """Verified honours: [{kind, title, level, year, awarded_by, verified_at}], newest first."""
    return [{"kind": str(h.kind), "title": h.title, "level": str(h.level), "year": h.year,
             "awarded_by": h.awarded_by, "verified_at": h.verified_at}
            for h in session.scalars(select(Honor).where(Honor.user_id == user_id,
                                                         Honor.status == HonorStatus.VERIFIED)
                                     .order_by(Honor.year.desc(), Honor.id.desc()))]


def studio_roles_of_member(session: Session, user_id: int, *, now: datetime) -> list[dict]:
    """Membership of named studios: [{studio, studio_id, level, role, since, until}]."""
    rows = session.execute(select(StudioMember, Studio).join(Studio).where(
        StudioMember.user_id == user_id, Studio.status == StudioStatus.NAMED).order_by(StudioMember.since.desc()))
    return [{"studio": s.name, "studio_id": s.id, "level": str(s.level), "role": str(m.role), "since": m.since,
             "until": m.until} for m, s in rows]


def apprenticeships_of_member(session: Session, user_id: int, *, now: datetime) -> list[dict]:
    """Pairings where the member is master or apprentice: [{studio, role, master, apprentice, starts_on, ends_on,
    goals, status, final_result, assessed_at}]."""
    pairs = session.scalars(select(Apprenticeship).where(or_(Apprenticeship.master_id == user_id,
                                                             Apprenticeship.apprentice_id == user_id))
                            .order_by(Apprenticeship.starts_on.desc()))
    return [{"studio": a.studio.name, "role": "master" if a.master_id == user_id else "apprentice",
             "master": a.master.name, "apprentice": a.apprentice.name, "starts_on": a.starts_on,
             "ends_on": a.ends_on, "goals": a.goals, "status": str(a.status), "final_result": a.final_result,
             "assessed_at": a.assessed_at} for a in pairs]


def studio_stats(session: Session, *, now: datetime) -> dict:
    """For the union dashboard: named studios per level and apprenticeships running."""
    per_level = dict(session.execute(select(Studio.level, func.count()).where(Studio.status == StudioStatus.NAMED)
                                     .group_by(Studio.level)).all())
    return {"named_per_level": {str(k): v for k, v in per_level.items()},
            "named": sum(per_level.values()),
            "apprenticeships_active": session.scalar(select(func.count()).select_from(Apprenticeship)
                                                     .where(Apprenticeship.status == "active")) or 0}
