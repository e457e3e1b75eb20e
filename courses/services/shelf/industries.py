"""Industry tags: the provincial plan's seven, and those the union adds."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import User
from app.errors import Conflict, Forbidden, Invalid
from courses.models import (
    Industry,
)

# The provincial plan's industries (DOMAIN.md); the union adds others.
INDUSTRIES = (
    ("tourism", "旅游业", "Tourism", False),
    ("services", "现代服务业", "Modern services", False),
    ("hightech", "高新技术产业", "High technology", False),
    ("tropical_agriculture", "热带特色高效农业", "Tropical agriculture", False),
    ("seed_breeding", "南繁", "Seed breeding (Nanfan)", True),
    ("deep_sea", "深海", "Deep sea", True),
    ("aerospace", "航天", "Aerospace", True),
)


# --- industries ---------------------------------------------------------------------------

def seed_industries(session: Session) -> list[Industry]:
    """Create the seven industries of the provincial plan if missing (idempotent)."""
    existing = {i.code: i for i in session.scalars(select(Industry))}
    for position, (code, name_zh, name_en, is_future) in enumerate(INDUSTRIES):
        if code not in existing:
            existing[code] = Industry(code=code, name_zh=name_zh, name_en=name_en, is_future=is_future,
                                      position=position)
            session.add(existing[code])
    session.flush()
    return sorted(existing.values(), key=lambda i: (i.position, i.id))


def add_industry(session: Session, *, actor: User, code: str, name_zh: str, name_en: str,
                 is_future: bool = False) -> Industry:
    """A union admin adds an industry tag. Raises Forbidden, Invalid, Conflict (``industry_exists``)."""
    if not actor.has_role(Role.UNION_ADMIN):
        raise Forbidden(_("Only union admins add industries."))
    code = (code or "").strip().lower()
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,31}", code):
        raise Invalid(_("Use 2–32 lower-case letters, digits or _ for the code."), field="code")
    name_zh, name_en = (name_zh or "").strip(), (name_en or "").strip()
    if not name_zh or len(name_zh) > 50:
        raise Invalid(_("Enter the Chinese name (at most 50 characters)."), field="name_zh")
    if not name_en or len(name_en) > 80:
        raise Invalid(_("Enter the English name (at most 80 characters)."), field="name_en")
    if session.scalar(select(Industry.id).where((Industry.code == code) | (Industry.name_zh == name_zh))):
        raise Conflict(_("This industry already exists."), code="industry_exists", field="code")
    position = (session.scalar(select(Industry.position).order_by(Industry.position.desc()).limit(1)) or 0) + 1
    industry = Industry(code=code, name_zh=name_zh, name_en=name_en, is_future=is_future, position=position)
    session.add(industry)
    session.flush()
    return industry
