"""JSON input shapes of the membership API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.api import Schema


class MembershipIn(Schema):
    member_no: str = Field(min_length=1, max_length=32)
    union_name: str = Field(min_length=1, max_length=200)
    employer: str = Field(min_length=1, max_length=200)
    real_name: str = Field(min_length=1, max_length=100)
    id_number: str = Field(min_length=1, max_length=32, description="18 characters; never echoed back")


class DecisionIn(Schema):
    approve: bool
    note: str = Field(default="", max_length=500)


class ImportFileIn(BaseModel):
    file: str = Field(description="CSV or XLSX with columns member_no, name, id_number, union_name",
                      json_schema_extra={"format": "binary"})


class ImportRow(BaseModel):
    row: int
    member_no: str
    outcome: str = Field(description="added | updated | rejected")
    reason_code: str = Field("", description="required | duplicate | id_<ID number error code>")
    reason: str = Field(description="the reason in the caller's language")


class ImportOut(BaseModel):
    id: int
    filename: str
    added: int
    updated: int
    rejected: int
    verified_links: int
    rows: list[ImportRow]


class PendingLinkOut(BaseModel):
    id: int
    user_id: int
    member_no: str
    real_name: str
    union_name: str
    employer: str
    id_number: str
    submitted_at: str


class PendingPageOut(BaseModel):
    items: list[PendingLinkOut]
    page: int
    per_page: int
    total: int
