"""Courses, their scheduled classes, enrollments, lessons and attendance."""

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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Organization, User
from app.db import Base, utcnow


class CourseStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"   # waiting for union review
    APPROVED = "approved"
    REJECTED = "rejected"


class ClassMode(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    BLENDED = "blended"


class ClassStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"   # by the provider: everyone refunded


class RefundRule(StrEnum):
    FULL_BEFORE_START = "full_before_start"        # full refund until the class starts
    FULL_UNTIL_DEADLINE = "full_until_deadline"    # full refund until refund_deadline_days before start
    NONE = "none"                                  # no refund after payment


class EnrollmentStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"   # seat held until hold_expires_at
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"                   # hold ran out unpaid


# States that hold a seat, and states that count as "already enrolled".
SEAT_HOLDING = (EnrollmentStatus.PENDING_PAYMENT, EnrollmentStatus.CONFIRMED, EnrollmentStatus.COMPLETED)
ACTIVE = (*SEAT_HOLDING, EnrollmentStatus.WAITLISTED)
ACTIVE_SQL = "status IN ('pending_payment', 'confirmed', 'completed', 'waitlisted')"


class LessonKind(StrEnum):
    TEXT = "text"
    VIDEO = "video"
    FILE = "file"


class AttendanceMethod(StrEnum):
    ROSTER = "roster"   # marked by the instructor
    QR = "qr"           # worker scanned the day's code at the venue


course_industries = Table(
    "course_industries", Base.metadata,
    Column("course_id", ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
    Column("industry_id", ForeignKey("industries.id"), primary_key=True, index=True),
)

course_instructors = Table(
    "course_instructors", Base.metadata,
    Column("course_id", ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True, index=True),
)


class Industry(Base):
    """An industry tag; the seven of the provincial plan are seeded, the union adds others."""

    __tablename__ = "industries"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(80))
    is_future: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)


class Course(Base):
    """What is taught, by one provider; visible to the public once approved and published."""

    __tablename__ = "courses"
    __table_args__ = (
        Index("ix_courses_catalog", "is_published", "status", "next_start_on", "id"),
        # The listing columns by id: a search's join and the filter counts never read the rows
        # (whose descriptions push these columns into overflow pages on SQLite).
        Index("ix_courses_listing", "id", "is_published", "status", "next_start_on", "price_from",
              "member_price_from", "has_free_member_class", "modes", "cities", "certificate_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description_html: Mapped[str] = mapped_column(Text, default="")   # sanitised on write
    skills: Mapped[list] = mapped_column(JSON, default=list)            # ["配电线路检修", ...]
    hours: Mapped[int] = mapped_column(default=0)
    cover_image: Mapped[str | None] = mapped_column(String(255))       # stored file name under uploads
    certificate_type: Mapped[str] = mapped_column(String(100), default="")  # free text until certificates/
    status: Mapped[CourseStatus] = mapped_column(String(16), default=CourseStatus.DRAFT, index=True)
    is_published: Mapped[bool] = mapped_column(default=False)
    review_note: Mapped[str] = mapped_column(String(500), default="")
    submitted_at: Mapped[datetime | None]
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Denormalised from the course's scheduled classes, kept current by the shelf services,
    # so catalog lists filter and sort on one indexed table.
    next_start_on: Mapped[date | None] = mapped_column(Date)
    price_from: Mapped[int | None]          # lowest list price of open classes, fen
    member_price_from: Mapped[int | None]   # lowest member price (0 when a class is member-free)
    has_free_member_class: Mapped[bool] = mapped_column(default=False)
    modes: Mapped[str] = mapped_column(String(40), default="")    # " online offline " for LIKE-free filters
    cities: Mapped[str] = mapped_column(String(200), default="")  # " 海口 三亚 "

    provider: Mapped[Organization] = relationship(lazy="joined")
    industries: Mapped[list[Industry]] = relationship(secondary=course_industries, lazy="selectin",
                                                      order_by="Industry.position")
    instructors: Mapped[list[User]] = relationship(secondary=course_instructors, lazy="selectin")
    classes: Mapped[list[TrainingClass]] = relationship(back_populates="course", order_by="TrainingClass.starts_on")

    @property
    def is_public(self) -> bool:
        return self.status == CourseStatus.APPROVED and self.is_published


class CourseDocument(Base):
    """A course's search terms, segmented once when the course is written (``courses.search.index``):
    ``title`` holds the terms of the title, ``body`` every term of the course, space-separated,
    each once. The in-memory catalog index (``courses.queries.catalog_index``) is built from them.
    """

    __tablename__ = "course_documents"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")


class SearchSynonym(Base):
    """One entry of the search dictionary: a word workers type and what the catalog calls it.

    ``term`` → ``expansion`` (电工证 → 电工作业); a two-way entry also finds ``term`` when the
    query says ``expansion`` (电焊 ↔ 焊接). Featured entries are offered as popular searches.
    Both sides are stored normalised (``courses.search.text.normalize``). Union admins edit
    the dictionary; searches read it, so a change applies without a redeploy.
    """

    __tablename__ = "search_synonyms"
    __table_args__ = (UniqueConstraint("term", "expansion", name="uq_search_synonyms_term_expansion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(64), index=True)
    expansion: Mapped[str] = mapped_column(String(64), index=True)
    two_way: Mapped[bool] = mapped_column(default=True)
    featured: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrainingClass(Base):
    """One scheduled run of a course (培训班): dates, venue, seats, prices."""

    __tablename__ = "training_classes"
    __table_args__ = (
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("price >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    mode: Mapped[ClassMode] = mapped_column(String(16))
    city: Mapped[str] = mapped_column(String(50), default="")
    venue: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    enroll_opens_at: Mapped[datetime]
    enroll_closes_at: Mapped[datetime]
    capacity: Mapped[int]
    # Seats held by pending and confirmed enrollments; changed only by an atomic
    # conditional UPDATE (see courses.services.enrollment), never read-then-written.
    seats_taken: Mapped[int] = mapped_column(default=0)
    price: Mapped[int] = mapped_column(default=0)              # list price, fen
    member_price: Mapped[int | None]                           # fen; None = no member discount
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    free_for_members: Mapped[bool] = mapped_column(default=False)    # union-subsidised places
    requires_membership: Mapped[bool] = mapped_column(default=False)
    refund_rule: Mapped[RefundRule] = mapped_column(String(32), default=RefundRule.FULL_BEFORE_START)
    refund_deadline_days: Mapped[int] = mapped_column(default=0)
    attendance_required_pct: Mapped[int] = mapped_column(default=80)
    status: Mapped[ClassStatus] = mapped_column(String(16), default=ClassStatus.SCHEDULED, index=True)
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    instructor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(back_populates="classes")
    instructor: Mapped[User | None] = relationship()
    lessons: Mapped[list[Lesson]] = relationship(back_populates="training_class", order_by="Lesson.position",
                                                 cascade="all, delete-orphan")

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)


class Enrollment(Base):
    """A worker's place in a class (报名)."""

    __tablename__ = "enrollments"
    __table_args__ = (
        # A worker holds at most one active enrollment per class (enforced by the database).
        Index("uq_enrollments_one_active", "class_id", "user_id", unique=True,
              postgresql_where=text(ACTIVE_SQL), sqlite_where=text(ACTIVE_SQL)),
        Index("ix_enrollments_class_status", "class_id", "status", "created_at"),
        Index("ix_enrollments_hold", "status", "hold_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_classes.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[EnrollmentStatus] = mapped_column(String(20))
    amount_due: Mapped[int] = mapped_column(default=0)      # fen, the price that applied to this worker
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    price_kind: Mapped[str] = mapped_column(String(16), default="list")   # list | member | member_free | free
    hold_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    completed_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(16), default="self")   # self | order (enterprise orders)

    training_class: Mapped[TrainingClass] = relationship(lazy="joined")
    user: Mapped[User] = relationship()


class Lesson(Base):
    """A unit of online learning in a class: text, a video link or a downloadable file."""

    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_classes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[LessonKind] = mapped_column(String(8))
    body_html: Mapped[str] = mapped_column(Text, default="")
    video_url: Mapped[str | None] = mapped_column(String(500))
    file_name: Mapped[str | None] = mapped_column(String(255))      # shown to the worker
    file_path: Mapped[str | None] = mapped_column(String(255))      # stored name under uploads
    minutes: Mapped[int] = mapped_column(default=0)

    training_class: Mapped[TrainingClass] = relationship(back_populates="lessons")


class LessonProgress(Base):
    """A worker finished a lesson."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("enrollment_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClassDay(Base):
    """A day an offline or blended class meets; its check-in code changes per day."""

    __tablename__ = "class_days"
    __table_args__ = (UniqueConstraint("class_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_classes.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    checkin_secret: Mapped[str] = mapped_column(String(64))


class Attendance(Base):
    """Whether a worker was present on a class day, and how it was recorded."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("class_day_id", "enrollment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_day_id: Mapped[int] = mapped_column(ForeignKey("class_days.id", ondelete="CASCADE"), index=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"), index=True)
    present: Mapped[bool] = mapped_column(default=True)
    method: Mapped[AttendanceMethod] = mapped_column(String(8))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReminderLog(Base):
    """Which reminder went to which enrollment, so periodic jobs never send one twice."""

    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("enrollment_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)




class CatalogState(Base):
    """One row: a random token set anew by every write that changes what the public catalog shows
    (``courses.queries.catalog_index``). A process compares it with the token its in-memory
    catalog was built at; a different token means "rebuild". A token rather than a counter:
    a rolled-back write puts the old value back, and a counter could then repeat a number that
    a process has already seen with other data."""

    __tablename__ = "catalog_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32), default="")
