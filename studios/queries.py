"""Reads of the studios domain: listing and search, a studio's page, union dashboard, my studios."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.access import Role
from app.auth.models import User
from app.i18n import SHANGHAI
from courses.models import Industry
from orders.models import DemandInvitation, DemandKind, DemandStatus, TrainingDemand
from studios.models import (
    Achievement,
    Apprenticeship,
    HelpRequest,
    HelpStatus,
    Honor,
    HonorStatus,
    Proposal,
    ProposalStatus,
    RatingStatus,
    Requester,
    ServiceOffer,
    ServiceTeam,
    Studio,
    StudioLevel,
    StudioMember,
    StudioPhoto,
    StudioRating,
    StudioStatus,
    StudioTarget,
    StudioTrade,
    studio_industries,
)
from studios.permissions import is_union_admin

LEVEL_ORDER = (StudioLevel.NATIONAL, StudioLevel.PROVINCIAL, StudioLevel.CITY, StudioLevel.ENTERPRISE)


def search_studios(*, trade: str | None = None, industry: str | None = None, city: str | None = None,
                   level: str | None = None, q: str | None = None) -> Select:
    """Named studios filtered by trade, industry code, city and level (each an indexed lookup)."""
    stmt = select(Studio).where(Studio.status == StudioStatus.NAMED)
    if level:
        stmt = stmt.where(Studio.level == level)
    if city:
        stmt = stmt.where(Studio.city == city)
    if trade:
        stmt = stmt.where(Studio.id.in_(select(StudioTrade.studio_id).where(StudioTrade.trade == trade)))
    if industry:
        stmt = stmt.where(Studio.id.in_(
            select(studio_industries.c.studio_id).join(Industry, Industry.id == studio_industries.c.industry_id)
            .where(Industry.code == industry)))
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Studio.name.like(like), Studio.summary.like(like),
                              Studio.id.in_(select(StudioTrade.studio_id).where(StudioTrade.trade.like(like)))))
    return stmt.order_by(Studio.stars.desc().nulls_last(), Studio.named_at.desc(), Studio.id.desc())


def list_studios(session: Session, *, page: int = 1, per_page: int = 20, **filters) -> tuple[list[Studio], int]:
    stmt = search_studios(**filters)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.scalars(stmt.options(selectinload(Studio.trades), selectinload(Studio.industries))
                                .limit(per_page).offset((page - 1) * per_page)))
    return rows, total


def filter_choices(session: Session) -> dict:
    """Cities and trades that named studios have, for the search form."""
    named = select(Studio.id).where(Studio.status == StudioStatus.NAMED)
    return {
        "cities": [c for c in session.scalars(select(Studio.city).where(Studio.status == StudioStatus.NAMED,
                                                                         Studio.city != "")
                                               .distinct().order_by(Studio.city))],
        "trades": list(session.scalars(select(StudioTrade.trade).where(StudioTrade.studio_id.in_(named))
                                       .distinct().order_by(StudioTrade.trade))),
        "industries": list(session.scalars(select(Industry).order_by(Industry.position, Industry.id))),
    }


def honours_of(session: Session, user_ids: list[int], *, verified_only: bool = True) -> dict[int, list[Honor]]:
    if not user_ids:
        return {}
    stmt = select(Honor).where(Honor.user_id.in_(user_ids)).order_by(Honor.year.desc())
    if verified_only:
        stmt = stmt.where(Honor.status == HonorStatus.VERIFIED)
    result: dict[int, list[Honor]] = {}
    for honor in session.scalars(stmt):
        result.setdefault(honor.user_id, []).append(honor)
    return result


@dataclass
class StudioPage:
    studio: Studio
    members: list[StudioMember]
    honours: dict[int, list[Honor]]
    achievements: list[Achievement]
    photos: list[StudioPhoto]
    ratings: list[StudioRating]
    apprenticeships: list[Apprenticeship]
    offers: list[ServiceOffer]
    help_given: list[Proposal]


def studio_page(session: Session, studio: Studio) -> StudioPage:
    """Everything a studio's page shows, in a fixed number of queries."""
    members = list(session.scalars(select(StudioMember).where(StudioMember.studio_id == studio.id,
                                                              StudioMember.until.is_(None))
                                   .order_by(StudioMember.role, StudioMember.id)))  # "leader" sorts first
    return StudioPage(
        studio=studio, members=members, honours=honours_of(session, [m.user_id for m in members]),
        achievements=list(session.scalars(select(Achievement).where(Achievement.studio_id == studio.id)
                                          .order_by(Achievement.achieved_on.desc()))),
        photos=list(session.scalars(select(StudioPhoto).where(StudioPhoto.studio_id == studio.id)
                                    .order_by(StudioPhoto.position))),
        ratings=list(session.scalars(select(StudioRating).where(StudioRating.studio_id == studio.id,
                                                                StudioRating.status == RatingStatus.REVIEWED)
                                     .order_by(StudioRating.year.desc()))),
        apprenticeships=list(session.scalars(select(Apprenticeship).where(Apprenticeship.studio_id == studio.id)
                                             .order_by(Apprenticeship.starts_on.desc()))),
        offers=list(session.scalars(select(ServiceOffer).where(ServiceOffer.studio_id == studio.id,
                                                               ServiceOffer.is_active)
                                    .order_by(ServiceOffer.id))),
        help_given=list(session.scalars(select(Proposal).where(
            Proposal.studio_id == studio.id,
            Proposal.status.in_((ProposalStatus.ACCEPTED, ProposalStatus.DELIVERED, ProposalStatus.COMPLETED)))
            .order_by(Proposal.created_at.desc()))),
    )


def my_studios(session: Session, user: User) -> list[Studio]:
    """Studios the user is a current member of (any status)."""
    return list(session.scalars(select(Studio).join(StudioMember).where(StudioMember.user_id == user.id,
                                                                        StudioMember.until.is_(None))
                                .order_by(Studio.name)))


def my_apprenticeships(session: Session, user: User) -> list[Apprenticeship]:
    return list(session.scalars(select(Apprenticeship).where(or_(Apprenticeship.master_id == user.id,
                                                                 Apprenticeship.apprentice_id == user.id))
                                .order_by(Apprenticeship.starts_on.desc())))


def proposed_studios(session: Session) -> list[Studio]:
    return list(session.scalars(select(Studio).where(Studio.status == StudioStatus.PROPOSED)
                                .order_by(Studio.proposed_at)))


def ratings_to_review(session: Session) -> list[StudioRating]:
    return list(session.scalars(select(StudioRating).where(StudioRating.status == RatingStatus.SUBMITTED)
                                .options(selectinload(StudioRating.studio)).order_by(StudioRating.submitted_at)))


def pending_honours(session: Session) -> list[Honor]:
    return list(session.scalars(select(Honor).where(Honor.status == HonorStatus.PENDING).order_by(Honor.entered_at)))


@dataclass
class TargetProgress:
    target: StudioTarget
    named: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.named / self.target.target)) if self.target.target else 0


def target_progress(session: Session, year: int) -> list[TargetProgress]:
    """Each of the year's targets with the number of studios of that level named during the year (in China)."""
    targets = list(session.scalars(select(StudioTarget).where(StudioTarget.year == year)))
    start, end = datetime(year, 1, 1, tzinfo=SHANGHAI), datetime(year + 1, 1, 1, tzinfo=SHANGHAI)
    counts = dict(session.execute(
        select(Studio.level, func.count()).where(Studio.status == StudioStatus.NAMED, Studio.named_at >= start,
                                                 Studio.named_at < end).group_by(Studio.level)).all())
    order = {level: i for i, level in enumerate(LEVEL_ORDER)}
    return sorted((TargetProgress(t, counts.get(t.level, 0)) for t in targets), key=lambda p: order[p.target.level])


def studio_counts(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Studio.level, func.count()).where(Studio.status == StudioStatus.NAMED)
                                .group_by(Studio.level)).all())


def list_teams(session: Session) -> list[ServiceTeam]:
    return list(session.scalars(select(ServiceTeam).order_by(ServiceTeam.scope, ServiceTeam.name)))


def visible_requests(session: Session, user: User, *, studio_ids: set[int]) -> Select:
    """Requests the user may see: their own (enterprise or village/school); all of them for union admins and
    members of named studios (who answer them)."""
    stmt = select(HelpRequest).order_by(HelpRequest.created_at.desc(), HelpRequest.id.desc())
    if is_union_admin(user) or studio_ids:
        return stmt
    return stmt.where(or_(HelpRequest.organization_id.in_(user.org_ids(Role.ENTERPRISE_ADMIN) or {-1}),
                          HelpRequest.requester_id.in_(select(Requester.id).where(Requester.owner_id == user.id))))


def own_requests(session: Session, user: User) -> list[HelpRequest]:
    return list(session.scalars(
        select(HelpRequest).where(or_(HelpRequest.organization_id.in_(user.org_ids(Role.ENTERPRISE_ADMIN) or {-1}),
                                      HelpRequest.requester_id.in_(select(Requester.id)
                                                                   .where(Requester.owner_id == user.id))))
        .order_by(HelpRequest.created_at.desc())))


def open_requests(session: Session) -> list[HelpRequest]:
    return list(session.scalars(select(HelpRequest).where(HelpRequest.status == HelpStatus.OPEN)
                                .order_by(HelpRequest.created_at.desc())))


def proposals_for(session: Session, request_id: int) -> list[Proposal]:
    return list(session.scalars(select(Proposal).where(Proposal.help_request_id == request_id)
                                .order_by(Proposal.created_at)))


def my_requesters(session: Session, user: User) -> list[Requester]:
    return list(session.scalars(select(Requester).where(Requester.owner_id == user.id).order_by(Requester.name)))


def open_demands_for(session: Session, user: User, studio_ids: set[int]) -> list:
    """Published demands of the order mechanism the user's studios may answer and no studio answered yet."""
    if not studio_ids:
        return []
    orgs = select(Studio.organization_id).where(Studio.id.in_(studio_ids))
    return list(session.scalars(
        select(TrainingDemand).where(
            TrainingDemand.status == DemandStatus.PUBLISHED,
            or_(TrainingDemand.kind == DemandKind.TECHNICAL_SERVICE,
                TrainingDemand.id.in_(select(DemandInvitation.demand_id)
                                      .where(DemandInvitation.organization_id.in_(orgs)))),
            ~TrainingDemand.id.in_(select(HelpRequest.demand_id).where(HelpRequest.demand_id.is_not(None))))
        .order_by(TrainingDemand.published_at.desc())))


def own_demands_waiting(session: Session, user: User) -> list:
    """The enterprise's published technical-service demands that no studio has answered yet."""
    orgs = user.org_ids(Role.ENTERPRISE_ADMIN)
    if not orgs:
        return []
    return list(session.scalars(
        select(TrainingDemand).where(
            TrainingDemand.enterprise_id.in_(orgs), TrainingDemand.status == DemandStatus.PUBLISHED,
            TrainingDemand.kind == DemandKind.TECHNICAL_SERVICE,
            ~TrainingDemand.id.in_(select(HelpRequest.demand_id).where(HelpRequest.demand_id.is_not(None))))
        .order_by(TrainingDemand.published_at.desc())))
