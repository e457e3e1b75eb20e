"""JSON shapes of the studios API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api import Schema

Level = Literal["national", "provincial", "city", "enterprise"]
ServiceKindName = Literal["technical_service", "skills_training", "management", "farming_guidance",
                          "demonstration_teaching"]


class StudioQuery(Schema):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    trade: str | None = Field(default=None, max_length=50, description="a trade, e.g. 变电检修")
    industry: str | None = Field(default=None, max_length=32, description="industry code")
    city: str | None = Field(default=None, max_length=50)
    level: Level | None = None
    q: str | None = Field(default=None, max_length=100, description="words in the name, summary or trades")
    page: int = Field(default=1, ge=1, le=10_000)
    per_page: int = Field(default=20, ge=1, le=100)


class Named(BaseModel):
    id: int
    name: str


class IndustryRef(BaseModel):
    code: str
    name: str


class HonorOut(BaseModel):
    id: int
    kind: str
    title: str
    level: str
    year: int
    awarded_by: str
    status: str


class MemberOut(BaseModel):
    user_id: int
    name: str
    role: str
    title: str
    since: date
    honours: list[HonorOut]


class StudioBrief(BaseModel):
    id: int
    name: str
    status: str
    level: str | None
    stars: int | None
    city: str
    summary: str
    organization: Named
    leader: Named
    trades: list[str]
    industries: list[IndustryRef]


class StudioListOut(BaseModel):
    items: list[StudioBrief]
    page: int
    per_page: int
    total: int


class AchievementOut(BaseModel):
    id: int
    kind: str
    title: str
    patent_number: str | None
    achieved_on: date
    description: str
    evidence_url: str | None


class RatingOut(BaseModel):
    id: int
    year: int
    status: str
    self_total: int
    review_total: int | None
    stars: int | None
    change: str | None


class OfferOut(BaseModel):
    id: int
    kind: str
    title: str
    trades: list[str]
    city: str
    available_from: date | None
    available_until: date | None


class HelpGivenOut(BaseModel):
    proposal_id: int
    request: str
    requester: str
    status: str
    rating: int | None


class StudioOut(StudioBrief):
    description: str
    address: str
    contact_phone: str
    named_at: datetime | None
    members: list[MemberOut]
    achievements: list[AchievementOut]
    photos: list[str]
    courses: list[Named]
    ratings: list[RatingOut]
    offers: list[OfferOut]
    help_given: list[HelpGivenOut]
    apprenticeships: int


class StudioProposalIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    organization_id: int
    leader_phone: str = Field(min_length=5, max_length=20)
    level: Level = "city"
    city: str = Field(default="", max_length=50)
    summary: str = Field(default="", max_length=500)
    note: str = Field(default="", max_length=1000)


class StudioPatch(Schema):
    name: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, max_length=50)
    summary: str | None = Field(default=None, max_length=500)
    description: str | None = Field(default=None, max_length=10_000)
    address: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=32)
    trades: list[str] | None = None
    industry_codes: list[str] | None = None
    course_ids: list[int] | None = None


class NameIn(Schema):
    level: Level
    note: str = Field(default="", max_length=500)


class MemberIn(Schema):
    phone: str = Field(min_length=5, max_length=20)
    title: str = Field(default="", max_length=100)


class AchievementIn(Schema):
    kind: Literal["innovation", "patent", "technique", "award"]
    title: str = Field(min_length=1, max_length=200)
    achieved_on: date
    description: str = Field(default="", max_length=2000)
    patent_number: str | None = Field(default=None, max_length=32)


class SelfAssessIn(Schema):
    year: int = Field(ge=2000, le=2100)
    scores: dict[str, int]
    evidence: dict[str, str] = {}


class ReviewIn(Schema):
    scores: dict[str, int]
    stars: int = Field(ge=1, le=5)
    note: str = Field(default="", max_length=1000)


class ApprenticeshipIn(Schema):
    master_id: int
    apprentice_id: int | None = None
    apprentice_phone: str | None = Field(default=None, max_length=20)
    starts_on: date
    ends_on: date
    goals: str = Field(min_length=1, max_length=2000)


class NoteOut(BaseModel):
    id: int
    author: Named
    body: str
    written_at: datetime


class ApprenticeshipOut(BaseModel):
    id: int
    studio: Named
    master: Named
    apprentice: Named
    starts_on: date
    ends_on: date
    goals: str
    status: str
    final_result: str | None
    final_assessment: str
    notes: list[NoteOut]


class NoteIn(Schema):
    body: str = Field(min_length=1, max_length=2000)


class AssessmentIn(Schema):
    result: Literal["excellent", "passed", "failed"]
    assessment: str = Field(min_length=1, max_length=2000)


class HelpRequestIn(Schema):
    organization_id: int | None = None
    requester_id: int | None = None
    kind: ServiceKindName
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    trades: list[str] = []
    industry_code: str | None = Field(default=None, max_length=32)
    city: str = Field(default="", max_length=50)
    needed_from: date | None = None
    needed_until: date | None = None


class MatchOut(BaseModel):
    studio: Named
    score: int
    reasons: list[str]


class ProposalOut(BaseModel):
    id: int
    help_request_id: int
    studio: Named
    team: Named | None
    plan: str
    starts_on: date | None
    ends_on: date | None
    status: str
    delivery_note: str
    rating: int | None
    rating_comment: str


class HelpRequestOut(BaseModel):
    id: int
    requester_kind: str
    requester: str
    kind: str
    title: str
    description: str
    trades: list[str]
    industry: IndustryRef | None
    city: str
    needed_from: date | None
    needed_until: date | None
    status: str
    assigned_team: Named | None
    assigned_studio: Named | None
    demand_id: int | None = Field(description="orders' demand, when the enterprise asked through it")
    proposals: list[ProposalOut]
    matches: list[MatchOut] = Field(description="suggested studios (union admins and studio members only)")


class HelpRequestListOut(BaseModel):
    items: list[HelpRequestOut]
    page: int
    per_page: int
    total: int


class ProposalIn(Schema):
    studio_id: int
    plan: str = Field(min_length=1, max_length=2000)
    starts_on: date | None = None
    ends_on: date | None = None


class DeliverIn(Schema):
    note: str = Field(min_length=1, max_length=2000)


class CompleteIn(Schema):
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=1000)


class HonorIn(Schema):
    user_id: int | None = None
    phone: str | None = Field(default=None, max_length=20)
    kind: Literal["model_worker", "craftsman", "may_day_medal", "other"]
    title: str = Field(min_length=1, max_length=100)
    level: Level
    year: int = Field(ge=1950, le=2100)
    awarded_by: str = Field(min_length=1, max_length=200)


class HonorEntryOut(HonorOut):
    user: Named


class TargetIn(Schema):
    year: int = Field(ge=2000, le=2100)
    level: Level
    target: int = Field(ge=1, le=100_000)


class TargetOut(BaseModel):
    year: int
    level: str
    target: int
    named: int = Field(description="studios of the level named during the year")
    percent: int


class TargetListOut(BaseModel):
    items: list[TargetOut]


class YearQuery(Schema):
    model_config = ConfigDict(extra="ignore")
    year: int = Field(ge=2000, le=2100)


class OfferIn(Schema):
    kind: ServiceKindName
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    trades: list[str] = []
    city: str = Field(default="", max_length=50)
    available_from: date | None = None
    available_until: date | None = None
    person_id: int | None = None


class TeamIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    scope: Literal["provincial", "city", "industry"]
    studio_ids: list[int]
    city: str = Field(default="", max_length=50)
    industry_code: str | None = Field(default=None, max_length=32)


class TeamOut(BaseModel):
    id: int
    name: str
    scope: str
    city: str
    studios: list[Named]


class AssignIn(Schema):
    team_id: int | None = None
    studio_id: int | None = None
