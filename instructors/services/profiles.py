"""Instructor profiles, qualifications, availability and declared relations.

The person keeps their own profile; an admin of a provider they teach for may edit it too.
Only union admins verify or reject a qualification; editing a verified one sends it back to
pending (a changed number or expiry has to be checked again).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.errors import Forbidden, Invalid, NotFound
from app.inputs import check_date
from instructors.models import (
    Availability,
    AvailabilityKind,
    DeclaredRelation,
    InstructorProfile,
    Qualification,
    QualificationRole,
    QualificationStatus,
    TeachingTrade,
)
from instructors.permissions import can_edit_profile, can_verify_qualifications

PROFILE_FIELDS = ("titles", "years_experience", "biography", "city", "in_pool", "trades")
RELATIONS = ("kin", "colleague", "master_apprentice", "other")
PHOTO_MAX_BYTES = 5 * 1024 * 1024
SCAN_MAX_BYTES = 10 * 1024 * 1024
FILE_NAME = re.compile(r"[A-Za-z0-9_-]{24}\.(png|jpg|webp|pdf)")
_MAGIC = (
    (lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"), "png"),
    (lambda b: b.startswith(b"\xff\xd8\xff"), "jpg"),
    (lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP", "webp"),
    (lambda b: b.startswith(b"%PDF-"), "pdf"),
)


def _text(value: Any, field: str, max_length: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise Invalid(_("This field is required."), field=field)
    if len(text) > max_length:
        raise Invalid(_("At most %(n)d characters.", n=max_length), field=field)
    return text


def _person(session: Session, actor: User, user_id: int) -> User:
    person = session.get(User, user_id)
    if person is None or not can_edit_profile(actor, person):
        raise NotFound(_("No such instructor."))
    return person


def ensure_profile(session: Session, *, user_id: int, now: datetime) -> InstructorProfile:
    """The person's profile, created empty on first use."""
    profile = session.scalar(select(InstructorProfile).where(InstructorProfile.user_id == user_id))
    if profile is None:
        profile = InstructorProfile(user_id=user_id, created_at=now, updated_at=now)
        session.add(profile)
        session.flush()
    return profile


def _titles(value: Iterable[str] | str | None) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"[,，、;；\n]+", value)
    titles = list(dict.fromkeys(t.strip() for t in (value or []) if t and t.strip()))
    if len(titles) > 10 or any(len(t) > 30 for t in titles):
        raise Invalid(_("At most 10 titles of at most 30 characters each."), field="titles")
    return titles


def _trades(value: Iterable[Mapping[str, str]] | str | None) -> list[tuple[str, str]]:
    """``[{"trade", "level"}]`` or lines of ``trade level`` / ``trade:level``."""
    pairs: list[tuple[str, str]] = []
    if isinstance(value, str):
        for line in re.split(r"[\n;；]+", value):
            parts = [p for p in re.split(r"[:：\s]+", line.strip(), maxsplit=1) if p]
            if parts:
                pairs.append((parts[0], parts[1] if len(parts) > 1 else ""))
    else:
        for item in value or []:
            pairs.append((str(item.get("trade") or "").strip(), str(item.get("level") or "").strip()))
    pairs = list(dict.fromkeys(p for p in pairs if p[0]))
    if len(pairs) > 20 or any(len(t) > 100 or len(lv) > 50 for t, lv in pairs):
        raise Invalid(_("At most 20 trades."), field="trades")
    return pairs


def update_profile(session: Session, *, actor: User, user_id: int, changes: Mapping[str, Any],
                   now: datetime) -> InstructorProfile:
    """Edit a profile (the person or their provider's admin). Raises NotFound, Invalid."""
    _person(session, actor, user_id)
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise Invalid(_("Unknown field."), field=sorted(unknown)[0])
    profile = ensure_profile(session, user_id=user_id, now=now)
    if "titles" in changes:
        profile.titles = _titles(changes["titles"])
    if "years_experience" in changes:
        years = changes["years_experience"]
        if not isinstance(years, int) or isinstance(years, bool) or not 0 <= years <= 70:
            raise Invalid(_("Years of experience must be between 0 and 70."), field="years_experience")
        profile.years_experience = years
    if "biography" in changes:
        profile.biography = _text(changes["biography"], "biography", 2000)
    if "city" in changes:
        profile.city = _text(changes["city"], "city", 50)
    if "in_pool" in changes:
        profile.in_pool = bool(changes["in_pool"])
    if "trades" in changes:
        wanted = _trades(changes["trades"])
        kept = {(t.trade, t.level): t for t in profile.trades}
        profile.trades = [kept.get(pair) or TeachingTrade(trade=pair[0], level=pair[1]) for pair in wanted]
    profile.updated_at = now
    session.flush()
    return profile


def _detect(content: bytes, allowed: tuple[str, ...]) -> str | None:
    for test, ext in _MAGIC:
        if ext in allowed and test(content[:16]):
            return ext
    return None


def _store(content: bytes, upload_folder: str, ext: str) -> str:
    folder = Path(upload_folder) / "instructors"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(18)}.{ext}"
    (folder / name).write_bytes(content)
    return name


def stored_file(upload_folder: str, name: str | None) -> Path | None:
    """The stored photo or scan for a name, or None for anything that is not one."""
    if not FILE_NAME.fullmatch(name or ""):
        return None
    path = Path(upload_folder) / "instructors" / name
    return path if path.is_file() else None


def set_photo(session: Session, *, actor: User, user_id: int, content: bytes, upload_folder: str,
              now: datetime) -> InstructorProfile:
    """A PNG/JPEG/WebP photo of at most 5 MB (checked by magic bytes)."""
    _person(session, actor, user_id)
    if len(content) > PHOTO_MAX_BYTES:
        raise Invalid(_("The photo may be at most 5 MB."), code="image_too_large", field="photo")
    ext = _detect(content, ("png", "jpg", "webp"))
    if ext is None:
        raise Invalid(_("The photo must be a PNG, JPEG or WebP image."), code="bad_image", field="photo")
    profile = ensure_profile(session, user_id=user_id, now=now)
    profile.photo = _store(content, upload_folder, ext)
    profile.updated_at = now
    session.flush()
    return profile


def _date(value: Any, field: str, *, required: bool) -> date | None:
    if value in (None, ""):
        if required:
            raise Invalid(_("Enter a date."), field=field)
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            raise Invalid(_("Enter a date."), field=field) from None
    return check_date(value, field)


def add_qualification(session: Session, *, actor: User, user_id: int, certificate_type_code: str,
                      certificate_type_name: str = "", level: str | None = None, number: str, issuer: str,
                      expires_on: date | str, issued_on: date | str | None = None,
                      role: str = QualificationRole.EXAMINER, scan: bytes | None = None, scan_name: str = "",
                      upload_folder: str | None = None, now: datetime) -> Qualification:
    """Record an examiner/proctor qualification, pending until a union admin verifies it."""
    _person(session, actor, user_id)
    try:
        role = QualificationRole(role)
    except ValueError:
        raise Invalid(_("Choose examiner or proctor."), field="role") from None
    code = _text(certificate_type_code, "certificate_type_code", 64, required=True)
    expires = _date(expires_on, "expires_on", required=True)
    issued = _date(issued_on, "issued_on", required=False)
    if issued and expires <= issued:
        raise Invalid(_("The expiry must come after the issue date."), field="expires_on")
    qualification = Qualification(
        user_id=user_id, role=role, certificate_type_code=code,
        certificate_type_name=_text(certificate_type_name, "certificate_type_name", 200) or code,
        level=_text(level, "level", 50) or None, number=_text(number, "number", 64, required=True),
        issuer=_text(issuer, "issuer", 200, required=True), issued_on=issued, expires_on=expires,
        status=QualificationStatus.PENDING, created_at=now)
    if scan:
        if upload_folder is None:
            raise Invalid(_("Uploads are not configured."), field="scan")
        if len(scan) > SCAN_MAX_BYTES:
            raise Invalid(_("The scan may be at most 10 MB."), code="file_too_large", field="scan")
        ext = _detect(scan, ("png", "jpg", "webp", "pdf"))
        if ext is None:
            raise Invalid(_("The scan must be a PDF, PNG, JPEG or WebP file."), code="bad_file", field="scan")
        qualification.scan_file = _store(scan, upload_folder, ext)
        qualification.scan_name = _text(scan_name, "scan", 255)[:255] or f"scan.{ext}"
    ensure_profile(session, user_id=user_id, now=now)
    session.add(qualification)
    session.flush()
    return qualification


def _qualification(session: Session, actor: User, qualification_id: int) -> Qualification:
    qualification = session.get(Qualification, qualification_id)
    if qualification is None or not (can_edit_profile(actor, qualification.user)
                                     or can_verify_qualifications(actor)):
        raise NotFound(_("No such qualification."))
    return qualification


def remove_qualification(session: Session, *, actor: User, qualification_id: int) -> None:
    qualification = _qualification(session, actor, qualification_id)
    if not can_edit_profile(actor, qualification.user):
        raise Forbidden(_("Only the instructor or their provider may remove a qualification."))
    session.delete(qualification)
    session.flush()


def decide_qualification(session: Session, *, actor: User, qualification_id: int, verify: bool, note: str = "",
                         now: datetime) -> Qualification:
    """A union admin verifies or rejects a qualification (a rejection needs a reason)."""
    if not can_verify_qualifications(actor):
        raise Forbidden(_("Only union admins verify qualifications."))
    qualification = _qualification(session, actor, qualification_id)
    note = _text(note, "note", 500)
    if not verify and not note:
        raise Invalid(_("Say why the qualification is rejected."), field="note")
    if qualification.user_id == actor.id:
        raise Forbidden(_("Nobody verifies their own qualification."), code="own_qualification")
    qualification.status = QualificationStatus.VERIFIED if verify else QualificationStatus.REJECTED
    qualification.decision_note = note
    qualification.decided_at, qualification.decided_by_id = now, actor.id
    session.flush()
    return qualification


def _aware(value: Any, field: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise Invalid(_("Enter a date and time."), field=field)
    check_date(value.date(), field)   # its own local date: converting year 1 or 9999 to UTC could overflow
    return value


def add_availability(session: Session, *, actor: User, user_id: int, starts_at: datetime, ends_at: datetime,
                     kind: str = AvailabilityKind.BOTH, note: str = "", now: datetime) -> Availability:
    """Mark a period the person can teach and/or examine (in the future, at most a year long)."""
    _person(session, actor, user_id)
    starts_at, ends_at = _aware(starts_at, "starts_at"), _aware(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise Invalid(_("The end must come after the start."), code="ends_before_start", field="ends_at")
    if ends_at <= now:
        raise Invalid(_("This period is already over."), code="in_the_past", field="ends_at")
    if (ends_at - starts_at).days > 366:
        raise Invalid(_("A period may last at most a year."), field="ends_at")
    try:
        kind = AvailabilityKind(kind)
    except ValueError:
        raise Invalid(_("Choose teaching, examining or both."), field="kind") from None
    slot = Availability(user_id=user_id, kind=kind, starts_at=starts_at, ends_at=ends_at,
                        note=_text(note, "note", 200), created_at=now)
    session.add(slot)
    session.flush()
    return slot


def remove_availability(session: Session, *, actor: User, availability_id: int) -> None:
    slot = session.get(Availability, availability_id)
    if slot is None or not can_edit_profile(actor, session.get(User, slot.user_id)):
        raise NotFound(_("No such period."))
    session.delete(slot)
    session.flush()


def declare_relation(session: Session, *, actor: User, related_account: str, relation: str, note: str = "",
                     now: datetime) -> DeclaredRelation:
    """The actor declares a relation to a person (found by phone or e-mail); a repeat updates it."""
    from app.auth.validation import normalize_account

    if relation not in RELATIONS:
        raise Invalid(_("Choose a relation."), field="relation")
    try:
        kind, value = normalize_account(related_account)
    except Invalid:
        raise Invalid(_("Enter the person's phone number or e-mail."), field="related_account") from None
    related = session.scalar(select(User).where((User.phone if kind == "phone" else User.email) == value))
    if related is None:
        raise Invalid(_("Nobody with this phone number or e-mail has an account."), code="unknown_person",
                      field="related_account")
    if related.id == actor.id:
        raise Invalid(_("You cannot declare a relation to yourself."), field="related_account")
    existing = session.scalar(select(DeclaredRelation).where(DeclaredRelation.user_id == actor.id,
                                                             DeclaredRelation.related_user_id == related.id))
    if existing is None:
        existing = DeclaredRelation(user_id=actor.id, related_user_id=related.id, created_at=now)
        session.add(existing)
    existing.relation, existing.note = relation, _text(note, "note", 200)
    session.flush()
    return existing


def remove_relation(session: Session, *, actor: User, relation_id: int) -> None:
    relation = session.get(DeclaredRelation, relation_id)
    if relation is None or relation.user_id != actor.id:
        raise NotFound(_("No such relation."))
    session.delete(relation)
    session.flush()

