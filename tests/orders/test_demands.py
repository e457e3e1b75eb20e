"""Demands and quotes through the services: post, publish, direct, quote, ask, accept or reject all."""

from __future__ import annotations

import pytest

from app.access import Role
from app.auth.models import OrgKind, OrgStatus, OutboxMessage
from app.errors import Conflict, Forbidden, Invalid, NotFound
from orders.models import DemandKind, DemandStatus, OrderStatus, QuoteStatus
from orders.services import demands
from tests.orders.conftest import DEMAND, NOW


def test_enterprise_saves_a_draft_then_publishes_and_the_union_is_told(db, enterprise_admin, union_admin):
    demand = demands.create_demand(db, actor=enterprise_admin, values=DEMAND, now=NOW)
    assert demand.status == DemandStatus.DRAFT and demand.kind == DemandKind.TRAINING
    assert demand.headcount == 40 and demand.budget == 4000000 and demand.certificate_type == "电工证"
    demands.update_demand(db, actor=enterprise_admin, demand_id=demand.id, values={**DEMAND, "headcount": 45}, now=NOW)
    demands.publish_demand(db, actor=enterprise_admin, demand_id=demand.id, now=NOW)
    assert demand.status == DemandStatus.PUBLISHED and demand.published_at == NOW
    assert db.query(OutboxMessage).filter_by(recipient=union_admin.contact).count() == 1
    with pytest.raises(Conflict):
        demands.update_demand(db, actor=enterprise_admin, demand_id=demand.id, values=DEMAND, now=NOW)
    with pytest.raises(Conflict):
        demands.publish_demand(db, actor=enterprise_admin, demand_id=demand.id, now=NOW)


@pytest.mark.parametrize("field,value", [("headcount", 0), ("skill", ""), ("mode", "teleport"),
                                         ("preferred_end", "2026-12-01"), ("budget", "lots")])
def test_bad_values_name_their_field(db, enterprise_admin, field, value):
    with pytest.raises(Invalid) as caught:
        demands.create_demand(db, actor=enterprise_admin, values={**DEMAND, field: value}, now=NOW)
    assert caught.value.field == field


def test_only_an_approved_enterprise_posts(db, make_user, make_org, provider_admin):
    pending = make_user(Role.ENTERPRISE_ADMIN, org=make_org(OrgKind.ENTERPRISE, status=OrgStatus.PENDING))
    for actor in (pending, provider_admin):
        with pytest.raises(Forbidden):
            demands.create_demand(db, actor=actor, values=DEMAND, now=NOW)


def test_a_provider_sees_only_demands_directed_or_opened_to_it(db, make_demand, provider, provider_admin, make_org,
                                                                make_user, union_admin):
    other = make_org(OrgKind.PROVIDER)
    other_admin = make_user(Role.PROVIDER_ADMIN, org=other)
    demand = make_demand(to=[provider])
    assert demands.get_demand(db, actor=provider_admin, demand_id=demand.id) is demand
    with pytest.raises(NotFound):
        demands.get_demand(db, actor=other_admin, demand_id=demand.id)
    with pytest.raises(NotFound):
        demands.submit_quote(db, actor=other_admin, demand_id=demand.id, values={"price_per_person": 1}, now=NOW)
    demands.open_demand_to_all(db, actor=union_admin, demand_id=demand.id, now=NOW)
    assert demands.get_demand(db, actor=other_admin, demand_id=demand.id) is demand
    draft = make_demand(publish=False)
    with pytest.raises(NotFound):
        demands.get_demand(db, actor=provider_admin, demand_id=draft.id)


def test_only_the_union_directs_and_only_to_approved_non_enterprises(db, make_demand, enterprise_admin, enterprise,
                                                                      union_admin, make_org):
    demand = make_demand()
    with pytest.raises(Forbidden):
        demands.direct_demand(db, actor=enterprise_admin, demand_id=demand.id, organization_ids=[1], now=NOW)
    for org in (enterprise, make_org(OrgKind.PROVIDER, status=OrgStatus.PENDING)):
        with pytest.raises(Invalid):
            demands.direct_demand(db, actor=union_admin, demand_id=demand.id, organization_ids=[org.id], now=NOW)
    provider = make_org(OrgKind.PROVIDER)
    demands.direct_demand(db, actor=union_admin, demand_id=demand.id, organization_ids=[provider.id], now=NOW)
    demands.direct_demand(db, actor=union_admin, demand_id=demand.id, organization_ids=[provider.id], now=NOW)
    assert [i.organization_id for i in demand.invitations] == [provider.id]


def test_quotes_compared_asked_about_and_one_accepted_others_told(db, make_demand, make_org, make_quote,
                                                                  enterprise_admin, make_course):
    a, b = make_org(OrgKind.PROVIDER, name="甲"), make_org(OrgKind.PROVIDER, name="乙")
    demand = make_demand(to=[a, b])
    course = make_course(provider_org=a)
    qa = make_quote(demand, a, price_per_person=90000, course_id=course.id, starts_on="2026-12-10",
                    ends_on="2026-12-14", venue="培训中心", cancel_fee_pct=20)
    qb = make_quote(demand, b, price_per_person=70000)
    assert qa.total == 90000 * 40 and qb.total == 70000 * 40
    assert [q.id for q in demands.list_quotes(db, actor=enterprise_admin, demand_id=demand.id)] == [qb.id, qa.id]
    message = demands.ask_on_quote(db, actor=enterprise_admin, quote_id=qa.id, body="含考试费吗？", now=NOW)
    assert message.side == "enterprise"
    with pytest.raises(Invalid):
        make_quote(demand, b, course_id=course.id)   # not b's course
    order = demands.accept_quote(db, actor=enterprise_admin, quote_id=qa.id, now=NOW)
    assert qa.status == QuoteStatus.ACCEPTED and qb.status == QuoteStatus.DECLINED
    assert demand.status == DemandStatus.AWARDED
    assert order.status == OrderStatus.DRAFT and order.seats == 40 and order.total == 90000 * 40
    assert order.provider_id == a.id and order.cancel_fee_pct == 20 and order.quote_id == qa.id
    with pytest.raises(Conflict):
        demands.accept_quote(db, actor=enterprise_admin, quote_id=qb.id, now=NOW)


def test_reject_all_closes_the_demand_and_declines_every_quote(db, make_demand, provider, make_quote,
                                                               enterprise_admin):
    demand = make_demand(to=[provider])
    quote = make_quote(demand, provider)
    demands.reject_all_quotes(db, actor=enterprise_admin, demand_id=demand.id, now=NOW)
    assert demand.status == DemandStatus.CLOSED and quote.status == QuoteStatus.DECLINED
    with pytest.raises(Conflict):
        make_quote(demand, provider)


def test_an_expired_quote_cannot_be_accepted_nor_submitted(db, make_demand, provider, make_quote, enterprise_admin):
    demand = make_demand(to=[provider])
    with pytest.raises(Invalid):
        make_quote(demand, provider, valid_until="2026-01-01")


def test_another_enterprise_never_sees_the_demand(db, make_demand, make_user):
    demand = make_demand()
    stranger = make_user(Role.ENTERPRISE_ADMIN)
    with pytest.raises(NotFound):
        demands.get_demand(db, actor=stranger, demand_id=demand.id)
    with pytest.raises(NotFound):
        demands.list_quotes(db, actor=stranger, demand_id=demand.id)


@pytest.mark.parametrize("field,value", [("budget", 10**10), ("preferred_start", "9999-12-31"),
                                         ("preferred_end", "0001-01-01")])
def test_amounts_and_dates_beyond_the_platforms_bounds_name_their_field(db, enterprise_admin, field, value):
    # Money columns are 32-bit integers on PostgreSQL; year 9999 overflows date arithmetic.
    with pytest.raises(Invalid) as caught:
        demands.create_demand(db, actor=enterprise_admin, values={**DEMAND, field: value}, now=NOW)
    assert caught.value.field == field


@pytest.mark.parametrize("values,field", [({"price_per_person": 10**9}, "price_per_person"),
                                          ({"total": 10**10}, "total"),
                                          ({"valid_until": "9999-12-31"}, "valid_until"),
                                          ({"starts_on": "0001-01-01"}, "starts_on")])
def test_a_quote_whose_total_or_dates_are_out_of_bounds_is_invalid(db, make_demand, provider, make_quote, values,
                                                                    field):
    demand = make_demand(to=[provider])   # 40 people: 10⁹ fen each is beyond any total a column holds
    with pytest.raises(Invalid) as caught:
        make_quote(demand, provider, **values)
    assert caught.value.field == field
