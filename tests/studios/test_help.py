"""助企助农助教: requests, matching, service teams, proposals tracked to completion, the demand bridge."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.access import Role
from app.auth.models import OrgKind
from app.errors import Conflict, Forbidden, Invalid, NotFound
from orders.models import DemandInvitation, DemandKind, DemandStatus, TrainingDemand
from studios import queries
from studios.models import HelpStatus, ProposalStatus, ServiceKind
from studios.services import help as services
from tests.studios.conftest import NOW, TODAY


@pytest.fixture
def other_enterprise(make_org):
    return make_org(OrgKind.ENTERPRISE, name="海口美兰国际机场有限责任公司", city="海口")


@pytest.fixture
def airport_admin(make_user, other_enterprise):
    return make_user(Role.ENTERPRISE_ADMIN, org=other_enterprise)


def _ask(db, admin, org, **values):
    values = {"kind": "technical_service", "title": "开关柜局部放电排查", "trades": ["变电检修"], **values}
    return services.post_request(db, actor=admin, organization_id=org.id, now=NOW, **values)


def test_an_enterprise_asks_for_itself_and_sees_only_its_own_requests(db, airport_admin, other_enterprise,
                                                                      enterprise, enterprise_admin, make_user):
    mine = _ask(db, airport_admin, other_enterprise)
    assert (mine.requester_kind, mine.city, mine.status) == ("enterprise", "海口", HelpStatus.OPEN)
    with pytest.raises(Forbidden):
        _ask(db, airport_admin, enterprise)
    theirs = _ask(db, enterprise_admin, enterprise, title="别家的需求")
    assert [r.id for r in queries.own_requests(db, airport_admin)] == [mine.id]
    with pytest.raises(NotFound):   # another enterprise's request is not even there
        services.get_request(db, actor=airport_admin, request_id=theirs.id)
    with pytest.raises(NotFound):
        services.get_request(db, actor=make_user(Role.WORKER), request_id=mine.id)
    studio_ids = services.my_studio_ids(db, airport_admin)
    assert [r.id for r in db.scalars(queries.visible_requests(db, airport_admin, studio_ids=studio_ids))] == [mine.id]


def test_villages_and_schools_ask_through_their_requester(db, make_user):
    owner, stranger = make_user(Role.WORKER), make_user(Role.WORKER)
    village = services.register_requester(db, actor=owner, kind="village", name="琼海市潭门镇草塘村", city="琼海",
                                          now=NOW)
    with pytest.raises(Invalid):
        services.register_requester(db, actor=owner, kind="enterprise", name="x", now=NOW)
    request = services.post_request(db, actor=owner, requester_id=village.id, kind=ServiceKind.FARMING_GUIDANCE,
                                    title="槟榔黄化病防治指导", now=NOW)
    assert (request.requester_kind, request.city, request.requester_name) == ("village", "琼海", "琼海市潭门镇草塘村")
    with pytest.raises(Forbidden):
        services.post_request(db, actor=stranger, requester_id=village.id, kind="farming_guidance", title="x",
                              now=NOW)
    with pytest.raises(Invalid):
        services.post_request(db, actor=owner, kind="farming_guidance", title="x", now=NOW)


def test_matches_are_scored_and_explained(db, make_studio, make_offer, airport_admin, other_enterprise, industry):
    services_industry = industry("services", "现代服务业", "Modern services")
    best = make_studio(name="电力工作室", trades=("变电检修",), industries=[services_industry], stars=3)
    make_offer(best, available_from=TODAY, available_until=TODAY + timedelta(days=90))
    far = make_studio(name="三亚电力工作室", trades=("变电检修",), city="三亚")
    make_offer(far, city="三亚", available_until=TODAY - timedelta(days=1))
    teacher = make_studio(name="示范教学工作室", trades=("变电检修",))
    make_offer(teacher, kind=ServiceKind.DEMONSTRATION_TEACHING)
    request = _ask(db, airport_admin, other_enterprise, industry_code="services", needed_from=TODAY,
                   needed_until=TODAY + timedelta(days=30))
    matches = services.propose_matches(db, request)
    assert [(m.studio.name, m.score) for m in matches] == [("电力工作室", 100), ("三亚电力工作室", 40)]
    assert matches[0].reasons == ["Trades: 变电检修", "Industry: 现代服务业", "Same city: 海口", "Available when needed"]


def test_the_whole_help_flow_like_an_order(db, make_studio, make_user, airport_admin, other_enterprise,
                                           union_admin):
    member = make_user(Role.WORKER)
    studio, rival = make_studio(members=[member]), make_studio()
    request = _ask(db, airport_admin, other_enterprise)
    with pytest.raises(Forbidden):
        services.submit_proposal(db, actor=airport_admin, request_id=request.id, studio_id=studio.id, plan="x",
                                 now=NOW)
    proposal = services.submit_proposal(db, actor=member, request_id=request.id, studio_id=studio.id,
                                        plan="三人现场检测并指导检修", starts_on=TODAY, ends_on=TODAY + timedelta(days=3),
                                        now=NOW)
    with pytest.raises(Conflict):
        services.submit_proposal(db, actor=member, request_id=request.id, studio_id=studio.id, plan="again",
                                 now=NOW)
    other = services.submit_proposal(db, actor=rival.leader, request_id=request.id, studio_id=rival.id,
                                     plan="远程指导", now=NOW)
    with pytest.raises(NotFound):   # only the requester decides
        services.decide_proposal(db, actor=union_admin, proposal_id=proposal.id, accept=True, now=NOW)
    with pytest.raises(Conflict):   # nothing to rate before it is done
        services.complete_proposal(db, actor=airport_admin, proposal_id=proposal.id, rating=5, now=NOW)
    services.decide_proposal(db, actor=airport_admin, proposal_id=proposal.id, accept=True, now=NOW)
    assert (request.status, other.status) == (HelpStatus.IN_PROGRESS, ProposalStatus.DECLINED)
    with pytest.raises(Forbidden):
        services.deliver_proposal(db, actor=rival.leader, proposal_id=proposal.id, note="x", now=NOW)
    services.deliver_proposal(db, actor=member, proposal_id=proposal.id, note="已更换电缆终端", now=NOW)
    with pytest.raises(Invalid):
        services.complete_proposal(db, actor=airport_admin, proposal_id=proposal.id, rating=6, now=NOW)
    services.complete_proposal(db, actor=airport_admin, proposal_id=proposal.id, rating=5, comment="专业", now=NOW)
    assert (proposal.status, proposal.rating, request.status) == (ProposalStatus.COMPLETED, 5, HelpStatus.COMPLETED)
    assert [p.id for p in queries.studio_page(db, studio).help_given] == [proposal.id]
    assert queries.studio_page(db, rival).help_given == []


def test_union_admins_form_teams_and_assign(db, make_studio, airport_admin, other_enterprise, union_admin, industry):
    first, second, outside = make_studio(), make_studio(), make_studio()
    with pytest.raises(Forbidden):
        services.form_team(db, actor=first.leader, name="x", scope="provincial", studio_ids=[first.id], now=NOW)
    with pytest.raises(Invalid):
        services.form_team(db, actor=union_admin, name="海口市服务队", scope="city", studio_ids=[first.id], now=NOW)
    with pytest.raises(Invalid):
        services.form_team(db, actor=union_admin, name="行业队", scope="industry", studio_ids=[first.id], now=NOW)
    team = services.form_team(db, actor=union_admin, name="海南省劳模工匠助企服务队", scope="provincial",
                              studio_ids=[first.id, second.id], now=NOW)
    request = _ask(db, airport_admin, other_enterprise)
    with pytest.raises(Forbidden):
        services.assign_request(db, actor=airport_admin, request_id=request.id, team_id=team.id, now=NOW)
    services.assign_request(db, actor=union_admin, request_id=request.id, team_id=team.id, now=NOW)
    with pytest.raises(Conflict):
        services.submit_proposal(db, actor=outside.leader, request_id=request.id, studio_id=outside.id, plan="x",
                                 now=NOW)
    proposal = services.submit_proposal(db, actor=second.leader, request_id=request.id, studio_id=second.id,
                                        plan="服务队派员", now=NOW)
    assert proposal.team_id == team.id
    services.assign_request(db, actor=union_admin, request_id=request.id, studio_id=first.id, now=NOW)
    with pytest.raises(Conflict):
        services.submit_proposal(db, actor=outside.leader, request_id=request.id, studio_id=outside.id, plan="x",
                                 now=NOW)


def _demand(db, enterprise, admin, *, kind=DemandKind.TECHNICAL_SERVICE, status=DemandStatus.PUBLISHED):
    demand = TrainingDemand(enterprise_id=enterprise.id, created_by_id=admin.id, kind=kind, title="10kV配电室故障诊断",
                            skill="变电检修", headcount=1, city="海口", preferred_start=date(2026, 12, 1),
                            preferred_end=date(2026, 12, 10), notes="开关柜放电", status=status, published_at=NOW)
    db.add(demand)
    db.flush()
    return demand


def test_a_studio_answers_an_enterprise_demand_from_the_order_mechanism(db, make_studio, airport_admin,
                                                                        other_enterprise, make_org, make_user):
    studio = make_studio()
    demand = _demand(db, other_enterprise, airport_admin)
    assert [d.id for d in queries.open_demands_for(db, studio.leader, {studio.id})] == [demand.id]
    proposal = services.propose_on_demand(db, actor=studio.leader, demand_id=demand.id, studio_id=studio.id,
                                          plan="现场诊断", now=NOW)
    request = proposal.help_request
    assert (request.demand_id, request.organization_id, request.kind, request.trades, request.needed_from) == (
        demand.id, other_enterprise.id, ServiceKind.TECHNICAL_SERVICE, ["变电检修"], date(2026, 12, 1))
    assert queries.open_demands_for(db, studio.leader, {studio.id}) == []   # it is a request for help now
    second = make_studio()
    again = services.propose_on_demand(db, actor=second.leader, demand_id=demand.id, studio_id=second.id,
                                       plan="远程指导", now=NOW)
    assert again.help_request_id == request.id
    # The enterprise follows it like any request of its own.
    assert [r.id for r in queries.own_requests(db, airport_admin)] == [request.id]
    services.decide_proposal(db, actor=airport_admin, proposal_id=proposal.id, accept=True, now=NOW)
    assert demand.status == DemandStatus.CLOSED   # accepting a studio closes the demand in orders
    # A training demand is answered only when directed to the studio's enterprise; drafts never.
    training = _demand(db, other_enterprise, airport_admin, kind=DemandKind.TRAINING)
    with pytest.raises(NotFound):
        services.propose_on_demand(db, actor=studio.leader, demand_id=training.id, studio_id=studio.id, plan="x",
                                   now=NOW)
    db.add(DemandInvitation(demand_id=training.id, organization_id=studio.organization_id,
                            invited_by_id=airport_admin.id))
    db.flush()
    db.refresh(training)
    assert services.propose_on_demand(db, actor=studio.leader, demand_id=training.id, studio_id=studio.id,
                                      plan="开班培训", now=NOW).help_request.kind == ServiceKind.SKILLS_TRAINING
    draft = _demand(db, other_enterprise, airport_admin, status=DemandStatus.DRAFT)
    with pytest.raises(NotFound):
        services.propose_on_demand(db, actor=studio.leader, demand_id=draft.id, studio_id=studio.id, plan="x",
                                   now=NOW)
    with pytest.raises(Forbidden):
        services.propose_on_demand(db, actor=make_user(Role.WORKER), demand_id=demand.id, studio_id=studio.id,
                                   plan="x", now=NOW)


def test_a_demand_closed_in_orders_is_no_longer_answered(db, make_studio, airport_admin, other_enterprise):
    from orders.services.demands import withdraw_demand

    studio, other = make_studio(), make_studio()
    demand = _demand(db, other_enterprise, airport_admin)
    proposal = services.propose_on_demand(db, actor=studio.leader, demand_id=demand.id, studio_id=studio.id,
                                          plan="现场诊断", now=NOW)
    withdraw_demand(db, actor=airport_admin, demand_id=demand.id, now=NOW)
    with pytest.raises(Conflict):
        services.submit_proposal(db, actor=other.leader, request_id=proposal.help_request_id, studio_id=other.id,
                                 plan="x", now=NOW)
    with pytest.raises(Conflict) as closed:
        services.decide_proposal(db, actor=airport_admin, proposal_id=proposal.id, accept=True, now=NOW)
    assert closed.value.code == "demand_closed"
