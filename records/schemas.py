"""JSON shapes of the records API: the record, the talent pool, the dashboard."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api import PageQuery, Schema


class RecordQuery(Schema):
    model_config = ConfigDict(extra="ignore")
    format: Literal["json", "pdf", "credential"] = Field(
        default="json", description="json: the record; pdf: a printable copy with a verification QR code; "
                                    "credential: a signed Verifiable Presentation to take elsewhere")


class EntryOut(BaseModel):
    kind: str = Field(description="training | order_training | exam | certificate | studio | apprenticeship | "
                                  "teaching | honour")
    on: date | None
    title: str
    subtitle: str
    status: str
    source: str = Field(description="provider, issuer, enterprise or awarding body")
    ours: bool | None = Field(description="certificates: issued by the platform (true) or a recorded "
                                          "government certificate (false)")
    only_member: bool = Field(description="true for failed exam attempts: never shown to anyone else")
    details: dict[str, Any]


class TotalsOut(BaseModel):
    hours_this_year: int
    hours_total: int
    trainings_completed: int
    certificates_valid: int
    certificates_expiring: int
    exams_passed: int


class RecordOut(BaseModel):
    name: str
    member_no: str | None
    union_name: str | None
    totals: TotalsOut
    sections: dict[str, int]
    entries: list[EntryOut]
    verify_url: str | None = Field(default=None, description="set for pdf printouts")


class PoolIn(Schema):
    listed: bool = Field(description="true to opt in (or change what is shown), false to withdraw at once")
    show_trades: bool = True
    show_certificates: bool = True
    show_city: bool = False
    show_experience: bool = False
    trades: list[str] = Field(default_factory=list, max_length=10)
    city: str = Field(default="", max_length=50)
    years_experience: int | None = Field(default=None, ge=0, le=60)
    consent_version: str | None = Field(default=None, description="the version of the consent text the member "
                                                                  "was shown (GET answers it); required to opt in")


class VisitOut(BaseModel):
    organization: str
    action: str
    times: int
    last_at: str


class ContactRequestOut(BaseModel):
    id: int
    organization: str
    message: str
    status: str
    created_at: str


class PoolOut(BaseModel):
    listed: bool
    shown_fields: list[str]
    card: dict[str, Any] = Field(description="exactly what enterprises see")
    trades: list[str]
    city: str
    years_experience: int | None
    consent_text: str
    consent_version: str
    consented_at: str | None
    withdrawn_at: str | None
    visitors: list[VisitOut]
    contact_requests: list[ContactRequestOut]


class TalentQueryIn(PageQuery):
    skill: str = Field(default="", max_length=50)
    certificate_type: str = Field(default="", max_length=100)
    level: str = Field(default="", max_length=50)
    city: str = Field(default="", max_length=50)


class TalentOut(BaseModel):
    id: int = Field(description="the pool entry's id (not the member's account)")
    card: dict[str, Any] = Field(description="only the fields the member chose to show")


class TalentPage(BaseModel):
    items: list[TalentOut]
    page: int
    per_page: int
    total: int


class ContactIn(Schema):
    message: str = Field(default="", max_length=500)


class SentRequestOut(BaseModel):
    id: int
    talent_id: int
    status: str
    message: str
    created_at: str
    name: str | None = Field(description="only once the member accepted")
    contact: str | None = Field(description="only once the member accepted")


class SentRequestList(BaseModel):
    items: list[SentRequestOut]


class DashboardQuery(Schema):
    model_config = ConfigDict(extra="ignore")
    from_: str | None = Field(default=None, alias="from", pattern=r"^\d{4}-\d{2}$")
    to: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")
    by: Literal["industry", "city", "union_name", "enterprise", "provider", "kind"] = "industry"


class BreakdownOut(BaseModel):
    key: str
    values: dict[str, int]
    pass_rate: float | None


class TargetOut(BaseModel):
    id: int
    title: str
    metric: str
    goal: int
    done: int
    percent: int
    starts_on: date
    ends_on: date
    dimension: str
    value: str


class DashboardOut(BaseModel):
    start: date
    end: date
    by: str
    totals: dict[str, int]
    pass_rate: float | None
    months: list[dict[str, Any]]
    breakdown: list[BreakdownOut]
    targets: list[TargetOut]
    rebuilt_at: str | None


class TargetIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    metric: str
    goal: int = Field(ge=1)
    starts_on: date
    ends_on: date
    dimension: str = ""
    value: str = Field(default="", max_length=200)
