"""JSON shapes of the catalog and shelf API (courses, classes, industries)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from app.api import Schema
from app.inputs import MAX_FEN


class Money(BaseModel):
    amount: int = Field(description="minor units (fen)")
    currency: str = "CNY"


class PriceOut(Money):
    kind: str = Field(description="free | member_free | member | list")


class IndustryOut(BaseModel):
    code: str
    name: str = Field(description="Chinese name")
    name_en: str
    is_future: bool


class IndustryListOut(BaseModel):
    items: list[IndustryOut]


class IndustryIn(Schema):
    code: str = Field(min_length=2, max_length=32)
    name_zh: str = Field(min_length=1, max_length=50)
    name_en: str = Field(min_length=1, max_length=80)
    is_future: bool = False


class ProviderOut(BaseModel):
    id: int
    name: str


class CourseListItem(BaseModel):
    id: int
    title: str
    summary: str
    provider: ProviderOut
    industries: list[IndustryOut]
    certificate_type: str
    hours: int
    cover_url: str | None
    price_from: Money | None = Field(description="lowest list price of open classes")
    member_price_from: Money | None
    price: PriceOut | None = Field(description="lowest price that applies to the caller")
    has_free_member_class: bool
    next_start_on: date | None
    modes: list[str]
    cities: list[str]
    seats_left: int | None = Field(description="free seats over the classes open for enrollment (lists only)")
    url: str


class CatalogQuery(Schema):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    q: str = Field(default="", max_length=100, description=(
        "Chinese, Latin or pinyin words; courses matching every word come first, and when fewer than 3 do, "
        "courses matching some of them follow (relaxed)"))
    industry: str | None = Field(default=None, max_length=32, description="industry code")
    mode: str | None = Field(default=None, description="online | offline | blended")
    city: str | None = Field(default=None, max_length=50)
    certificate_type: str | None = Field(default=None, max_length=100)
    free: bool = Field(default=False, description="only courses with a class free for the caller")
    starting_soon: bool = Field(default=False, description="next class starts within 30 days")
    sort: str | None = Field(default=None, description="relevance | soon | newest | price")
    after: str | None = Field(default=None, max_length=200, description="next_cursor of the previous page")
    page: int = Field(default=1, ge=1, le=10_000)
    per_page: int = Field(default=20, ge=1, le=100)


class CatalogPageOut(BaseModel):
    items: list[CourseListItem]
    page: int = Field(description="0 when the page was reached by cursor")
    per_page: int
    total: int
    next_cursor: str | None
    relaxed: bool = Field(description="few courses matched every word: the list goes on with courses "
                                      "matching some of them")
    strict_total: int = Field(description="courses matching every word")


class ClassBrief(BaseModel):
    id: int
    title: str
    mode: str
    city: str
    venue: str
    starts_on: date
    ends_on: date
    starts_at: datetime = Field(description="start day 00:00 Asia/Shanghai")
    enroll_opens_at: datetime
    enroll_closes_at: datetime
    is_open: bool = Field(description="enrollment window open now")
    capacity: int
    seats_left: int
    price: PriceOut = Field(description="price for the caller")
    list_price: Money
    member_price: Money | None
    free_for_members: bool
    requires_membership: bool


class InstructorOut(BaseModel):
    id: int
    name: str


class CourseOut(CourseListItem):
    description_html: str
    skills: list[str]
    instructors: list[InstructorOut]
    status: str
    is_published: bool
    review_note: str
    classes: list[ClassBrief]


class ClassOut(ClassBrief):
    course: ProviderOut = Field(description="id and title of the course")
    provider: ProviderOut
    status: str
    refund_rule: str
    refund_deadline_days: int
    instructor: InstructorOut | None
    cancel_reason: str


class CourseIn(Schema):
    provider_id: int | None = Field(default=None, description="when the caller administers several providers")
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(default="", max_length=500)
    description_html: str = Field(default="", max_length=50_000, description="HTML; sanitised on write")
    industry_codes: list[str] = Field(default_factory=list, max_length=10)
    skills: list[str] = Field(default_factory=list, max_length=20)
    hours: int = Field(default=0, ge=0, le=2000)
    certificate_type: str = Field(default="", max_length=100)
    instructor_ids: list[int] = Field(default_factory=list, max_length=50)


class CoursePatch(Schema):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    summary: str | None = Field(default=None, max_length=500)
    description_html: str | None = Field(default=None, max_length=50_000)
    industry_codes: list[str] | None = Field(default=None, max_length=10)
    skills: list[str] | None = Field(default=None, max_length=20)
    hours: int | None = Field(default=None, ge=0, le=2000)
    certificate_type: str | None = Field(default=None, max_length=100)
    instructor_ids: list[int] | None = Field(default=None, max_length=50)


class ReviewIn(Schema):
    note: str = Field(default="", max_length=500)


class RejectIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


class ClassIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    mode: str = Field(description="online | offline | blended")
    city: str = Field(default="", max_length=50)
    venue: str = Field(default="", max_length=200)
    starts_on: date
    ends_on: date
    enroll_opens_at: AwareDatetime
    enroll_closes_at: AwareDatetime
    capacity: int = Field(ge=1, le=10_000)
    price: int = Field(default=0, ge=0, le=MAX_FEN, description="fen")
    member_price: int | None = Field(default=None, ge=0, le=MAX_FEN, description="fen")
    free_for_members: bool = False
    requires_membership: bool = False
    refund_rule: str = "full_before_start"
    refund_deadline_days: int = Field(default=0, ge=0, le=365)
    instructor_id: int | None = None


class ClassPatch(Schema):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    mode: str | None = None
    city: str | None = Field(default=None, max_length=50)
    venue: str | None = Field(default=None, max_length=200)
    starts_on: date | None = None
    ends_on: date | None = None
    enroll_opens_at: AwareDatetime | None = None
    enroll_closes_at: AwareDatetime | None = None
    capacity: int | None = Field(default=None, ge=1, le=10_000)
    price: int | None = Field(default=None, ge=0, le=MAX_FEN)
    member_price: int | None = Field(default=None, ge=0, le=MAX_FEN)
    free_for_members: bool | None = None
    requires_membership: bool | None = None
    refund_rule: str | None = None
    refund_deadline_days: int | None = Field(default=None, ge=0, le=365)
    instructor_id: int | None = None


class CoverIn(BaseModel):
    cover: str = Field(description="PNG, JPEG or WebP image, at most 5 MB", json_schema_extra={"format": "binary"})


class CourseStateOut(BaseModel):
    id: int
    status: str
    is_published: bool
    review_note: str
