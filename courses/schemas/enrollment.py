"""JSON shapes of enrollment."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.api import Schema


class MoneyOut(BaseModel):
    amount: int
    currency: str


class PaymentOut(BaseModel):
    id: int
    status: str
    method: str
    amount: MoneyOut
    client_secret: str | None = None
    publishable_key: str | None = None
    hold_expires_at: str | None = None
    offline_reference: str | None = None
    refunded: MoneyOut


class ClassRef(BaseModel):
    id: int
    title: str
    course_id: int
    course_title: str
    starts_on: str
    ends_on: str
    status: str


class EnrollmentOut(BaseModel):
    id: int
    status: str
    class_: ClassRef = Field(alias="class")
    price: MoneyOut
    price_kind: str
    hold_expires_at: str | None = None
    created_at: str
    confirmed_at: str | None = None
    cancelled_at: str | None = None
    refund_if_cancelled_now: MoneyOut | None = None
    payment: PaymentOut | None = None


class EnrollmentCreated(BaseModel):
    id: int
    status: str
    payment: PaymentOut | None = None


class EnrollmentPage(BaseModel):
    items: list[EnrollmentOut]
    page: int
    per_page: int
    total: int


class UserRef(BaseModel):
    id: int
    name: str


class RosterItem(BaseModel):
    id: int
    status: str
    user: UserRef
    price: MoneyOut
    created_at: str
    payment: PaymentOut | None = None


class RosterPage(BaseModel):
    items: list[RosterItem]
    page: int
    per_page: int
    total: int


class CancelIn(Schema):
    reason: str = Field(default="", max_length=500)


class CancelOut(BaseModel):
    id: int
    status: str
    refund: MoneyOut


class OfflinePaymentIn(Schema):
    reference: str = Field(min_length=1, max_length=200)


class CancelClassIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


class ClassCancelled(BaseModel):
    id: int
    status: str
    cancel_reason: str
