"""The "stats_exams" fact: released results per month, sat and passed, in total and per
certificate type, city, union and employer; the union's dashboard shows them after a rebuild."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from app.access import Role
from exams.facts import stats_exams
from exams.models import BookingStatus, ComponentResult, ExamBooking
from records.queries import dashboard as dash
from records.services.stats import rebuild_stats
from tests.conftest import count_queries, sign_in
from tests.courses.conftest import make_member  # noqa: F401 - fixture
from tests.exams.conftest import NOW

LATER = NOW + timedelta(days=30)   # after the sessions (a week after NOW) ended


def _result(db, exam_session, user, *, passed: bool, absent: bool = False, released: bool = True):
    booking = ExamBooking(exam_session_id=exam_session.id, user_id=user.id, status=BookingStatus.CHECKED_IN,
                          starts_at=exam_session.starts_at, ends_at=exam_session.ends_at,
                          ticket_token=secrets.token_hex(8))
    db.add(booking)
    db.flush()
    db.add(ComponentResult(booking_id=booking.id, user_id=user.id, certificate_type_id=exam_session.certificate_type_id,
                           component_id=exam_session.component_id, exam_session_id=exam_session.id,
                           score=None if absent else (80 if passed else 40), passed=passed, absent=absent,
                           sat_at=exam_session.starts_at, released_at=exam_session.ends_at if released else None))
    db.flush()


def test_stats_exams_counts_released_results_per_month_and_breakdown(db, make_session, make_member,  # noqa: F811
                                                                    make_candidate, special_ops):
    haikou = make_session(city="海口")
    sanya = make_session(city="三亚", starts_in=timedelta(days=8))
    members = [make_member() for _ in range(3)]
    _result(db, haikou, members[0], passed=True)
    _result(db, haikou, members[1], passed=False)
    _result(db, haikou, members[2], passed=False, absent=True)          # absent: did not sit
    _result(db, sanya, make_candidate(), passed=True)                   # no membership link
    _result(db, sanya, members[0], passed=True, released=False)         # not released yet
    with count_queries(db) as statements:
        rows = stats_exams(db, now=LATER)
    assert len(statements) == 5                                       # one grouped statement per breakdown
    figures = {(r["dimension"], r.get(r["dimension"], ""), r["metric"]): r["value"] for r in rows}
    month = {r["month"] for r in rows}
    assert month == {date(2026, 11, 1)}
    assert figures[("", "", "exams_sat")] == 3 and figures[("", "", "exams_passed")] == 2
    assert figures[("city", "海口", "exams_sat")] == 2 and figures[("city", "海口", "exams_passed")] == 1
    assert figures[("city", "三亚", "exams_passed")] == 1
    assert figures[("kind", special_ops.name_zh, "exams_sat")] == 3
    assert figures[("union_name", "测试工会", "exams_sat")] == 2 and figures[("union_name", "", "exams_sat")] == 1
    assert figures[("enterprise", "测试企业", "exams_passed")] == 1
    assert stats_exams(db, now=NOW) == []                             # nothing released by then


def test_dashboard_shows_pass_rate_after_a_rebuild(app, db, make_session, make_member, make_user):  # noqa: F811
    exam_session = make_session(city="海口")
    for passed in (True, True, True, False):
        _result(db, exam_session, make_member(), passed=passed)
    rebuild_stats(db, now=LATER)
    year = dash.Period(date(2026, 1, 1), date(2026, 12, 1))
    totals = dash.totals(db, year)
    assert (totals["exams_sat"], totals["exams_passed"], dash.pass_rate(totals)) == (4, 3, 75.0)
    client = app.test_client()
    sign_in(client, make_user(Role.UNION_ADMIN))
    html = client.get("/records/dashboard?from=2026-01&to=2026-12&by=city").get_data(as_text=True)
    assert 'data-test="pass-rate">75.0%<' in html
    assert "<td>海口</td>" in html
