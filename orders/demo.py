"""Demo data: 海南电网 orders the first electrician class for 40 employees through a demand and a
quote from 海南省电力学校, with the union's subsidy for members. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.security import vault
from courses.models import Course, TrainingClass
from orders.models import SubsidyRule, TrainingDemand
from orders.services import demands, ordering, roster, subsidy
from orders.services.common import today

TITLE = "配电线路工（电工）岗位培训 · 40人"
COURSE = "低压电工作业培训"
CLASS = "第一期电工培训班（海南电网专班）"


def _dedicated_class(session, course, world) -> TrainingClass:
    """The provider's dedicated run of the first electrician class for the order (订单班), 40 seats."""
    from courses.models import ClassMode, ClassStatus
    from courses.services.learning import ensure_class_days

    found = session.scalar(select(TrainingClass).where(TrainingClass.course_id == course.id,
                                                       TrainingClass.title == CLASS))
    if found is not None:
        return found
    starts_on = today(world.now) + timedelta(days=20)
    instructor = world.users.get("instructor")
    training_class = TrainingClass(
        course_id=course.id, title=CLASS, mode=ClassMode.OFFLINE, city="海口", venue="海南省电力学校实训楼（海口市琼山区）",
        starts_on=starts_on, ends_on=starts_on + timedelta(days=7), enroll_opens_at=world.now,
        enroll_closes_at=world.now + timedelta(days=19), capacity=40, price=120000, status=ClassStatus.SCHEDULED,
        instructor_id=instructor.id if instructor else None, created_at=world.now)
    session.add(training_class)
    session.flush()
    ensure_class_days(session, training_class)
    return training_class


def _id_number(serial: int) -> str:
    from app.membership.idnumber import check_char

    first17 = f"46010019{80 + serial % 20:02d}0{1 + serial % 9}1{serial % 9}{serial:03d}"
    return first17 + check_char(first17)


def load(world) -> None:
    session, now = world.session, world.now
    users = world.users
    union_admin, enterprise_admin = users["union_admin"], users["enterprise_admin"]
    provider_admin = users["provider_admin"]
    year = today(now).year
    if session.scalar(select(SubsidyRule).where(SubsidyRule.year == year)) is None:
        subsidy.set_rule(session, actor=union_admin, year=year, kind="amount", value=30000, budget=50_000_00,
                         now=now)
    if session.scalar(select(TrainingDemand).where(TrainingDemand.title == TITLE)) is not None:
        return
    course = session.scalar(select(Course).where(Course.provider_id == world.provider.id, Course.title == COURSE))
    if course is None:
        return
    training_class = _dedicated_class(session, course, world)
    demand = demands.create_demand(session, actor=enterprise_admin, now=now, publish=True, values={
        "title": TITLE, "skill": "配电线路检修", "certificate_type": "低压电工作业", "headcount": 40, "city": "海口",
        "venue_preference": "海南省电力学校实训楼", "mode": "offline",
        "preferred_start": training_class.starts_on, "preferred_end": training_class.ends_on,
        "budget": 40 * 150000, "notes": "班组长优先；需含实操与考证辅导。"})
    demands.direct_demand(session, actor=union_admin, demand_id=demand.id, organization_ids=[world.provider.id],
                          now=now)
    quote = demands.submit_quote(session, actor=provider_admin, demand_id=demand.id, now=now, values={
        "price_per_person": 120000, "class_id": training_class.id, "instructors": "王建国、李海燕",
        "inclusions": ["materials", "exam_fee", "meals"], "cancel_fee_pct": 20,
        "valid_until": (now + timedelta(days=30)).date(), "notes": "含理论 16 学时、实操 24 学时。"})
    demands.ask_on_quote(session, actor=enterprise_admin, quote_id=quote.id, body="考试费是否包含补考？", now=now)
    demands.ask_on_quote(session, actor=provider_admin, quote_id=quote.id, body="包含一次补考。", now=now)
    order = demands.accept_quote(session, actor=enterprise_admin, quote_id=quote.id, now=now)
    from app.demo import DEMO_MEMBERS

    members = [{"name": users[key].name, "phone": users[key].phone, "id_number": id_number, "member_no": member_no,
                "department": "运检部"} for key, (member_no, id_number) in DEMO_MEMBERS.items() if key == "worker2"]
    rows = members + [{"name": f"电网员工{n:02d}", "phone": f"1380898{n:04d}", "id_number": _id_number(n),
                       "department": ["运检部", "营销部", "调度中心", "安监部"][n % 4]}
                      for n in range(1, 41 - len(members))]
    filename, content = roster.rows_from_json(rows)
    roster.start_import(session, actor=enterprise_admin, order_id=order.id, filename=filename, content=content,
                        vault=vault(), now=now)
    ordering.submit_order(session, actor=enterprise_admin, order_id=order.id, pay_method="bank_transfer",
                          invoice_title="海南电网有限责任公司", invoice_tax_number="91460000708850372X", now=now)
    ordering.confirm_order(session, actor=provider_admin, order_id=order.id, now=now)
    session.flush()
