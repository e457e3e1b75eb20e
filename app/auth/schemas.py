"""JSON input and output shapes of the accounts API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.api import Schema


class RegisterIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=128)
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=254)


class SignUpStartedOut(BaseModel):
    status: str = Field(default="link_sent", description="link_sent: the same answer whether or not the "
                        "account exists; the link (or, for an existing account, a sign-in hint) goes to the "
                        "phone or e-mail")


class SignUpConfirmIn(Schema):
    token: str = Field(min_length=1, max_length=2000, description="the last part of the link that was sent")


class TokenIn(Schema):
    username: str = Field(min_length=1, max_length=254, description="mobile phone or e-mail")
    password: str = Field(min_length=1, max_length=128)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - a scheme name, not a secret
    expires_in: int


class PasswordChangeIn(Schema):
    current_password: str
    new_password: str = Field(max_length=128)


class PasswordResetIn(Schema):
    username: str = Field(min_length=1, max_length=254)


class OrganizationRef(BaseModel):
    id: int
    kind: str
    name: str
    status: str


class RoleOut(BaseModel):
    role: str
    organization: OrganizationRef | None = None


class MembershipOut(BaseModel):
    status: str = Field(description="none | pending | verified | rejected")
    member_no: str | None = None
    union_name: str | None = None
    employer: str | None = None
    real_name: str | None = None
    id_number: str | None = Field(default=None, description="masked: only the last 4 characters")
    decision_note: str | None = None


class MeOut(BaseModel):
    id: int
    name: str
    phone: str | None
    email: str | None
    locale: str | None
    roles: list[RoleOut]
    membership: MembershipOut


class LocaleIn(Schema):
    locale: str


class AcceptedOut(BaseModel):
    status: str = Field(description="sent_if_exists: the same answer whether or not the account exists")
