"""Writes of the membership domain: linking a member account, register import, decisions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.errors import Invalid, NotFound
from app.membership.idnumber import IdNumberError, normalize_id_number
from app.membership.models import MemberProfile, MembershipStatus, RegisterEntry, RegisterImport
from app.security import PersonalDataVault
from app.tabular import read_rows

# What installed domains do when a membership becomes verified (``Domain.on_member_verified``,
# registered by ``app.domain.install``): e.g. attach training done before under the same ID number.
VERIFIED_HOOKS: dict[str, Callable[[Session, MemberProfile, datetime], object]] = {}


def register_verified_hook(reference: str, hook: Callable[[Session, MemberProfile, datetime], object]) -> None:
    VERIFIED_HOOKS[reference] = hook


def _became_verified(session: Session, profile: MemberProfile, now: datetime) -> None:
    """Tell every installed domain, in this transaction, that ``profile`` is now verified."""
    session.flush()
    for hook in VERIFIED_HOOKS.values():
        hook(session, profile, now)


@dataclass
class MembershipInput:
    member_no: str
    union_name: str
    employer: str
    real_name: str
    id_number: str


def _required(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(_("Enter %(what)s.", what=label), field=field)
    return value


def _matches_register(session: Session, profile: MemberProfile) -> bool:
    entry = session.scalar(select(RegisterEntry).where(RegisterEntry.member_no == profile.member_no))
    return bool(entry and entry.id_number_hash == profile.id_number_hash and entry.name == profile.real_name)


def link_membership(session: Session, *, actor: User, data: MembershipInput, vault: PersonalDataVault,
                    now: datetime) -> MemberProfile:
    """Link (or re-link) the actor's union membership; verified at once when it matches the
    register, otherwise pending an admin's decision. Raises Invalid (``field`` names the input)."""
    member_no = _required(data.member_no, "member_no", _("the membership number"))
    union_name = _required(data.union_name, "union_name", _("the grassroots union"))
    employer = _required(data.employer, "employer", _("the employer"))
    real_name = _required(data.real_name, "real_name", _("your real name"))
    try:
        id_number = normalize_id_number(data.id_number, today=now.date())
    except IdNumberError as exc:
        raise Invalid(str(exc.message), code=f"id_number_{exc.code}", field="id_number") from None
    profile = session.scalar(select(MemberProfile).where(MemberProfile.user_id == actor.id))
    if profile is None:
        profile = MemberProfile(user_id=actor.id)
        session.add(profile)
    profile.member_no, profile.union_name, profile.employer_name = member_no, union_name, employer
    profile.real_name = real_name
    profile.id_number_cipher = vault.encrypt(id_number)
    profile.id_number_hash = vault.lookup_hash(id_number)
    profile.id_last4 = id_number[-4:]
    profile.submitted_at, profile.decided_at, profile.decided_by_id, profile.decision_note = now, None, None, ""
    session.flush()
    if _matches_register(session, profile):
        profile.status, profile.decided_at = MembershipStatus.VERIFIED, now
        _became_verified(session, profile, now)
    else:
        profile.status = MembershipStatus.PENDING
    session.flush()
    return profile


def decide_membership(session: Session, *, actor: User, profile_id: int, approve: bool, note: str,
                      now: datetime) -> MemberProfile:
    """A union admin verifies or rejects a pending membership link. Raises NotFound, Invalid."""
    profile = session.get(MemberProfile, profile_id)
    if profile is None:
        raise NotFound(_("No such membership link."))
    if not approve and not (note or "").strip():
        raise Invalid(_("Give a reason for the rejection."), field="note")
    profile.status = MembershipStatus.VERIFIED if approve else MembershipStatus.REJECTED
    profile.decided_at, profile.decided_by_id, profile.decision_note = now, actor.id, (note or "").strip()
    if approve:
        _became_verified(session, profile, now)
    session.flush()
    return profile


# --- register import ----------------------------------------------------------------------

COLUMNS = {
    "member_no": ("member_no", "会员证号", "会员号", "membership number"),
    "name": ("name", "姓名", "real_name"),
    "id_number": ("id_number", "身份证号", "身份证号码", "id number"),
    "union_name": ("union_name", "基层工会", "所属工会", "union"),
}


def _header_map(header: list[str]) -> dict[str, int]:
    lowered = [h.strip().lower() for h in header]
    found = {}
    for key, names in COLUMNS.items():
        for name in names:
            if name.lower() in lowered:
                found[key] = lowered.index(name.lower())
                break
    missing = [k for k in COLUMNS if k not in found]
    if missing:
        raise Invalid(_("The header row lacks these columns: %(cols)s", cols=", ".join(missing)), field="file")
    return found


def import_register(session: Session, *, actor: User, filename: str, content: bytes, vault: PersonalDataVault,
                    now: datetime) -> RegisterImport:
    """Import the membership register (CSV or XLSX: member_no, name, id_number, union_name).

    Every row is reported as added, updated or rejected with a reason code (shown in the
    viewer's language through the ``import_reason`` labels); pending member links
    that now match the register are verified at once. Raises Invalid for an unreadable file.
    """
    rows = [r for r in read_rows(filename, content) if any(r)]
    if not rows:
        raise Invalid(_("The file is empty."), field="file")
    columns = _header_map(rows[0])
    batch = RegisterImport(filename=filename[:255], uploaded_by_id=actor.id, created_at=now, report=[])
    session.add(batch)
    session.flush()
    existing = {e.member_no: e for e in session.scalars(select(RegisterEntry))}
    report, seen = [], set()
    for number, row in enumerate(rows[1:], start=2):
        cell = {k: (row[i] if i < len(row) else "").strip() for k, i in columns.items()}
        line = {"row": number, "member_no": cell["member_no"], "outcome": "rejected", "reason": ""}
        report.append(line)
        if not cell["member_no"] or not cell["name"] or not cell["union_name"]:
            line["reason"] = "required"
            continue
        if cell["member_no"] in seen:
            line["reason"] = "duplicate"
            continue
        try:
            id_number = normalize_id_number(cell["id_number"], today=now.date())
        except IdNumberError as exc:
            line["reason"] = f"id_{exc.code}"
            continue
        seen.add(cell["member_no"])
        entry = existing.get(cell["member_no"])
        if entry is None:
            entry = RegisterEntry(member_no=cell["member_no"])
            session.add(entry)
            existing[entry.member_no] = entry
            line["outcome"] = "added"
        else:
            line["outcome"] = "updated"
        entry.name, entry.union_name, entry.import_id, entry.updated_at = cell["name"], cell["union_name"], batch.id, now
        entry.id_number_cipher = vault.encrypt(id_number)
        entry.id_number_hash = vault.lookup_hash(id_number)
        entry.id_last4 = id_number[-4:]
    session.flush()
    batch.added = sum(1 for r in report if r["outcome"] == "added")
    batch.updated = sum(1 for r in report if r["outcome"] == "updated")
    batch.rejected = sum(1 for r in report if r["outcome"] == "rejected")
    batch.report = report
    pending = list(session.scalars(select(MemberProfile).where(MemberProfile.status == MembershipStatus.PENDING,
                                                               MemberProfile.member_no.in_(seen))))
    for profile in pending:
        if _matches_register(session, profile):
            profile.status, profile.decided_at, profile.decided_by_id = MembershipStatus.VERIFIED, now, actor.id
            profile.decision_note = _("matched the membership register")
            batch.verified_links += 1
            _became_verified(session, profile, now)
    session.flush()
    return batch
