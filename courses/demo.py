"""Demo data of the catalog domain: the seven industries, the first electrician class at
海南省电力学校 (低压电工作业, 高压电工作业, 高处作业) and a handful of courses across the
industries so the catalog looks alive. Idempotent: courses are found by provider and title."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import Organization, OrgKind, OrgStatus
from app.auth.services import grant_role
from courses import search
from courses.models import (
    ClassMode,
    ClassStatus,
    Course,
    CourseStatus,
    Industry,
    Lesson,
    LessonKind,
    RefundRule,
    TrainingClass,
)
from courses.services.learning import ensure_class_days
from courses.services.shelf import (
    local_day_start,
    refresh_course_listing,
    sanitize_html,
    seed_industries,
)
from courses.services.synonyms import seed_dictionary

# title, summary, industries, skills, hours, certificate, classes: (title, mode, city, venue, start in days,
# days, capacity, price yuan, member price yuan, free for members)
ELECTRICIAN_COURSES = [
    ("低压电工作业培训", "第一期电工培训班·低压电工作业：由海南省电力学校联合省电网公司举办，理论与实操结合，考核合格取得特种作业操作证。",
     ["hightech", "services"], ["低压电气安全", "电工仪表使用", "低压配电装置", "触电急救"], 64,
     "特种作业操作证（低压电工作业）",
     [("第一期电工培训班（低压电工作业）", ClassMode.OFFLINE, "海口", "海南省电力学校实训楼（海口市琼山区）", 12, 8,
       40, 1280, 980, True)]),
    ("高压电工作业培训", "第一期电工培训班·高压电工作业：高压电气设备运行维护、倒闸操作与继电保护基础，配合省电网公司实训基地实操。",
     ["hightech", "services"], ["高压电气设备", "倒闸操作", "继电保护", "电气安全工作规程"], 80,
     "特种作业操作证（高压电工作业）",
     [("第一期电工培训班（高压电工作业）", ClassMode.OFFLINE, "海口", "海南省电力学校实训楼（海口市琼山区）", 12, 10,
       30, 1680, 1280, True)]),
    ("高处作业培训（登高架设与高处安装）", "第一期电工培训班·高处作业：安全带与防坠器使用、登高架设、高处安装维护拆除作业安全技术。",
     ["hightech", "services"], ["高处作业安全", "安全带使用", "登高架设", "应急救援"], 48,
     "特种作业操作证（高处作业）",
     [("第一期电工培训班（高处作业）", ClassMode.BLENDED, "海口", "海南省电力学校登高实训场", 14, 6, 30, 980, 780,
       True)]),
]

OTHER_COURSES = [
    ("海南旅游导游员实务", "自贸港旅游服务规范、景区讲解技巧、突发事件处置，适合在岗导游和景区讲解员。",
     ["tourism"], ["景区讲解", "旅游服务礼仪", "应急处置"], 40, "导游员职业技能等级证书（中级）",
     [("2026年冬季班", ClassMode.BLENDED, "三亚", "三亚市旅游职业培训中心", 20, 5, 50, 800, 560, False)]),
    ("养老护理员（初级）", "居家与机构养老的生活照护、基础护理、康复服务和心理支持，职工家属也可报名。",
     ["services"], ["生活照护", "基础护理", "失智老人照护"], 56, "养老护理员职业技能等级证书（初级）",
     [("第三期", ClassMode.OFFLINE, "海口", "海口市职工服务中心培训室", 9, 7, 40, 1200, 0, True)]),
    ("无人机驾驶员（多旋翼）", "多旋翼无人机飞行原理、法规空域、航拍与巡检作业，面向电力巡线与农业植保岗位。",
     ["hightech", "aerospace"], ["多旋翼飞行", "电力巡线", "航拍"], 72, "民用无人机驾驶员执照（多旋翼）",
     [("文昌班", ClassMode.OFFLINE, "文昌", "文昌航天城职工实训基地", 25, 10, 24, 4800, 3800, False),
      ("海口班", ClassMode.BLENDED, "海口", "海南省电力学校无人机训练场", 40, 10, 24, 4800, 3800, False)]),
    ("热带水果嫁接与高效栽培", "芒果、荔枝、莲雾等热带水果的嫁接、修剪、水肥一体化与病虫害绿色防控。",
     ["tropical_agriculture"], ["嫁接", "修剪", "病虫害防治"], 32, "农业技术员（初级）",
     [("陵水田间班", ClassMode.OFFLINE, "陵水", "陵水黎族自治县农业技术推广中心示范基地", 16, 4, 60, 0, None,
       False)]),
    ("南繁制种技术员培训", "南繁育种基地田间管理、隔离制种、种子质量检验与生物安全规范。",
     ["seed_breeding", "tropical_agriculture"], ["制种", "种子检验", "田间管理"], 40, "农作物种子繁育员",
     [("三亚崖州班", ClassMode.OFFLINE, "三亚", "崖州湾科技城南繁基地", 30, 5, 40, 600, 0, True)]),
    ("深海装备运维基础", "深海探测装备的结构原理、日常维护与安全作业规程，面向港口和船舶企业职工。",
     ["deep_sea", "hightech"], ["深海装备", "设备维护", "海上安全"], 48, "",
     [("线上先导班", ClassMode.ONLINE, "", "", 18, 30, 200, 300, 150, False)]),
    ("直播电商运营实战", "自贸港特色农产品直播带货：选品、脚本、直播间搭建与合规经营。",
     ["services", "tropical_agriculture"], ["直播电商", "短视频", "农产品营销"], 24, "互联网营销师（五级）",
     [("线上班", ClassMode.ONLINE, "", "", 7, 14, 300, 399, 0, True)]),
    ("中式烹调师（海南菜）", "文昌鸡、加积鸭、和乐蟹等海南名菜制作与酒店厨房安全卫生。",
     ["tourism", "services"], ["海南菜", "食品安全", "刀工"], 60, "中式烹调师职业技能等级证书（初级）",
     [("琼海班", ClassMode.OFFLINE, "琼海", "琼海市职业技术学校", 21, 10, 30, 1500, 1200, False)]),
    ("电焊工安全操作", "焊条电弧焊、气体保护焊操作与焊接作业安全，衔接特种作业（熔化焊接与热切割）考核。",
     ["hightech"], ["焊条电弧焊", "气体保护焊", "焊接安全"], 56, "特种作业操作证（熔化焊接与热切割作业）",
     [("洋浦班", ClassMode.OFFLINE, "儋州", "洋浦经济开发区职工培训中心", 11, 8, 30, 1400, 1100, False)]),
]

LESSONS = [
    ("安全生产法律法规与职业道德", LessonKind.TEXT, "<p>学习《安全生产法》与特种作业人员安全技术培训考核管理规定。</p>", None, 45),
    ("触电事故与现场急救（视频）", LessonKind.VIDEO, "", "https://www.example.com/videos/first-aid.mp4", 30),
    ("作业现场安全检查要点", LessonKind.TEXT, "<ul><li>作业前检查工器具</li><li>验电、挂接地线</li><li>设置围栏和标示牌</li></ul>",
     None, 20),
]


def _industries(session: Session, codes: list[str]) -> list[Industry]:
    return list(session.scalars(select(Industry).where(Industry.code.in_(codes))))


def _course(session: Session, world, provider: Organization, spec, *, instructor) -> Course:
    title, summary, industry_codes, skills, hours, certificate, classes = spec
    course = session.scalar(select(Course).where(Course.provider_id == provider.id, Course.title == title))
    if course is None:
        course = Course(provider_id=provider.id, title=title, summary=summary, skills=skills, hours=hours,
                        certificate_type=certificate, status=CourseStatus.APPROVED, is_published=True,
                        description_html=sanitize_html(f"<p>{summary}</p><p><strong>课程目标：</strong>"
                                                       f"掌握{'、'.join(skills)}。</p>"),
                        submitted_at=world.now, reviewed_at=world.now, reviewed_by_id=world.users["union_admin"].id,
                        created_at=world.now, updated_at=world.now)
        course.provider = provider
        course.industries = _industries(session, industry_codes)
        course.instructors = [instructor] if instructor else []
        session.add(course)
        session.flush()
    today = world.now.date()
    for (ctitle, mode, city, venue, start_in, days, capacity, price, member_price, free) in classes:
        tc = session.scalar(select(TrainingClass).where(TrainingClass.course_id == course.id,
                                                        TrainingClass.title == ctitle))
        if tc is None:
            starts_on = today + timedelta(days=start_in)
            tc = TrainingClass(
                course_id=course.id, title=ctitle, mode=mode, city=city, venue=venue, starts_on=starts_on,
                ends_on=starts_on + timedelta(days=days - 1), enroll_opens_at=world.now - timedelta(days=3),
                enroll_closes_at=local_day_start(starts_on) - timedelta(hours=8), capacity=capacity,
                price=price * 100, member_price=None if member_price is None else member_price * 100,
                free_for_members=free, requires_membership=False, refund_rule=RefundRule.FULL_BEFORE_START,
                status=ClassStatus.SCHEDULED, instructor_id=instructor.id if instructor else None,
                created_at=world.now)
            session.add(tc)
            session.flush()
            ensure_class_days(session, tc)
            for position, (ltitle, kind, body, video, minutes) in enumerate(LESSONS):
                session.add(Lesson(class_id=tc.id, position=position, title=ltitle, kind=kind,
                                   body_html=sanitize_html(body), video_url=video, minutes=minutes))
    session.flush()
    refresh_course_listing(session, course.id, now=world.now)
    search.index_course(session, course)
    return course


def _other_provider(session: Session, world) -> Organization:
    org = session.scalar(select(Organization).where(Organization.name == "海南省职工技能培训中心"))
    if org is None:
        org = Organization(kind=OrgKind.PROVIDER, name="海南省职工技能培训中心", city="海口", status=OrgStatus.APPROVED,
                           description="省总工会职工技能培训基地，面向全省职工开展多工种培训。")
        session.add(org)
        session.flush()
        grant_role(session, world.users["provider_admin"], Role.PROVIDER_ADMIN, org)
    return org


def load(world) -> None:
    """Load demo industries, courses, classes and lessons (idempotent)."""
    session: Session = world.session
    seed_industries(session)
    seed_dictionary(session)   # a migrated database has it already: only what is missing is added
    instructor = world.users.get("instructor")
    for spec in ELECTRICIAN_COURSES:
        _course(session, world, world.provider, spec, instructor=instructor)
    other = _other_provider(session, world)
    for spec in OTHER_COURSES:
        _course(session, world, other, spec, instructor=None)
    # One course waiting for review, so the union's queue is not empty.
    pending = ("配电线路带电作业（筹备中）", "与省电网公司合作开发的带电作业课程，提交工会审核中。", ["hightech"],
               ["带电作业"], 40, "", [])
    course = _course(session, world, world.provider, pending, instructor=instructor)
    if course.status == CourseStatus.APPROVED and not course.classes:
        course.status, course.is_published, course.reviewed_at, course.reviewed_by_id = (
            CourseStatus.SUBMITTED, False, None, None)
        session.flush()

