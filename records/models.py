"""The records domain's own tables: printouts, the talent pool (consent, contact
requests, access log), the union's targets and the dashboard's summary table.

A member's record itself is not stored: it is read from the facts other domains publish."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Organization, User
from app.db import Base


class RecordPrintout(Base):
    """One printed copy of a member's record: its random token (in the QR code) and the hash
    of what it showed, so a verifier can tell a genuine printout and whether it is current."""

    __tablename__ = "record_printouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    snapshot_hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]

    user: Mapped[User] = relationship(lazy="joined")


class TalentProfile(Base):
    """A member's place in the talent pool and what the member chose to show enterprises.

    ``card`` is the snapshot of exactly the fields shown (refreshed when the member saves and
    by a job); ``search_text`` is built from the card only, so a search cannot match anything
    the member did not choose to show.
    """

    __tablename__ = "talent_profiles"
    __table_args__ = (Index("ix_talent_profiles_listed", "is_listed", "shown_city"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    is_listed: Mapped[bool] = mapped_column(default=False)
    show_trades: Mapped[bool] = mapped_column(default=True)
    show_certificates: Mapped[bool] = mapped_column(default=True)
    show_city: Mapped[bool] = mapped_column(default=False)
    show_experience: Mapped[bool] = mapped_column(default=False)
    trades: Mapped[list] = mapped_column(JSON, default=list)
    city: Mapped[str] = mapped_column(String(50), default="")
    years_experience: Mapped[int | None]
    card: Mapped[dict] = mapped_column(JSON, default=dict)
    search_text: Mapped[str] = mapped_column(String(2000), default="")    # "|trade|certificate type|..."
    certificate_text: Mapped[str] = mapped_column(String(2000), default="")   # "|certificate type|..."
    level_text: Mapped[str] = mapped_column(String(500), default="")          # "|level|..."
    shown_city: Mapped[str] = mapped_column(String(50), default="")
    consented_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class ConsentRecord(Base):
    """Every opt-in, change and withdrawal, with the exact wording the member saw."""

    __tablename__ = "talent_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))        # opt_in | update | withdraw
    wording: Mapped[str] = mapped_column(String(2000))
    wording_version: Mapped[str] = mapped_column(String(20))
    shown_fields: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]


class ContactStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"     # the member left the pool before answering


class ContactRequest(Base):
    """An enterprise asking, through the platform, to get in touch with a pool member."""

    __tablename__ = "talent_contact_requests"
    __table_args__ = (Index("ix_talent_contact_org", "organization_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("talent_profiles.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    message: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[ContactStatus] = mapped_column(String(16), default=ContactStatus.PENDING)
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]

    profile: Mapped[TalentProfile] = relationship(lazy="joined")
    organization: Mapped[Organization] = relationship(lazy="joined")


class TalentAccess(Base):
    """One search or profile view by an enterprise admin (the member sees who looked)."""

    __tablename__ = "talent_access_log"
    __table_args__ = (Index("ix_talent_access_profile", "profile_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(16))        # search | view | contact
    profile_id: Mapped[int | None] = mapped_column(ForeignKey("talent_profiles.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    query: Mapped[dict] = mapped_column(JSON, default=dict)
    results: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]

    organization: Mapped[Organization] = relationship(lazy="joined")


class Target(Base):
    """A yearly target of the union, as data: "train 1,000 industrial workers this year"."""

    __tablename__ = "record_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(32))          # a summary metric, e.g. "people_trained"
    goal: Mapped[int]
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    dimension: Mapped[str] = mapped_column(String(16), default="")   # optional filter: industry, kind ...
    value: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]


class StatCell(Base):
    """The dashboard's summary table: one metric of one month, either in total
    (``dimension`` empty) or for one value of one breakdown (``dimension`` names the column
    that holds the value). Rebuilt by a job from the aggregate facts the domains publish;
    a view sums at most (months × values of one breakdown) cells."""

    __tablename__ = "record_stats"
    __table_args__ = (
        Index("ix_record_stats_lookup", "dimension", "metric", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date)
    metric: Mapped[str] = mapped_column(String(32))
    dimension: Mapped[str] = mapped_column(String(16), default="")
    industry: Mapped[str] = mapped_column(String(50), default="")
    city: Mapped[str] = mapped_column(String(50), default="")
    union_name: Mapped[str] = mapped_column(String(200), default="")
    enterprise: Mapped[str] = mapped_column(String(200), default="")
    provider: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(200), default="")
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class StatRebuild(Base):
    """When the summary table was last rebuilt, and how long it took."""

    __tablename__ = "record_stat_rebuilds"

    id: Mapped[int] = mapped_column(primary_key=True)
    finished_at: Mapped[datetime]
    cells: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[float] = mapped_column(default=0.0)
