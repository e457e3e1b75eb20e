"""Certificate types and their exam rules, edited by union admins."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.errors import Conflict, Invalid, NotFound
from courses.models import Course
from exams.models import CertificateComponent, CertificateType, CertificateTypeCourse, ComponentKind

TYPE_FIELDS = ("name_zh", "name_en", "level", "description", "validity_months", "review_every_months",
               "review_training_hours", "auto_issue", "exam_fee", "requires_membership", "appeal_days", "is_active")
COMPONENT_FIELDS = ("max_score", "pass_mark", "duration_minutes", "retake_limit", "pass_valid_months",
                    "requires_kind", "double_marking", "marking_tolerance", "position")


def _check_component(kind: str, values: dict, kinds: set[str]) -> None:
    if kind not in set(ComponentKind):
        raise Invalid(_("Unknown component %(kind)s.", kind=kind), field="kind")
    if not 0 <= values.get("pass_mark", 0) <= values.get("max_score", 100):
        raise Invalid(_("The pass mark must be between 0 and the maximum score."), field="pass_mark")
    if values.get("duration_minutes", 1) <= 0:
        raise Invalid(_("The duration must be positive."), field="duration_minutes")
    if values.get("retake_limit", 0) < 0 or values.get("pass_valid_months", 1) <= 0:
        raise Invalid(_("Retakes cannot be negative and a pass must count for at least a month."),
                      field="retake_limit")
    required = values.get("requires_kind")
    if required and (required == kind or required not in kinds):
        raise Invalid(_("A component can only require another component of the same type."), field="requires_kind")


def save_certificate_type(session: Session, *, actor: User, now: datetime, type_id: int | None, code: str,
                          values: dict, components: list[dict]) -> CertificateType:
    """Create or update a type with its components (rows: kind + rules). Raises Invalid, Conflict."""
    code = code.strip()
    if not code:
        raise Invalid(_("A code is required."), field="code")
    if not values.get("name_zh"):
        raise Invalid(_("A Chinese name is required."), field="name_zh")
    if values.get("exam_fee", 0) < 0:
        raise Invalid(_("A fee cannot be negative."), field="exam_fee")
    if not components:
        raise Invalid(_("A certificate type needs at least one component."), field="components")
    kinds = [c["kind"] for c in components]
    if len(set(kinds)) != len(kinds):
        raise Invalid(_("Each component may appear once."), field="components")
    for c in components:
        _check_component(c["kind"], c, set(kinds))
    clash = session.scalar(select(CertificateType.id).where(CertificateType.code == code))
    if type_id is None:
        if clash is not None:
            raise Conflict(_("A certificate type with this code exists."), code="code_taken", field="code")
        ctype = CertificateType(code=code, created_at=now)
        session.add(ctype)
    else:
        ctype = session.get(CertificateType, type_id)
        if ctype is None:
            raise NotFound(_("No such certificate type."))
        if clash is not None and clash != type_id:
            raise Conflict(_("A certificate type with this code exists."), code="code_taken", field="code")
        ctype.code = code
    for name in TYPE_FIELDS:
        if name in values:
            setattr(ctype, name, values[name])
    ctype.updated_at = now
    existing = {c.kind: c for c in ctype.components}
    for position, spec in enumerate(components, start=1):
        component = existing.pop(spec["kind"], None)
        if component is None:
            component = CertificateComponent(kind=spec["kind"])
            ctype.components.append(component)
        for name in COMPONENT_FIELDS:
            if name in spec:
                setattr(component, name, spec[name] or None if name == "requires_kind" else spec[name])
        component.position = spec.get("position") or position
    for leftover in existing.values():
        ctype.components.remove(leftover)
    session.flush()
    return ctype


def set_required_courses(session: Session, *, actor: User, type_id: int, course_ids: list[int]) -> list[int]:
    """The courses whose completion a type requires ("training required"). Raises NotFound, Invalid."""
    if session.get(CertificateType, type_id) is None:
        raise NotFound(_("No such certificate type."))
    wanted = sorted(set(course_ids))
    found = set(session.scalars(select(Course.id).where(Course.id.in_(wanted)))) if wanted else set()
    if missing := [i for i in wanted if i not in found]:
        raise Invalid(_("Unknown course %(id)s.", id=missing[0]), field="course_ids")
    session.execute(delete(CertificateTypeCourse).where(CertificateTypeCourse.certificate_type_id == type_id))
    session.add_all([CertificateTypeCourse(certificate_type_id=type_id, course_id=i) for i in wanted])
    session.flush()
    return wanted
