"""JSON shapes of the exams API (input models forbid unknown fields)."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from app.api import Schema


class MoneyOut(BaseModel):
    amount: int
    currency: str


class TypeRef(BaseModel):
    id: int
    code: str
    name: str


class ComponentOut(BaseModel):
    kind: str
    max_score: int
    pass_mark: int
    duration_minutes: int
    retake_limit: int
    pass_valid_months: int
    requires: str | None = None


class CertificateTypeOut(BaseModel):
    id: int
    code: str
    name_zh: str
    name_en: str
    level: str
    validity_months: int
    review_every_months: int | None = None
    review_training_hours: int
    exam_fee: MoneyOut
    components: list[ComponentOut]
    required_course_ids: list[int]


class CertificateTypePage(BaseModel):
    items: list[CertificateTypeOut]
    page: int
    per_page: int
    total: int


class ExamSessionOut(BaseModel):
    id: int
    title: str
    certificate_type: TypeRef
    component: str
    mode: str
    city: str
    venue: str
    room: str
    starts_at: str
    ends_at: str
    capacity: int
    seats_left: int
    booking_opens_at: str
    booking_closes_at: str
    cancel_deadline_at: str
    status: str
    fee: MoneyOut


class ExamSessionPage(BaseModel):
    items: list[ExamSessionOut]
    page: int
    per_page: int
    total: int


class SessionQuery(Schema):
    model_config = ConfigDict(extra="ignore")
    certificate_type: str | None = Field(None, description="type code or id")
    from_: AwareDatetime | None = Field(None, alias="from", description="sessions starting at or after (ISO 8601)")
    to: AwareDatetime | None = Field(None, description="sessions starting before (ISO 8601)")
    page: int = 1
    per_page: int = 20


class BookingIn(Schema):
    waitlist: bool = False


class PaymentOut(BaseModel):
    id: int
    status: str
    amount: MoneyOut


class BookingOut(BaseModel):
    id: int
    status: str
    seat_no: int | None = None
    exam_session: ExamSessionOut
    ticket_url: str | None = None
    ticket_pdf_url: str | None = None
    created_at: str
    payment: PaymentOut | None = None
    attempt_id: int | None = None


class BookingPage(BaseModel):
    items: list[BookingOut]
    page: int
    per_page: int
    total: int


class OptionOut(BaseModel):
    letter: str
    text: str


class AttemptQuestionOut(BaseModel):
    position: int
    kind: str
    stem: str
    options: list[OptionOut]
    points: int
    image: str | None = None
    response: list[str] | None = None
    seq: int


class AttemptOut(BaseModel):
    id: int
    status: str
    exam_session_id: int
    started_at: str
    deadline_at: str
    submitted_at: str | None = None
    time_left_seconds: int
    answered: int
    unanswered: int
    objective_score: int | None = None
    questions: list[AttemptQuestionOut]


class AnswerIn(Schema):
    position: int = Field(ge=1)
    response: list[str] | None = None
    seq: int = Field(ge=1, description="increasing per question; an older save never overwrites a newer one")


class AnswersIn(Schema):
    answers: list[AnswerIn] = Field(min_length=1, max_length=200)


class SavedOut(BaseModel):
    saved: int
    stale: int
    time_left_seconds: int


class GradingItemOut(BaseModel):
    answer_id: int
    candidate: str = Field(description="anonymous code: examiners never see names")
    exam_session_id: int
    round: str
    kind: str
    stem: str
    points: int
    response: list[str] | None = None
    reference_answer: list[str]
    rubric: list[dict]


class GradingQueueOut(BaseModel):
    items: list[GradingItemOut]
    page: int
    per_page: int
    total: int


class GradeIn(Schema):
    score: int | None = Field(None, ge=0)
    item_scores: list[int] | None = None
    comment: str = Field("", max_length=1000)


class GradeOut(BaseModel):
    id: int
    answer_id: int
    round: str
    score: int
    created_at: str


class ResultOut(BaseModel):
    id: int
    certificate_type: TypeRef
    component: str
    exam_session_id: int
    score: int | None = None
    max_score: int
    pass_mark: int
    passed: bool
    absent: bool
    sat_at: str
    released_at: str | None = None
    valid_until: str | None = None
    next_steps: list[str]
    appeal_until: str | None = None
    appeal_status: str | None = None


class ResultPage(BaseModel):
    items: list[ResultOut]
    page: int
    per_page: int
    total: int


class AppealIn(Schema):
    reason: str = Field(min_length=1, max_length=1000)


class AppealOut(BaseModel):
    id: int
    status: str
    old_score: int | None = None
    new_score: int | None = None


class CheckInOut(BaseModel):
    booking_id: int
    status: str
    candidate: str
    seat_no: int | None = None
    room: str


class SessionIn(Schema):
    certificate_type_id: int
    component: str
    mode: str
    paper_id: int | None = None
    title: str = ""
    city: str = ""
    venue: str = ""
    room: str = ""
    capacity: int = 30
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    booking_opens_at: AwareDatetime
    booking_closes_at: AwareDatetime
    cancel_deadline_at: AwareDatetime | None = None
    staffing: dict | None = None


class ReleaseOut(BaseModel):
    exam_session_id: int
    released: int


class ImportReportOut(BaseModel):
    added: int
    rejected: int
    rows: list[dict]


class RubricItemIn(Schema):
    item: str = Field(min_length=1, max_length=200)
    points: int = Field(gt=0, le=1000)


class QuestionIn(Schema):
    kind: str = Field(description="single | multiple | true_false | fill | short | practical")
    stem: str = Field(min_length=1, max_length=5000)
    options: list[str] = Field(default_factory=list, max_length=6)
    answer: list[str] = Field(default_factory=list, max_length=10,
                              description="letters; T/F; accepted answers per blank joined by |; reference text")
    rubric: list[RubricItemIn] = Field(default_factory=list, max_length=20)
    explanation: str = Field("", max_length=5000)
    difficulty: int = Field(2, ge=1, le=3)
    knowledge_point: str = Field("", max_length=100)
    image: str | None = Field(None, max_length=255)


class QuestionOut(BaseModel):
    id: int
    kind: str
    stem: str
    options: list[str]
    answer: list[str]
    rubric: list[dict]
    explanation: str
    difficulty: int
    knowledge_point: str
    image: str | None = None


class BanIn(Schema):
    user_id: int
    certificate_type_id: int | None = Field(None, description="null: barred from every certificate type's exams")
    until: AwareDatetime
    reason: str = Field(min_length=1, max_length=500)


class BanLiftIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


class BanOut(BaseModel):
    id: int
    user_id: int
    user_name: str
    certificate_type_id: int | None = None
    until: str
    active: bool
    reason: str
    created_by_id: int | None = None
    created_at: str


class BanQuery(Schema):
    all: bool = Field(False, description="also bans that have ended")


class BanList(BaseModel):
    items: list[BanOut]


class QuestionImageOut(BaseModel):
    id: int
    image_url: str
