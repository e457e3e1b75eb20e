"""Craftsman and model-worker innovation studios: profiles, honours, rating, apprenticeships, help."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Organization, User
from app.db import Base, utcnow
from courses.models import Course, Industry


class StudioLevel(StrEnum):
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    CITY = "city"
    ENTERPRISE = "enterprise"


class StudioStatus(StrEnum):
    PROPOSED = "proposed"     # waiting for the union to name it
    NAMED = "named"           # 命名: public, listed
    REJECTED = "rejected"


class MemberRole(StrEnum):
    LEADER = "leader"
    MEMBER = "member"


class HonorKind(StrEnum):
    MODEL_WORKER = "model_worker"        # 劳动模范
    CRAFTSMAN = "craftsman"              # 工匠 (e.g. 海南工匠)
    MAY_DAY_MEDAL = "may_day_medal"      # 五一劳动奖章
    OTHER = "other"


class HonorStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class AchievementKind(StrEnum):
    INNOVATION = "innovation"
    PATENT = "patent"
    TECHNIQUE = "technique"
    AWARD = "award"


class RatingStatus(StrEnum):
    SUBMITTED = "submitted"   # self-assessed by the studio, waiting for the union
    REVIEWED = "reviewed"


class ApprenticeshipStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"   # final assessment written


class ServiceKind(StrEnum):
    TECHNICAL_SERVICE = "technical_service"
    SKILLS_TRAINING = "skills_training"
    MANAGEMENT = "management"                  # management improvement
    FARMING_GUIDANCE = "farming_guidance"      # 助农: farming-technology guidance
    DEMONSTRATION_TEACHING = "demonstration_teaching"   # 助教: for vocational schools


class RequesterKind(StrEnum):
    ENTERPRISE = "enterprise"
    VILLAGE = "village"
    SCHOOL = "school"


class HelpStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"   # a proposal was accepted
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ProposalStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    DELIVERED = "delivered"   # the studio says the work is done
    COMPLETED = "completed"   # the requester accepted the work and rated it


class TeamScope(StrEnum):
    PROVINCIAL = "provincial"   # the "1"
    CITY = "city"               # the "5"
    INDUSTRY = "industry"       # the "N"


studio_industries = Table(
    "studio_industries", Base.metadata,
    Column("studio_id", ForeignKey("studios.id", ondelete="CASCADE"), primary_key=True),
    Column("industry_id", ForeignKey("industries.id"), primary_key=True, index=True),
)

studio_courses = Table(
    "studio_courses", Base.metadata,
    Column("studio_id", ForeignKey("studios.id", ondelete="CASCADE"), primary_key=True),
    Column("course_id", ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True, index=True),
)

team_studios = Table(
    "service_team_studios", Base.metadata,
    Column("team_id", ForeignKey("service_teams.id", ondelete="CASCADE"), primary_key=True),
    Column("studio_id", ForeignKey("studios.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Studio(Base):
    """A model-worker or craftsman innovation studio (劳模和工匠人才创新工作室)."""

    __tablename__ = "studios"
    __table_args__ = (
        Index("ix_studios_listing", "status", "level", "city", "id"),
        Index("ix_studios_city", "status", "city"),
        CheckConstraint("stars IS NULL OR (stars BETWEEN 1 AND 5)", name="stars_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[StudioStatus] = mapped_column(String(16), default=StudioStatus.PROPOSED, index=True)
    level: Mapped[StudioLevel | None] = mapped_column(String(16))          # set when named
    proposed_level: Mapped[StudioLevel] = mapped_column(String(16), default=StudioLevel.CITY)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    city: Mapped[str] = mapped_column(String(50), default="")
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    stars: Mapped[int | None]                                            # latest reviewed rating
    proposal_note: Mapped[str] = mapped_column(String(1000), default="")
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    named_at: Mapped[datetime | None]
    named_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organization: Mapped[Organization] = relationship(lazy="joined")
    leader: Mapped[User] = relationship(foreign_keys=[leader_id], lazy="joined")
    industries: Mapped[list[Industry]] = relationship(secondary=studio_industries, lazy="selectin",
                                                      order_by="Industry.position")
    trades: Mapped[list[StudioTrade]] = relationship(back_populates="studio", cascade="all, delete-orphan",
                                                     lazy="selectin", order_by="StudioTrade.position")
    courses: Mapped[list[Course]] = relationship(secondary=studio_courses, order_by="Course.title")
    members: Mapped[list[StudioMember]] = relationship(back_populates="studio", cascade="all, delete-orphan",
                                                       order_by="StudioMember.id")

    @property
    def is_named(self) -> bool:
        return self.status == StudioStatus.NAMED

    @property
    def trade_names(self) -> list[str]:
        return [t.trade for t in self.trades]


class StudioTrade(Base):
    """A trade (工种) the studio specialises in; a row each so the listing filters by index."""

    __tablename__ = "studio_trades"
    __table_args__ = (UniqueConstraint("studio_id", "trade"), Index("ix_studio_trades_trade", "trade", "studio_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id", ondelete="CASCADE"))
    trade: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(default=0)

    studio: Mapped[Studio] = relationship(back_populates="trades")


class StudioMember(Base):
    """A person in a studio; the leader is a member with role ``leader``."""

    __tablename__ = "studio_members"
    __table_args__ = (UniqueConstraint("studio_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[MemberRole] = mapped_column(String(16), default=MemberRole.MEMBER)
    title: Mapped[str] = mapped_column(String(100), default="")       # e.g. 高级技师
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)                  # set when the member leaves

    studio: Mapped[Studio] = relationship(back_populates="members")
    user: Mapped[User] = relationship(lazy="joined")


class Honor(Base):
    """An honour a member holds (劳动模范, 工匠, 五一劳动奖章), entered and verified by the union."""

    __tablename__ = "honors"
    __table_args__ = (Index("ix_honors_user_status", "user_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[HonorKind] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(100))             # 海南工匠, 全国五一劳动奖章 ...
    level: Mapped[StudioLevel] = mapped_column(String(16))
    year: Mapped[int]
    awarded_by: Mapped[str] = mapped_column(String(200))
    status: Mapped[HonorStatus] = mapped_column(String(16), default=HonorStatus.PENDING, index=True)
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class Achievement(Base):
    """An innovation, patent, technique or award of a studio, with its date and evidence."""

    __tablename__ = "studio_achievements"
    __table_args__ = (Index("ix_studio_achievements_studio_date", "studio_id", "achieved_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id", ondelete="CASCADE"))
    kind: Mapped[AchievementKind] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    patent_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    achieved_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(2000), default="")
    evidence_file: Mapped[str | None] = mapped_column(String(255))     # stored name under uploads
    evidence_name: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StudioPhoto(Base):
    __tablename__ = "studio_photos"
    __table_args__ = (Index("ix_studio_photos_studio", "studio_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id", ondelete="CASCADE"))
    file_name: Mapped[str] = mapped_column(String(255))
    caption: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RatingCriterion(Base):
    """One of the federation's rating indicators (data, not code), with its weight."""

    __tablename__ = "studio_rating_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(500), default="")
    weight: Mapped[int]                      # relative weight; the scheme's weights need not sum to 100
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class StudioRating(Base):
    """A studio's star rating for a year: self-assessed with evidence, then reviewed by the union."""

    __tablename__ = "studio_ratings"
    __table_args__ = (
        UniqueConstraint("studio_id", "year"),
        CheckConstraint("stars IS NULL OR (stars BETWEEN 1 AND 5)", name="stars_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id", ondelete="CASCADE"))
    year: Mapped[int]
    status: Mapped[RatingStatus] = mapped_column(String(16), default=RatingStatus.SUBMITTED)
    # {criterion code: {"score": 0-100, "evidence": "..."}} as the studio assessed itself
    self_scores: Mapped[dict] = mapped_column(JSON, default=dict)
    self_total: Mapped[int] = mapped_column(default=0)            # weighted, 0-100
    review_scores: Mapped[dict] = mapped_column(JSON, default=dict)   # {code: 0-100}
    review_total: Mapped[int | None]
    stars: Mapped[int | None]
    previous_stars: Mapped[int | None]
    review_note: Mapped[str] = mapped_column(String(1000), default="")
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]

    studio: Mapped[Studio] = relationship()

    @property
    def change(self) -> str | None:
        """``up``, ``down``, ``same`` or ``new`` against the previous reviewed rating."""
        if self.stars is None:
            return None
        if self.previous_stars is None:
            return "new"
        return "up" if self.stars > self.previous_stars else "down" if self.stars < self.previous_stars else "same"


class StudioTarget(Base):
    """A federation target such as "100 city-level studios named in 2026"."""

    __tablename__ = "studio_targets"
    __table_args__ = (UniqueConstraint("year", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    level: Mapped[StudioLevel] = mapped_column(String(16))
    target: Mapped[int]
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class Apprenticeship(Base):
    """名师带高徒: a master of a studio and an apprentice, with goals, notes and a final assessment."""

    __tablename__ = "apprenticeships"
    __table_args__ = (
        Index("ix_apprenticeships_master", "master_id"),
        Index("ix_apprenticeships_apprentice", "apprentice_id"),
        Index("ix_apprenticeships_studio", "studio_id", "status"),
        CheckConstraint("master_id <> apprentice_id", name="two_people"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id", ondelete="CASCADE"))
    master_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    apprentice_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    goals: Mapped[str] = mapped_column(String(2000))
    status: Mapped[ApprenticeshipStatus] = mapped_column(String(16), default=ApprenticeshipStatus.ACTIVE)
    final_result: Mapped[str | None] = mapped_column(String(16))       # excellent / passed / failed
    final_assessment: Mapped[str] = mapped_column(String(2000), default="")
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assessed_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    studio: Mapped[Studio] = relationship(lazy="joined")
    master: Mapped[User] = relationship(foreign_keys=[master_id], lazy="joined")
    apprentice: Mapped[User] = relationship(foreign_keys=[apprentice_id], lazy="joined")
    notes: Mapped[list[ApprenticeshipNote]] = relationship(back_populates="apprenticeship",
                                                           order_by="ApprenticeshipNote.written_at",
                                                           cascade="all, delete-orphan")


class ApprenticeshipNote(Base):
    __tablename__ = "apprenticeship_notes"
    __table_args__ = (Index("ix_apprenticeship_notes_pair", "apprenticeship_id", "written_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    apprenticeship_id: Mapped[int] = mapped_column(ForeignKey("apprenticeships.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(String(2000))
    written_at: Mapped[datetime]

    apprenticeship: Mapped[Apprenticeship] = relationship(back_populates="notes")
    author: Mapped[User] = relationship(lazy="joined")


class ServiceOffer(Base):
    """The resource list (资源清单): a service a studio or one of its people offers."""

    __tablename__ = "studio_service_offers"
    __table_args__ = (Index("ix_studio_service_offers_kind", "kind", "is_active", "city"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))   # a member offering it personally
    kind: Mapped[ServiceKind] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    trades: Mapped[list] = mapped_column(JSON, default=list)
    city: Mapped[str] = mapped_column(String(50), default="")
    available_from: Mapped[date | None] = mapped_column(Date)
    available_until: Mapped[date | None] = mapped_column(Date)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    studio: Mapped[Studio] = relationship(lazy="joined")
    person: Mapped[User | None] = relationship()


class Requester(Base):
    """A village or a school asking for help (enterprises ask as organizations)."""

    __tablename__ = "studio_requesters"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RequesterKind] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(50), default="")
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)   # who posts for it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HelpRequest(Base):
    """The demand list (需求清单): an enterprise, village or school needs help."""

    __tablename__ = "studio_help_requests"
    __table_args__ = (
        Index("ix_studio_help_requests_status", "status", "created_at"),
        CheckConstraint("(organization_id IS NULL) <> (requester_id IS NULL)", name="one_requester"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_kind: Mapped[RequesterKind] = mapped_column(String(16))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("studio_requesters.id"), index=True)
    # Set when the enterprise asked through the order mechanism (orders' TrainingDemand): one mirror per demand.
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("training_demands.id", ondelete="CASCADE"),
                                                  unique=True)
    kind: Mapped[ServiceKind] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    trades: Mapped[list] = mapped_column(JSON, default=list)
    industry_id: Mapped[int | None] = mapped_column(ForeignKey("industries.id"))
    city: Mapped[str] = mapped_column(String(50), default="")
    needed_from: Mapped[date | None] = mapped_column(Date)
    needed_until: Mapped[date | None] = mapped_column(Date)
    status: Mapped[HelpStatus] = mapped_column(String(16), default=HelpStatus.OPEN)
    assigned_team_id: Mapped[int | None] = mapped_column(ForeignKey("service_teams.id"), index=True)
    assigned_studio_id: Mapped[int | None] = mapped_column(ForeignKey("studios.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization | None] = relationship(lazy="joined")
    requester: Mapped[Requester | None] = relationship(lazy="joined")
    industry: Mapped[Industry | None] = relationship(lazy="joined")
    assigned_team: Mapped[ServiceTeam | None] = relationship(lazy="joined")
    assigned_studio: Mapped[Studio | None] = relationship(lazy="joined")

    @property
    def requester_name(self) -> str:
        return self.organization.name if self.organization else self.requester.name if self.requester else ""


class ServiceTeam(Base):
    """A service team the union forms (the "1+5+N": provincial, city and industry teams)."""

    __tablename__ = "service_teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    scope: Mapped[TeamScope] = mapped_column(String(16))
    city: Mapped[str] = mapped_column(String(50), default="")
    industry_id: Mapped[int | None] = mapped_column(ForeignKey("industries.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    studios: Mapped[list[Studio]] = relationship(secondary=team_studios, lazy="selectin", order_by="Studio.name")
    industry: Mapped[Industry | None] = relationship()


class Proposal(Base):
    """A studio's (or a team's) answer to a request for help, tracked to completion like an order."""

    __tablename__ = "studio_proposals"
    __table_args__ = (
        Index("ix_studio_proposals_request", "help_request_id", "status"),
        Index("ix_studio_proposals_studio", "studio_id", "status"),
        CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    help_request_id: Mapped[int] = mapped_column(ForeignKey("studio_help_requests.id", ondelete="CASCADE"))
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("service_teams.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    plan: Mapped[str] = mapped_column(String(2000))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ProposalStatus] = mapped_column(String(16), default=ProposalStatus.SUBMITTED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    delivery_note: Mapped[str] = mapped_column(String(2000), default="")
    completed_at: Mapped[datetime | None]
    rating: Mapped[int | None]
    rating_comment: Mapped[str] = mapped_column(String(1000), default="")

    help_request: Mapped[HelpRequest] = relationship(lazy="joined")
    studio: Mapped[Studio] = relationship(lazy="joined")
    team: Mapped[ServiceTeam | None] = relationship()
