"""Factories of the studios domain: enterprises, named studios with members, criteria, requests."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest

from app.access import Role
from app.auth.models import OrgKind
from studios.models import (
    MemberRole,
    RatingCriterion,
    ServiceKind,
    ServiceOffer,
    Studio,
    StudioLevel,
    StudioMember,
    StudioStatus,
    StudioTrade,
)
from tests.courses.conftest import industry, make_course, provider  # noqa: F401 - fixtures

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)   # 10:00 in Asia/Shanghai
TODAY = date(2026, 11, 22)
_n = itertools.count(1)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def enterprise(make_org):
    return make_org(OrgKind.ENTERPRISE, name="海南电网有限责任公司", city="海口")


@pytest.fixture
def union_admin(make_user):
    return make_user(Role.UNION_ADMIN)


@pytest.fixture
def enterprise_admin(make_user, enterprise):
    return make_user(Role.ENTERPRISE_ADMIN, org=enterprise)


@pytest.fixture
def make_studio(db, make_user, enterprise):
    """A studio led by a new worker; named at city level in 海口 unless told."""

    def make(*, name: str | None = None, status: StudioStatus = StudioStatus.NAMED, level=StudioLevel.CITY,
             leader=None, members=(), trades=("变电检修",), industries=(), city: str = "海口", org=None,
             stars: int | None = None) -> Studio:
        leader = leader or make_user(Role.WORKER)
        studio = Studio(name=name or f"工作室{next(_n)}", status=status,
                        level=level if status == StudioStatus.NAMED else None, proposed_level=level,
                        organization_id=(org or enterprise).id, leader_id=leader.id, city=city, stars=stars,
                        proposed_by_id=leader.id, proposed_at=NOW,
                        named_at=NOW if status == StudioStatus.NAMED else None)
        studio.trades = [StudioTrade(trade=t, position=i) for i, t in enumerate(trades)]
        studio.industries = list(industries)
        studio.members = [StudioMember(user_id=leader.id, role=MemberRole.LEADER, since=TODAY)] + [
            StudioMember(user_id=m.id, role=MemberRole.MEMBER, since=TODAY) for m in members]
        db.add(studio)
        db.flush()
        return studio

    return make


@pytest.fixture
def criteria(db):
    rows = [RatingCriterion(code="innovation", name="创新成果", weight=60, position=0),
            RatingCriterion(code="talent", name="人才培养", weight=40, position=1)]
    db.add_all(rows)
    db.flush()
    return rows


@pytest.fixture
def make_offer(db):
    def make(studio: Studio, *, kind: ServiceKind = ServiceKind.TECHNICAL_SERVICE, trades=("变电检修",),
             city: str = "海口", available_from=None, available_until=None) -> ServiceOffer:
        offer = ServiceOffer(studio_id=studio.id, kind=kind, title="配电故障诊断", trades=list(trades), city=city,
                             available_from=available_from, available_until=available_until, created_at=NOW)
        db.add(offer)
        db.flush()
        return offer

    return make
