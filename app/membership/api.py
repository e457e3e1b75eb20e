"""JSON API of the membership domain."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from app.access import Role, allow
from app.api import PageQuery, created, endpoint, page_of, parse_body, parse_query
from app.auth.api import membership_out
from app.auth.schemas import MembershipOut
from app.db import get_session, paginate, utcnow
from app.errors import Invalid
from app.labels import label
from app.membership import queries, services
from app.membership.schemas import (
    DecisionIn,
    ImportFileIn,
    ImportOut,
    MembershipIn,
    PendingLinkOut,
    PendingPageOut,
)
from app.security import vault

bp = Blueprint("membership_api", __name__, url_prefix="/api/v1")


@bp.get("/me/membership")
@allow(Role.WORKER)
@endpoint("The caller's membership link and its status", response=MembershipOut, tags=("membership",))
def get_membership():
    return jsonify(membership_out(current_user.id).model_dump())


@bp.put("/me/membership")
@allow(Role.WORKER)
@endpoint("Link union membership; verified at once when it matches the register",
          body=MembershipIn, response=MembershipOut, tags=("membership",))
def put_membership():
    data = parse_body(MembershipIn)
    session = get_session()
    services.link_membership(session, actor=current_user, data=services.MembershipInput(**data.model_dump()),
                             vault=vault(), now=utcnow())
    session.commit()
    return jsonify(membership_out(current_user.id).model_dump())


@bp.post("/membership/register-imports")
@allow(Role.UNION_ADMIN)
@endpoint("Import the membership register (multipart field 'file', CSV or XLSX); reports every row",
          body=ImportFileIn, form=True, response=ImportOut, status=201, tags=("membership",))
def import_register():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise Invalid("Attach the register as the multipart field 'file'.", field="file")
    if not upload.filename.lower().endswith((".csv", ".xlsx")):
        raise Invalid("Upload a CSV or XLSX file.", field="file")
    session = get_session()
    batch = services.import_register(session, actor=current_user, filename=upload.filename,
                                     content=upload.read(), vault=vault(), now=utcnow())
    session.commit()
    return created(ImportOut(id=batch.id, filename=batch.filename, added=batch.added, updated=batch.updated,
                             rejected=batch.rejected, verified_links=batch.verified_links,
                             rows=[{**r, "reason_code": r["reason"], "reason": label(r["reason"], "import_reason")}
                                   for r in batch.report]).model_dump())


@bp.get("/membership/pending")
@allow(Role.UNION_ADMIN)
@endpoint("Membership links waiting for a decision", query=PageQuery, response=PendingPageOut,
          tags=("membership",))
def pending():
    args = parse_query(PageQuery)
    session = get_session()
    rows, total = paginate(session, queries.list_pending_links(), page=args.page, per_page=args.per_page)
    items = [PendingLinkOut(id=p.id, user_id=p.user_id, member_no=p.member_no, real_name=p.real_name,
                            union_name=p.union_name, employer=p.employer_name, id_number=p.id_masked,
                            submitted_at=p.submitted_at.isoformat()).model_dump() for p in rows]
    return jsonify(page_of(items, page=args.page, per_page=args.per_page, total=total))


@bp.post("/membership/<int:profile_id>/decision")
@allow(Role.UNION_ADMIN)
@endpoint("Verify or reject a membership link", body=DecisionIn, response=MembershipOut, errors=(404,),
          tags=("membership",))
def decide(profile_id: int):
    data = parse_body(DecisionIn)
    session = get_session()
    profile = services.decide_membership(session, actor=current_user, profile_id=profile_id,
                                         approve=data.approve, note=data.note, now=utcnow())
    session.commit()
    return jsonify(membership_out(profile.user_id).model_dump())
