"""JSON API of the studios domain (``/api/v1/studios`` and the requests for help)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.access import PUBLIC, SIGNED_IN, Role, allow
from app.api import PageQuery, created, endpoint, page_of, parse_body, parse_query
from app.db import get_session, utcnow
from app.errors import Invalid
from studios import queries
from studios.models import Apprenticeship, HelpRequest, Proposal, Studio
from studios.permissions import is_union_admin
from studios.schemas import (
    AchievementIn,
    ApprenticeshipIn,
    ApprenticeshipOut,
    AssessmentIn,
    AssignIn,
    CompleteIn,
    DeliverIn,
    HelpRequestIn,
    HelpRequestListOut,
    HelpRequestOut,
    HonorEntryOut,
    HonorIn,
    MemberIn,
    NameIn,
    NoteIn,
    OfferIn,
    ProposalIn,
    ProposalOut,
    RatingOut,
    ReviewIn,
    SelfAssessIn,
    StudioListOut,
    StudioOut,
    StudioPatch,
    StudioProposalIn,
    StudioQuery,
    TargetIn,
    TargetListOut,
    TeamIn,
    TeamOut,
    YearQuery,
)
from studios.services import apprenticeships as pairing_services
from studios.services import help as help_services
from studios.services import profiles, rating

bp = Blueprint("studios_api", __name__, url_prefix="/api/v1")
TAGS = ("studios",)


def _named(obj) -> dict | None:
    return {"id": obj.id, "name": obj.name} if obj is not None else None


def studio_brief_json(studio: Studio) -> dict:
    return {"id": studio.id, "name": studio.name, "status": str(studio.status),
            "level": str(studio.level) if studio.level else None, "stars": studio.stars, "city": studio.city,
            "summary": studio.summary, "organization": _named(studio.organization), "leader": _named(studio.leader),
            "trades": studio.trade_names,
            "industries": [{"code": i.code, "name": i.name_zh} for i in studio.industries]}


def _honor_json(h) -> dict:
    return {"id": h.id, "kind": str(h.kind), "title": h.title, "level": str(h.level), "year": h.year,
            "awarded_by": h.awarded_by, "status": str(h.status)}


def rating_json(r) -> dict:
    return {"id": r.id, "year": r.year, "status": str(r.status), "self_total": r.self_total,
            "review_total": r.review_total, "stars": r.stars, "change": r.change}


def studio_json(session, studio: Studio) -> dict:
    page = queries.studio_page(session, studio)
    media = lambda name: url_for("studios.media", name=name)   # noqa: E731
    return {
        **studio_brief_json(studio), "description": studio.description, "address": studio.address,
        "contact_phone": studio.contact_phone, "named_at": studio.named_at.isoformat() if studio.named_at else None,
        "members": [{"user_id": m.user_id, "name": m.user.name, "role": str(m.role), "title": m.title,
                     "since": m.since.isoformat(),
                     "honours": [_honor_json(h) for h in page.honours.get(m.user_id, [])]} for m in page.members],
        "achievements": [{"id": a.id, "kind": str(a.kind), "title": a.title, "patent_number": a.patent_number,
                          "achieved_on": a.achieved_on.isoformat(), "description": a.description,
                          "evidence_url": media(a.evidence_file) if a.evidence_file else None}
                         for a in page.achievements],
        "photos": [media(p.file_name) for p in page.photos],
        "courses": [_named_course(c) for c in studio.courses],
        "ratings": [rating_json(r) for r in page.ratings],
        "offers": [{"id": o.id, "kind": str(o.kind), "title": o.title, "trades": list(o.trades or []), "city": o.city,
                    "available_from": o.available_from.isoformat() if o.available_from else None,
                    "available_until": o.available_until.isoformat() if o.available_until else None}
                   for o in page.offers],
        "help_given": [{"proposal_id": p.id, "request": p.help_request.title,
                        "requester": p.help_request.requester_name, "status": str(p.status), "rating": p.rating}
                       for p in page.help_given],
        "apprenticeships": len(page.apprenticeships),
    }


def _named_course(course) -> dict:
    return {"id": course.id, "name": course.title}


def apprenticeship_json(a: Apprenticeship) -> dict:
    return {"id": a.id, "studio": _named(a.studio), "master": _named(a.master), "apprentice": _named(a.apprentice),
            "starts_on": a.starts_on.isoformat(), "ends_on": a.ends_on.isoformat(), "goals": a.goals,
            "status": str(a.status), "final_result": a.final_result, "final_assessment": a.final_assessment,
            "notes": [{"id": n.id, "author": _named(n.author), "body": n.body, "written_at": n.written_at.isoformat()}
                      for n in a.notes]}


def proposal_json(p: Proposal) -> dict:
    return {"id": p.id, "help_request_id": p.help_request_id, "studio": _named(p.studio), "team": _named(p.team),
            "plan": p.plan, "starts_on": p.starts_on.isoformat() if p.starts_on else None,
            "ends_on": p.ends_on.isoformat() if p.ends_on else None, "status": str(p.status),
            "delivery_note": p.delivery_note, "rating": p.rating, "rating_comment": p.rating_comment}


def help_request_json(session, r: HelpRequest, *, with_matches: bool) -> dict:
    return {"id": r.id, "requester_kind": str(r.requester_kind), "requester": r.requester_name, "kind": str(r.kind),
            "title": r.title, "description": r.description, "trades": list(r.trades or []),
            "industry": {"code": r.industry.code, "name": r.industry.name_zh} if r.industry else None,
            "city": r.city, "needed_from": r.needed_from.isoformat() if r.needed_from else None,
            "needed_until": r.needed_until.isoformat() if r.needed_until else None, "status": str(r.status),
            "assigned_team": _named(r.assigned_team), "assigned_studio": _named(r.assigned_studio),
            "demand_id": r.demand_id, "proposals": [proposal_json(p) for p in queries.proposals_for(session, r.id)],
            "matches": [{"studio": _named(m.studio), "score": m.score, "reasons": m.reasons}
                        for m in help_services.propose_matches(session, r)] if with_matches else []}


def _may_see_matches(session) -> bool:
    return is_union_admin(current_user) or bool(help_services.my_studio_ids(session, current_user))


# --- studios ------------------------------------------------------------------------------

@bp.get("/studios")
@allow(PUBLIC)
@endpoint("Named studios, searchable by trade, industry, city and level", query=StudioQuery,
          response=StudioListOut, tags=TAGS)
def list_studios():
    args = parse_query(StudioQuery)
    rows, total = queries.list_studios(get_session(), page=args.page, per_page=args.per_page, trade=args.trade,
                                       industry=args.industry, city=args.city, level=args.level, q=args.q)
    return jsonify(page_of([studio_brief_json(s) for s in rows], page=args.page, per_page=args.per_page,
                           total=total))


@bp.get("/studios/<int:studio_id>")
@allow(PUBLIC)
@endpoint("A studio's profile: members with honours, achievements, courses, ratings, services, help given",
          response=StudioOut, errors=(404,), tags=TAGS)
def get_studio(studio_id: int):
    session = get_session()
    return jsonify(studio_json(session, profiles.get_studio(session, actor=current_user, studio_id=studio_id)))


@bp.post("/studios")
@allow(Role.ENTERPRISE_ADMIN, Role.UNION_ADMIN)
@endpoint("Propose a studio (enterprise admins for their enterprise, union admins for any)",
          body=StudioProposalIn, response=StudioOut, status=201, errors=(409,), tags=TAGS)
def propose_studio():
    data = parse_body(StudioProposalIn)
    session = get_session()
    studio = profiles.propose_studio(session, actor=current_user, now=utcnow(), **data.model_dump())
    session.commit()
    return created(studio_json(session, studio))


@bp.patch("/studios/<int:studio_id>")
@allow(SIGNED_IN)
@endpoint("Edit a studio's profile, trades, industries and courses (its members)", body=StudioPatch,
          response=StudioOut, errors=(404,), tags=TAGS)
def update_studio(studio_id: int):
    data = parse_body(StudioPatch)
    session = get_session()
    studio = profiles.update_studio(session, actor=current_user, studio_id=studio_id,
                                    changes=data.model_dump(exclude_unset=True), now=utcnow())
    session.commit()
    return jsonify(studio_json(session, studio))


@bp.post("/studios/<int:studio_id>/name")
@allow(Role.UNION_ADMIN)
@endpoint("Name (命名) a proposed studio at a level (union admins)", body=NameIn, response=StudioOut,
          errors=(404, 409), tags=TAGS)
def name_studio(studio_id: int):
    data = parse_body(NameIn)
    session = get_session()
    studio = profiles.name_studio(session, actor=current_user, studio_id=studio_id, level=data.level,
                                  note=data.note, now=utcnow())
    session.commit()
    return jsonify(studio_json(session, studio))


@bp.post("/studios/<int:studio_id>/members")
@allow(SIGNED_IN)
@endpoint("Add a member by mobile number (the studio's leader)", body=MemberIn, response=StudioOut,
          status=201, errors=(404, 409), tags=TAGS)
def add_member(studio_id: int):
    data = parse_body(MemberIn)
    session = get_session()
    profiles.add_member(session, actor=current_user, studio_id=studio_id, phone=data.phone, title=data.title,
                        now=utcnow())
    session.commit()
    return created(studio_json(session, session.get(Studio, studio_id)))


@bp.post("/studios/<int:studio_id>/achievements")
@allow(SIGNED_IN)
@endpoint("Record an innovation, patent (with its number), technique or award (the studio's members)",
          body=AchievementIn, response=StudioOut, status=201, errors=(404, 409), tags=TAGS)
def add_achievement(studio_id: int):
    data = parse_body(AchievementIn)
    session = get_session()
    profiles.add_achievement(session, actor=current_user, studio_id=studio_id, now=utcnow(), **data.model_dump())
    session.commit()
    return created(studio_json(session, session.get(Studio, studio_id)))


@bp.post("/studios/<int:studio_id>/ratings")
@allow(SIGNED_IN)
@endpoint("The studio's yearly self-assessment against the union's criteria (its members)", body=SelfAssessIn,
          response=RatingOut, status=201, errors=(404, 409), tags=TAGS)
def self_assess(studio_id: int):
    data = parse_body(SelfAssessIn)
    session = get_session()
    row = rating.self_assess(session, actor=current_user, studio_id=studio_id, year=data.year, scores=data.scores,
                             evidence=data.evidence, now=utcnow())
    session.commit()
    return created(rating_json(row))


@bp.post("/studio-ratings/<int:rating_id>/review")
@allow(Role.UNION_ADMIN)
@endpoint("Review a self-assessment and award 1-5 stars (union admins)", body=ReviewIn, response=RatingOut,
          errors=(404, 409), tags=TAGS)
def review_rating(rating_id: int):
    data = parse_body(ReviewIn)
    session = get_session()
    row = rating.review_rating(session, actor=current_user, rating_id=rating_id, scores=data.scores,
                               stars=data.stars, note=data.note, now=utcnow())
    session.commit()
    return jsonify(rating_json(row))


# --- apprenticeships ----------------------------------------------------------------------

@bp.post("/studios/<int:studio_id>/apprenticeships")
@allow(SIGNED_IN)
@endpoint("Pair a master of the studio with an apprentice (名师带高徒; the leader or the master)",
          body=ApprenticeshipIn, response=ApprenticeshipOut, status=201, errors=(404, 409), tags=TAGS)
def start_apprenticeship(studio_id: int):
    data = parse_body(ApprenticeshipIn)
    if data.apprentice_id is None and not data.apprentice_phone:
        raise Invalid("Name the apprentice by id or mobile number.", field="apprentice_phone")
    session = get_session()
    pairing = pairing_services.start_apprenticeship(session, actor=current_user, studio_id=studio_id, now=utcnow(),
                                                    **data.model_dump())
    session.commit()
    return created(apprenticeship_json(pairing))


@bp.get("/apprenticeships/<int:apprenticeship_id>")
@allow(SIGNED_IN)
@endpoint("An apprenticeship with its progress notes (master, apprentice, studio members, union)",
          response=ApprenticeshipOut, errors=(404,), tags=TAGS)
def get_apprenticeship(apprenticeship_id: int):
    return jsonify(apprenticeship_json(pairing_services.get_apprenticeship(
        get_session(), actor=current_user, apprenticeship_id=apprenticeship_id)))


@bp.post("/apprenticeships/<int:apprenticeship_id>/notes")
@allow(SIGNED_IN)
@endpoint("Add a progress note (the master or the apprentice)", body=NoteIn, response=ApprenticeshipOut,
          status=201, errors=(404, 409), tags=TAGS)
def add_note(apprenticeship_id: int):
    data = parse_body(NoteIn)
    session = get_session()
    note = pairing_services.add_note(session, actor=current_user, apprenticeship_id=apprenticeship_id,
                                     body=data.body, now=utcnow())
    session.commit()
    return created(apprenticeship_json(note.apprenticeship))


@bp.post("/apprenticeships/<int:apprenticeship_id>/assessment")
@allow(SIGNED_IN)
@endpoint("Write the final assessment (the master or the studio's leader)", body=AssessmentIn,
          response=ApprenticeshipOut, errors=(404, 409), tags=TAGS)
def assess(apprenticeship_id: int):
    data = parse_body(AssessmentIn)
    session = get_session()
    pairing = pairing_services.assess(session, actor=current_user, apprenticeship_id=apprenticeship_id,
                                      result=data.result, assessment=data.assessment, now=utcnow())
    session.commit()
    return jsonify(apprenticeship_json(pairing))


# --- help for enterprises, villages and schools --------------------------------------------

@bp.get("/help-requests")
@allow(SIGNED_IN)
@endpoint("Requests for help the caller may see: their own; all for union admins and studio members",
          query=PageQuery, response=HelpRequestListOut, tags=TAGS)
def list_help_requests():
    args = parse_query(PageQuery)
    session = get_session()
    stmt = queries.visible_requests(session, current_user,
                                    studio_ids=help_services.my_studio_ids(session, current_user))
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.limit(args.per_page).offset((args.page - 1) * args.per_page))
    return jsonify(page_of([help_request_json(session, r, with_matches=False) for r in rows], page=args.page,
                           per_page=args.per_page, total=total))


@bp.post("/help-requests")
@allow(SIGNED_IN)
@endpoint("Ask studios for help (an enterprise admin for their enterprise, or a village's / school's owner)",
          body=HelpRequestIn, response=HelpRequestOut, status=201, tags=TAGS)
def post_help_request():
    data = parse_body(HelpRequestIn)
    session = get_session()
    req = help_services.post_request(session, actor=current_user, now=utcnow(), **data.model_dump())
    session.commit()
    return created(help_request_json(session, req, with_matches=False))


@bp.get("/help-requests/<int:request_id>")
@allow(SIGNED_IN)
@endpoint("A request with its proposals and, for union admins and studio members, the suggested studios",
          response=HelpRequestOut, errors=(404,), tags=TAGS)
def get_help_request(request_id: int):
    session = get_session()
    req = help_services.get_request(session, actor=current_user, request_id=request_id)
    return jsonify(help_request_json(session, req, with_matches=_may_see_matches(session)))


@bp.post("/help-requests/<int:request_id>/proposals")
@allow(SIGNED_IN)
@endpoint("A studio answers a request with a proposal (its members)", body=ProposalIn, response=ProposalOut,
          status=201, errors=(404, 409), tags=TAGS)
def propose_help(request_id: int):
    data = parse_body(ProposalIn)
    session = get_session()
    proposal = help_services.submit_proposal(session, actor=current_user, request_id=request_id, now=utcnow(),
                                             **data.model_dump())
    session.commit()
    return created(proposal_json(proposal))


@bp.post("/demands/<int:demand_id>/proposals")
@allow(SIGNED_IN)
@endpoint("A studio answers an enterprise's demand (orders' TrainingDemand: technical service, or directed to "
          "the studio's enterprise) with a proposal; follow it under /help-requests/{help_request_id}",
          body=ProposalIn, response=ProposalOut, status=201, errors=(404, 409), tags=TAGS)
def propose_on_demand(demand_id: int):
    data = parse_body(ProposalIn)
    session = get_session()
    proposal = help_services.propose_on_demand(session, actor=current_user, demand_id=demand_id, now=utcnow(),
                                               **data.model_dump())
    session.commit()
    return created(proposal_json(proposal))


@bp.post("/studio-proposals/<int:proposal_id>/<any(accept, decline):action>")
@allow(SIGNED_IN)
@endpoint("The requester accepts or declines a proposal", response=ProposalOut, errors=(404, 409), tags=TAGS)
def decide_proposal(proposal_id: int, action: str):
    session = get_session()
    proposal = help_services.decide_proposal(session, actor=current_user, proposal_id=proposal_id,
                                             accept=action == "accept", now=utcnow())
    session.commit()
    return jsonify(proposal_json(proposal))


@bp.post("/studio-proposals/<int:proposal_id>/deliver")
@allow(SIGNED_IN)
@endpoint("The studio reports the accepted work done", body=DeliverIn, response=ProposalOut, errors=(404, 409),
          tags=TAGS)
def deliver_proposal(proposal_id: int):
    data = parse_body(DeliverIn)
    session = get_session()
    proposal = help_services.deliver_proposal(session, actor=current_user, proposal_id=proposal_id,
                                              note=data.note, now=utcnow())
    session.commit()
    return jsonify(proposal_json(proposal))


@bp.post("/studio-proposals/<int:proposal_id>/complete")
@allow(SIGNED_IN)
@endpoint("The requester accepts the delivered work and rates it 1-5", body=CompleteIn, response=ProposalOut,
          errors=(404, 409), tags=TAGS)
def complete_proposal(proposal_id: int):
    data = parse_body(CompleteIn)
    session = get_session()
    proposal = help_services.complete_proposal(session, actor=current_user, proposal_id=proposal_id,
                                               rating=data.rating, comment=data.comment, now=utcnow())
    session.commit()
    return jsonify(proposal_json(proposal))


# --- union: honours, targets, teams, assignment; studios' services and photos ----------------

def _honor_entry_json(h) -> dict:
    return {**_honor_json(h), "user": _named(h.user)}


@bp.post("/honours")
@allow(Role.UNION_ADMIN)
@endpoint("Record an honour a member holds (劳动模范, 工匠, 五一劳动奖章); verified in a second step",
          body=HonorIn, response=HonorEntryOut, status=201, tags=TAGS)
def enter_honor():
    data = parse_body(HonorIn)
    session = get_session()
    user_id = data.user_id
    if user_id is None:
        if not data.phone:
            raise Invalid("Name the member by id or mobile number.", field="phone")
        user_id = profiles.user_by_phone(session, data.phone, field="phone").id
    honor = profiles.enter_honor(session, actor=current_user, user_id=user_id, kind=data.kind, title=data.title,
                                 level=data.level, year=data.year, awarded_by=data.awarded_by, now=utcnow())
    session.commit()
    return created(_honor_entry_json(honor))


@bp.post("/honours/<int:honor_id>/<any(verify, reject):action>")
@allow(Role.UNION_ADMIN)
@endpoint("Verify an entered honour against the awarding document, or reject it", response=HonorEntryOut,
          errors=(404, 409), tags=TAGS)
def verify_honor(honor_id: int, action: str):
    session = get_session()
    honor = profiles.verify_honor(session, actor=current_user, honor_id=honor_id, accept=action == "verify",
                                  now=utcnow())
    session.commit()
    return jsonify(_honor_entry_json(honor))


def _progress_json(p) -> dict:
    return {"year": p.target.year, "level": str(p.target.level), "target": p.target.target, "named": p.named,
            "percent": p.percent}


@bp.get("/studio-targets")
@allow(Role.UNION_ADMIN)
@endpoint("The federation's targets for a year with the studios named so far", query=YearQuery,
          response=TargetListOut, tags=TAGS)
def list_targets():
    args = parse_query(YearQuery)
    return jsonify({"items": [_progress_json(p) for p in queries.target_progress(get_session(), args.year)]})


@bp.post("/studio-targets")
@allow(Role.UNION_ADMIN)
@endpoint("Set how many studios of a level to name in a year", body=TargetIn, response=TargetListOut,
          tags=TAGS)
def set_target():
    data = parse_body(TargetIn)
    session = get_session()
    rating.set_target(session, actor=current_user, year=data.year, level=data.level, target=data.target,
                      now=utcnow())
    session.commit()
    return jsonify({"items": [_progress_json(p) for p in queries.target_progress(session, data.year)]})


@bp.post("/service-teams")
@allow(Role.UNION_ADMIN)
@endpoint("Form a provincial, city or industry service team of named studios (the 1+5+N teams)", body=TeamIn,
          response=TeamOut, status=201, tags=TAGS)
def form_team():
    data = parse_body(TeamIn)
    session = get_session()
    team = help_services.form_team(session, actor=current_user, now=utcnow(), **data.model_dump())
    session.commit()
    return created({"id": team.id, "name": team.name, "scope": str(team.scope), "city": team.city,
                    "studios": [_named(s) for s in team.studios]})


@bp.post("/help-requests/<int:request_id>/assign")
@allow(Role.UNION_ADMIN)
@endpoint("Assign an open request to a service team or a studio", body=AssignIn, response=HelpRequestOut,
          errors=(404, 409), tags=TAGS)
def assign_request(request_id: int):
    data = parse_body(AssignIn)
    session = get_session()
    req = help_services.assign_request(session, actor=current_user, request_id=request_id, team_id=data.team_id,
                                       studio_id=data.studio_id, now=utcnow())
    session.commit()
    return jsonify(help_request_json(session, req, with_matches=True))


@bp.post("/studios/<int:studio_id>/offers")
@allow(SIGNED_IN)
@endpoint("List a service the studio offers (resource list; the studio's members)", body=OfferIn,
          response=StudioOut, status=201, errors=(404, 413, 422), tags=TAGS)
def add_offer(studio_id: int):
    data = parse_body(OfferIn)
    session = get_session()
    help_services.add_offer(session, actor=current_user, studio_id=studio_id, now=utcnow(), **data.model_dump())
    session.commit()
    return created(studio_json(session, session.get(Studio, studio_id)))


@bp.post("/studios/<int:studio_id>/photos")
@allow(SIGNED_IN)
@endpoint("Add a photo (multipart field `photo`, PNG/JPEG/WebP ≤ 5 MB; optional `caption`; the studio's members)",
          response=StudioOut, status=201, errors=(404, 413, 422), tags=TAGS)
def add_photo(studio_id: int):
    upload = request.files.get("photo")
    if upload is None:
        raise Invalid("Send the image as the multipart field 'photo'.", field="photo")
    session = get_session()
    profiles.add_photo(session, actor=current_user, studio_id=studio_id,
                       content=upload.read(profiles.PHOTO_MAX_BYTES + 1), caption=request.form.get("caption", ""),
                       upload_folder=current_app.config["UPLOAD_FOLDER"], now=utcnow())
    session.commit()
    return created(studio_json(session, session.get(Studio, studio_id)))


@bp.post("/studio-achievements/<int:achievement_id>/evidence")
@allow(SIGNED_IN)
@endpoint("Attach the evidence file of an achievement (multipart field `evidence`, PDF or image ≤ 10 MB; the "
          "studio's members)", response=StudioOut, errors=(404, 413, 422), tags=TAGS)
def attach_evidence(achievement_id: int):
    upload = request.files.get("evidence")
    if upload is None:
        raise Invalid("Send the file as the multipart field 'evidence'.", field="evidence")
    session = get_session()
    achievement = profiles.attach_evidence(session, actor=current_user, achievement_id=achievement_id,
                                           content=upload.read(profiles.EVIDENCE_MAX_BYTES + 1),
                                           file_name=upload.filename or "",
                                           upload_folder=current_app.config["UPLOAD_FOLDER"], now=utcnow())
    session.commit()
    return jsonify(studio_json(session, session.get(Studio, achievement.studio_id)))
