"""Demo data of the studios domain: 海南电网王立新电力工匠创新工作室, led by a 海南工匠, with two
apprentices, a utility-model patent, a three-star rating and help given to another enterprise; the
federation's rating indicators and this year's targets. Idempotent: found by name."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.access import Role
from app.auth.models import Organization, OrgKind, OrgStatus, User
from app.auth.services import grant_role, register_user
from app.i18n import SHANGHAI
from courses.models import Course, Industry
from studios.models import (
    Achievement,
    AchievementKind,
    Apprenticeship,
    ApprenticeshipNote,
    HelpRequest,
    HelpStatus,
    Honor,
    HonorKind,
    HonorStatus,
    MemberRole,
    Proposal,
    ProposalStatus,
    RatingCriterion,
    RatingStatus,
    Requester,
    RequesterKind,
    ServiceKind,
    ServiceOffer,
    ServiceTeam,
    Studio,
    StudioLevel,
    StudioMember,
    StudioRating,
    StudioStatus,
    StudioTarget,
    StudioTrade,
    TeamScope,
)
from studios.services.profiles import normalize_patent_number
from studios.services.rating import weighted_total

STUDIO = "海南电网王立新电力工匠创新工作室"
CRITERIA = [  # code, name, weight, what counts
    ("innovation", "创新成果", 30, "专利、技术革新、工法和获奖成果"),
    ("talent", "人才培养", 25, "名师带高徒、技能等级晋升、竞赛获奖"),
    ("service", "技术服务", 20, "助企助农助教服务次数与评价"),
    ("system", "制度建设", 10, "工作制度、经费与场地保障"),
    ("example", "示范引领", 15, "宣传推广、开放交流、带动效应"),
]
SCORES_2025 = {"innovation": 78, "talent": 74, "service": 72, "system": 70, "example": 66}


def _user(session, phone: str, name: str, password: str) -> User:
    user = session.scalar(select(User).where(User.phone == "+86" + phone))
    return user or register_user(session, name=name, password=password, phone=phone)


def _org(session, name: str, city: str, credit_code: str, description: str) -> Organization:
    org = session.scalar(select(Organization).where(Organization.name == name))
    if org is None:
        org = Organization(kind=OrgKind.ENTERPRISE, name=name, city=city, credit_code=credit_code,
                           description=description, status=OrgStatus.APPROVED)
        session.add(org)
        session.flush()
    return org


def load(world) -> None:
    session, now, users = world.session, world.now, world.users
    if session.scalar(select(Studio.id).where(Studio.name == STUDIO)):
        return
    today = now.astimezone(SHANGHAI).date()
    union = users["union_admin"]
    leader, first, second = users["instructor"], users["worker"], users["worker2"]
    industries = {i.code: i for i in session.scalars(select(Industry))}

    for position, (code, name, weight, description) in enumerate(CRITERIA):
        if session.scalar(select(RatingCriterion.id).where(RatingCriterion.code == code)) is None:
            session.add(RatingCriterion(code=code, name=name, weight=weight, description=description,
                                        position=position))
    session.flush()
    criteria = list(session.scalars(select(RatingCriterion).order_by(RatingCriterion.position)))

    studio = Studio(
        name=STUDIO, status=StudioStatus.NAMED, level=StudioLevel.PROVINCIAL, proposed_level=StudioLevel.PROVINCIAL,
        organization_id=world.enterprise.id, leader_id=leader.id, city="海口",
        summary="聚焦变电检修、继电保护和配电线路带电作业的技术攻关与技能传承，服务全省电网安全运行。",
        description=("工作室依托海南电网有限责任公司海口供电局建立，现有成员12人，其中高级技师5人。"
                     "近三年完成技术革新项目18项，获授权实用新型专利6项，培养技师、高级技师14名，"
                     "面向省内企业和职业院校开展技术服务与示范教学。"),
        address="海口市美兰区海府路海口供电局技能实训基地", contact_phone="0898-66000000",
        stars=3, proposed_by_id=world.users["enterprise_admin"].id, proposed_at=now - timedelta(days=900),
        named_at=now - timedelta(days=860), named_by_id=union.id, decision_note="经省总工会审定，命名为省级工作室。")
    studio.trades = [StudioTrade(trade=t, position=i) for i, t in enumerate(["变电检修", "继电保护", "配电线路带电作业"])]
    studio.industries = [industries[c] for c in ("hightech", "services") if c in industries]
    studio.courses = list(session.scalars(select(Course).where(Course.provider_id == world.provider.id,
                                                               Course.title.in_(["高压电工作业培训", "低压电工作业培训"]))))
    studio.members = [
        StudioMember(user_id=leader.id, role=MemberRole.LEADER, title="高级技师", since=today - timedelta(days=860)),
        StudioMember(user_id=first.id, role=MemberRole.MEMBER, title="技师", since=today - timedelta(days=400)),
        StudioMember(user_id=second.id, role=MemberRole.MEMBER, title="高级工", since=today - timedelta(days=300)),
    ]
    session.add(studio)
    session.flush()

    session.add_all([
        Honor(user_id=leader.id, kind=HonorKind.CRAFTSMAN, title="海南工匠", level=StudioLevel.PROVINCIAL,
              year=today.year - 2, awarded_by="海南省总工会", status=HonorStatus.VERIFIED, entered_by_id=union.id,
              entered_at=now - timedelta(days=700), verified_by_id=union.id, verified_at=now - timedelta(days=699)),
        Honor(user_id=leader.id, kind=HonorKind.MAY_DAY_MEDAL, title="海南省五一劳动奖章", level=StudioLevel.PROVINCIAL,
              year=today.year - 4, awarded_by="海南省总工会", status=HonorStatus.VERIFIED, entered_by_id=union.id,
              entered_at=now - timedelta(days=700), verified_by_id=union.id, verified_at=now - timedelta(days=699)),
        Honor(user_id=first.id, kind=HonorKind.MAY_DAY_MEDAL, title="海南省五一劳动奖章", level=StudioLevel.PROVINCIAL,
              year=today.year - 1, awarded_by="海南省总工会", status=HonorStatus.VERIFIED, entered_by_id=union.id,
              entered_at=now - timedelta(days=200), verified_by_id=union.id, verified_at=now - timedelta(days=199)),
    ])
    session.add_all([
        Achievement(studio_id=studio.id, kind=AchievementKind.PATENT, title="一种10kV配电线路带电作业用绝缘遮蔽装置",
                    patent_number=normalize_patent_number("ZL 2023 2 1458637.6"),
                    achieved_on=date(today.year - 2, 6, 16),
                    description="实用新型专利：减少带电作业遮蔽时间约40%，已在全省12个供电局推广应用。",
                    created_by_id=leader.id, created_at=now - timedelta(days=500)),
        Achievement(studio_id=studio.id, kind=AchievementKind.INNOVATION, title="变电站二次回路智能巡检辅助诊断方法",
                    achieved_on=date(today.year - 1, 3, 8), description="缩短继电保护缺陷定位时间，获公司年度职工技术创新一等奖。",
                    created_by_id=leader.id, created_at=now - timedelta(days=300)),
        Achievement(studio_id=studio.id, kind=AchievementKind.AWARD, title="海南省职工技术创新成果二等奖",
                    achieved_on=date(today.year - 1, 11, 20), description="海南省总工会评选。",
                    created_by_id=leader.id, created_at=now - timedelta(days=200)),
    ])

    for apprentice, goals, note in (
            (first, "一年内掌握10kV带电作业绝缘遮蔽与引线搭接，考取高级技师。",
             "已独立完成3次带电作业遮蔽操作，下一步练习引线搭接。"),
            (second, "熟练掌握继电保护装置定检与二次回路查线，参加省级职业技能竞赛。",
             "完成两座110kV变电站保护定检，二次回路识图进步明显。")):
        pairing = Apprenticeship(studio_id=studio.id, master_id=leader.id, apprentice_id=apprentice.id,
                                 starts_on=today - timedelta(days=120), ends_on=today + timedelta(days=245),
                                 goals=goals, created_by_id=leader.id, created_at=now - timedelta(days=120))
        pairing.notes = [ApprenticeshipNote(author_id=leader.id, body=note, written_at=now - timedelta(days=30)),
                         ApprenticeshipNote(author_id=apprentice.id, body="按师傅要求完成本月实训记录，已上传作业票。",
                                            written_at=now - timedelta(days=28))]
        session.add(pairing)

    reviewed = {c.code: SCORES_2025[c.code] for c in criteria if c.code in SCORES_2025}
    session.add(StudioRating(
        studio_id=studio.id, year=today.year - 1, status=RatingStatus.REVIEWED,
        self_scores={code: {"score": score + 4, "evidence": "见年度工作总结及佐证材料"} for code, score in reviewed.items()},
        self_total=weighted_total(criteria, {k: v + 4 for k, v in reviewed.items()}), review_scores=reviewed,
        review_total=weighted_total(criteria, reviewed), stars=3, previous_stars=None,
        review_note="创新成果突出，技术服务覆盖面有待扩大。", submitted_by_id=leader.id,
        submitted_at=now - timedelta(days=330), reviewed_by_id=union.id, reviewed_at=now - timedelta(days=300)))

    session.add_all([
        ServiceOffer(studio_id=studio.id, kind=ServiceKind.TECHNICAL_SERVICE, title="企业配电系统故障诊断与检修指导",
                     description="10kV及以下配电系统故障分析、检修方案、带电作业安全指导。",
                     trades=["变电检修", "配电线路带电作业"], city="海口", available_from=today,
                     available_until=today + timedelta(days=365), person_id=leader.id),
        ServiceOffer(studio_id=studio.id, kind=ServiceKind.DEMONSTRATION_TEACHING, title="职业院校电工实训示范教学",
                     trades=["继电保护", "变电检修"], city="海口", available_from=today,
                     available_until=today + timedelta(days=365)),
    ])

    admin = _user(session, "13800000007", "陈海波", world.password)
    airport = _org(session, "海口美兰国际机场有限责任公司", "海口", "91460000284077092X", "海南省主要航空枢纽。")
    grant_role(session, admin, Role.ENTERPRISE_ADMIN, airport)
    world.rows.append((Role.ENTERPRISE_ADMIN.value, "13800000007", "陈海波"))
    request = HelpRequest(
        requester_kind=RequesterKind.ENTERPRISE, organization_id=airport.id, kind=ServiceKind.TECHNICAL_SERVICE,
        title="航站楼10kV配电室开关柜局部放电排查", description="T1航站楼配电室两台开关柜有放电声，需要专家现场诊断并指导检修。",
        trades=["变电检修"], industry_id=industries["services"].id if "services" in industries else None, city="海口",
        needed_from=today - timedelta(days=60), needed_until=today - timedelta(days=30), status=HelpStatus.COMPLETED,
        created_by_id=admin.id, created_at=now - timedelta(days=62))
    session.add(request)
    session.flush()
    session.add(Proposal(
        help_request_id=request.id, studio_id=studio.id, author_id=leader.id,
        plan="派出3名成员现场开展超声波与暂态地电压检测，出具诊断报告，指导机场电工完成检修并培训日常巡检。",
        starts_on=today - timedelta(days=55), ends_on=today - timedelta(days=50), status=ProposalStatus.COMPLETED,
        created_at=now - timedelta(days=60), decided_at=now - timedelta(days=58), delivered_at=now - timedelta(days=49),
        delivery_note="查明两台开关柜电缆终端受潮放电，已指导更换并培训8名值班电工。",
        completed_at=now - timedelta(days=47), rating=5, rating_comment="响应快、专业强，解决了困扰我们半年的隐患。"))

    team = ServiceTeam(name="海南省劳模工匠助企服务队", scope=TeamScope.PROVINCIAL, created_by_id=union.id,
                       created_at=now - timedelta(days=100))
    team.studios = [studio]
    session.add(team)
    for level, target in ((StudioLevel.PROVINCIAL, 20), (StudioLevel.CITY, 100)):
        if session.scalar(select(StudioTarget.id).where(StudioTarget.year == today.year,
                                                        StudioTarget.level == level)) is None:
            session.add(StudioTarget(year=today.year, level=level, target=target, set_by_id=union.id, set_at=now))

    # A village's open request for farming-technology guidance (助农), so the demand list is not only enterprises.
    cadre = _user(session, "13800000009", "王海军", world.password)
    world.rows.append(("worker", "13800000009", "王海军"))
    village = Requester(kind=RequesterKind.VILLAGE, name="琼海市潭门镇草塘村", city="琼海", contact_name="王海军",
                        contact_phone="13800000009", owner_id=cadre.id, created_at=now - timedelta(days=3))
    session.add(village)
    session.flush()
    session.add(HelpRequest(
        requester_kind=RequesterKind.VILLAGE, requester_id=village.id, kind=ServiceKind.FARMING_GUIDANCE,
        title="村级光伏和灌溉泵站用电安全指导", description="村里新建灌溉泵站和屋顶光伏，需要电工师傅上门讲解安全用电并检查线路。",
        trades=["配电线路带电作业"], city="琼海", needed_from=today + timedelta(days=7),
        needed_until=today + timedelta(days=60), created_by_id=cadre.id, created_at=now - timedelta(days=3)))
    session.add(ServiceOffer(studio_id=studio.id, kind=ServiceKind.FARMING_GUIDANCE, title="乡村安全用电与泵站检修指导",
                             trades=["配电线路带电作业"], city="海口", available_from=today,
                             available_until=today + timedelta(days=365)))

    # A second, city-level studio so the list and the targets have more than one entry.
    tourism_leader = _user(session, "13800000008", "符策能", world.password)
    resort = _org(session, "三亚旅游文化投资集团有限公司", "三亚", "91460200MA5RC0XY1K", "三亚市旅游文化国有企业。")
    other = Studio(name="三亚湾旅游服务劳模创新工作室", status=StudioStatus.NAMED, level=StudioLevel.CITY,
                   proposed_level=StudioLevel.CITY, organization_id=resort.id, leader_id=tourism_leader.id,
                   city="三亚", summary="景区讲解、涉外接待与旅游服务标准化，带动一线服务人员提升技能。",
                   proposed_by_id=union.id, proposed_at=now - timedelta(days=40), named_at=now - timedelta(days=20),
                   named_by_id=union.id)
    other.trades = [StudioTrade(trade="景区讲解", position=0), StudioTrade(trade="旅游服务", position=1)]
    other.industries = [industries["tourism"]] if "tourism" in industries else []
    other.members = [StudioMember(user_id=tourism_leader.id, role=MemberRole.LEADER, title="金牌导游",
                                  since=today - timedelta(days=20))]
    session.add(other)
    session.add(Honor(user_id=tourism_leader.id, kind=HonorKind.MODEL_WORKER, title="三亚市劳动模范",
                      level=StudioLevel.CITY, year=today.year - 1, awarded_by="三亚市人民政府", entered_by_id=union.id,
                      entered_at=now - timedelta(days=10)))
    world.rows.append(("worker", "13800000008", "符策能"))
    session.flush()
