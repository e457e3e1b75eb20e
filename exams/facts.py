"""What the exams domain publishes for other domains (certificates, records): released
results and whether a candidate has passed everything a certificate type asks for.
Plain dicts; keep these signatures stable."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.membership.models import MemberProfile, MembershipStatus
from courses.facts import month_start
from courses.models import Enrollment, EnrollmentStatus, TrainingClass
from exams.models import (
    CertificateComponent,
    CertificateType,
    CertificateTypeCourse,
    ComponentResult,
    ExamSession,
)


def _result_dict(r: ComponentResult) -> dict:
    return {
        "result_id": r.id,
        "certificate_type": r.certificate_type.code,
        "certificate_type_id": r.certificate_type_id,
        "certificate_type_name": r.certificate_type.name_zh,
        "component": r.component.kind,
        "component_id": r.component_id,
        "score": r.score,
        "max_score": r.component.max_score,
        "passed": r.passed,
        "absent": r.absent,
        "sat_at": r.sat_at,
        "released_at": r.released_at,
        "valid_until": r.valid_until,
        "exam_session_id": r.exam_session_id,
    }


def exam_results(session: Session, user_id: int, *, now: datetime, include_failed: bool = False) -> list[dict]:
    """The member's released component results, newest first (passes only unless ``include_failed``)."""
    stmt = (select(ComponentResult).options(joinedload(ComponentResult.certificate_type).lazyload(CertificateType.components))
            .where(ComponentResult.user_id == user_id, ComponentResult.released_at.is_not(None),
                   ComponentResult.released_at <= now)
            .order_by(ComponentResult.sat_at.desc(), ComponentResult.id.desc()))
    if not include_failed:
        stmt = stmt.where(ComponentResult.passed.is_(True))
    return [_result_dict(r) for r in session.scalars(stmt)]


def exam_results_of_many(session: Session, user_ids: list[int], *, now: datetime,
                         include_failed: bool = False) -> dict[int, list[dict]]:
    """``exam_results`` for many members at once, in three statements (lists of people: no N+1)."""
    found: dict[int, list[dict]] = {user_id: [] for user_id in user_ids}
    if not user_ids:
        return found
    stmt = (select(ComponentResult).options(selectinload(ComponentResult.certificate_type),
                                            selectinload(ComponentResult.component))
            .where(ComponentResult.user_id.in_(user_ids), ComponentResult.released_at.is_not(None),
                   ComponentResult.released_at <= now)
            .order_by(ComponentResult.sat_at.desc(), ComponentResult.id.desc()))
    if not include_failed:
        stmt = stmt.where(ComponentResult.passed.is_(True))
    for result in session.scalars(stmt):
        found[result.user_id].append(_result_dict(result))
    return found


def certificate_eligibility(session: Session, *, user_id: int, certificate_type_id: int, now: datetime) -> dict:
    """Has the member passed every component of the type, each pass still counting at ``now``?

    Returns ``{"eligible", "components": [{component, score, passed, passed_at, valid_until,
    exam_session_id}], "reasons": [str]}``; one entry per component of the type, the best
    evidence for it (the latest valid pass, else the latest released result).
    """
    ctype = session.get(CertificateType, certificate_type_id)
    if ctype is None:
        return {"eligible": False, "components": [], "reasons": ["unknown certificate type"]}
    results = list(session.scalars(
        select(ComponentResult).where(ComponentResult.user_id == user_id,
                                      ComponentResult.certificate_type_id == certificate_type_id,
                                      ComponentResult.released_at.is_not(None),
                                      ComponentResult.released_at <= now)
        .order_by(ComponentResult.sat_at.desc(), ComponentResult.id.desc())))
    components, reasons = [], []
    for component in ctype.components:
        mine = [r for r in results if r.component_id == component.id]
        valid = next((r for r in mine if r.passed and (r.valid_until is None or r.valid_until > now)), None)
        best = valid or (mine[0] if mine else None)
        components.append({
            "component": component.kind,
            "score": best.score if best else None,
            "passed": valid is not None,
            "passed_at": valid.sat_at if valid else None,
            "valid_until": valid.valid_until if valid else None,
            "exam_session_id": best.exam_session_id if best else None,
        })
        if valid is None:
            if best is None:
                reasons.append(f"{component.kind}: not taken")
            elif best.passed:
                reasons.append(f"{component.kind}: pass expired")
            else:
                reasons.append(f"{component.kind}: not passed")
    return {"eligible": not reasons and bool(components), "components": components, "reasons": reasons}


def released_candidates(session: Session, *, exam_session_id: int) -> list[int]:
    """Users with a released result at this session."""
    return sorted(set(session.scalars(
        select(ComponentResult.user_id).where(ComponentResult.exam_session_id == exam_session_id,
                                              ComponentResult.released_at.is_not(None)))))


def stats_exams(session: Session, *, now: datetime) -> list[dict]:
    """For the union dashboard: released component results per month (of release, Asia/Shanghai),
    ``exams_sat`` (the candidate was there) and ``exams_passed``, in total and per certificate type
    (``kind``), exam city, grassroots union and employer. One grouped statement per breakdown."""
    member = (MemberProfile.user_id == ComponentResult.user_id) & (MemberProfile.status == MembershipStatus.VERIFIED)
    breakdowns = {
        "": (None, ()),
        "kind": (CertificateType.name_zh, ("type",)),
        "city": (ExamSession.city, ("session",)),
        "union_name": (MemberProfile.union_name, ("member",)),
        "enterprise": (MemberProfile.employer_name, ("member",)),
    }
    month = month_start(session, ComponentResult.released_at).label("month")
    out: list[dict] = []
    for dimension, (key, joins) in breakdowns.items():
        columns = [month] + ([key.label("key")] if key is not None else [])
        stmt = select(*columns, func.count(ComponentResult.id),
                      func.sum(case((ComponentResult.passed.is_(True), 1), else_=0))).select_from(ComponentResult)
        if "type" in joins:
            stmt = stmt.join(CertificateType, CertificateType.id == ComponentResult.certificate_type_id)
        if "session" in joins:
            stmt = stmt.join(ExamSession, ExamSession.id == ComponentResult.exam_session_id)
        if "member" in joins:
            stmt = stmt.outerjoin(MemberProfile, member)
        stmt = stmt.where(ComponentResult.released_at.is_not(None), ComponentResult.released_at <= now,
                          ComponentResult.absent.is_(False)).group_by(*columns)
        for row in session.execute(stmt):
            base = {"month": date.fromisoformat(row[0]), "dimension": dimension}
            if key is not None:
                base[dimension] = row[1] or ""
            sat, passed = row[len(columns):]
            out.append({**base, "metric": "exams_sat", "value": int(sat or 0)})
            out.append({**base, "metric": "exams_passed", "value": int(passed or 0)})
    return out
def pass_rates_of_classes(session: Session, class_ids: list[int], *, now: datetime) -> dict[int, dict]:
    """How the learners of these classes did at the exams of the certificate types their courses prepare for.

    ``{class_id: {"sat", "passed"}}`` for every asked class: ``sat`` counts the class's learners (confirmed or
    completed) with a released result, present, of such a type; ``passed`` those of them who passed every
    component of at least one such type (a pass counts here even once its validity has run out: this is a
    record of how the teaching went). One grouped statement whatever the number of classes.
    """
    found = {class_id: {"sat": 0, "passed": 0} for class_id in class_ids}
    if not class_ids:
        return found
    per_member = (select(ComponentResult.user_id, ComponentResult.certificate_type_id,
                         func.count(distinct(case((ComponentResult.passed.is_(True), ComponentResult.component_id))))
                         .label("passed_components"))
                  .where(ComponentResult.released_at.is_not(None), ComponentResult.released_at <= now,
                         ComponentResult.absent.is_(False))
                  .group_by(ComponentResult.user_id, ComponentResult.certificate_type_id).subquery())
    needed = (select(CertificateComponent.certificate_type_id, func.count().label("components"))
              .group_by(CertificateComponent.certificate_type_id).subquery())
    passed_all = per_member.c.passed_components >= needed.c.components
    rows = session.execute(
        select(Enrollment.class_id, func.count(distinct(Enrollment.user_id)),
               func.count(distinct(case((passed_all, Enrollment.user_id)))))
        .join(TrainingClass, TrainingClass.id == Enrollment.class_id)
        .join(CertificateTypeCourse, CertificateTypeCourse.course_id == TrainingClass.course_id)
        .join(per_member, and_(per_member.c.user_id == Enrollment.user_id,
                               per_member.c.certificate_type_id == CertificateTypeCourse.certificate_type_id))
        .join(needed, needed.c.certificate_type_id == CertificateTypeCourse.certificate_type_id)
        .where(Enrollment.class_id.in_(class_ids),
               Enrollment.status.in_([str(EnrollmentStatus.CONFIRMED), str(EnrollmentStatus.COMPLETED)]))
        .group_by(Enrollment.class_id))
    for class_id, sat, passed in rows:
        found[class_id] = {"sat": int(sat), "passed": int(passed)}
    return found
