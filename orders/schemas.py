"""JSON shapes of the enterprise orders API (demands, quotes, orders, rosters, progress)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from app.api import Schema
from app.inputs import Fen


class MoneyOut(BaseModel):
    amount: int = Field(description="minor units (fen)")
    currency: str = "CNY"


class OrgRef(BaseModel):
    id: int
    name: str


class DemandIn(Schema):
    kind: Literal["training", "technical_service"] = "training"
    title: str = Field("", max_length=200)
    skill: str = Field(min_length=1, max_length=200, description="skill or trade")
    certificate_type: str = Field("", max_length=100, description="certificate wanted: free text or a code")
    headcount: int = Field(ge=1, le=5000)
    city: str = Field("", max_length=50)
    venue_preference: str = Field("", max_length=200)
    mode: Literal["any", "online", "offline", "blended"] = "any"
    preferred_start: date | None = None
    preferred_end: date | None = None
    budget: Fen | None = Field(None, description="total, fen")
    notes: str = Field("", max_length=2000)
    publish: bool = Field(False, description="publish at once instead of saving a draft")


class DemandOut(BaseModel):
    id: int
    kind: str
    status: str
    title: str
    skill: str
    certificate_type: str
    headcount: int
    city: str
    venue_preference: str
    mode: str
    preferred_start: str | None
    preferred_end: str | None
    budget: MoneyOut | None
    notes: str
    enterprise: OrgRef
    open_to_all: bool
    invited: list[OrgRef] | None = Field(None, description="shown to the enterprise and the union only")
    published_at: str | None
    quotes: int | None = Field(None, description="number of quotes (enterprise and union)")


class DemandPage(BaseModel):
    items: list[DemandOut]
    page: int
    per_page: int
    total: int


class DirectIn(Schema):
    organization_ids: list[int] = Field(default_factory=list, max_length=100)
    open_to_all: bool | None = None


class QuoteIn(Schema):
    price_per_person: Fen
    total: Fen | None = Field(None, description="fen; default price per person × headcount")
    course_id: int | None = None
    class_id: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    city: str = Field("", max_length=50)
    venue: str = Field("", max_length=200)
    mode: Literal["online", "offline", "blended"] = "offline"
    instructors: str = Field("", max_length=500)
    inclusions: list[Literal["materials", "exam_fee", "meals", "accommodation", "certificate_fee", "transport"]] = []
    notes: str = Field("", max_length=2000)
    valid_until: date | None = None
    cancel_fee_pct: int = Field(0, ge=0, le=100, description="share of the total due if cancelled after confirmation")
    organization_id: int | None = Field(None, description="the provider quoting, if the caller runs several")


class MessageOut(BaseModel):
    id: int
    side: str
    author: str
    body: str
    created_at: str


class QuoteOut(BaseModel):
    id: int
    demand_id: int
    status: str
    provider: OrgRef
    price_per_person: MoneyOut
    total: MoneyOut
    course_id: int | None
    course_title: str | None
    class_id: int | None
    starts_on: str | None
    ends_on: str | None
    city: str
    venue: str
    mode: str
    instructors: str
    inclusions: list[str]
    notes: str
    valid_until: str | None
    cancel_fee_pct: int
    provider_rating: float | None = None
    messages: list[MessageOut] = []


class QuoteList(BaseModel):
    items: list[QuoteOut]


class MessageIn(Schema):
    body: str = Field(min_length=1, max_length=1000)


class OrderIn(Schema):
    quote_id: int | None = Field(None, description="accept this quote and order it")
    class_id: int | None = Field(None, description="or order seats straight in this class")
    seats: int | None = Field(None, ge=1, le=5000)


class SubmitIn(Schema):
    pay_method: Literal["online", "bank_transfer"] = "online"
    invoice_title: str = Field("", max_length=200)
    invoice_tax_number: str = Field("", max_length=20)
    notes: str = Field("", max_length=1000)


class ConfirmIn(Schema):
    class_id: int | None = Field(None, description="the class, when the order has none yet")


class CancelIn(Schema):
    reason: str = Field("", max_length=500)


class AcceptIn(Schema):
    rating: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=1000)


class ObjectionIn(Schema):
    text: str = Field(min_length=1, max_length=1000)


class PaymentOut(BaseModel):
    id: int
    purpose: str = Field(description="order (the enterprise's share) | order_subsidy (the union's share)")
    status: str
    method: str
    amount: MoneyOut
    refunded: MoneyOut


class EventOut(BaseModel):
    from_status: str
    to_status: str
    actor: str | None
    at: str
    note: str


class OrderOut(BaseModel):
    id: int
    status: str
    enterprise: OrgRef
    provider: OrgRef
    demand_id: int | None
    quote_id: int | None
    course_id: int | None
    class_id: int | None
    class_title: str | None
    seats: int
    seats_reserved: int
    price_per_person: MoneyOut
    total: MoneyOut
    enterprise_share: MoneyOut
    subsidy: MoneyOut
    subsidy_members: int
    pay_method: str
    invoice_title: str
    invoice_tax_number: str
    cancel_fee_pct: int
    roster_size: int
    rating: int | None
    rating_comment: str
    objection: str
    payments: list[PaymentOut]
    events: list[EventOut]


class OrderPage(BaseModel):
    items: list[OrderOut]
    page: int
    per_page: int
    total: int


class RosterRowIn(BaseModel):
    name: str = Field(max_length=100)
    phone: str = Field("", max_length=32)
    id_number: str = Field(max_length=32)
    member_no: str = Field("", max_length=32)
    department: str = Field("", max_length=100)
    email: str = Field("", max_length=254)


class RosterIn(Schema):
    rows: list[RosterRowIn] = Field(max_length=5000)


class ReportLine(BaseModel):
    row: int
    name: str
    id: str = Field(description="the ID number masked: last 4 characters only")
    outcome: str = Field(description="member | account | invited | rejected")
    code: str = Field(description="why rejected: id_check_digit, id_format, duplicate_in_file, already_on_order, "
                                  "over_seats, no_contact, name_required, bad_phone ...")
    reason: str


class RosterReport(BaseModel):
    upload_id: int
    status: str = Field(description="queued | running | done | failed")
    repeated: bool = Field(description="this exact file was uploaded before: nothing changed")
    total_rows: int
    processed_rows: int
    summary: dict[str, int]
    rows: list[ReportLine]


class ProgressLine(BaseModel):
    name: str
    department: str
    id: str
    match: str
    enrolled: bool
    enrollment_status: str | None
    lessons_done: int
    lessons_total: int
    days_present: int
    days_total: int
    attendance_share: int = Field(description="percent")
    exam_results: list[dict]
    certificates: list[dict]


class ProgressOut(BaseModel):
    order_id: int
    employees: int
    enrolled: int
    avg_lessons: int
    avg_attendance: int
    finished: int
    items: list[ProgressLine]
    page: int
    per_page: int
    total: int
