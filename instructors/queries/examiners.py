"""Examiner assignment: who may examine whom, and why (or why not).

``rank_examiners`` lists every pool member holding a qualification for the certificate type
(and level), marks each eligible or not, and explains it in words. An examiner is excluded
when the qualification is not verified, has expired (it stops counting on its expiry date,
in Asia/Shanghai), they are booked at that time, or they are in conflict with a candidate:
they taught a class the candidate enrolled in (the class's instructor or one of the course's
instructors), they share the candidate's employer, or either declared a relation to the
other. Everything is loaded in a fixed number of queries, whatever the number of people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.auth.models import Organization, RoleGrant, User
from app.i18n import SHANGHAI
from app.labels import label
from app.membership.models import MemberProfile
from courses.models import SEAT_HOLDING, Course, Enrollment, TrainingClass, course_instructors
from instructors.models import (
    Availability,
    AvailabilityKind,
    DeclaredRelation,
    InstructorBooking,
    InstructorProfile,
    Qualification,
    QualificationRole,
    QualificationStatus,
)


def local_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def qualification_counts(qualification: Qualification, *, now: datetime, on: datetime | None = None) -> bool:
    """Verified and not yet expired today (and, when ``on`` is given, on that day too)."""
    if qualification.status != QualificationStatus.VERIFIED:
        return False
    last = max(local_day(now), local_day(on)) if on else local_day(now)
    return last < qualification.expires_on


def level_matches(qualification_level: str | None, level: str | None) -> bool:
    return not level or not qualification_level or qualification_level == level


@dataclass
class ExaminerChoice:
    """One pool member considered for an exam session, with the reasons in words."""

    user: User
    qualification: Qualification | None
    eligible: bool
    reasons: list[str] = field(default_factory=list)
    available: bool = False          # marked themselves available for the whole time
    conflicts: list[str] = field(default_factory=list)


def _norm(name: str | None) -> str:
    return "".join((name or "").split()).casefold()


def _employers(session: Session, user_ids: set[int]) -> dict[int, dict[str, str]]:
    """Each person's employers: member profile's employer and organizations they work in."""
    found: dict[int, dict[str, str]] = defaultdict(dict)
    if not user_ids:
        return found
    for user_id, employer in session.execute(
            select(MemberProfile.user_id, MemberProfile.employer_name).where(MemberProfile.user_id.in_(user_ids))):
        if _norm(employer):
            found[user_id][_norm(employer)] = employer.strip()
    for user_id, org_name in session.execute(
            select(RoleGrant.user_id, Organization.name).join(Organization, Organization.id == RoleGrant.organization_id)
            .where(RoleGrant.user_id.in_(user_ids))):
        if _norm(org_name):
            found[user_id][_norm(org_name)] = org_name.strip()
    return found


def conflict_map(session: Session, examiner_ids: Iterable[int], candidate_ids: Iterable[int]
                 ) -> dict[tuple[int, int], list[str]]:
    """``{(examiner, candidate): [reason, ...]}`` for every pair in conflict (five queries)."""
    examiners, candidates = set(examiner_ids), set(candidate_ids)
    out: dict[tuple[int, int], list[str]] = defaultdict(list)
    if not examiners or not candidates:
        return out
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(candidates))).all())

    def add(examiner_id: int, candidate_id: int, reason: str) -> None:
        if reason not in out[(examiner_id, candidate_id)]:
            out[(examiner_id, candidate_id)].append(reason)

    taught = (select(TrainingClass.instructor_id, Enrollment.user_id, TrainingClass.title, Course.title)
              .join(Enrollment, Enrollment.class_id == TrainingClass.id)
              .join(Course, Course.id == TrainingClass.course_id)
              .where(TrainingClass.instructor_id.in_(examiners), Enrollment.user_id.in_(candidates),
                     Enrollment.status.in_([str(s) for s in SEAT_HOLDING])))
    course_taught = (select(course_instructors.c.user_id, Enrollment.user_id, TrainingClass.title, Course.title)
                     .join(TrainingClass, TrainingClass.course_id == course_instructors.c.course_id)
                     .join(Enrollment, Enrollment.class_id == TrainingClass.id)
                     .join(Course, Course.id == TrainingClass.course_id)
                     .where(course_instructors.c.user_id.in_(examiners), Enrollment.user_id.in_(candidates),
                            Enrollment.status.in_([str(s) for s in SEAT_HOLDING])))
    for stmt in (taught, course_taught):
        for examiner_id, candidate_id, class_title, course_title in session.execute(stmt):
            if examiner_id == candidate_id:
                continue
            add(examiner_id, candidate_id,
                _("excluded: trained candidate %(name)s in class %(cls)s (%(course)s)",
                  name=names.get(candidate_id, ""), cls=class_title, course=course_title))

    employers = _employers(session, examiners | candidates)
    for examiner_id in examiners:
        mine = employers.get(examiner_id, {})
        for candidate_id in candidates:
            if examiner_id == candidate_id:
                continue
            shared = [mine[key] for key in employers.get(candidate_id, {}) if key in mine]
            if shared:
                add(examiner_id, candidate_id, _("excluded: same employer as candidate %(name)s (%(employer)s)",
                                                 name=names.get(candidate_id, ""), employer=shared[0]))

    relations = session.execute(select(DeclaredRelation.user_id, DeclaredRelation.related_user_id,
                                       DeclaredRelation.relation).where(or_(
        DeclaredRelation.user_id.in_(examiners) & DeclaredRelation.related_user_id.in_(candidates),
        DeclaredRelation.user_id.in_(candidates) & DeclaredRelation.related_user_id.in_(examiners))))
    for declarer, related, relation in relations:
        pair = (declarer, related) if declarer in examiners and related in candidates else (related, declarer)
        add(*pair, _("excluded: declared relation with candidate %(name)s (%(relation)s)",
                     name=names.get(pair[1], ""), relation=label(relation, "relation")))

    for examiner_id in examiners & candidates:
        add(examiner_id, examiner_id, _("excluded: is a candidate in this session"))
    return out


def conflicts_between(session: Session, *, examiner_user_id: int, candidate_user_id: int) -> list[str]:
    """Why this examiner must not examine (or grade) this candidate; empty when nothing stands in the way."""
    return list(conflict_map(session, [examiner_user_id], [candidate_user_id]).get(
        (examiner_user_id, candidate_user_id), []))


def _purpose_text(purpose: str) -> str:
    return label(purpose, "booking_purpose")


def rank_examiners(session: Session, *, certificate_type_code: str, level: str | None, starts_at: datetime,
                   ends_at: datetime, candidate_user_ids: list[int], now: datetime,
                   role: str = QualificationRole.EXAMINER, exclude_booking: tuple[str, int] | None = None
                   ) -> list[ExaminerChoice]:
    """Every qualified-or-not pool member for the type and level, eligible ones first.

    ``exclude_booking`` (purpose, reference id) ignores the session's own bookings, so an
    examiner already assigned to this session is not reported busy because of it.
    """
    qualifications = list(session.scalars(
        select(Qualification).where(Qualification.certificate_type_code == certificate_type_code,
                                    Qualification.role == str(role))
        .order_by(Qualification.user_id, Qualification.id)))
    best: dict[int, Qualification] = {}
    for q in qualifications:
        if not level_matches(q.level, level):
            continue
        current = best.get(q.user_id)
        rank = (qualification_counts(q, now=now, on=starts_at), q.status == QualificationStatus.VERIFIED,
                q.expires_on)
        if current is None or rank > (qualification_counts(current, now=now, on=starts_at),
                                      current.status == QualificationStatus.VERIFIED, current.expires_on):
            best[q.user_id] = q
    if not best:
        return []
    people = set(best)
    busy: dict[int, list[InstructorBooking]] = defaultdict(list)
    for booking in session.scalars(select(InstructorBooking).where(
            InstructorBooking.user_id.in_(people), InstructorBooking.starts_at < ends_at,
            InstructorBooking.ends_at > starts_at)):
        if exclude_booking and (booking.purpose, booking.reference_id) == exclude_booking:
            continue
        busy[booking.user_id].append(booking)
    from instructors.services.booking import classes_taught_between

    teaching = classes_taught_between(session, people, starts_at, ends_at)
    available = set(session.scalars(select(Availability.user_id).where(
        Availability.user_id.in_(people), Availability.starts_at <= starts_at, Availability.ends_at >= ends_at,
        Availability.kind.in_([str(AvailabilityKind.EXAMINE), str(AvailabilityKind.BOTH)]))))
    conflicts = conflict_map(session, people, candidate_user_ids)
    in_pool = set(session.scalars(select(InstructorProfile.user_id).where(
        InstructorProfile.user_id.in_(people), InstructorProfile.in_pool.is_(True))))

    choices = []
    for user_id, q in best.items():
        reasons: list[str] = []
        eligible = True
        what = label(q.role, "qualification_role")
        level_text = f" {q.level}" if q.level else ""
        if q.status != QualificationStatus.VERIFIED:
            eligible = False
            reasons.append(_("excluded: qualification not verified"))
        elif local_day(now) >= q.expires_on:
            eligible = False
            reasons.append(_("excluded: qualification expired on %(date)s", date=q.expires_on.isoformat()))
        elif local_day(starts_at) >= q.expires_on:
            eligible = False
            reasons.append(_("excluded: qualification expires on %(date)s, before the session",
                             date=q.expires_on.isoformat()))
        else:
            reasons.append(_("qualified %(role)s for %(type)s%(level)s, expires on %(date)s", role=what,
                             type=q.label, level=level_text, date=q.expires_on.isoformat()))
        if not q.user.is_active or user_id not in in_pool:
            eligible = False
            reasons.append(_("excluded: not in the pool"))
        if busy.get(user_id) or teaching.get(user_id):
            eligible = False
            reasons.append(_("excluded: busy at that time (%(what)s)",
                             what=", ".join([_purpose_text(b.purpose) for b in busy.get(user_id, [])]
                                            + [tc.title for tc in teaching.get(user_id, [])])))
        found = [reason for candidate_id in candidate_user_ids for reason in conflicts.get((user_id, candidate_id), [])]
        if found:
            eligible = False
            reasons.extend(found)
        is_available = user_id in available
        if eligible and candidate_user_ids:
            reasons.append(_("no conflict with the %(n)s booked candidates", n=len(set(candidate_user_ids))))
        if eligible:
            reasons.append(_("marked available at that time") if is_available
                           else _("no availability marked for that time"))
        choices.append(ExaminerChoice(user=q.user, qualification=q, eligible=eligible, reasons=reasons,
                                      available=is_available, conflicts=found))
    choices.sort(key=lambda c: (not c.eligible, not c.available, c.user.name, c.user.id))
    return choices
