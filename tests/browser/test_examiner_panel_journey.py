"""The union admin staffs a practical session of the first electrician class from the pool, at phone and
desktop sizes: the ranked examiners show why each was chosen or excluded (the class's own instructor 王立新
is excluded as the candidates' trainer), three are assigned with one click each and the staffing rule of the
practical (an odd panel of at least three examiners) is met."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import User
from app.db import get_session, utcnow
from courses.models import SEAT_HOLDING, Enrollment, EnrollmentStatus, TrainingClass
from exams.models import BookingStatus, CertificateType, ExamBooking, ExamPaper, SessionMode
from exams.seed import SPECIAL_OPERATIONS
from exams.services import sessions as session_service
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

UNION_ADMIN, TEACHER, WORKER2 = "13800000001", "13800000003", "13800000006"
FIRST_CLASS = "第一期电工培训班（低压电工作业）"


def _user(s, phone: str) -> User:
    return s.scalar(select(User).where(User.phone == "+86" + phone))


def schedule_practical(app, title: str, *, days_after_class: int) -> tuple[int, list[str]]:
    """A further practical sitting for the first electrician class (the union scheduled it), its learners booked.
    Returns the session id and the booked candidates' names."""
    with app.app_context():
        s = get_session()
        now = utcnow()
        first = s.scalar(select(TrainingClass).where(TrainingClass.title == FIRST_CLASS))
        learners = list(s.scalars(select(Enrollment).where(Enrollment.class_id == first.id,
                                                           Enrollment.status.in_([str(x) for x in SEAT_HOLDING]))))
        if not learners:   # the demo class has nobody yet: a demo worker took it
            worker = _user(s, WORKER2)
            learners = [Enrollment(class_id=first.id, user_id=worker.id, status=EnrollmentStatus.CONFIRMED,
                                   confirmed_at=now)]
            s.add_all(learners)
            s.flush()
        ctype = s.scalar(select(CertificateType).where(CertificateType.code == SPECIAL_OPERATIONS))
        paper = s.scalar(select(ExamPaper).where(ExamPaper.title == "低压电工作业·实操考试"))
        day = max(first.ends_on, now.date()) + timedelta(days=days_after_class)
        starts = now.replace(year=day.year, month=day.month, day=day.day, hour=0, minute=30, second=0,
                             microsecond=0)   # 08:30 in Haikou
        exam_session = session_service.schedule_session(s, actor=_user(s, UNION_ADMIN), now=now, values={
            "certificate_type_id": ctype.id, "component": "practical", "mode": SessionMode.OFFLINE,
            "paper_id": paper.id, "title": title, "city": "海口", "venue": "海南省电力学校实训楼",
            "room": "低压实训室", "capacity": 30, "starts_at": starts, "ends_at": starts + timedelta(hours=8),
            "booking_opens_at": now - timedelta(hours=1), "booking_closes_at": starts - timedelta(days=1)})
        for seat, enrollment in enumerate(learners, start=1):
            s.add(ExamBooking(exam_session_id=exam_session.id, user_id=enrollment.user_id, status=BookingStatus.BOOKED,
                              seat_no=seat, starts_at=exam_session.starts_at, ends_at=exam_session.ends_at,
                              ticket_token=secrets.token_hex(8), created_at=now))
        names = [s.get(User, e.user_id).name for e in learners]
        s.commit()
        return exam_session.id, names


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_union_admin_staffs_a_conflict_free_panel(live_app, live_server, new_page, size):
    days = 10 if size == "phone" else 13
    title = f"第一期电工培训班·低压电工作业实操考试（第二场·{size}）"
    exam_session_id, candidates = schedule_practical(live_app, title, days_after_class=days)

    page = new_page(size)
    sign_in(page, live_server, UNION_ADMIN)
    page.goto(live_server + "/exams/admin/sessions")
    page.click(f"text={title}")
    expect(page).to_have_url(re.compile(rf"/exams/admin/sessions/{exam_session_id}$"))
    staff = page.locator("section.card", has_text="考评员")
    # nobody assigned yet: the practical's rules say what is missing
    expect(staff.locator(".problems")).to_contain_text("至少需要 3 名考评员")

    choices = staff.locator(".examiner-choices")
    teacher = choices.locator(".examiner-choice", has_text="王立新")
    expect(teacher).to_have_class(re.compile("excluded"))
    expect(teacher).to_contain_text("排除")
    expect(teacher).to_contain_text(candidates[0])          # trained this very candidate, in the first class
    expect(teacher).to_contain_text(FIRST_CLASS)
    expect(teacher.locator("button")).to_have_count(0)      # no way to assign him from the list
    eligible = choices.locator(".examiner-choice.eligible")
    expect(eligible.first).to_contain_text("考评员")           # qualified ..., expires on ...
    expect(eligible.first).to_contain_text(f"与已报名的 {len(candidates)} 名考生无利益冲突")
    assert eligible.count() >= 3
    page.shot("ranked", staff)

    chosen = []
    for _ in range(3):
        row = choices.locator(".examiner-choice.eligible", has=page.locator("button")).first
        chosen.append(row.locator("strong").inner_text())
        row.locator("button").click()
        expect(page).to_have_url(re.compile(rf"/exams/admin/sessions/{exam_session_id}$"))
    assert len(set(chosen)) == 3 and "王立新" not in chosen
    staff = page.locator("section.card", has_text="考评员")
    for name in chosen:
        expect(staff.locator("ul.rows").first).to_contain_text(name)
        expect(staff.locator(".examiner-choice", has_text=name)).to_contain_text("已指派")
    # three examiners: odd and at least three; a proctor is still wanted by the practical's rules
    problems = staff.locator(".problems")
    expect(problems).not_to_contain_text("考评员")
    expect(problems).not_to_contain_text("奇数")
    page.shot("panel-assigned", staff)
    # the practical also wants a proctor: the admin takes it from the list of anyone
    staff.locator("select[name=user_id]").select_option(label="林海燕")
    staff.locator("select[name=role]").select_option("proctor")
    staff.locator("form.decision button").click()
    staff = page.locator("section.card", has_text="考评员")
    expect(staff).to_contain_text("林海燕 · 监考员")
    expect(staff.locator(".problems")).to_have_count(0)
    expect(staff).to_contain_text("✓")
    page.shot("page")
