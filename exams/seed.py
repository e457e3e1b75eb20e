"""The two certificate types DOMAIN.md names, as data: seeded by the migration and by the demo
(one function, Core statements only, so it runs the same inside Alembic and in a session).
Idempotent: a type whose code exists is left as the union admins edited it."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

SPECIAL_OPERATIONS = "special-ops-low-voltage"
SKILL_LEVEL = "skill-electrician-4"

SEED_TYPES = [
    {
        "code": SPECIAL_OPERATIONS, "name_zh": "低压电工作业技能鉴定合格证书",
        "name_en": "Low-voltage electrician appraisal certificate", "level": "特种作业",
        "description": "理论考试（机考，120分钟，满分100分，80分合格）合格后方可参加实操考试（80分合格）；"
                       "每科可补考一次，仍不合格须重新培训；单科合格成绩12个月内有效；证书有效期6年，每3年复审一次。",
        "validity_months": 72, "review_every_months": 36, "review_training_hours": 8, "auto_issue": True,
        "exam_fee": 0, "requires_membership": False, "appeal_days": 7,
        "components": [
            {"kind": "theory", "position": 1, "max_score": 100, "pass_mark": 80, "duration_minutes": 120,
             "retake_limit": 1, "pass_valid_months": 12, "requires_kind": None, "double_marking": True,
             "marking_tolerance": 5},
            {"kind": "practical", "position": 2, "max_score": 100, "pass_mark": 80, "duration_minutes": 60,
             "retake_limit": 1, "pass_valid_months": 12, "requires_kind": "theory", "double_marking": False,
             "marking_tolerance": 5},
        ],
    },
    {
        "code": SKILL_LEVEL, "name_zh": "电工技能等级考核合格证书（四级/中级工）",
        "name_en": "Electrician skill assessment certificate (level 4)", "level": "四级/中级工",
        "description": "理论知识考试与操作技能考核均实行百分制，成绩皆达60分及以上者为合格。",
        "validity_months": 0, "review_every_months": None, "review_training_hours": 0, "auto_issue": True,
        "exam_fee": 0, "requires_membership": False, "appeal_days": 7,
        "components": [
            {"kind": "theory", "position": 1, "max_score": 100, "pass_mark": 60, "duration_minutes": 90,
             "retake_limit": 1, "pass_valid_months": 12, "requires_kind": None, "double_marking": True,
             "marking_tolerance": 5},
            {"kind": "practical", "position": 2, "max_score": 100, "pass_mark": 60, "duration_minutes": 120,
             "retake_limit": 1, "pass_valid_months": 12, "requires_kind": None, "double_marking": False,
             "marking_tolerance": 5},
        ],
    },
]

_types = sa.table(
    "certificate_types", sa.column("id", sa.Integer), sa.column("code", sa.String),
    sa.column("name_zh", sa.String), sa.column("name_en", sa.String), sa.column("level", sa.String),
    sa.column("description", sa.String), sa.column("validity_months", sa.Integer),
    sa.column("review_every_months", sa.Integer), sa.column("review_training_hours", sa.Integer),
    sa.column("auto_issue", sa.Boolean), sa.column("exam_fee", sa.Integer), sa.column("currency", sa.String),
    sa.column("requires_membership", sa.Boolean), sa.column("appeal_days", sa.Integer),
    sa.column("is_active", sa.Boolean), sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
_components = sa.table(
    "certificate_components", sa.column("certificate_type_id", sa.Integer), sa.column("kind", sa.String),
    sa.column("position", sa.Integer), sa.column("max_score", sa.Integer), sa.column("pass_mark", sa.Integer),
    sa.column("duration_minutes", sa.Integer), sa.column("retake_limit", sa.Integer),
    sa.column("pass_valid_months", sa.Integer), sa.column("requires_kind", sa.String),
    sa.column("double_marking", sa.Boolean), sa.column("marking_tolerance", sa.Integer),
)


def seed_certificate_types(connection: Connection, *, now: datetime | None = None) -> list[int]:
    """Insert the seeded types that are missing; returns the ids of all seeded types."""
    stamp = now or datetime(2026, 11, 22, tzinfo=UTC)   # a fixed stamp: migrations have no "now"
    if connection.dialect.name == "sqlite":
        stamp_value = stamp.astimezone(UTC).replace(tzinfo=None)
    else:
        stamp_value = stamp
    ids = []
    for spec in SEED_TYPES:
        found = connection.execute(sa.select(_types.c.id).where(_types.c.code == spec["code"])).scalar()
        if found is None:
            values = {k: v for k, v in spec.items() if k != "components"}
            found = connection.execute(_types.insert().values(
                **values, currency="CNY", is_active=True, created_at=stamp_value, updated_at=stamp_value)
                .returning(_types.c.id)).scalar_one()
            connection.execute(_components.insert(), [{**c, "certificate_type_id": found} for c in spec["components"]])
        ids.append(found)
    return ids
