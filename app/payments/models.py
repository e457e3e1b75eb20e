"""Payment records shared by Stripe, offline (bank transfer / at the venue) and free places."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow


class PaymentMethod(StrEnum):
    STRIPE = "stripe"
    OFFLINE = "offline"     # bank transfer or pay at the venue, confirmed by the provider
    FREE = "free"           # free class or union-subsidised place (amount 0)


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class Payment(Base):
    """Money owed or paid for one thing (``purpose`` + ``reference_id``, e.g. an enrollment)."""

    __tablename__ = "payments"
    __table_args__ = (
        Index("ix_payments_reference", "purpose", "reference_id"),
        Index("ix_payments_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32))
    reference_id: Mapped[int]
    payer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    payee_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    amount: Mapped[int]                           # fen
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    method: Mapped[PaymentMethod] = mapped_column(String(16))
    status: Mapped[PaymentStatus] = mapped_column(String(24), default=PaymentStatus.PENDING)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_client_secret: Mapped[str | None] = mapped_column(String(255))
    offline_reference: Mapped[str] = mapped_column(String(200), default="")   # bank slip no., receipt no.
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    refunded_amount: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    refunds: Mapped[list[Refund]] = relationship(back_populates="payment", order_by="Refund.id")


class Refund(Base):
    """Money returned on a payment (Stripe refund or an offline refund recorded by staff)."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")   # pending | succeeded | failed
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="refunds")


class StripeEvent(Base):
    """Every verified webhook event, by Stripe's id: a duplicate delivery is a no-op."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    created: Mapped[int]                           # Stripe's event timestamp, for ordering
    payload: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
