"""The instructor and examiner pool (师资库): profiles, trades, qualifications, bookings,
availability, declared relations, teaching invitations and learners' ratings.

Certificate types belong to ``exams`` (which depends on this package), so a qualification
names its type by code (``certificate_type_code``) and level, never by foreign key.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Organization, User
from app.db import Base, utcnow


class QualificationStatus(StrEnum):
    PENDING = "pending"      # waiting for a union admin
    VERIFIED = "verified"
    REJECTED = "rejected"


class QualificationRole(StrEnum):
    EXAMINER = "examiner"    # 考评员
    PROCTOR = "proctor"      # 监考员


class BookingPurpose(StrEnum):
    CLASS = "class"                  # teaching a training class (reference: training_classes.id)
    EXAM_SESSION = "exam_session"    # examining or proctoring an exam session (reference: exams' session id)


class AvailabilityKind(StrEnum):
    TEACH = "teach"
    EXAMINE = "examine"
    BOTH = "both"


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class InstructorProfile(Base):
    """A member's instructor profile: what they may teach and who they are."""

    __tablename__ = "instructor_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    titles: Mapped[list] = mapped_column(JSON, default=list)          # ["高级技师", "讲师"]
    years_experience: Mapped[int] = mapped_column(default=0)
    biography: Mapped[str] = mapped_column(String(2000), default="")
    city: Mapped[str] = mapped_column(String(50), default="", index=True)
    photo: Mapped[str | None] = mapped_column(String(255))             # stored file name under uploads
    in_pool: Mapped[bool] = mapped_column(default=True)                # listed in the union-wide pool
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    trades: Mapped[list[TeachingTrade]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", lazy="selectin", order_by="TeachingTrade.id")


class TeachingTrade(Base):
    """A trade (工种) and level the instructor may teach."""

    __tablename__ = "instructor_trades"
    __table_args__ = (UniqueConstraint("profile_id", "trade", "level"),
                      Index("ix_instructor_trades_trade_level", "trade", "level"))

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("instructor_profiles.id", ondelete="CASCADE"))
    trade: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(50), default="")

    profile: Mapped[InstructorProfile] = relationship(back_populates="trades")


class Qualification(Base):
    """An examiner (考评员) or proctor qualification for a certificate type and level."""

    __tablename__ = "instructor_qualifications"
    __table_args__ = (Index("ix_instructor_qualifications_type_level", "certificate_type_code", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[QualificationRole] = mapped_column(String(16), default=QualificationRole.EXAMINER)
    certificate_type_code: Mapped[str] = mapped_column(String(64))
    certificate_type_name: Mapped[str] = mapped_column(String(200), default="")   # shown; code is the key
    level: Mapped[str | None] = mapped_column(String(50))          # None: every level of the type
    number: Mapped[str] = mapped_column(String(64))
    issuer: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)                  # stops counting on this day
    scan_file: Mapped[str | None] = mapped_column(String(255))      # stored name under uploads
    scan_name: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[QualificationStatus] = mapped_column(String(16), default=QualificationStatus.PENDING,
                                                        index=True)
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")

    @property
    def label(self) -> str:
        return self.certificate_type_name or self.certificate_type_code


class InstructorBooking(Base):
    """Time an instructor or examiner is booked for a class or an exam session."""

    __tablename__ = "instructor_bookings"
    __table_args__ = (
        UniqueConstraint("user_id", "purpose", "reference_id"),
        Index("ix_instructor_bookings_user_starts", "user_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(32))
    reference_id: Mapped[int]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Availability(Base):
    """A period an instructor says they can teach and/or examine."""

    __tablename__ = "instructor_availability"
    __table_args__ = (Index("ix_instructor_availability_user_starts", "user_id", "starts_at"),
                      CheckConstraint("ends_at > starts_at", name="ends_after_start"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[AvailabilityKind] = mapped_column(String(16), default=AvailabilityKind.BOTH)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeclaredRelation(Base):
    """An examiner's declaration of a relation to a person (kin, colleague, master-apprentice)."""

    __tablename__ = "instructor_relations"
    __table_args__ = (UniqueConstraint("user_id", "related_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    related_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    related_user: Mapped[User] = relationship(foreign_keys=[related_user_id], lazy="joined")


class TeachingInvitation(Base):
    """A provider's invitation for a pool instructor to teach one of its classes."""

    __tablename__ = "instructor_invitations"
    __table_args__ = (Index("ix_instructor_invitations_user_status", "user_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_classes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    message: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[InvitationStatus] = mapped_column(String(16), default=InvitationStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    provider: Mapped[Organization] = relationship(lazy="joined")


class Rating(Base):
    """A learner's rating of a class they attended or completed: 1–5 stars and a comment."""

    __tablename__ = "instructor_ratings"
    __table_args__ = (
        UniqueConstraint("class_id", "user_id"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_1_to_5"),
        Index("ix_instructor_ratings_instructor", "instructor_user_id", "created_at"),
        Index("ix_instructor_ratings_course", "course_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("training_classes.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    instructor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    stars: Mapped[int]
    comment: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
