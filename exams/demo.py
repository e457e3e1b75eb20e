"""Demo data of the exams domain: the seeded certificate types, a 107-question low-voltage bank,
a theory paper and a practical paper, and a theory and a practical session for the first
electrician class, staffed with proctors and three independent examiners. Idempotent."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import Organization, OrgKind, OrgStatus, User
from app.auth.services import grant_role, register_user
from app.i18n import SHANGHAI
from courses.models import Course, TrainingClass
from exams.demo_bank import low_voltage_bank
from exams.models import CertificateType, ExamPaper, ExamSession, Question, SessionMode, StaffRole
from exams.seed import SPECIAL_OPERATIONS, seed_certificate_types
from exams.services import papers as paper_service
from exams.services import sessions as session_service
from exams.services import types as type_service

CENTRE = "海南省职业技能鉴定指导中心"
EXAMINERS = [("13800000021", "符海军"), ("13800000022", "陈美玲"), ("13800000023", "王德明")]
THEORY_BLUEPRINT = [
    {"kind": "single", "count": 40, "points": 1}, {"kind": "true_false", "count": 40, "points": 1},
    {"kind": "multiple", "count": 5, "points": 2}, {"kind": "fill", "count": 5, "points": 1},
    {"kind": "short", "count": 1, "points": 5},
]


def _at(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def _examiners(session: Session, world) -> list[User]:
    centre = session.scalar(select(Organization).where(Organization.name == CENTRE))
    if centre is None:
        centre = Organization(kind=OrgKind.PROVIDER, name=CENTRE, city="海口", status=OrgStatus.APPROVED,
                              description="承担职业技能鉴定与特种作业考试的考评员队伍。")
        session.add(centre)
        session.flush()
    people = []
    for phone, name in EXAMINERS:
        user = session.scalar(select(User).where(User.phone == "+86" + phone))
        if user is None:
            user = register_user(session, name=name, password=world.password, phone=phone)
        grant_role(session, user, Role.INSTRUCTOR, centre)
        people.append(user)
        if (Role.INSTRUCTOR.value, phone, name) not in world.rows:
            world.rows.append((Role.INSTRUCTOR.value + " (examiner)", phone, name))
    return people


def load(world) -> None:
    """Load the exams demo (idempotent)."""
    session: Session = world.session
    now = world.now
    seed_certificate_types(session.connection(), now=now)
    ctype = session.scalar(select(CertificateType).where(CertificateType.code == SPECIAL_OPERATIONS))
    admin = world.users["union_admin"]
    if not session.scalar(select(func.count()).select_from(Question).where(Question.certificate_type_id == ctype.id)):
        session.execute(insert(Question), [{**q, "rubric": q.get("rubric", []), "certificate_type_id": ctype.id,
                                            "created_at": now, "is_active": True} for q in low_voltage_bank()])
        session.flush()
    course = session.scalar(select(Course).where(Course.provider_id == world.provider.id,
                                                 Course.title == "低压电工作业培训"))
    if course is not None:
        type_service.set_required_courses(session, actor=admin, type_id=ctype.id, course_ids=[course.id])
    theory_paper = session.scalar(select(ExamPaper).where(ExamPaper.title == "低压电工作业·理论考试（随机组卷）"))
    if theory_paper is None:
        theory_paper = paper_service.create_paper(session, actor=admin, type_id=ctype.id, component_kind="theory",
                                                  title="低压电工作业·理论考试（随机组卷）",
                                                  blueprint=THEORY_BLUEPRINT, now=now)
    practical_paper = session.scalar(select(ExamPaper).where(ExamPaper.title == "低压电工作业·实操考试"))
    if practical_paper is None:
        task = session.scalar(select(Question).where(Question.certificate_type_id == ctype.id,
                                                     Question.kind == "practical").order_by(Question.id))
        practical_paper = paper_service.create_paper(session, actor=admin, type_id=ctype.id,
                                                     component_kind="practical", title="低压电工作业·实操考试",
                                                     fixed_questions=[{"question_id": task.id, "points": 100}],
                                                     now=now)
    examiners = _examiners(session, world)
    first_class = session.scalar(select(TrainingClass).where(TrainingClass.title == "第一期电工培训班（低压电工作业）"))
    if first_class is None:
        return
    theory_day = first_class.ends_on + timedelta(days=2)
    practical_day = first_class.ends_on + timedelta(days=4)
    specs = [
        ("第一期电工培训班·低压电工作业理论考试", "theory", SessionMode.ONLINE_CENTER, theory_paper,
         _at(theory_day, 9), _at(theory_day, 11, 30), "海南省电力学校计算机考试中心", "机房一"),
        ("第一期电工培训班·低压电工作业实操考试", "practical", SessionMode.OFFLINE, practical_paper,
         _at(practical_day, 8, 30), _at(practical_day, 17), "海南省电力学校实训楼", "低压实训室"),
    ]
    for title, component, mode, paper, starts_at, ends_at, venue, room in specs:
        if session.scalar(select(ExamSession.id).where(ExamSession.title == title)) is not None:
            continue
        exam_session = session_service.schedule_session(session, actor=admin, now=now, values={
            "certificate_type_id": ctype.id, "component": component, "mode": mode, "paper_id": paper.id,
            "title": title, "city": "海口", "venue": venue, "room": room, "capacity": 30,
            "starts_at": starts_at, "ends_at": ends_at, "booking_opens_at": now - timedelta(hours=1),
            "booking_closes_at": starts_at - timedelta(days=1), "cancel_deadline_at": starts_at - timedelta(days=2),
            "provider_id": world.provider.id})
        for user in (admin, world.users["provider_admin"]):
            session_service.assign_staff(session, actor=admin, exam_session_id=exam_session.id, user_id=user.id,
                                         role=StaffRole.PROCTOR, now=now)
        for user in examiners:
            session_service.assign_staff(session, actor=admin, exam_session_id=exam_session.id, user_id=user.id,
                                         role=StaffRole.EXAMINER, now=now)
    session.flush()
