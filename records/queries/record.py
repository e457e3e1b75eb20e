"""A member's record (培训档案): one timeline built from the facts every domain publishes.

Nothing here reads another domain's tables: training comes from courses' "training" fact,
exam results from "exam_results", certificates from "certificates", and so on (see
``records.facts``); honours from "honours" (studios/ enters and verifies them).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import rfc8785
from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from app.auth.models import User
from app.i18n import SHANGHAI
from app.membership.models import MemberProfile
from records.facts import as_date, gather, get

EXPIRING_DAYS = 90
# Training statuses that belong on a record (a cancelled or unpaid enrollment does not).
TRAINING_ON_RECORD = ("confirmed", "completed")


@dataclass
class Entry:
    """One line of the timeline."""

    kind: str                    # training | order_training | exam | certificate | studio | apprenticeship | ...
    on: date | None              # the day it happened (sort key)
    title: str
    subtitle: str = ""
    status: str = ""
    source: str = ""             # who vouches: provider, issuer, "government", enterprise ...
    details: dict[str, Any] = field(default_factory=dict)
    only_member: bool = False    # failed exam attempts: shown to the member only
    ours: bool | None = None     # certificates: issued by the platform, or a recorded government one
    enrollment_id: int | None = None   # training: the enrollment behind it (to join an order's place; not shown)

    def public(self) -> dict:
        # Field by field: dataclasses.asdict deep-copied every detail first (about a tenth of the
        # record API's CPU time at the scale, see docs/bench-records.md).
        return {"kind": self.kind, "on": self.on.isoformat() if self.on else None, "title": self.title,
                "subtitle": self.subtitle, "status": self.status, "source": self.source,
                "details": {k: _plain(v) for k, v in self.details.items()}, "only_member": self.only_member,
                "ours": self.ours}


@dataclass
class Totals:
    hours_this_year: int
    hours_total: int
    trainings_completed: int
    certificates_valid: int
    certificates_expiring: int
    exams_passed: int


@dataclass
class Record:
    user_id: int
    name: str
    member_no: str | None
    union_name: str | None
    entries: list[Entry]
    totals: Totals
    sections: dict[str, int]
    generated_at: datetime

    def snapshot_hash(self) -> str:
        """A hash of what others may see of the record (no failed attempts, no time of printing)."""
        shown = [e.public() for e in self.entries if not e.only_member]
        payload = {"user": self.user_id, "name": self.name, "entries": shown}
        return hashlib.sha256(rfc8785.dumps(payload)).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _str(value: Any) -> str:
    return "" if value is None else str(value)


# --- each source ----------------------------------------------------------------------------

def _training_entries(rows: list) -> list[Entry]:
    """Courses' "training" rows (objects with an enrollment) or plain dicts of the same meaning."""
    entries = []
    for row in rows:
        enrollment = get(row, "enrollment")
        if enrollment is not None:
            if enrollment.status not in TRAINING_ON_RECORD:
                continue
            tc = row.training_class
            course = tc.course
            completed = enrollment.status == "completed"
            entries.append(Entry(
                kind="training", on=as_date(enrollment.completed_at) if completed else tc.starts_on,
                title=course.title, subtitle=tc.title, status=str(enrollment.status),
                source=course.provider.name if course.provider else "",
                details={"hours": course.hours, "mode": str(tc.mode), "starts_on": tc.starts_on,
                         "ends_on": tc.ends_on, "city": tc.city, "days_present": row.days_present,
                         "days_total": row.days_total, "lessons_done": row.lessons_done,
                         "lessons_total": row.lessons_total, "via": enrollment.source,
                         "completed_at": enrollment.completed_at, "skills": list(course.skills or [])},
                enrollment_id=enrollment.id))
        else:
            if _str(get(row, "status")) not in TRAINING_ON_RECORD:
                continue
            entries.append(Entry(
                kind="training", on=as_date(get(row, "completed_at") or get(row, "starts_on")),
                title=_str(get(row, "course")), subtitle=_str(get(row, "class")), status=_str(get(row, "status")),
                source=_str(get(row, "provider")),
                details={k: get(row, k) for k in ("hours", "mode", "starts_on", "ends_on", "days_present",
                                                  "days_total", "completed_at") if get(row, k) is not None}))
    return entries


def _exam_entries(rows: list, *, for_member: bool) -> list[Entry]:
    entries = []
    for r in rows:
        passed = bool(get(r, "passed"))
        if not passed and not for_member:
            continue
        entries.append(Entry(
            kind="exam", on=as_date(get(r, "released_at") or get(r, "sat_at")),
            title=_str(get(r, "certificate_type_name") or get(r, "certificate_type")),
            subtitle=_str(get(r, "component")),
            status="passed" if passed else ("absent" if get(r, "absent") else "failed"), only_member=not passed,
            details={"score": get(r, "score"), "max_score": get(r, "max_score"), "sat_at": get(r, "sat_at"),
                     "valid_until": get(r, "valid_until")}))
    return entries


def _certificate_entries(rows: list) -> list[Entry]:
    entries = []
    for r in rows:
        ours = bool(get(r, "ours", True))
        level = _str(get(r, "level"))
        entries.append(Entry(
            kind="certificate", on=as_date(get(r, "valid_from") or get(r, "issued_at")),
            title=_str(get(r, "type")), subtitle=level, status=_str(get(r, "status")) or "valid",
            source=_str(get(r, "issuer")), ours=ours,
            details={"number": get(r, "number"), "token": get(r, "token") if ours else None,
                     "valid_from": get(r, "valid_from"), "valid_until": get(r, "valid_until"),
                     "level": level}))
    return entries


def _order_entries(rows: list, training: list[Entry]) -> list[Entry]:
    """Places on enterprise orders. A place whose enrollment is already on the record is that
    training's line, told as training through the employer (one line per class, with the
    training's hours and attendance); a place not enrolled yet is a line of its own."""
    enrolled = {e.enrollment_id: e for e in training if e.enrollment_id is not None}
    entries = []
    for r in rows:
        place = enrolled.get(get(r, "enrollment_id"))
        if place is not None:
            place.details.update(order_id=get(r, "order_id"), order_status=get(r, "status"),
                                 roster_status=get(r, "roster_status"), provider=place.source)
            place.kind, place.source = "order_training", _str(get(r, "enterprise"))
            continue
        details = {k: get(r, k) for k in ("order_id", "status", "roster_status", "provider", "hours")
                   if get(r, k) is not None}
        entries.append(Entry(
            kind="order_training", on=as_date(get(r, "completed_at") or get(r, "starts_on") or get(r, "created_at")),
            title=_str(get(r, "course")), subtitle=_str(get(r, "class")),
            status=_str(get(r, "roster_status") or get(r, "status")), source=_str(get(r, "enterprise")),
            details=details))
    return entries


def _studio_entries(roles: list, apprenticeships: list) -> list[Entry]:
    entries = [Entry(kind="studio", on=as_date(get(r, "since")), title=_str(get(r, "studio")),
                     subtitle=_str(get(r, "role")), status="ended" if get(r, "until") else "active",
                     details={"since": get(r, "since"), "until": get(r, "until"), "level": get(r, "level")})
               for r in roles]
    for a in apprenticeships:
        entries.append(Entry(
            kind="apprenticeship", on=as_date(get(a, "since") or get(a, "starts_on") or get(a, "started_on")),
            title=_str(get(a, "studio") or get(a, "title")),
            subtitle=_str(get(a, "master") or get(a, "apprentice") or get(a, "role")),
            status=_str(get(a, "status")) or "active",
            details={k: _plain(v) for k, v in (a.items() if isinstance(a, dict) else ())
                     if k in ("role", "master", "apprentice", "trade", "since", "until", "starts_on", "ends_on",
                              "final_result")}))
    return entries


def _teaching_entries(rows: list) -> list[Entry]:
    return [Entry(kind="teaching", on=as_date(get(r, "since") or get(r, "starts_on")),
                  title=_str(get(r, "title") or get(r, "course") or get(r, "subject")),
                  subtitle=_str(get(r, "class") or get(r, "role") or get(r, "provider")),
                  status=_str(get(r, "status")) or ("ended" if get(r, "finished") else "active"),
                  details={k: _plain(v) for k, v in (r.items() if isinstance(r, dict) else ())
                           if isinstance(v, str | int | float | date | datetime)})
            for r in rows]


def _honour_entries(published: list) -> list[Entry]:
    """Verified honours another domain publishes as "honours" (studios: ``{kind, title, level,
    year, awarded_by, verified_at}``); union admins enter and verify them there."""
    entries = []
    for h in published:
        year = get(h, "year")
        on = as_date(get(h, "awarded_on")) or (date(int(year), 1, 1) if year else as_date(get(h, "verified_at")))
        entries.append(Entry(kind="honour", on=on, title=_str(get(h, "title")), subtitle=_str(get(h, "kind")),
                             status="verified", source=_str(get(h, "awarded_by")),
                             details={"honour_kind": _str(get(h, "kind")), "level": get(h, "level"), "year": year}))
    return entries


# --- the record -----------------------------------------------------------------------------

def totals_of(entries: list[Entry], *, today: date) -> Totals:
    hours_year = hours_total = completed = valid = expiring = passed = 0
    soon = today + timedelta(days=EXPIRING_DAYS)
    for e in entries:
        if e.kind in ("training", "order_training") and e.status == "completed":
            hours = int(e.details.get("hours") or 0)
            hours_total += hours
            completed += 1
            if e.on and e.on.year == today.year:
                hours_year += hours
        elif e.kind == "certificate" and e.status == "valid":
            until = as_date(e.details.get("valid_until"))
            if until is None or until >= today:
                valid += 1
                if until is not None and until <= soon:
                    expiring += 1
        elif e.kind == "exam" and e.status == "passed":
            passed += 1
    return Totals(hours_this_year=hours_year, hours_total=hours_total, trainings_completed=completed,
                  certificates_valid=valid, certificates_expiring=expiring, exams_passed=passed)


def build_record(session: Session, user: User, *, now: datetime, for_member: bool = True) -> Record:
    """The member's whole record, newest first. ``for_member=False`` leaves out what only the
    member may see (failed exam attempts): printouts, exports and verifiers use that."""
    uid = user.id
    entries: list[Entry] = []
    training = _training_entries(gather(session, "training", uid, now=now))
    entries += training
    entries += _order_entries(gather(session, "order_training", uid, now=now), training)
    entries += _exam_entries(gather(session, "exam_results", uid, now=now, include_failed=for_member),
                             for_member=for_member)
    entries += _certificate_entries(gather(session, "certificates", uid, now=now))
    entries += _studio_entries(gather(session, "studio_roles", uid, now=now),
                               gather(session, "apprenticeships", uid, now=now))
    entries += _teaching_entries(gather(session, "teaching", uid, now=now))
    entries += _honour_entries(gather(session, "honours", uid, now=now))
    entries.sort(key=lambda e: (e.on or date.min, e.kind, e.title), reverse=True)
    profile = session.scalar(select(MemberProfile).options(lazyload(MemberProfile.user))
                             .where(MemberProfile.user_id == uid))
    verified = profile is not None and profile.is_verified
    sections: dict[str, int] = {}
    for e in entries:
        sections[e.kind] = sections.get(e.kind, 0) + 1
    return Record(user_id=uid, name=profile.real_name if verified else user.name,
                  member_no=profile.member_no if verified else None,
                  union_name=profile.union_name if verified else None, entries=entries,
                  totals=totals_of(entries, today=now.astimezone(SHANGHAI).date()), sections=sections,
                  generated_at=now)
