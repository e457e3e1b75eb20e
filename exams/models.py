"""Certificate types and their exam rules, the question bank, papers, exam sessions, bookings,
attempts, answers, grades and component results (技能鉴定)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db import Base, utcnow


class ComponentKind(StrEnum):
    THEORY = "theory"          # 理论考试 (computer-based)
    PRACTICAL = "practical"    # 实操考试
    PANEL = "panel"            # 评审 (panel review)


class QuestionKind(StrEnum):
    SINGLE = "single"          # 单选题
    MULTIPLE = "multiple"      # 多选题
    TRUE_FALSE = "true_false"  # 判断题
    FILL = "fill"              # 填空题 (several accepted answers)
    SHORT = "short"            # 简答题 (graded by people)
    PRACTICAL = "practical"    # 实操题 (rubric, graded by examiners)


OBJECTIVE = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE, QuestionKind.FILL)
MANUAL = (QuestionKind.SHORT, QuestionKind.PRACTICAL)


class SessionMode(StrEnum):
    ONLINE_CENTER = "online_center"   # computer-based at an exam point (check-in required)
    ONLINE_REMOTE = "online_remote"   # computer-based from anywhere (booking is enough)
    OFFLINE = "offline"               # on paper or practical at the venue


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    RELEASED = "released"             # results released to candidates


class BookingStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    BOOKED = "booked"
    WAITLISTED = "waitlisted"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    EXPIRED = "expired"   # the exam fee was not paid in time; the seat went back


SEAT_HOLDING = (BookingStatus.PENDING_PAYMENT, BookingStatus.BOOKED, BookingStatus.CHECKED_IN)
ACTIVE_BOOKING_SQL = "status IN ('pending_payment', 'booked', 'waitlisted', 'checked_in')"


class AttemptStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"     # objective part scored; manual answers waiting for examiners
    GRADED = "graded"           # every answer has its final score


class StaffRole(StrEnum):
    PROCTOR = "proctor"     # 监考
    EXAMINER = "examiner"   # 考评员


class AppealStatus(StrEnum):
    OPEN = "open"
    DECIDED = "decided"


class CertificateType(Base):
    """A certificate the union issues and the exam rules that lead to it (data, not code)."""

    __tablename__ = "certificate_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(160), default="")
    level: Mapped[str] = mapped_column(String(40), default="")
    description: Mapped[str] = mapped_column(String(2000), default="")
    # Settings the certificates domain reads when it issues and reviews certificates.
    validity_months: Mapped[int] = mapped_column(default=72)
    review_every_months: Mapped[int | None]
    review_training_hours: Mapped[int] = mapped_column(default=0)
    auto_issue: Mapped[bool] = mapped_column(default=True)
    exam_fee: Mapped[int] = mapped_column(default=0)          # fen per booked component; 0 = free
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    requires_membership: Mapped[bool] = mapped_column(default=False)
    appeal_days: Mapped[int] = mapped_column(default=7)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    components: Mapped[list[CertificateComponent]] = relationship(
        back_populates="certificate_type", order_by="CertificateComponent.position", lazy="selectin",
        cascade="all, delete-orphan")

    def name(self, locale: str = "zh") -> str:
        return self.name_en if locale.startswith("en") and self.name_en else self.name_zh

    def component(self, kind: str) -> CertificateComponent | None:
        return next((c for c in self.components if c.kind == kind), None)


class CertificateComponent(Base):
    """One exam of a certificate type (theory, practical, panel) with its rules."""

    __tablename__ = "certificate_components"
    __table_args__ = (
        UniqueConstraint("certificate_type_id", "kind"),
        CheckConstraint("pass_mark >= 0 AND pass_mark <= max_score", name="pass_mark_within_max"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_type_id: Mapped[int] = mapped_column(ForeignKey("certificate_types.id", ondelete="CASCADE"),
                                                     index=True)
    kind: Mapped[ComponentKind] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(default=0)
    max_score: Mapped[int] = mapped_column(default=100)
    pass_mark: Mapped[int] = mapped_column(default=60)
    duration_minutes: Mapped[int] = mapped_column(default=120)
    retake_limit: Mapped[int] = mapped_column(default=1)       # retakes after a first fail; then retraining
    pass_valid_months: Mapped[int] = mapped_column(default=12)
    requires_kind: Mapped[str | None] = mapped_column(String(16))   # a component that must be passed first
    # Double marking of answers graded by people: a third examiner decides beyond the tolerance.
    double_marking: Mapped[bool] = mapped_column(default=True)
    marking_tolerance: Mapped[int] = mapped_column(default=5)

    certificate_type: Mapped[CertificateType] = relationship(back_populates="components")


class CertificateTypeCourse(Base):
    """Training required for a certificate type: completing a class of one of these courses."""

    __tablename__ = "certificate_type_courses"

    certificate_type_id: Mapped[int] = mapped_column(ForeignKey("certificate_types.id", ondelete="CASCADE"),
                                                     primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True,
                                           index=True)


class CandidateBan(Base):
    """A candidate barred from a type's exams (e.g. after cheating) until a date."""

    __tablename__ = "exam_bans"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    certificate_type_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_types.id"))
    until: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    certificate_type: Mapped[CertificateType | None] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="joined")


class Question(Base):
    """One question of a type's bank (题库)."""

    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_draw", "certificate_type_id", "kind", "knowledge_point", "difficulty", "is_active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_type_id: Mapped[int] = mapped_column(ForeignKey("certificate_types.id"))
    kind: Mapped[QuestionKind] = mapped_column(String(16))
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON, default=list)       # ["...", "..."] for A, B, ...
    # single/multiple: letters ["A", "C"]; true_false: ["T"] or ["F"]; fill: accepted answers per blank
    # joined ("漏电保护器|漏电开关"); short: reference answer; practical: empty.
    answer: Mapped[list] = mapped_column(JSON, default=list)
    rubric: Mapped[list] = mapped_column(JSON, default=list)        # practical: [{"item", "points"}]
    explanation: Mapped[str] = mapped_column(Text, default="")
    difficulty: Mapped[int] = mapped_column(default=2)               # 1 easy .. 3 hard
    knowledge_point: Mapped[str] = mapped_column(String(100), default="")
    image: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExamPaper(Base):
    """A paper for a component: a blueprint drawn per candidate, or a fixed list of questions."""

    __tablename__ = "exam_papers"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_type_id: Mapped[int] = mapped_column(ForeignKey("certificate_types.id"), index=True)
    component_kind: Mapped[ComponentKind] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    # [{"kind", "knowledge_point" (or ""), "difficulty" (or 0), "count", "points"}]
    blueprint: Mapped[list] = mapped_column(JSON, default=list)
    fixed_questions: Mapped[list] = mapped_column(JSON, default=list)   # [{"question_id", "points"}]
    shuffle_options: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_fixed(self) -> bool:
        return bool(self.fixed_questions)


class ExamSession(Base):
    """A sitting of one component at a time and venue with seats (考试场次)."""

    __tablename__ = "exam_sessions"
    __table_args__ = (
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_exam_sessions_type_start", "certificate_type_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_type_id: Mapped[int] = mapped_column(ForeignKey("certificate_types.id"))
    component_id: Mapped[int] = mapped_column(ForeignKey("certificate_components.id"))
    paper_id: Mapped[int | None] = mapped_column(ForeignKey("exam_papers.id"))
    title: Mapped[str] = mapped_column(String(200))
    mode: Mapped[SessionMode] = mapped_column(String(16))
    city: Mapped[str] = mapped_column(String(50), default="")
    venue: Mapped[str] = mapped_column(String(200), default="")
    room: Mapped[str] = mapped_column(String(100), default="")
    capacity: Mapped[int] = mapped_column(default=30)
    # Changed only by atomic conditional UPDATEs (see exams.services.booking), never read-then-written.
    seats_taken: Mapped[int] = mapped_column(default=0)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    booking_opens_at: Mapped[datetime]
    booking_closes_at: Mapped[datetime]
    cancel_deadline_at: Mapped[datetime]
    # Staffing rules as data: {"min_proctors": 2, "min_examiners": 3, "odd_examiners": true}
    staffing: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[SessionStatus] = mapped_column(String(16), default=SessionStatus.SCHEDULED, index=True)
    released_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    certificate_type: Mapped[CertificateType] = relationship(lazy="joined")
    component: Mapped[CertificateComponent] = relationship(lazy="joined")
    paper: Mapped[ExamPaper | None] = relationship()
    staff: Mapped[list[SessionStaff]] = relationship(back_populates="exam_session", lazy="selectin",
                                                     cascade="all, delete-orphan")

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_online(self) -> bool:
        return self.mode in (SessionMode.ONLINE_CENTER, SessionMode.ONLINE_REMOTE)

    def staff_ids(self, role: str) -> list[int]:
        return [s.user_id for s in self.staff if s.role == role]


class SessionStaff(Base):
    """A proctor or examiner assigned to a session."""

    __tablename__ = "exam_session_staff"
    __table_args__ = (UniqueConstraint("exam_session_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[StaffRole] = mapped_column(String(16))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)

    exam_session: Mapped[ExamSession] = relationship(back_populates="staff")
    user: Mapped[User] = relationship(lazy="joined")


class ExamBooking(Base):
    """A candidate's seat in a session (报考)."""

    __tablename__ = "exam_bookings"
    __table_args__ = (
        Index("uq_exam_bookings_one_active", "exam_session_id", "user_id", unique=True,
              postgresql_where=text(ACTIVE_BOOKING_SQL), sqlite_where=text(ACTIVE_BOOKING_SQL)),
        Index("ix_exam_bookings_session_status", "exam_session_id", "status", "created_at"),
        Index("ix_exam_bookings_user_time", "user_id", "starts_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[BookingStatus] = mapped_column(String(20))
    seat_no: Mapped[int | None]
    # Copied from the session so one indexed query finds a candidate's overlapping bookings.
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    ticket_token: Mapped[str] = mapped_column(String(40), unique=True)
    time_allowance_minutes: Mapped[int] = mapped_column(default=0)   # granted by an admin
    amount_due: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reminded_at: Mapped[datetime | None]

    exam_session: Mapped[ExamSession] = relationship(lazy="joined")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Attempt(Base):
    """A candidate's sitting of a session's paper (online) or practical (scored at the venue)."""

    __tablename__ = "exam_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("exam_bookings.id"), unique=True)
    exam_session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    anon_code: Mapped[str] = mapped_column(String(12), unique=True)   # what examiners see
    seed: Mapped[int] = mapped_column(default=0)                      # reproduces the drawn paper
    status: Mapped[AttemptStatus] = mapped_column(String(16), default=AttemptStatus.IN_PROGRESS, index=True)
    started_at: Mapped[datetime]
    deadline_at: Mapped[datetime] = mapped_column(index=True)
    submitted_at: Mapped[datetime | None]
    submitted_by_server: Mapped[bool] = mapped_column(default=False)
    objective_score: Mapped[int] = mapped_column(default=0)
    score: Mapped[int | None]
    max_score: Mapped[int] = mapped_column(default=0)

    booking: Mapped[ExamBooking] = relationship(lazy="joined")
    answers: Mapped[list[Answer]] = relationship(back_populates="attempt", order_by="Answer.position",
                                                 cascade="all, delete-orphan")


class Answer(Base):
    """One question of an attempt: its points, shuffled options and the candidate's latest answer."""

    __tablename__ = "exam_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),
                      Index("ix_exam_answers_grading", "needs_grading", "attempt_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempts.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    position: Mapped[int]
    points: Mapped[int]
    option_order: Mapped[list] = mapped_column(JSON, default=list)   # shown letter i -> original index
    response: Mapped[list | None] = mapped_column(JSON)             # original letters / texts
    seq: Mapped[int] = mapped_column(default=0)                      # newest save wins
    saved_at: Mapped[datetime | None]
    auto_score: Mapped[int | None]
    final_score: Mapped[int | None]
    needs_grading: Mapped[bool] = mapped_column(default=False)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship(lazy="joined")


class Grade(Base):
    """One examiner's mark of one answer: append-only, so every mark stays on record."""

    __tablename__ = "exam_grades"
    __table_args__ = (Index("ix_exam_grades_answer", "answer_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("exam_answers.id", ondelete="CASCADE"))
    examiner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    round: Mapped[str] = mapped_column(String(12))   # first | second | third | panel | appeal
    score: Mapped[int]
    item_scores: Mapped[list] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime]

    examiner: Mapped[User] = relationship()


class ComponentResult(Base):
    """The outcome of one component for one candidate at one session; visible once released."""

    __tablename__ = "exam_component_results"
    __table_args__ = (
        UniqueConstraint("booking_id"),
        Index("ix_exam_results_user_type", "user_id", "certificate_type_id", "component_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("exam_bookings.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    certificate_type_id: Mapped[int] = mapped_column(ForeignKey("certificate_types.id"))
    component_id: Mapped[int] = mapped_column(ForeignKey("certificate_components.id"))
    exam_session_id: Mapped[int] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("exam_attempts.id"))
    score: Mapped[int | None]              # None: absent
    passed: Mapped[bool] = mapped_column(default=False)
    absent: Mapped[bool] = mapped_column(default=False)
    sat_at: Mapped[datetime]
    released_at: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]   # a pass counts until then

    component: Mapped[CertificateComponent] = relationship(lazy="joined")
    certificate_type: Mapped[CertificateType] = relationship(lazy="joined")


class Appeal(Base):
    """A candidate's appeal against a released result, re-marked by a new examiner."""

    __tablename__ = "exam_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("exam_component_results.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(1000))
    status: Mapped[AppealStatus] = mapped_column(String(12), default=AppealStatus.OPEN)
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    old_score: Mapped[int | None]
    new_score: Mapped[int | None]

    result: Mapped[ComponentResult] = relationship(lazy="joined")


class ExamLog(Base):
    """What happened, by whom and when: marks, releases, appeals, check-ins, allowances."""

    __tablename__ = "exam_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_session_id: Mapped[int | None] = mapped_column(ForeignKey("exam_sessions.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
