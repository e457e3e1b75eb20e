"""Demo data of the instructor pool: the first electrician class's instructor with real-looking
qualifications, and an examiner pool of eight verified 考评员 at two other organizations (the
appraisal centre and a Sanya school), enough to staff the demo exam sessions without conflicts.
Certificate types are named by the codes ``exams`` seeds. Idempotent: people are found by phone."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import Organization, OrgKind, OrgStatus, User
from app.auth.services import grant_role, register_user
from instructors.models import (
    Availability,
    AvailabilityKind,
    InstructorProfile,
    Qualification,
    QualificationStatus,
    TeachingTrade,
)

# The codes and levels exams seeds (exams/seed.py).
SPECIAL_OPS = ("special-ops-low-voltage", "低压电工作业技能鉴定合格证书", "特种作业")
SKILL_LEVEL = ("skill-electrician-4", "电工技能等级考核合格证书（四级/中级工）", "四级/中级工")
ISSUER_SPECIAL = "海南省应急管理厅"
ISSUER_SKILL = "海南省职业技能鉴定指导中心"

ORGS = [
    ("appraisal", "海南省职业技能鉴定指导中心", "海口", "全省职业技能等级认定与考评员管理机构。"),
    ("sanya", "三亚市职业技能培训学校", "三亚", "三亚市属职业技能培训学校，承担电工、焊工等工种考评。"),
]

# phone, name, org key, titles, years, city, trades, qualification types
EXAMINERS = [
    ("13800000101", "符海涛", "appraisal", ["高级技师", "高级考评员"], 26, "海口", [("低压电工作业", "特种作业"), ("电工", "四级/中级工")], "both"),
    ("13800000102", "羊秀珍", "appraisal", ["技师", "讲师"], 18, "海口", [("低压电工作业", "特种作业")], "both"),
    ("13800000103", "王家明", "appraisal", ["高级技师"], 22, "海口", [("电工", "四级/中级工"), ("高压电工作业", "特种作业")], "both"),
    ("13800000104", "陈少华", "appraisal", ["技师"], 15, "文昌", [("低压电工作业", "特种作业")], "special"),
    ("13800000105", "吉文清", "sanya", ["高级技师", "高级讲师"], 24, "三亚", [("电工", "四级/中级工")], "both"),
    ("13800000106", "黎明辉", "sanya", ["技师"], 12, "三亚", [("低压电工作业", "特种作业")], "both"),
    ("13800000107", "邢丽娟", "sanya", ["高级技师", "讲师"], 20, "三亚", [("电工", "四级/中级工")], "skill"),
    ("13800000108", "蒙德胜", "sanya", ["技师"], 16, "陵水", [("低压电工作业", "特种作业")], "both"),
]


def _org(session: Session, name: str, city: str, description: str) -> Organization:
    org = session.scalar(select(Organization).where(Organization.name == name))
    if org is None:
        org = Organization(kind=OrgKind.PROVIDER, name=name, city=city, description=description,
                           status=OrgStatus.APPROVED)
        session.add(org)
        session.flush()
    return org


def _profile(session: Session, user: User, *, titles, years, city, trades, bio, now) -> InstructorProfile:
    profile = session.scalar(select(InstructorProfile).where(InstructorProfile.user_id == user.id))
    if profile is None:
        profile = InstructorProfile(user_id=user.id, titles=titles, years_experience=years, city=city, biography=bio,
                                    created_at=now, updated_at=now)
        profile.trades = [TeachingTrade(trade=t, level=lv) for t, lv in trades]
        session.add(profile)
        session.flush()
    return profile


def _qualification(session: Session, user: User, kind: tuple[str, str, str], *, number: str, issuer: str,
                   issued_on: date, expires_on: date, verifier: User, now) -> None:
    code, name, level = kind
    if session.scalar(select(Qualification.id).where(Qualification.user_id == user.id,
                                                     Qualification.certificate_type_code == code)):
        return
    session.add(Qualification(user_id=user.id, certificate_type_code=code, certificate_type_name=name, level=level,
                              number=number, issuer=issuer, issued_on=issued_on, expires_on=expires_on,
                              status=QualificationStatus.VERIFIED, decided_at=now, decided_by_id=verifier.id,
                              created_at=now))


def load(world) -> None:
    session: Session = world.session
    now, today = world.now, world.now.date()
    verifier = world.users["union_admin"]
    # The first electrician class's instructor.
    teacher = world.users["instructor"]
    _profile(session, teacher, titles=["高级技师", "讲师"], years=21, city="海口",
             trades=[("低压电工作业", "特种作业"), ("高压电工作业", "特种作业"), ("电工", "四级/中级工")],
             bio="海南省电力学校电工实训教研室主任，从事配电运行与电工培训二十余年，主讲第一期电工培训班。", now=now)
    _qualification(session, teacher, SPECIAL_OPS, number="琼应急考评〔2023〕0417号", issuer=ISSUER_SPECIAL,
                   issued_on=today - timedelta(days=700), expires_on=today + timedelta(days=1125),
                   verifier=verifier, now=now)
    _qualification(session, teacher, SKILL_LEVEL, number="KP46-2022-00318", issuer=ISSUER_SKILL,
                   issued_on=today - timedelta(days=1000), expires_on=today + timedelta(days=825),
                   verifier=verifier, now=now)
    orgs = {key: _org(session, name, city, description) for key, name, city, description in ORGS}
    for index, (phone, name, org_key, titles, years, city, trades, kinds) in enumerate(EXAMINERS):
        user = session.scalar(select(User).where(User.phone == "+86" + phone))
        if user is None:
            user = register_user(session, name=name, password=world.password, phone=phone)
        grant_role(session, user, Role.INSTRUCTOR, orgs[org_key])
        _profile(session, user, titles=titles, years=years, city=city, trades=trades, now=now,
                 bio=f"{orgs[org_key].name}考评员，{years}年电工现场与鉴定考评经验。")
        if kinds in ("both", "special"):
            _qualification(session, user, SPECIAL_OPS, number=f"琼应急考评〔2024〕{201 + index:04d}号",
                           issuer=ISSUER_SPECIAL, issued_on=today - timedelta(days=300 + 40 * index),
                           expires_on=today + timedelta(days=900 + 30 * index), verifier=verifier, now=now)
        if kinds in ("both", "skill"):
            _qualification(session, user, SKILL_LEVEL, number=f"KP46-2024-{510 + index:05d}", issuer=ISSUER_SKILL,
                           issued_on=today - timedelta(days=200 + 30 * index),
                           expires_on=today + timedelta(days=1000 + 20 * index), verifier=verifier, now=now)
        if not session.scalar(select(Availability.id).where(Availability.user_id == user.id)):
            session.add(Availability(user_id=user.id, kind=AvailabilityKind.BOTH, starts_at=now + timedelta(days=1),
                                     ends_at=now + timedelta(days=90), note="工作日可安排考评", created_at=now))
        world.rows.append((str(Role.INSTRUCTOR), phone, f"{name}（考评员）"))
    session.flush()
