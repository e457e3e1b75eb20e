"""The progress dashboard: numbers per employee and in total, and no N+1 whatever the roster size."""

from __future__ import annotations

from sqlalchemy import select

from app.access import Role
from courses.models import Attendance, ClassDay, LessonProgress
from orders import queries
from orders.models import RosterEntry
from orders.services import ordering, roster
from tests.conftest import count_queries, sign_in
from tests.orders.conftest import NOW, id_number


def _order_with(db, make_order, make_user, make_lesson, enterprise_admin, provider_admin, people: int, start: int = 0):
    from app.security import vault

    order = make_order(seats=people, days=4)
    users = [make_user(Role.WORKER, phone=f"1390001{start + n:04d}") for n in range(people)]
    rows = "\n".join(f"{u.name},{u.phone},{id_number(300 + start + n)},,部门{n % 3}" for n, u in enumerate(users))
    roster.start_import(db, actor=enterprise_admin, order_id=order.id, filename="a.csv", vault=vault(), now=NOW,
                        content=("姓名,手机号,身份证号,会员证号,部门\n" + rows + "\n").encode())
    lessons = [make_lesson(order.training_class) for _ in range(4)]
    ordering.submit_order(db, actor=enterprise_admin, order_id=order.id, now=NOW)
    ordering.confirm_order(db, actor=provider_admin, order_id=order.id, now=NOW)
    enrollments = list(db.scalars(select(RosterEntry.enrollment_id).where(RosterEntry.order_id == order.id)
                                  .order_by(RosterEntry.id)))
    days = list(db.scalars(select(ClassDay.id).where(ClassDay.class_id == order.class_id).order_by(ClassDay.day)))
    for n, enrollment_id in enumerate(enrollments):
        for day in days[: n % 5]:
            db.add(Attendance(class_day_id=day, enrollment_id=enrollment_id, present=True, method="roster"))
        for lesson in lessons[: n % 5]:
            db.add(LessonProgress(enrollment_id=enrollment_id, lesson_id=lesson.id))
    db.flush()
    return order


def test_progress_per_employee_and_totals(db, make_order, make_user, make_lesson, enterprise_admin,
                                          provider_admin):
    order = _order_with(db, make_order, make_user, make_lesson, enterprise_admin, provider_admin, 5)
    report = queries.order_progress(db, order, now=NOW)
    assert report.total == report.enrolled == 5 and report.days_total == 4 and report.lessons_total == 4
    shares = sorted(r.attendance_share for r in report.rows)
    assert shares == [0, 25, 50, 75, 100]
    assert report.avg_attendance == 50 and report.finished == 1
    assert report.attendance_buckets == [1, 1, 1, 1, 1]


def test_the_progress_page_runs_the_same_queries_for_3_or_30_employees(app, db, make_order, make_user, make_lesson,
                                                                       enterprise_admin, provider_admin):
    small = _order_with(db, make_order, make_user, make_lesson, enterprise_admin, provider_admin, 3)
    large = _order_with(db, make_order, make_user, make_lesson, enterprise_admin, provider_admin, 30, start=100)
    client = app.test_client()
    sign_in(client, enterprise_admin)
    counts = []
    for order in (small, large):
        with count_queries(db) as statements:
            response = client.get(f"/orders/{order.id}/progress")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    with count_queries(db) as statements:
        assert client.get(f"/api/v1/orders/{large.id}/progress").status_code == 200
    assert len(statements) <= counts[1] + 2


def test_exam_results_and_certificates_come_from_the_facts_of_installed_domains(app, db, make_order, make_user,
                                                                              make_lesson, enterprise_admin,
                                                                              provider_admin, monkeypatch):
    order = _order_with(db, make_order, make_user, make_lesson, enterprise_admin, provider_admin, 2, start=200)
    registry = app.extensions["domains"]
    assert queries.order_progress(db, order, now=NOW).exam_passed == 0   # no exams domain: no results

    def exam_results(session, user_id, *, now, include_failed):
        return [{"certificate_type": "低压电工作业", "component": "theory", "score": 88, "passed": True,
                 "sat_at": now, "released_at": now, "valid_until": None}]

    def certificates(session, user_id, *, now):
        return [{"number": f"HN-{user_id}", "token": "t", "type": "低压电工作业", "level": "", "status": "valid",
                 "valid_from": now, "valid_until": None, "issuer": "海南省总工会", "ours": True}]

    monkeypatch.setattr(registry, "fact", lambda name: {"exam_results": [exam_results],
                                                        "certificates": [certificates]}.get(name, []))   # per-member facts only
    report = queries.order_progress(db, order, now=NOW)
    assert report.exam_passed == 2 and report.certificates == 2
    assert all(r.exam_results[0]["score"] == 88 for r in report.rows)
