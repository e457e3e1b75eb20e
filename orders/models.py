"""Enterprise order-based training (订单式培训): demands, quotes, orders, rosters, subsidies.

A demand is directed to chosen organizations through ``DemandInvitation`` rows (any
organization: providers today, studios through their own organization record later) or
opened to every approved provider. Seats of an order are a block reserved in one class by a
single conditional UPDATE; roster people are enrolled into that block without taking seats
again. Every order transition is kept in ``order_events`` with who and when.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Organization, User
from app.db import Base, utcnow
from app.membership.idnumber import mask_id_number
from courses.models import Course, TrainingClass


class DemandKind(StrEnum):
    TRAINING = "training"                       # a training class for employees
    TECHNICAL_SERVICE = "technical_service"     # help with a technical problem (studios)


class DemandStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"     # open for quotes
    AWARDED = "awarded"         # a quote was accepted
    CLOSED = "closed"           # every quote rejected, or withdrawn by the enterprise


class DemandMode(StrEnum):
    ANY = "any"
    ONLINE = "online"
    OFFLINE = "offline"
    BLENDED = "blended"


class QuoteStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    DECLINED = "declined"       # another quote won, or all were rejected
    WITHDRAWN = "withdrawn"


class OrderStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"         # waiting for the provider's confirmation
    CONFIRMED = "confirmed"         # seats reserved, roster enrolled, payments due
    INVOICED = "invoiced"           # bank transfer against an invoice requested
    PAID = "paid"                   # the enterprise's share received
    IN_DELIVERY = "in_delivery"
    DELIVERED = "delivered"
    OBJECTED = "objected"           # the enterprise raised an objection; the union looks at it
    ACCEPTED = "accepted"           # 验收
    SETTLED = "settled"
    CANCELLED = "cancelled"


class PayMethod(StrEnum):
    ONLINE = "online"               # Stripe through the one checkout
    BANK_TRANSFER = "bank_transfer"   # with an invoice request


class SubsidyKind(StrEnum):
    AMOUNT = "amount"       # fixed fen per verified member
    PERCENT = "percent"     # percentage of the price per person


class RosterMatch(StrEnum):
    MEMBER = "member"           # an account with a verified union membership
    ACCOUNT = "account"         # an account without (verified) membership
    INVITED = "invited"         # nobody yet: invited by SMS / mail


class RosterStatus(StrEnum):
    ACTIVE = "active"
    REMOVED = "removed"
    REPLACED = "replaced"


class UploadStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class TrainingDemand(Base):
    """An enterprise's request for training (需求清单) or for technical help."""

    __tablename__ = "training_demands"
    __table_args__ = (
        CheckConstraint("headcount > 0", name="headcount_positive"),
        Index("ix_training_demands_status_published", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[DemandKind] = mapped_column(String(24), default=DemandKind.TRAINING)
    title: Mapped[str] = mapped_column(String(200))
    skill: Mapped[str] = mapped_column(String(200))                       # skill or trade
    certificate_type: Mapped[str] = mapped_column(String(100), default="")   # free text or a code
    headcount: Mapped[int]
    city: Mapped[str] = mapped_column(String(50), default="")
    venue_preference: Mapped[str] = mapped_column(String(200), default="")
    mode: Mapped[DemandMode] = mapped_column(String(16), default=DemandMode.ANY)
    preferred_start: Mapped[date | None] = mapped_column(Date)
    preferred_end: Mapped[date | None] = mapped_column(Date)
    budget: Mapped[int | None]                                           # fen, total
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    notes: Mapped[str] = mapped_column(String(2000), default="")
    status: Mapped[DemandStatus] = mapped_column(String(16), default=DemandStatus.DRAFT, index=True)
    # True: every approved provider may quote; the union decides (directing is additive).
    open_to_all: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    enterprise: Mapped[Organization] = relationship(lazy="joined")
    invitations: Mapped[list[DemandInvitation]] = relationship(back_populates="demand", cascade="all, delete-orphan",
                                                               order_by="DemandInvitation.id")


class DemandInvitation(Base):
    """A demand directed to one organization (a provider; later a studio's organization)."""

    __tablename__ = "demand_invitations"
    __table_args__ = (UniqueConstraint("demand_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("training_demands.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    demand: Mapped[TrainingDemand] = relationship(back_populates="invitations")
    organization: Mapped[Organization] = relationship(lazy="joined")


class Quote(Base):
    """An organization's offer for a demand (报价): price, class plan, inclusions, validity."""

    __tablename__ = "quotes"
    __table_args__ = (
        UniqueConstraint("demand_id", "organization_id"),
        CheckConstraint("price_per_person >= 0 AND total >= 0", name="prices_not_negative"),
        CheckConstraint("cancel_fee_pct >= 0 AND cancel_fee_pct <= 100", name="cancel_fee_pct_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("training_demands.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    price_per_person: Mapped[int]          # fen
    total: Mapped[int]                     # fen, for the demand's headcount
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    # Class plan: a course of the provider (and a class once scheduled), dates, venue, mode.
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("training_classes.id"))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    city: Mapped[str] = mapped_column(String(50), default="")
    venue: Mapped[str] = mapped_column(String(200), default="")
    mode: Mapped[str] = mapped_column(String(16), default="offline")
    instructors: Mapped[str] = mapped_column(String(500), default="")
    inclusions: Mapped[list] = mapped_column(JSON, default=list)    # ["materials", "exam_fee", ...]
    notes: Mapped[str] = mapped_column(String(2000), default="")
    valid_until: Mapped[date | None] = mapped_column(Date)
    # Cancellation after the provider confirmed: this share of the total is due.
    cancel_fee_pct: Mapped[int] = mapped_column(default=0)
    status: Mapped[QuoteStatus] = mapped_column(String(16), default=QuoteStatus.SUBMITTED, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    demand: Mapped[TrainingDemand] = relationship()
    organization: Mapped[Organization] = relationship(lazy="joined")
    course: Mapped[Course | None] = relationship()
    training_class: Mapped[TrainingClass | None] = relationship()


class QuoteMessage(Base):
    """A question or an answer in the short thread on a quote."""

    __tablename__ = "quote_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    side: Mapped[str] = mapped_column(String(16))     # enterprise | provider
    body: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")


class SubsidyRule(Base):
    """The union's subsidy for verified members on enterprise orders, with a yearly budget."""

    __tablename__ = "subsidy_rules"
    __table_args__ = (
        UniqueConstraint("union_id", "year"),
        CheckConstraint("spent >= 0 AND spent <= budget", name="spent_within_budget"),
        CheckConstraint("value >= 0", name="value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    union_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    year: Mapped[int]
    kind: Mapped[SubsidyKind] = mapped_column(String(16))
    value: Mapped[int]                    # fen per member, or percent
    budget: Mapped[int]                   # fen for the year
    # Changed only by a conditional UPDATE (spent + x <= budget), never read-then-written.
    spent: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    union: Mapped[Organization] = relationship(lazy="joined")


class Order(Base):
    """An enterprise's order: a block of seats in one class, its roster, its money and sign-off."""

    __tablename__ = "enterprise_orders"
    __table_args__ = (
        CheckConstraint("seats > 0", name="seats_positive"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
        Index("ix_enterprise_orders_enterprise_status", "enterprise_id", "status"),
        Index("ix_enterprise_orders_provider_status", "provider_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("training_demands.id"), index=True)
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quotes.id"), unique=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("training_classes.id"), index=True)
    seats: Mapped[int]
    seats_reserved: Mapped[int] = mapped_column(default=0)   # seats held in the class right now
    price_per_person: Mapped[int]                             # fen
    total: Mapped[int]                                        # fen
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    cancel_fee_pct: Mapped[int] = mapped_column(default=0)
    subsidy_rule_id: Mapped[int | None] = mapped_column(ForeignKey("subsidy_rules.id"))
    subsidy_members: Mapped[int] = mapped_column(default=0)
    subsidy_amount: Mapped[int] = mapped_column(default=0)    # fen, the union's share
    enterprise_amount: Mapped[int] = mapped_column(default=0)  # fen, the enterprise's share
    pay_method: Mapped[PayMethod] = mapped_column(String(16), default=PayMethod.ONLINE)
    invoice_title: Mapped[str] = mapped_column(String(200), default="")
    invoice_tax_number: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[OrderStatus] = mapped_column(String(16), default=OrderStatus.DRAFT, index=True)
    rating: Mapped[int | None]
    rating_comment: Mapped[str] = mapped_column(String(1000), default="")
    objection: Mapped[str] = mapped_column(String(1000), default="")
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    notes: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    enterprise: Mapped[Organization] = relationship(foreign_keys=[enterprise_id], lazy="joined")
    provider: Mapped[Organization] = relationship(foreign_keys=[provider_id], lazy="joined")
    training_class: Mapped[TrainingClass | None] = relationship()
    course: Mapped[Course | None] = relationship()
    quote: Mapped[Quote | None] = relationship()
    events: Mapped[list[OrderEvent]] = relationship(order_by="OrderEvent.id", cascade="all, delete-orphan")


class OrderEvent(Base):
    """One transition of an order: from, to, who and when (the order's log)."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("enterprise_orders.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(16), default="")
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="joined")


class RosterUpload(Base):
    """One roster file for an order; the same content twice is the same upload."""

    __tablename__ = "roster_uploads"
    __table_args__ = (UniqueConstraint("order_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("enterprise_orders.id", ondelete="CASCADE"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[UploadStatus] = mapped_column(String(16), default=UploadStatus.QUEUED)
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    # Rows still to import while the job runs (no ID numbers in clear: see services.roster).
    pending: Mapped[bytes | None] = mapped_column(LargeBinary)
    # [{"row": 2, "name": "...", "outcome": "member|account|invited|rejected", "reason": "..."}]
    report: Mapped[list] = mapped_column(JSON, default=list)
    error: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


ROSTER_ACTIVE_SQL = "status = 'active'"


class RosterEntry(Base):
    """One employee on an order's roster (花名册)."""

    __tablename__ = "roster_entries"
    __table_args__ = (
        # A person is on an order once (by ID number), however often the roster is uploaded.
        Index("uq_roster_entries_active_person", "order_id", "id_number_hash", unique=True,
              postgresql_where=text(ROSTER_ACTIVE_SQL), sqlite_where=text(ROSTER_ACTIVE_SQL)),
        Index("ix_roster_entries_hash", "id_number_hash"),
        Index("ix_roster_entries_order_status", "order_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("enterprise_orders.id", ondelete="CASCADE"))
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("roster_uploads.id", ondelete="SET NULL"))
    row_number: Mapped[int | None]
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    department: Mapped[str] = mapped_column(String(100), default="")
    member_no: Mapped[str] = mapped_column(String(32), default="")
    id_number_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_hash: Mapped[str] = mapped_column(String(64))
    id_last4: Mapped[str] = mapped_column(String(4))
    match: Mapped[RosterMatch] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    enrollment_id: Mapped[int | None] = mapped_column(ForeignKey("enrollments.id", ondelete="SET NULL"))
    status: Mapped[RosterStatus] = mapped_column(String(16), default=RosterStatus.ACTIVE)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("roster_entries.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
    invited_at: Mapped[datetime | None]     # the SMS/mail invitation went out (sent once)

    @property
    def id_masked(self) -> str:
        return mask_id_number(self.id_last4)
