"""助企助农助教: the resource list (services offered), the demand list (requests for help), matching,
service teams ("1+5+N"), proposals tracked to completion with the requester's acceptance and rating."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import Organization, OrgKind, OrgStatus, User
from app.errors import Conflict, Forbidden, Invalid, NotFound
from courses.models import Industry
from courses.services.shelf.courses import clean_text
from orders.models import DemandKind, DemandStatus, TrainingDemand
from orders.services.demands import withdraw_demand
from studios.models import (
    HelpRequest,
    HelpStatus,
    Proposal,
    ProposalStatus,
    Requester,
    RequesterKind,
    ServiceKind,
    ServiceOffer,
    ServiceTeam,
    Studio,
    StudioMember,
    StudioStatus,
    TeamScope,
)
from studios.permissions import can_edit_studio, is_union_admin, owns_request
from studios.services.profiles import get_studio_to_edit, parse_trades


def _kind(value) -> ServiceKind:
    try:
        return ServiceKind(value)
    except ValueError:
        raise Invalid(_("Unknown kind of service."), field="kind") from None


def _window(start: date | None, end: date | None, field_name: str) -> None:
    if start and end and end < start:
        raise Invalid(_("The end comes after the start."), field=field_name)


def _industry(session: Session, code: str | None) -> Industry | None:
    if not code:
        return None
    industry = session.scalar(select(Industry).where(Industry.code == code))
    if industry is None:
        raise Invalid(_("Unknown industry."), code="unknown_industry", field="industry_code")
    return industry


# --- resource list ------------------------------------------------------------------------

def add_offer(session: Session, *, actor: User, studio_id: int, kind: ServiceKind | str, title: str,
              description: str = "", trades: Iterable[str] | str = (), city: str = "",
              available_from: date | None = None, available_until: date | None = None,
              person_id: int | None = None, now: datetime) -> ServiceOffer:
    """A studio's member lists a service the studio (or one of its people) offers. Raises NotFound, Forbidden,
    Invalid."""
    studio = get_studio_to_edit(session, actor=actor, studio_id=studio_id)
    if person_id is not None and not any(m.user_id == person_id and m.until is None for m in studio.members):
        raise Invalid(_("The person offering it must be a member of the studio."), field="person_id")
    _window(available_from, available_until, "available_until")
    offer = ServiceOffer(studio_id=studio.id, person_id=person_id, kind=_kind(kind),
                         title=clean_text(title, "title", 200, required=True),
                         description=clean_text(description, "description", 2000),
                         trades=parse_trades(trades) or studio.trade_names, city=clean_text(city or studio.city,
                                                                                            "city", 50),
                         available_from=available_from, available_until=available_until, created_at=now)
    session.add(offer)
    session.flush()
    return offer


# --- demand list --------------------------------------------------------------------------

def register_requester(session: Session, *, actor: User, kind: RequesterKind | str, name: str, city: str = "",
                       contact_name: str = "", contact_phone: str = "", now: datetime) -> Requester:
    """A signed-in person registers the village or school they ask for. Raises Invalid."""
    try:
        kind = RequesterKind(kind)
    except ValueError:
        raise Invalid(_("A requester is a village or a school."), field="kind") from None
    if kind == RequesterKind.ENTERPRISE:
        raise Invalid(_("Enterprises ask as their organization."), field="kind")
    requester = Requester(kind=kind, name=clean_text(name, "name", 200, required=True),
                          city=clean_text(city, "city", 50), contact_name=clean_text(contact_name, "contact_name", 100),
                          contact_phone=clean_text(contact_phone, "contact_phone", 32), owner_id=actor.id,
                          created_at=now)
    session.add(requester)
    session.flush()
    return requester


def post_request(session: Session, *, actor: User, kind: ServiceKind | str, title: str,
                 organization_id: int | None = None, requester_id: int | None = None, description: str = "",
                 trades: Iterable[str] | str = (), industry_code: str | None = None, city: str = "",
                 needed_from: date | None = None, needed_until: date | None = None,
                 now: datetime) -> HelpRequest:
    """An enterprise admin (for their enterprise) or a village's / school's owner posts a need.

    Raises Forbidden (not theirs), Invalid.
    """
    if (organization_id is None) == (requester_id is None):
        raise Invalid(_("Ask for an enterprise or for a village or school."), field="organization_id")
    if organization_id is not None:
        org = session.get(Organization, organization_id)
        if (org is None or org.kind != OrgKind.ENTERPRISE or org.status != OrgStatus.APPROVED
                or organization_id not in actor.org_ids(Role.ENTERPRISE_ADMIN)):
            raise Forbidden(_("Ask for help for your own enterprise."))
        requester_kind, default_city = RequesterKind.ENTERPRISE, org.city
    else:
        requester = session.get(Requester, requester_id)
        if requester is None or requester.owner_id != actor.id:
            raise Forbidden(_("Ask for help for your own village or school."))
        requester_kind, default_city = requester.kind, requester.city
    _window(needed_from, needed_until, "needed_until")
    industry = _industry(session, industry_code)
    request = HelpRequest(requester_kind=requester_kind, organization_id=organization_id, requester_id=requester_id,
                          kind=_kind(kind), title=clean_text(title, "title", 200, required=True),
                          description=clean_text(description, "description", 2000), trades=parse_trades(trades),
                          industry_id=industry.id if industry else None,
                          city=clean_text(city or default_city, "city", 50), needed_from=needed_from,
                          needed_until=needed_until, created_by_id=actor.id, created_at=now)
    session.add(request)
    session.flush()
    return request


def my_studio_ids(session: Session, user: User) -> set[int]:
    """Named studios the user is a current member of."""
    if not user.is_authenticated:
        return set()
    return set(session.scalars(select(StudioMember.studio_id).join(Studio)
                               .where(StudioMember.user_id == user.id, StudioMember.until.is_(None),
                                      Studio.status == StudioStatus.NAMED)))


def can_see_request(session: Session, user: User, request: HelpRequest) -> bool:
    """The requester, union admins, and members of named studios (who may answer it)."""
    return owns_request(user, request) or is_union_admin(user) or bool(my_studio_ids(session, user))


def get_request(session: Session, *, actor: User, request_id: int) -> HelpRequest:
    """Raises NotFound also for a request the actor may not see (another enterprise's)."""
    request = session.get(HelpRequest, request_id)
    if request is None or not can_see_request(session, actor, request):
        raise NotFound(_("Request not found."))
    return request


@dataclass
class Match:
    """A studio the platform suggests for a request, with its score (0-100) and the reasons."""

    studio: Studio
    offer: ServiceOffer | None
    score: int
    reasons: list[str] = field(default_factory=list)


def propose_matches(session: Session, request: HelpRequest, *, limit: int = 5) -> list[Match]:
    """Score named studios' active offers against the request: trade 40, industry 20, city 25, availability 15;
    an offer of another kind of service is not a match."""
    offers = list(session.scalars(
        select(ServiceOffer).join(Studio).where(ServiceOffer.kind == request.kind, ServiceOffer.is_active,
                                                Studio.status == StudioStatus.NAMED)))
    best: dict[int, Match] = {}
    wanted = set(request.trades or [])
    for offer in offers:
        studio = offer.studio
        score, reasons = 0, []
        shared = wanted & (set(offer.trades or []) | set(studio.trade_names))
        if shared:
            score += 40
            reasons.append(_("Trades: %(t)s", t="、".join(sorted(shared))))
        if request.industry_id and any(i.id == request.industry_id for i in studio.industries):
            score += 20
            reasons.append(_("Industry: %(i)s", i=request.industry.name_zh))
        if request.city and request.city in (offer.city, studio.city):
            score += 25
            reasons.append(_("Same city: %(c)s", c=request.city))
        start, end = request.needed_from, request.needed_until
        if ((offer.available_until is None or start is None or offer.available_until >= start)
                and (offer.available_from is None or end is None or offer.available_from <= end)):
            score += 15
            reasons.append(_("Available when needed"))
        if score and (studio.id not in best or best[studio.id].score < score):
            best[studio.id] = Match(studio=studio, offer=offer, score=score, reasons=reasons)
    return sorted(best.values(), key=lambda m: (-m.score, -(m.studio.stars or 0), m.studio.id))[:limit]


# --- service teams ------------------------------------------------------------------------

def form_team(session: Session, *, actor: User, name: str, scope: TeamScope | str, studio_ids: Iterable[int],
              city: str = "", industry_code: str | None = None, now: datetime) -> ServiceTeam:
    """Union admins form a provincial, city or industry service team of named studios. Raises Forbidden,
    Invalid."""
    if not is_union_admin(actor):
        raise Forbidden(_("Only union admins form service teams."))
    try:
        scope = TeamScope(scope)
    except ValueError:
        raise Invalid(_("Unknown scope."), field="scope") from None
    ids = list(dict.fromkeys(int(i) for i in studio_ids or []))
    studios = list(session.scalars(select(Studio).where(Studio.id.in_(ids), Studio.status == StudioStatus.NAMED)))
    if not ids or len(studios) != len(ids):
        raise Invalid(_("A team is made of named studios."), field="studio_ids")
    if scope == TeamScope.CITY and not city:
        raise Invalid(_("A city team names its city."), field="city")
    industry = _industry(session, industry_code)
    if scope == TeamScope.INDUSTRY and industry is None:
        raise Invalid(_("An industry team names its industry."), field="industry_code")
    team = ServiceTeam(name=clean_text(name, "name", 200, required=True), scope=scope, city=clean_text(city, "city", 50),
                       industry_id=industry.id if industry else None, created_by_id=actor.id, created_at=now)
    team.studios = studios
    session.add(team)
    session.flush()
    return team


def assign_request(session: Session, *, actor: User, request_id: int, team_id: int | None = None,
                   studio_id: int | None = None, now: datetime) -> HelpRequest:
    """Union admins assign an open request to a service team or a studio. Raises Forbidden, NotFound, Conflict,
    Invalid."""
    if not is_union_admin(actor):
        raise Forbidden(_("Only union admins assign requests."))
    request = get_request(session, actor=actor, request_id=request_id)
    if request.status != HelpStatus.OPEN:
        raise Conflict(_("This request is no longer open."), code="not_open")
    if (team_id is None) == (studio_id is None):
        raise Invalid(_("Assign a team or a studio."), field="team_id")
    if team_id is not None:
        team = session.get(ServiceTeam, team_id)
        if team is None:
            raise Invalid(_("Unknown team."), field="team_id")
        request.assigned_team, request.assigned_studio = team, None
    else:
        studio = session.get(Studio, studio_id)
        if studio is None or studio.status != StudioStatus.NAMED:
            raise Invalid(_("Assign a named studio."), field="studio_id")
        request.assigned_studio, request.assigned_team = studio, None
    session.flush()
    return request


# --- proposals ----------------------------------------------------------------------------

def submit_proposal(session: Session, *, actor: User, request_id: int, studio_id: int, plan: str,
                    starts_on: date | None = None, ends_on: date | None = None, now: datetime) -> Proposal:
    """A named studio's member answers an open request with a plan; a request assigned to a team or a studio
    is answered only by them. Raises NotFound, Forbidden, Conflict (``not_open``, ``not_assigned``,
    ``already_proposed``), Invalid."""
    request = get_request(session, actor=actor, request_id=request_id)
    studio = session.get(Studio, studio_id)
    if studio is None or not can_edit_studio(actor, studio):
        raise Forbidden(_("Answer for a studio you are a member of."))
    if studio.status != StudioStatus.NAMED:
        raise Conflict(_("Only a named studio answers requests."), code="not_named")
    if request.status != HelpStatus.OPEN or not _demand_still_open(session, request):
        raise Conflict(_("This request is no longer open."), code="not_open")
    team_id = None
    if request.assigned_team_id is not None:
        if studio not in request.assigned_team.studios:
            raise Conflict(_("This request is assigned to another team."), code="not_assigned")
        team_id = request.assigned_team_id
    elif request.assigned_studio_id is not None and request.assigned_studio_id != studio.id:
        raise Conflict(_("This request is assigned to another studio."), code="not_assigned")
    if session.scalar(select(Proposal.id).where(Proposal.help_request_id == request.id,
                                                Proposal.studio_id == studio.id,
                                                Proposal.status == ProposalStatus.SUBMITTED)):
        raise Conflict(_("Your studio has already answered this request."), code="already_proposed")
    _window(starts_on, ends_on, "ends_on")
    proposal = Proposal(help_request_id=request.id, studio_id=studio.id, team_id=team_id, author_id=actor.id,
                        plan=clean_text(plan, "plan", 2000, required=True), starts_on=starts_on, ends_on=ends_on,
                        created_at=now)
    session.add(proposal)
    session.flush()
    return proposal


def _demand_still_open(session: Session, request: HelpRequest) -> bool:
    """Requests without a demand are open by their own status; a mirrored demand must still be published."""
    if request.demand_id is None:
        return True
    demand = session.get(TrainingDemand, request.demand_id)
    return demand is not None and demand.status == DemandStatus.PUBLISHED


def _proposal(session: Session, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(_("Proposal not found."))
    return proposal


def _requesters_proposal(session: Session, actor: User, proposal_id: int) -> Proposal:
    proposal = _proposal(session, proposal_id)
    if not owns_request(actor, proposal.help_request):
        raise NotFound(_("Proposal not found."))
    return proposal


def decide_proposal(session: Session, *, actor: User, proposal_id: int, accept: bool, now: datetime) -> Proposal:
    """The requester accepts one proposal (the others are declined) or declines it. Raises NotFound, Conflict."""
    proposal = _requesters_proposal(session, actor, proposal_id)
    request = proposal.help_request
    if proposal.status != ProposalStatus.SUBMITTED or request.status != HelpStatus.OPEN:
        raise Conflict(_("This proposal can no longer be decided."), code="bad_state")
    proposal.decided_at = now
    if not accept:
        proposal.status = ProposalStatus.DECLINED
    else:
        if request.demand_id is not None:
            # Asked through the order mechanism: accepting a studio closes the demand there (open quotes
            # are declined by orders); a demand already awarded or closed in orders cannot be accepted here.
            if not _demand_still_open(session, request):
                raise Conflict(_("This demand is closed in the order mechanism."), code="demand_closed")
            withdraw_demand(session, actor=actor, demand_id=request.demand_id, now=now)
        proposal.status = ProposalStatus.ACCEPTED
        request.status = HelpStatus.IN_PROGRESS
        for other in session.scalars(select(Proposal).where(Proposal.help_request_id == request.id,
                                                            Proposal.id != proposal.id,
                                                            Proposal.status == ProposalStatus.SUBMITTED)):
            other.status, other.decided_at = ProposalStatus.DECLINED, now
    session.flush()
    return proposal


def deliver_proposal(session: Session, *, actor: User, proposal_id: int, note: str, now: datetime) -> Proposal:
    """The studio reports the accepted work done. Raises NotFound, Forbidden, Conflict, Invalid."""
    proposal = _proposal(session, proposal_id)
    if not can_edit_studio(actor, proposal.studio):
        raise Forbidden(_("Answer for a studio you are a member of."))
    if proposal.status != ProposalStatus.ACCEPTED:
        raise Conflict(_("Only accepted work is reported done."), code="bad_state")
    proposal.status, proposal.delivered_at = ProposalStatus.DELIVERED, now
    proposal.delivery_note = clean_text(note, "note", 2000, required=True)
    session.flush()
    return proposal


def complete_proposal(session: Session, *, actor: User, proposal_id: int, rating: int, comment: str = "",
                      now: datetime) -> Proposal:
    """The requester accepts the delivered work and rates it 1-5; the request is completed. Raises NotFound,
    Conflict, Invalid."""
    proposal = _requesters_proposal(session, actor, proposal_id)
    if proposal.status != ProposalStatus.DELIVERED:
        raise Conflict(_("The studio has not reported the work done yet."), code="bad_state")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise Invalid(_("Rate from 1 to 5."), field="rating")
    proposal.status, proposal.completed_at = ProposalStatus.COMPLETED, now
    proposal.rating, proposal.rating_comment = rating, clean_text(comment, "comment", 1000)
    proposal.help_request.status = HelpStatus.COMPLETED
    session.flush()
    return proposal


# --- enterprises asking through the order mechanism (orders' TrainingDemand) ----------------

def studio_may_answer_demand(demand: TrainingDemand, studio: Studio) -> bool:
    """A published technical-service demand is open to every named studio; a training demand only when the
    enterprise directed it to the studio's enterprise."""
    if demand.status != DemandStatus.PUBLISHED or studio.status != StudioStatus.NAMED:
        return False
    return (demand.kind == DemandKind.TECHNICAL_SERVICE
            or any(i.organization_id == studio.organization_id for i in demand.invitations))


def request_for_demand(session: Session, demand: TrainingDemand, *, now: datetime) -> HelpRequest:
    """The request for help that mirrors an enterprise's demand (created on first answer, then reused), so
    matching, proposals, acceptance and rating work the same for enterprises, villages and schools."""
    existing = session.scalar(select(HelpRequest).where(HelpRequest.demand_id == demand.id))
    if existing is not None:
        return existing
    request = HelpRequest(
        requester_kind=RequesterKind.ENTERPRISE, organization_id=demand.enterprise_id, demand_id=demand.id,
        kind=(ServiceKind.TECHNICAL_SERVICE if demand.kind == DemandKind.TECHNICAL_SERVICE
              else ServiceKind.SKILLS_TRAINING),
        title=demand.title, description=demand.notes or "", trades=parse_trades(demand.skill or ""),
        city=demand.city or "", needed_from=demand.preferred_start, needed_until=demand.preferred_end,
        created_by_id=demand.created_by_id, created_at=now)
    session.add(request)
    session.flush()
    return request


def get_demand_for_studio(session: Session, *, actor: User, demand_id: int) -> TrainingDemand:
    """A demand the actor's studios may answer (or a union admin may see). Raises NotFound otherwise."""
    demand = session.get(TrainingDemand, demand_id)
    if demand is None:
        raise NotFound(_("Request not found."))
    if is_union_admin(actor) or demand.enterprise_id in actor.org_ids(Role.ENTERPRISE_ADMIN):
        return demand
    studios = session.scalars(select(Studio).where(Studio.id.in_(my_studio_ids(session, actor))))
    if not any(studio_may_answer_demand(demand, s) for s in studios):
        raise NotFound(_("Request not found."))
    return demand


def propose_on_demand(session: Session, *, actor: User, demand_id: int, studio_id: int, plan: str,
                      starts_on: date | None = None, ends_on: date | None = None, now: datetime) -> Proposal:
    """A studio answers an enterprise's demand (POST /demands/{id}/proposals): the demand's request for help is
    created if needed, then the proposal as for any request. Raises NotFound, Forbidden, Conflict, Invalid."""
    demand = session.get(TrainingDemand, demand_id)
    studio = session.get(Studio, studio_id)
    if demand is None:
        raise NotFound(_("Request not found."))
    if studio is None or not can_edit_studio(actor, studio):
        raise Forbidden(_("Answer for a studio you are a member of."))
    if not studio_may_answer_demand(demand, studio):
        raise NotFound(_("Request not found."))
    request = request_for_demand(session, demand, now=now)
    return submit_proposal(session, actor=actor, request_id=request.id, studio_id=studio.id, plan=plan,
                           starts_on=starts_on, ends_on=ends_on, now=now)
