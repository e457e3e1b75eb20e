"""Studio profiles: proposal, naming (命名), profile edits, members, honours, achievements, photos."""

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

from app.access import Role
from app.auth.models import Organization, OrgKind, OrgStatus, User
from app.auth.validation import normalize_phone
from app.errors import Conflict, Forbidden, Invalid, NotFound
from courses.models import Course, CourseStatus, Industry
from courses.services.shelf.courses import clean_text, detect_image_type
from studios.models import (
    Achievement,
    AchievementKind,
    Honor,
    HonorKind,
    HonorStatus,
    MemberRole,
    Studio,
    StudioLevel,
    StudioMember,
    StudioPhoto,
    StudioStatus,
    StudioTrade,
)
from studios.permissions import can_edit_studio, can_manage_members, can_see_studio, is_union_admin

PROFILE_FIELDS = ("name", "city", "summary", "description", "address", "contact_phone", "trades",
                  "industry_codes", "course_ids")
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_BYTES = 5 * 1024 * 1024
FILE_NAME = re.compile(r"^[A-Za-z0-9_-]{16,64}\.(png|jpg|webp|pdf)$")
# CN patent / utility-model numbers: ZL + year + type (1 invention, 2 utility model, 3 design,
# 8/9 PCT) + 7-digit serial + "." + check digit (mod 11 over the 12 digits, weights 2..9; 10 → X).
PATENT = re.compile(r"^(?:ZL)?\s*(\d{4})\s*([12389])\s*(\d{7})\s*\.\s*([0-9X])$", re.IGNORECASE)
PATENT_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


def patent_check_digit(digits: str) -> str:
    total = sum(int(d) * w for d, w in zip(digits, PATENT_WEIGHTS, strict=True)) % 11
    return "X" if total == 10 else str(total)


def normalize_patent_number(raw: str) -> str:
    """``ZL 2023 2 0123456.7`` → ``ZL202320123456.7``. Raises Invalid for a malformed number or check digit."""
    match = PATENT.fullmatch((raw or "").strip())
    if not match:
        raise Invalid(_("A patent number looks like ZL202320123456.7."), code="bad_patent_number",
                      field="patent_number")
    digits = "".join(match.groups()[:3])
    if patent_check_digit(digits) != match.group(4).upper():
        raise Invalid(_("The patent number's check digit is wrong."), code="bad_patent_number",
                      field="patent_number")
    return f"ZL{digits}.{match.group(4).upper()}"


def parse_trades(value: Iterable[str] | str | None) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"[,，、;；\n]+", value)
    trades = list(dict.fromkeys(t.strip() for t in (value or []) if t and t.strip()))
    if len(trades) > 20 or any(len(t) > 50 for t in trades):
        raise Invalid(_("At most 20 trades of at most 50 characters each."), field="trades")
    return trades


def _industries(session: Session, codes: Iterable[str]) -> list[Industry]:
    codes = list(dict.fromkeys(codes or []))
    found = list(session.scalars(select(Industry).where(Industry.code.in_(codes)))) if codes else []
    if len(found) != len(codes):
        raise Invalid(_("Unknown industry."), code="unknown_industry", field="industry_codes")
    return found


def user_by_phone(session: Session, phone: str, *, field: str) -> User:
    """The registered user with this mobile number. Raises Invalid (``unknown_user``)."""
    user = session.scalar(select(User).where(User.phone == normalize_phone(phone, field=field)))
    if user is None:
        raise Invalid(_("Nobody is registered with this phone number."), code="unknown_user", field=field)
    return user


def get_studio(session: Session, *, actor: User, studio_id: int) -> Studio:
    """A studio the actor may see. Raises NotFound (also for a proposal the actor may not see)."""
    studio = session.get(Studio, studio_id)
    if studio is None or not can_see_studio(actor, studio):
        raise NotFound(_("Studio not found."))
    return studio


def get_studio_to_edit(session: Session, *, actor: User, studio_id: int) -> Studio:
    """A studio the actor is a member of (or 404 if they may not even see it, 403 otherwise)."""
    studio = get_studio(session, actor=actor, studio_id=studio_id)
    if not can_edit_studio(actor, studio):
        raise Forbidden(_("Only the studio's members edit its profile."))
    return studio


# --- proposal and naming ------------------------------------------------------------------

def propose_studio(session: Session, *, actor: User, name: str, organization_id: int, leader_phone: str,
                   level: StudioLevel | str = StudioLevel.CITY, city: str = "", summary: str = "",
                   note: str = "", now: datetime) -> Studio:
    """An enterprise admin (for their enterprise) or a union admin proposes a studio.

    Raises Forbidden, Invalid (``unknown_user``, ``not_enterprise``), Conflict (``duplicate_studio``).
    """
    union = is_union_admin(actor)
    if not union and organization_id not in actor.org_ids(Role.ENTERPRISE_ADMIN):
        raise Forbidden(_("Propose studios for your own enterprise."))
    org = session.get(Organization, organization_id)
    if org is None or org.kind != OrgKind.ENTERPRISE or org.status != OrgStatus.APPROVED:
        raise Invalid(_("A studio belongs to an approved enterprise."), code="not_enterprise",
                      field="organization_id")
    name = clean_text(name, "name", 200, required=True)
    if session.scalar(select(Studio.id).where(Studio.name == name, Studio.status != StudioStatus.REJECTED)):
        raise Conflict(_("A studio with this name already exists."), code="duplicate_studio", field="name")
    try:
        level = StudioLevel(level)
    except ValueError:
        raise Invalid(_("Unknown level."), field="level") from None
    leader = user_by_phone(session, leader_phone, field="leader_phone")
    studio = Studio(name=name, organization_id=org.id, leader_id=leader.id, proposed_level=level,
                    city=clean_text(city or org.city, "city", 50), summary=clean_text(summary, "summary", 500),
                    proposal_note=clean_text(note, "note", 1000), proposed_by_id=actor.id, proposed_at=now)
    studio.members.append(StudioMember(user_id=leader.id, role=MemberRole.LEADER, since=now.date()))
    session.add(studio)
    session.flush()
    return studio


def name_studio(session: Session, *, actor: User, studio_id: int, level: StudioLevel | str, note: str = "",
                now: datetime) -> Studio:
    """Union admins name (命名) a proposed studio at a level. Raises Forbidden, NotFound, Conflict, Invalid."""
    if not is_union_admin(actor):
        raise Forbidden(_("Only union admins name studios."))
    studio = get_studio(session, actor=actor, studio_id=studio_id)
    if studio.status != StudioStatus.PROPOSED:
        raise Conflict(_("Only a proposed studio can be named."), code="bad_state")
    try:
        studio.level = StudioLevel(level)
    except ValueError:
        raise Invalid(_("Unknown level."), field="level") from None
    studio.status = StudioStatus.NAMED
    studio.named_at, studio.named_by_id = now, actor.id
    studio.decision_note = clean_text(note, "note", 500)
    session.flush()
    return studio


def reject_studio(session: Session, *, actor: User, studio_id: int, note: str, now: datetime) -> Studio:
    """Union admins turn a proposal down, with a reason. Raises Forbidden, NotFound, Conflict, Invalid."""
    if not is_union_admin(actor):
        raise Forbidden(_("Only union admins name studios."))
    studio = get_studio(session, actor=actor, studio_id=studio_id)
    if studio.status != StudioStatus.PROPOSED:
        raise Conflict(_("Only a proposed studio can be named."), code="bad_state")
    studio.decision_note = clean_text(note, "note", 500, required=True)
    studio.status = StudioStatus.REJECTED
    studio.named_by_id = actor.id
    session.flush()
    return studio


# --- profile ------------------------------------------------------------------------------

def update_studio(session: Session, *, actor: User, studio_id: int, changes: Mapping[str, Any],
                  now: datetime) -> Studio:
    """A member edits the studio's profile, specialities and courses. Raises NotFound, Forbidden, Invalid."""
    studio = get_studio_to_edit(session, actor=actor, studio_id=studio_id)
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise Invalid(_("Unknown field."), field=sorted(unknown)[0])
    for key, limit in (("name", 200), ("city", 50), ("summary", 500), ("address", 200), ("contact_phone", 32)):
        if key in changes:
            setattr(studio, key, clean_text(changes[key], key, limit, required=key == "name"))
    if "description" in changes:
        studio.description = clean_text(changes["description"], "description", 10_000)
    if "trades" in changes:
        existing = {t.trade: t for t in studio.trades}   # kept rows stay (no delete-then-insert clash)
        studio.trades = [existing.get(t) or StudioTrade(trade=t) for t in parse_trades(changes["trades"])]
        for position, row in enumerate(studio.trades):
            row.position = position
    if "industry_codes" in changes:
        studio.industries = _industries(session, changes["industry_codes"])
    if "course_ids" in changes:
        ids = list(dict.fromkeys(int(i) for i in changes["course_ids"] or []))
        courses = list(session.scalars(select(Course).where(Course.id.in_(ids),
                                                            Course.status == CourseStatus.APPROVED))) if ids else []
        if len(courses) != len(ids):
            raise Invalid(_("Link only approved courses."), code="unknown_course", field="course_ids")
        studio.courses = courses
    session.flush()
    return studio


def add_member(session: Session, *, actor: User, studio_id: int, phone: str, title: str = "",
               now: datetime) -> StudioMember:
    """The leader adds a registered person as a member. Raises NotFound, Forbidden, Invalid, Conflict."""
    studio = get_studio(session, actor=actor, studio_id=studio_id)
    if not can_manage_members(actor, studio):
        raise Forbidden(_("Only the studio's leader manages its members."))
    user = user_by_phone(session, phone, field="phone")
    existing = next((m for m in studio.members if m.user_id == user.id), None)
    if existing is not None and existing.until is None:
        raise Conflict(_("This person is already a member."), code="already_member", field="phone")
    if existing is not None:
        existing.until, existing.since, existing.title = None, now.date(), clean_text(title, "title", 100)
        session.flush()
        return existing
    member = StudioMember(user_id=user.id, role=MemberRole.MEMBER, title=clean_text(title, "title", 100),
                          since=now.date())
    studio.members.append(member)
    session.flush()
    return member


def remove_member(session: Session, *, actor: User, studio_id: int, user_id: int, now: datetime) -> StudioMember:
    """The leader ends someone's membership (kept as history). Raises NotFound, Forbidden, Conflict."""
    studio = get_studio(session, actor=actor, studio_id=studio_id)
    if not can_manage_members(actor, studio):
        raise Forbidden(_("Only the studio's leader manages its members."))
    member = next((m for m in studio.members if m.user_id == user_id and m.until is None), None)
    if member is None:
        raise NotFound(_("Not a member."))
    if member.role == MemberRole.LEADER:
        raise Conflict(_("The leader stays a member."), code="leader_stays")
    member.until = now.date()
    session.flush()
    return member


# --- honours ------------------------------------------------------------------------------

def enter_honor(session: Session, *, actor: User, user_id: int, kind: HonorKind | str, title: str,
                level: StudioLevel | str, year: int, awarded_by: str, now: datetime) -> Honor:
    """A union admin records an honour a member holds; another step verifies it. Raises Forbidden, Invalid."""
    if not is_union_admin(actor):
        raise Forbidden(_("Only union admins record honours."))
    if session.get(User, user_id) is None:
        raise Invalid(_("Nobody is registered with this phone number."), code="unknown_user", field="user_id")
    try:
        kind, level = HonorKind(kind), StudioLevel(level)
    except ValueError:
        raise Invalid(_("Unknown kind or level."), field="kind") from None
    if not 1950 <= int(year) <= now.year:
        raise Invalid(_("Enter the year it was awarded."), field="year")
    honor = Honor(user_id=user_id, kind=kind, title=clean_text(title, "title", 100, required=True), level=level,
                  year=int(year), awarded_by=clean_text(awarded_by, "awarded_by", 200, required=True),
                  entered_by_id=actor.id, entered_at=now)
    session.add(honor)
    session.flush()
    return honor


def verify_honor(session: Session, *, actor: User, honor_id: int, accept: bool, now: datetime) -> Honor:
    """A union admin checks an entered honour against the awarding document. Raises Forbidden, NotFound, Conflict."""
    if not is_union_admin(actor):
        raise Forbidden(_("Only union admins record honours."))
    honor = session.get(Honor, honor_id)
    if honor is None:
        raise NotFound(_("Honour not found."))
    if honor.status != HonorStatus.PENDING:
        raise Conflict(_("This honour was already checked."), code="bad_state")
    honor.status = HonorStatus.VERIFIED if accept else HonorStatus.REJECTED
    honor.verified_by_id, honor.verified_at = actor.id, now
    session.flush()
    return honor


# --- achievements and photos --------------------------------------------------------------

def _store(content: bytes, upload_folder: str, ext: str) -> str:
    folder = Path(upload_folder) / "studios"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_urlsafe(18)}.{ext}"
    (folder / name).write_bytes(content)
    return name


def stored_file(upload_folder: str, name: str) -> Path | None:
    """A stored studio file for a public name, or None for anything that is not one."""
    if not FILE_NAME.fullmatch(name or ""):
        return None
    path = Path(upload_folder) / "studios" / name
    return path if path.is_file() else None


def add_achievement(session: Session, *, actor: User, studio_id: int, kind: AchievementKind | str, title: str,
                    achieved_on: date, description: str = "", patent_number: str | None = None,
                    evidence: bytes | None = None, evidence_name: str = "", upload_folder: str | None = None,
                    now: datetime) -> Achievement:
    """A member records an innovation, patent (with its number), technique or award, with optional evidence
    (PDF or image, at most 10 MB). Raises NotFound, Forbidden, Invalid (``bad_patent_number``), Conflict."""
    studio = get_studio_to_edit(session, actor=actor, studio_id=studio_id)
    try:
        kind = AchievementKind(kind)
    except ValueError:
        raise Invalid(_("Unknown kind."), field="kind") from None
    if achieved_on is None or achieved_on > now.date():
        raise Invalid(_("Enter a date that has passed."), field="achieved_on")
    number = None
    if kind == AchievementKind.PATENT:
        number = normalize_patent_number(patent_number or "")
        if session.scalar(select(Achievement.id).where(Achievement.patent_number == number)):
            raise Conflict(_("This patent is already recorded."), code="duplicate_patent", field="patent_number")
    achievement = Achievement(studio_id=studio.id, kind=kind, title=clean_text(title, "title", 200, required=True),
                              achieved_on=achieved_on, description=clean_text(description, "description", 2000),
                              patent_number=number, created_by_id=actor.id, created_at=now)
    if evidence:
        _set_evidence(achievement, evidence, evidence_name, upload_folder or "")
    session.add(achievement)
    session.flush()
    return achievement


def _set_evidence(achievement: Achievement, content: bytes, file_name: str, upload_folder: str) -> None:
    if len(content) > EVIDENCE_MAX_BYTES:
        raise Invalid(_("The evidence file may be at most 10 MB."), field="evidence")
    ext = "pdf" if content.startswith(b"%PDF-") else detect_image_type(content)
    if ext is None:
        raise Invalid(_("Evidence must be a PDF or an image."), code="bad_file", field="evidence")
    achievement.evidence_file = _store(content, upload_folder, ext)
    achievement.evidence_name = (file_name or "").strip()[:200]


def attach_evidence(session: Session, *, actor: User, achievement_id: int, content: bytes, file_name: str,
                    upload_folder: str, now: datetime) -> Achievement:
    """A member attaches (or replaces) an achievement's evidence file. Raises NotFound, Forbidden, Invalid."""
    achievement = session.get(Achievement, achievement_id)
    if achievement is None:
        raise NotFound(_("Achievement not found."))
    get_studio_to_edit(session, actor=actor, studio_id=achievement.studio_id)
    _set_evidence(achievement, content, file_name, upload_folder)
    session.flush()
    return achievement


def add_photo(session: Session, *, actor: User, studio_id: int, content: bytes, caption: str = "",
              upload_folder: str, now: datetime) -> StudioPhoto:
    """A member adds a photo (PNG/JPEG/WebP ≤ 5 MB). Raises NotFound, Forbidden, Invalid (``bad_image``)."""
    studio = get_studio_to_edit(session, actor=actor, studio_id=studio_id)
    if len(content) > PHOTO_MAX_BYTES:
        raise Invalid(_("A photo may be at most 5 MB."), field="photo")
    ext = detect_image_type(content)
    if ext is None:
        raise Invalid(_("A photo must be a PNG, JPEG or WebP image."), code="bad_image", field="photo")
    count = len(session.scalars(select(StudioPhoto.id).where(StudioPhoto.studio_id == studio.id)).all())
    photo = StudioPhoto(studio_id=studio.id, file_name=_store(content, upload_folder, ext),
                        caption=clean_text(caption, "caption", 200), position=count, created_at=now)
    session.add(photo)
    session.flush()
    return photo
