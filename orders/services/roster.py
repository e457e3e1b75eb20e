"""The roster (花名册): employees of an order, uploaded as CSV/XLSX/JSON rows or edited on the page.

Each row is checked and reported: matched to a verified member, matched to an account
without membership, invited by SMS/mail, or rejected with the reason (bad ID number,
duplicate in the file, already on the order, more people than seats). ID numbers are kept
encrypted with the personal-data vault plus a keyed hash for matching; only the last four
characters are ever shown, and never in URLs or logs.

The same file uploaded twice for an order is one upload (content hash, unique per order):
the second changes nothing. Large files are imported by a background job in committed
chunks, with progress on the upload row.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.validation import normalize_email, normalize_phone
from app.celery import enqueue
from app.db import after_commit
from app.errors import Conflict, Invalid, NotFound
from app.membership.idnumber import IdNumberError, mask_id_number, normalize_id_number
from app.membership.models import MemberProfile, MembershipStatus
from app.notify import queue_message
from app.security import PersonalDataVault
from app.tabular import read_rows
from courses.models import Enrollment, EnrollmentStatus
from courses.services.enrollment.rules import class_started
from orders.models import (
    Order,
    OrderStatus,
    RosterEntry,
    RosterMatch,
    RosterStatus,
    RosterUpload,
    UploadStatus,
)
from orders.services.common import clean_text, today
from orders.services.ordering import ROSTER_OPEN, _chunks, _own, enroll_roster

MAX_ROWS = 5000
INLINE_ROWS = 300          # bigger files run as a background job
CHUNK = 1000               # rows per committed step of the background job

COLUMNS = {
    "name": ("name", "姓名", "real_name"),
    "phone": ("phone", "手机", "手机号", "手机号码", "电话", "mobile"),
    "id_number": ("id_number", "身份证号", "身份证号码", "证件号码", "id number"),
    "member_no": ("member_no", "会员证号", "会员号", "工会会员号", "member number"),
    "department": ("department", "部门", "所在部门", "dept"),
    "email": ("email", "邮箱", "电子邮箱", "e-mail"),
}
REQUIRED = ("name", "id_number")


# --- reading files: app.tabular.read_rows ---------------------------------------------------------

def header_map(header: Sequence[str]) -> dict[str, int]:
    lowered = [str(h).strip().lower() for h in header]
    found = {}
    for key, names in COLUMNS.items():
        for name in names:
            if name.lower() in lowered:
                found[key] = lowered.index(name.lower())
                break
    missing = [k for k in REQUIRED if k not in found]
    if missing:
        raise Invalid(_("The header row lacks these columns: %(cols)s", cols=", ".join(missing)), field="file")
    return found


def rows_from_json(items: Sequence[Mapping[str, Any]]) -> tuple[str, bytes]:
    """JSON rows (API) as a CSV file, so both paths share one importer and one content hash."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(COLUMNS))
    for item in items:
        writer.writerow([str(item.get(k) or "") for k in COLUMNS])
    return "rows.json.csv", out.getvalue().encode()


def cells_of(rows: list[list[str]]) -> list[dict[str, str]]:
    columns = header_map(rows[0])
    return [{k: (row[i] if i < len(row) else "").strip() for k, i in columns.items()} for row in rows[1:]]


# --- importing -----------------------------------------------------------------------------------

@dataclass
class _Context:
    """What the checks of one batch of rows need, loaded with a handful of queries."""

    order: Order
    vault: PersonalDataVault
    now: datetime
    on_order: set[str]
    active: int
    seen: set[str]


def start_import(session: Session, *, actor: User, order_id: int, filename: str, content: bytes,
                 vault: PersonalDataVault, now: datetime, inline_rows: int | None = None) -> tuple[RosterUpload, bool]:
    """Record an upload and import it now (small files) or queue it (large ones).

    Returns ``(upload, new)``; ``new`` is False when this exact file was already uploaded
    for the order (nothing changes). The caller queues :func:`orders.tasks.import_roster`
    after commit for a queued upload. Raises NotFound, Forbidden, Conflict ``roster_closed``,
    Invalid (unreadable file, missing columns, too many rows).
    """
    order = _own(session, actor, order_id)   # row-locked: imports of one order run one at a time
    check_roster_open(order, now)
    digest = hashlib.sha256(content).hexdigest()
    existing = session.scalar(select(RosterUpload).where(RosterUpload.order_id == order.id,
                                                         RosterUpload.content_hash == digest))
    if existing is not None:
        return existing, False
    rows = [r for r in read_rows(filename, content) if any(r)]
    if not rows:
        raise Invalid(_("The file is empty."), field="file")
    cells = cells_of(rows)
    if len(cells) > MAX_ROWS:
        raise Invalid(_("At most %(n)d people per file.", n=MAX_ROWS), field="file")
    upload = RosterUpload(order_id=order.id, content_hash=digest, filename=(filename or "")[:255],
                          status=UploadStatus.QUEUED, total_rows=len(cells), processed_rows=0, report=[],
                          created_by_id=actor.id, created_at=now)
    try:
        with session.begin_nested():
            session.add(upload)
            session.flush()
    except IntegrityError:   # the same file a moment ago, by a concurrent request
        return session.scalar(select(RosterUpload).where(RosterUpload.order_id == order.id,
                                                         RosterUpload.content_hash == digest)), False
    if len(cells) <= (INLINE_ROWS if inline_rows is None else inline_rows):
        upload.status = UploadStatus.RUNNING
        import_rows(session, upload=upload, order=order, cells=cells, first_row=2, vault=vault, now=now)
        finish_upload(session, upload, order, now=now)
    else:
        upload.pending = vault.encrypt(json.dumps(cells, ensure_ascii=False))
        session.flush()
    return upload, True


def check_roster_open(order: Order, now: datetime) -> None:
    if order.status not in ROSTER_OPEN:
        raise Conflict(_("The roster of this order can no longer change."), code="roster_closed")
    if order.training_class is not None and class_started(order.training_class, now):
        raise Conflict(_("The class has started; the roster can no longer change."), code="class_started")


def _context(session: Session, order: Order, vault: PersonalDataVault, now: datetime) -> _Context:
    hashes = set(session.scalars(select(RosterEntry.id_number_hash).where(
        RosterEntry.order_id == order.id, RosterEntry.status == RosterStatus.ACTIVE)))
    return _Context(order=order, vault=vault, now=now, on_order=hashes, active=len(hashes), seen=set())


def import_rows(session: Session, *, upload: RosterUpload | None, order: Order, cells: list[dict[str, str]],
                first_row: int, vault: PersonalDataVault, now: datetime,
                context: _Context | None = None) -> list[dict]:
    """Check and add a batch of rows; returns (and appends to the upload) one report line per row."""
    ctx = context or _context(session, order, vault, now)
    if upload is not None and upload.report:
        ctx.seen |= {line["hash"] for line in upload.report if line.get("hash")}
    checked = [_parse(ctx, first_row + offset, cell) for offset, cell in enumerate(cells)]
    parsed = [c for c in checked if c["outcome"] == "ok"]
    profiles = _profiles_by_hash(session, [c["hash"] for c in parsed])
    users = _users_by_phone(session, [c["phone"] for c in parsed if c["phone"]])
    by_email = _users_by_email(session, [c["email"] for c in parsed if c["email"]])
    rows, invites = [], []
    for line in parsed:
        profile = profiles.get(line["hash"])
        user_id = profile.user_id if profile else (users.get(line["phone"]) or by_email.get(line["email"]))
        if profile is not None and profile.status == MembershipStatus.VERIFIED:
            match = RosterMatch.MEMBER
        elif user_id:
            match = RosterMatch.ACCOUNT
        else:
            match = RosterMatch.INVITED
        if not _admit(ctx, line, can_reach=bool(user_id or line["phone"] or line["email"])):
            continue
        if match == RosterMatch.INVITED:
            invites.append(line)
        line["outcome"] = str(match)
        rows.append({"order_id": order.id, "upload_id": upload.id if upload else None, "row_number": line["row"],
                     "name": line["name"], "phone": line["phone"], "department": line["department"],
                     "member_no": line["member_no"], "id_number_cipher": vault.encrypt(line["id_number"]),
                     "id_number_hash": line["hash"], "id_last4": line["last4"], "match": match, "user_id": user_id,
                     "status": RosterStatus.ACTIVE, "created_at": now, "email": line["email"]})
    for line in checked:
        line.pop("id_number", None)
    if rows:
        session.execute(insert(RosterEntry), rows)
    if invites:   # one job after commit sends the invitations, so a big import stays fast
        order_id = order.id
        after_commit(session, lambda: _queue_invitations(order_id))
    report = [{k: line[k] for k in ("row", "name", "id", "outcome", "code", "reason", "hash")} for line in checked]
    if upload is not None:
        upload.report = [*upload.report, *report]
        upload.processed_rows += len(cells)
    session.flush()
    return report


def _parse(ctx: _Context, row: int, cell: Mapping[str, str]) -> dict:
    """The checks of one row on its own: name, ID number (check digit...), phone."""
    name = cell.get("name", "")[:100]
    line = {"row": row, "name": name, "id": "", "outcome": "rejected", "code": "", "reason": "", "hash": "",
            "phone": "", "email": "", "department": cell.get("department", "")[:100], "member_no": cell.get("member_no", "")[:32]}
    if not name:
        line.update(code="name_required", reason=_("The name is missing."))
        return line
    try:
        id_number = normalize_id_number(cell.get("id_number", ""), today=today(ctx.now))
    except IdNumberError as exc:
        line.update(code=f"id_{exc.code}", reason=str(exc.message))
        return line
    line["id"], line["last4"] = mask_id_number(id_number[-4:]), id_number[-4:]
    phone = cell.get("phone", "")
    if phone:
        try:
            phone = _phone(phone)
        except Invalid:
            line.update(code="bad_phone", reason=_("The phone number is not a valid mobile number."))
            return line
    email = cell.get("email", "")
    if email:
        try:
            email = normalize_email(email)
        except Invalid:
            line.update(code="bad_email", reason=_("The e-mail address is not valid."))
            return line
    line.update(outcome="ok", hash=ctx.vault.lookup_hash(id_number), id_number=id_number, phone=phone, email=email)
    return line


MAINLAND_MOBILE = re.compile(r"(?:\+?86[ -]?)?(1[3-9]\d{9})")


def _phone(raw: str) -> str:
    """E.164 of a mobile number; the common mainland form without the (slower) full parser."""
    match = MAINLAND_MOBILE.fullmatch(raw.replace(" ", ""))
    return "+86" + match.group(1) if match else normalize_phone(raw)


def _admit(ctx: _Context, line: dict, *, can_reach: bool) -> bool:
    """The checks against the file so far and the order: duplicates, reachability, seats."""
    line["outcome"] = "rejected"
    digest = line["hash"]
    if digest in ctx.seen:
        line.update(code="duplicate_in_file", reason=_("This person appears earlier in the file."), hash="")
        return False
    ctx.seen.add(digest)
    if digest in ctx.on_order:
        line.update(code="already_on_order", reason=_("This person is already on the order."), hash="")
        return False
    if not can_reach:
        line.update(code="no_contact", hash="",
                    reason=_("No account matches and there is no phone number or e-mail to invite this person."))
        return False
    if ctx.active >= ctx.order.seats:
        line.update(code="over_seats", hash="", reason=_("More people than seats: the order has %(n)d seats.",
                                                          n=ctx.order.seats))
        return False
    ctx.on_order.add(digest)
    ctx.active += 1
    return True


@dataclass(frozen=True)
class _Profile:
    user_id: int
    status: str


def _profiles_by_hash(session: Session, hashes: list[str]) -> dict[str, _Profile]:
    """Member profiles carrying these ID number hashes (a verified one wins), columns only."""
    found: dict[str, _Profile] = {}
    for chunk in _chunks(sorted(set(hashes)), 900):
        rows = session.execute(select(MemberProfile.id_number_hash, MemberProfile.user_id, MemberProfile.status)
                               .where(MemberProfile.id_number_hash.in_(chunk)))
        for digest, user_id, status in rows:
            current = found.get(digest)
            if current is None or status == MembershipStatus.VERIFIED:
                found[digest] = _Profile(user_id, status)
    return found


def _users_by_phone(session: Session, phones: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(phones)), 900):
        found.update(dict(session.execute(select(User.phone, User.id).where(User.phone.in_(chunk))).all()))
    return found


def _users_by_email(session: Session, emails: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(emails)), 900):
        found.update(dict(session.execute(select(User.email, User.id).where(User.email.in_(chunk))).all()))
    return found


def _queue_invitations(order_id: int) -> None:
    from orders.tasks import send_invitations

    enqueue(send_invitations, order_id)


def send_invitations(session: Session, *, order_id: int, now: datetime, limit: int = 1000) -> int:
    """Invite roster people who have no account yet, by SMS (through the outbox), once each.

    Returns how many were invited in this batch; the job calls it until it returns 0.
    """
    order = session.get(Order, order_id)
    if order is None or order.status == OrderStatus.CANCELLED:
        return 0
    waiting = list(session.scalars(select(RosterEntry).where(
        RosterEntry.order_id == order_id, RosterEntry.status == RosterStatus.ACTIVE,
        RosterEntry.match == RosterMatch.INVITED, RosterEntry.user_id.is_(None), RosterEntry.invited_at.is_(None),
        or_(RosterEntry.phone != "", RosterEntry.email != "")).order_by(RosterEntry.id).limit(limit)))
    enterprise, course = order.enterprise.name, order.course.title if order.course else ""
    subject = _("Training from your employer")
    body = _("%(enterprise)s has enrolled you in the training “%(course)s”. Sign up on the Skills Training "
             "Supermarket with this phone number and link your union membership: your place will be waiting.",
             enterprise=enterprise, course=course)
    for entry in waiting:
        queue_message(session, recipient=entry.phone or entry.email, subject=subject, body=body)
        entry.invited_at = now
    session.flush()
    return len(waiting)


def finish_upload(session: Session, upload: RosterUpload, order: Order, *, now: datetime) -> None:
    """Close an upload: the pending rows dropped, the people enrolled if the order is confirmed."""
    upload.status, upload.finished_at, upload.pending = UploadStatus.DONE, now, None
    enroll_roster(session, order, now=now)
    session.flush()


def run_import_step(session: Session, *, upload_id: int, vault: PersonalDataVault, now: datetime,
                    chunk: int = CHUNK) -> bool:
    """Import the next chunk of a queued upload; True when the upload is finished (the job commits
    after each step, so the page's progress bar moves)."""
    if session.scalar(select(RosterUpload.id).where(RosterUpload.id == upload_id).with_for_update()) is None:
        return True
    upload = session.get(RosterUpload, upload_id)
    session.refresh(upload)
    if upload.status in (UploadStatus.DONE, UploadStatus.FAILED) or upload.pending is None:
        return True
    order = session.get(Order, upload.order_id)
    if order.status not in ROSTER_OPEN:
        upload.status, upload.error, upload.pending, upload.finished_at = UploadStatus.FAILED, "order closed", None, now
        session.flush()
        return True
    cells = json.loads(vault.decrypt(upload.pending))
    start = upload.processed_rows
    upload.status = UploadStatus.RUNNING
    import_rows(session, upload=upload, order=order, cells=cells[start:start + chunk], first_row=start + 2,
                vault=vault, now=now)
    if upload.processed_rows >= len(cells):
        finish_upload(session, upload, order, now=now)
        return True
    session.flush()
    return False


def summary(report: list[dict]) -> dict[str, int]:
    counts = {"member": 0, "account": 0, "invited": 0, "rejected": 0}
    for line in report:
        counts[line["outcome"]] = counts.get(line["outcome"], 0) + 1
    return counts


# --- editing on the page -------------------------------------------------------------------------

def add_person(session: Session, *, actor: User, order_id: int, values: Mapping[str, Any], vault: PersonalDataVault,
               now: datetime) -> dict:
    """Add one person; returns the report line. Raises Invalid with the reason when rejected."""
    order = _own(session, actor, order_id)
    check_roster_open(order, now)
    cell = {k: clean_text(values.get(k), k, 254 if k == "email" else 100) for k in COLUMNS}
    line = import_rows(session, upload=None, order=order, cells=[cell], first_row=0, vault=vault, now=now)[0]
    if line["outcome"] == "rejected":
        field = "id_number" if line["code"].startswith("id_") or line["code"] in ("duplicate_in_file",
                                                                                 "already_on_order") else None
        raise Invalid(line["reason"], code=line["code"], field=field or ("phone" if "phone" in line["code"]
                                                                         or line["code"] == "no_contact" else None))
    enroll_roster(session, order, now=now)
    return line


def _entry(session: Session, order: Order, entry_id: int) -> RosterEntry:
    entry = session.get(RosterEntry, entry_id)
    if entry is None or entry.order_id != order.id:
        raise NotFound(_("No such person on this order."))
    if entry.status != RosterStatus.ACTIVE:
        raise Conflict(_("This person is no longer on the roster."), code="not_on_roster")
    return entry


def _drop(session: Session, entry: RosterEntry, status: RosterStatus, now: datetime) -> None:
    entry.status, entry.removed_at = status, now
    if entry.enrollment_id:
        # The seat stays in the order's block for a replacement: no seat is freed to the public.
        session.execute(update(Enrollment).where(Enrollment.id == entry.enrollment_id, Enrollment.source == "order",
                                                 Enrollment.status == EnrollmentStatus.CONFIRMED)
                        .values(status=EnrollmentStatus.CANCELLED, cancelled_at=now,
                                cancel_reason="removed from the order's roster")
                        .execution_options(synchronize_session=False))
    session.flush()


def remove_person(session: Session, *, actor: User, order_id: int, entry_id: int, now: datetime) -> RosterEntry:
    """Take a person off the roster before the class starts (their seat stays with the order)."""
    order = _own(session, actor, order_id)
    check_roster_open(order, now)
    entry = _entry(session, order, entry_id)
    _drop(session, entry, RosterStatus.REMOVED, now)
    return entry


def replace_person(session: Session, *, actor: User, order_id: int, entry_id: int, values: Mapping[str, Any],
                   vault: PersonalDataVault, now: datetime) -> dict:
    """Replace a person before the class starts: the seat goes to the replacement."""
    order = _own(session, actor, order_id)
    check_roster_open(order, now)
    entry = _entry(session, order, entry_id)
    _drop(session, entry, RosterStatus.REPLACED, now)
    line = add_person(session, actor=actor, order_id=order_id, values=values, vault=vault, now=now)
    entry.replaced_by_id = session.scalar(select(RosterEntry.id).where(
        RosterEntry.order_id == order.id, RosterEntry.id_number_hash == line["hash"],
        RosterEntry.status == RosterStatus.ACTIVE))
    session.flush()
    return line


# --- people who sign up later --------------------------------------------------------------------

def attach_people(session: Session, *, now: datetime, limit: int = 5000) -> int:
    """Attach roster people who had no account to the account that now carries their ID number
    (a linked membership) or their phone, and enroll them if their order is confirmed.

    Idempotent; run periodically, for people who signed up with the roster's phone or mail (a
    verified membership attaches at once: :func:`attach_verified_member`).
    """
    waiting = list(session.scalars(select(RosterEntry).where(RosterEntry.user_id.is_(None),
                                                             RosterEntry.status == RosterStatus.ACTIVE)
                                   .limit(limit)))
    if not waiting:
        return 0
    profiles = _profiles_by_hash(session, [e.id_number_hash for e in waiting])
    users = _users_by_phone(session, [e.phone for e in waiting if e.phone])
    by_email = _users_by_email(session, [e.email for e in waiting if e.email])
    return _attach(session, waiting, profiles, users, by_email, now=now)


def attach_verified_member(session: Session, profile: MemberProfile, now: datetime) -> int:
    """A membership just became verified (``Domain.on_member_verified``): the roster places that
    carry the member's ID number and no account yet are theirs from now on, and they are enrolled
    in the order's class if the order is confirmed: the training shows on their record at once.
    Returns how many places were attached."""
    if profile.status != MembershipStatus.VERIFIED or not profile.id_number_hash:
        return 0
    waiting = list(session.scalars(select(RosterEntry).where(
        RosterEntry.user_id.is_(None), RosterEntry.status == RosterStatus.ACTIVE,
        RosterEntry.id_number_hash == profile.id_number_hash)))
    return _attach(session, waiting, {profile.id_number_hash: profile}, {}, {}, now=now)


def _attach(session: Session, waiting: list[RosterEntry], profiles: dict, users: dict, by_email: dict, *,
            now: datetime) -> int:
    attached, orders = 0, set()
    for entry in waiting:
        profile = profiles.get(entry.id_number_hash)
        user_id = profile.user_id if profile else (users.get(entry.phone) or by_email.get(entry.email))
        if not user_id:
            continue
        entry.user_id = user_id
        entry.match = (RosterMatch.MEMBER if profile is not None and profile.status == MembershipStatus.VERIFIED
                       else RosterMatch.ACCOUNT)
        attached += 1
        orders.add(entry.order_id)
    session.flush()
    for order_id in orders:
        order = session.get(Order, order_id)
        if order is not None and order.status in (OrderStatus.CONFIRMED, OrderStatus.INVOICED, OrderStatus.PAID,
                                                  OrderStatus.IN_DELIVERY):
            enroll_roster(session, order, now=now)
    return attached


def roster_count(session: Session, order_id: int) -> int:
    return session.scalar(select(func.count()).select_from(RosterEntry).where(
        RosterEntry.order_id == order_id, RosterEntry.status == RosterStatus.ACTIVE)) or 0
