#!/usr/bin/env python3
"""Enterprise orders benchmark (not a test): a 5,000-row roster imported and enrolled, and the
order's progress page with 5,000 employees.

For each database (a SQLite file; PostgreSQL ``orders`` unless ``--pg-url`` says otherwise) it:
  1. creates the schema and seeds deterministic data: a provider, a class of 6,000 seats with
     lessons and class days, an enterprise, the union's subsidy rule, 1,000 verified members
     and 500 accounts without membership;
  2. builds a 5,000-row CSV roster: 1,000 verified members (by ID number), 500 accounts (by
     phone), 3,150 new people (invited by SMS), 200 bad check digits, 150 duplicates;
  3. times the import of the roster (every row checked and reported, ID numbers encrypted)
     and the provider's confirmation (the block reserved, the subsidy granted, everyone with an
     account enrolled), each committed: rows/s and total time (aim: < 5 s);
  4. marks attendance and lesson progress for the enrolled, then times the progress page
     (HTML, first page of 100), the progress API and the XLSX export, with query counts.

In-process (no server), bounded in time, Celery tasks queued in memory (not delivered).
The ``test`` database is never touched.

    .venv/bin/python bench/orders.py                  # both databases
    .venv/bin/python bench/orders.py --dbs sqlite
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
ROWS, MEMBERS, ACCOUNTS, BAD, DUPLICATES = 5000, 1000, 500, 200, 150


def id_number(serial: int, *, valid: bool = True) -> str:
    from app.membership.idnumber import check_char

    first17 = f"4601{(serial // 1000) % 100:02d}19900307{serial % 1000:03d}"
    check = check_char(first17)
    if not valid:
        check = "0" if check != "0" else "1"
    return first17 + check


def build_app(url: str):
    from cryptography.fernet import Fernet

    from app import create_app
    from app.db import Base
    from app.models import import_all_models

    import_all_models()
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url,
                      "PII_KEYS": Fernet.generate_key().decode(), "PII_HASH_KEY": "bench-hash",
                      "RATELIMIT_STORAGE_URI": "memory://", "WTF_CSRF_ENABLED": False,
                      "CELERY": {"broker_url": "memory://localhost/", "task_always_eager": False,
                                 "task_ignore_result": True}})
    engine = app.extensions["db_engine"]
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    return app


def seed(session, vault):
    from sqlalchemy import insert

    from app.access import Role
    from app.auth.models import Organization, OrgKind, OrgStatus, RoleGrant, User
    from app.membership.models import MemberProfile
    from courses.models import ClassMode, Course, CourseStatus, Lesson, TrainingClass
    from courses.services.learning import ensure_class_days
    from orders.models import SubsidyRule

    provider = Organization(kind=OrgKind.PROVIDER, name="海南省电力学校", status=OrgStatus.APPROVED)
    enterprise = Organization(kind=OrgKind.ENTERPRISE, name="海南电网", status=OrgStatus.APPROVED)
    union = Organization(kind=OrgKind.UNION, name="海南省总工会", status=OrgStatus.APPROVED)
    session.add_all([provider, enterprise, union])
    session.flush()
    admins = {k: User(name=k, phone=f"+861390000000{i}", password_hash="x")  # noqa: S106 - no sign-in
              for i, k in enumerate(("enterprise", "provider", "union"))}
    session.add_all(admins.values())
    session.flush()
    session.add_all([RoleGrant(user_id=admins["enterprise"].id, role=Role.ENTERPRISE_ADMIN, organization_id=enterprise.id),
                     RoleGrant(user_id=admins["provider"].id, role=Role.PROVIDER_ADMIN, organization_id=provider.id),
                     RoleGrant(user_id=admins["union"].id, role=Role.UNION_ADMIN, organization_id=union.id)])
    course = Course(provider_id=provider.id, title="低压电工作业培训", status=CourseStatus.APPROVED, is_published=True)
    session.add(course)
    session.flush()
    starts = (NOW + timedelta(days=10)).date()
    tc = TrainingClass(course_id=course.id, title="第一期电工培训班", mode=ClassMode.BLENDED, city="海口",
                       starts_on=starts, ends_on=starts + timedelta(days=4), enroll_opens_at=NOW - timedelta(days=1),
                       enroll_closes_at=NOW + timedelta(days=9), capacity=6000, price=128000)
    session.add(tc)
    session.flush()
    ensure_class_days(session, tc)
    session.add_all([Lesson(class_id=tc.id, position=n, title=f"第{n + 1}课", kind="text", body_html="<p>x</p>")
                     for n in range(6)])
    session.add(SubsidyRule(union_id=union.id, year=2026, kind="percent", value=30, budget=10**9, spent=0,
                            created_by_id=admins["union"].id))
    session.flush()
    users = [{"name": f"会员{n}", "phone": f"+86136{n:08d}", "password_hash": "x", "is_active": True,
              "created_at": NOW, "credentials_version": 1} for n in range(MEMBERS + ACCOUNTS)]
    session.execute(insert(User), users)
    from sqlalchemy import select

    ids = dict(session.execute(select(User.phone, User.id).where(User.phone.like("+86136%"))).all())
    profiles = []
    for n in range(MEMBERS):
        number = id_number(n)
        profiles.append({"user_id": ids[f"+86136{n:08d}"], "member_no": f"M{n:06d}", "union_name": "工会",
                         "employer_name": "海南电网", "real_name": f"会员{n}", "id_number_cipher": vault.encrypt(number),
                         "id_number_hash": vault.lookup_hash(number), "id_last4": number[-4:], "status": "verified",
                         "submitted_at": NOW})
    session.execute(insert(MemberProfile), profiles)
    session.commit()
    return {k: u.id for k, u in admins.items()}, tc.id


def roster_csv() -> bytes:
    lines = ["姓名,手机号,身份证号,会员证号,部门"]
    n = 0
    for i in range(MEMBERS):                       # verified members, matched by ID number
        lines.append(f"会员{i},,{id_number(i)},M{i:06d},运检部")
    for i in range(MEMBERS, MEMBERS + ACCOUNTS):   # accounts without membership, matched by phone
        lines.append(f"会员{i},136{i:08d},{id_number(i)},,营销部")
    n = MEMBERS + ACCOUNTS
    new = ROWS - MEMBERS - ACCOUNTS - BAD - DUPLICATES
    for i in range(new):                           # nobody yet: invited by SMS
        lines.append(f"新员工{i},137{i:08d},{id_number(20000 + i)},,调度中心")
    for i in range(BAD):                           # bad check digits
        lines.append(f"错号{i},135{i:08d},{id_number(40000 + i, valid=False)},,安监部")
    for i in range(DUPLICATES):                    # the same people again
        lines.append(f"重复{i},,{id_number(i)},,运检部")
    assert len(lines) - 1 == ROWS, (len(lines), n)
    return ("\n".join(lines) + "\n").encode()


def analyze(session) -> None:
    """Fresh planner statistics (PostgreSQL's autovacuum does this after bulk writes)."""
    from sqlalchemy import text

    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE"))
        session.commit()


def count_queries(engine):
    from sqlalchemy import event

    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    return statements, lambda: event.remove(engine, "before_cursor_execute", before)


def run(label: str, url: str) -> None:
    from flask_login import login_user
    from sqlalchemy import insert, select

    from app.auth.models import User
    from app.auth.tokens import API_SALT, make_token
    from app.db import get_session
    from app.security import vault
    from courses.models import Attendance, ClassDay, Enrollment, Lesson, LessonProgress
    from orders import views
    from orders.models import RosterEntry
    from orders.services import ordering, roster

    app = build_app(url)
    with app.test_request_context(environ_base={"HTTP_COOKIE": "lang=en"}):
        session = get_session()
        admins, class_id = seed(session, vault())
        enterprise = session.get(User, admins["enterprise"])
        order = ordering.order_class(session, actor=enterprise, class_id=class_id, seats=ROWS, now=NOW)
        ordering.submit_order(session, actor=enterprise, order_id=order.id, now=NOW)
        session.commit()
        analyze(session)
        content = roster_csv()

        started = time.perf_counter()
        upload, _new = roster.start_import(session, actor=enterprise, order_id=order.id, filename="roster.csv",
                                           content=content, vault=vault(), now=NOW, inline_rows=ROWS)
        session.commit()
        imported = time.perf_counter()
        analyze(session)   # what autovacuum does after a big insert on PostgreSQL (not timed)
        paused = time.perf_counter() - imported
        started += paused
        imported += paused
        provider = session.get(User, admins["provider"])
        ordering.confirm_order(session, actor=provider, order_id=order.id, now=NOW)
        session.commit()
        done = time.perf_counter()
        summary = roster.summary(upload.report)
        enrolled = session.query(Enrollment).filter(Enrollment.class_id == class_id).count()
        total = done - started
        print(f"[{label}] roster of {ROWS} rows: {summary}; {enrolled} enrolled; subsidy "
              f"{order.subsidy_amount / 100:.2f} yuan for {order.subsidy_members} members")
        print(f"[{label}] import {imported - started:.2f} s ({ROWS / (imported - started):.0f} rows/s), "
              f"confirm + enroll {done - imported:.2f} s; total {total:.2f} s ({ROWS / total:.0f} rows/s) "
              f"{'OK' if total < 5 else 'SLOWER THAN 5 s'}")

        # Learning activity for the progress page: attendance on 3 of 5 days, 4 of 6 lessons.
        enrollment_ids = list(session.scalars(select(RosterEntry.enrollment_id).where(
            RosterEntry.order_id == order.id, RosterEntry.enrollment_id.is_not(None))))
        days = list(session.scalars(select(ClassDay.id).where(ClassDay.class_id == class_id).order_by(ClassDay.day)))
        lessons = list(session.scalars(select(Lesson.id).where(Lesson.class_id == class_id).order_by(Lesson.id)))
        session.execute(insert(Attendance), [{"class_day_id": d, "enrollment_id": e, "present": True,
                                              "method": "roster", "marked_at": NOW}
                                             for e in enrollment_ids for d in days[:3]])
        session.execute(insert(LessonProgress), [{"enrollment_id": e, "lesson_id": n, "completed_at": NOW}
                                                 for e in enrollment_ids for n in lessons[:4]])
        session.commit()

    engine = app.extensions["db_engine"]
    with app.test_request_context(f"/orders/{order.id}/progress", environ_base={"HTTP_COOKIE": "lang=en"}):
        login_user(get_session().get(User, admins["enterprise"]))
        statements, stop = count_queries(engine)
        started = time.perf_counter()
        html = views.progress(order.id)
        elapsed = time.perf_counter() - started
        stop()
        print(f"[{label}] progress page ({ROWS} employees, 100 shown): {elapsed * 1000:.0f} ms, "
              f"{len(statements)} queries, {len(html) // 1024} KiB")
    client = app.test_client()
    with app.app_context():
        token = make_token(app.config["SECRET_KEY"], API_SALT, get_session().get(User, admins["enterprise"]))
    started = time.perf_counter()
    response = client.get(f"/api/v1/orders/{order.id}/progress?per_page=100", headers={"Authorization": f"Bearer {token}"})
    print(f"[{label}] GET /api/v1/orders/{order.id}/progress: {response.status_code} in "
          f"{(time.perf_counter() - started) * 1000:.0f} ms; avg attendance {response.json['avg_attendance']}%")
    started = time.perf_counter()
    with app.test_request_context(f"/orders/{order.id}/progress.xlsx"):
        login_user(get_session().get(User, admins["enterprise"]))
        views.progress_xlsx(order.id)
    print(f"[{label}] XLSX export of {ROWS} employees: {(time.perf_counter() - started) * 1000:.0f} ms")
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dbs", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/orders")
    args = parser.parse_args()
    for db in args.dbs.split(","):
        if db == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                run("sqlite", f"sqlite:///{folder}/bench.db")
        elif db == "postgresql":
            run("postgresql", args.pg_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
