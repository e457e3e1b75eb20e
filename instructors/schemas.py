"""JSON shapes of the instructor pool API (``/api/v1/instructors``)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from app.api import MAX_PAGE, Schema
from app.inputs import MAX_DATE, MIN_DATE


class TradeIO(BaseModel):
    trade: str = Field(min_length=1, max_length=100)
    level: str = Field(default="", max_length=50)


class QualificationOut(BaseModel):
    id: int
    role: str = Field(description="examiner (考评员) | proctor (监考员)")
    certificate_type_code: str
    certificate_type_name: str
    level: str | None
    issuer: str
    expires_on: date
    status: str = Field(description="pending | verified | rejected")
    counts: bool = Field(description="verified and not expired today")
    number: str | None = Field(default=None, description="only for the person, their providers and union admins")


class RatingSummaryOut(BaseModel):
    count: int
    average: float
    stars: dict[str, int]


class RecordOut(BaseModel):
    classes: int
    hours: int
    learners: int
    completed: int
    completion_rate: int | None
    sat: int = 0            # learners who sat the exams their courses prepare for
    passed: int = 0         # of them, who passed every component of such a certificate type
    pass_rate: int | None = None   # percent of ``sat``; none when nobody sat


class InstructorOut(BaseModel):
    user_id: int
    name: str
    titles: list[str]
    years_experience: int
    city: str
    biography: str
    photo_url: str | None
    in_pool: bool
    trades: list[TradeIO]
    qualifications: list[QualificationOut]
    rating: RatingSummaryOut
    record: RecordOut | None = None
    url: str


class InstructorPageOut(BaseModel):
    items: list[InstructorOut]
    page: int
    per_page: int
    total: int


class PoolQuery(Schema):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    trade: str = Field(default="", max_length=100)
    certificate_type: str = Field(default="", max_length=64, description="code (or name) of the certificate type")
    level: str = Field(default="", max_length=50)
    city: str = Field(default="", max_length=50)
    available_from: AwareDatetime | None = None
    available_until: AwareDatetime | None = None
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    per_page: int = Field(default=20, ge=1, le=100)

    @field_validator("available_from", "available_until")
    @classmethod
    def _within_the_platforms_years(cls, value: datetime | None) -> datetime | None:
        # Year 9999 at UTC−5 (or year 1 at UTC+8) cannot be converted to UTC for the query.
        if value is not None and not MIN_DATE <= value.date() <= MAX_DATE:
            raise ValueError(f"Enter a date between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}.")
        return value


class ProfileIn(Schema):
    titles: list[str] | None = None
    years_experience: int | None = Field(default=None, ge=0, le=70)
    city: str | None = Field(default=None, max_length=50)
    biography: str | None = Field(default=None, max_length=2000)
    in_pool: bool | None = None
    trades: list[TradeIO] | None = None


class QualificationIn(Schema):
    role: str = "examiner"
    certificate_type_code: str = Field(min_length=1, max_length=64)
    certificate_type_name: str = Field(default="", max_length=200)
    level: str | None = Field(default=None, max_length=50)
    number: str = Field(min_length=1, max_length=64)
    issuer: str = Field(min_length=1, max_length=200)
    issued_on: date | None = None
    expires_on: date


class DecisionIn(Schema):
    verify: bool
    note: str = Field(default="", max_length=500)


class AvailabilityIn(Schema):
    kind: str = "both"
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    note: str = Field(default="", max_length=200)


class AvailabilityOut(BaseModel):
    id: int
    kind: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    note: str


class BookingOut(BaseModel):
    purpose: str
    reference_id: int
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class AvailabilityListOut(BaseModel):
    items: list[AvailabilityOut]
    booked: list[BookingOut]


class RatingIn(Schema):
    class_id: int
    stars: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=1000)


class RatingOut(BaseModel):
    id: int
    class_id: int
    course_id: int
    stars: int
    comment: str
    learner: str = Field(description="the learner's initial only")
    created_at: AwareDatetime


class RatingPageOut(BaseModel):
    summary: RatingSummaryOut
    items: list[RatingOut]


class InvitationIn(Schema):
    class_id: int
    message: str = Field(default="", max_length=500)


class InvitationOut(BaseModel):
    id: int
    status: str = Field(description="pending | accepted | declined | withdrawn")
    message: str
    provider: str
    class_id: int
    class_title: str
    course_title: str
    starts_on: date
    ends_on: date


class InvitationListOut(BaseModel):
    items: list[InvitationOut]
