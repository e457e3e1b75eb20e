"""The union's dashboard: summaries rebuilt from the domains' aggregate facts, targets,
breakdowns, XLSX exports, the API, and that a view reads the summary table only."""

from __future__ import annotations

import io
import time
from datetime import date, timedelta

from openpyxl import load_workbook

from app.access import Role
from records.models import StatCell, Target
from records.queries import dashboard as dash
from records.services.stats import rebuild_stats
from records.services.targets import save_target
from tests.conftest import bearer, count_queries, post_form, sign_in
from tests.records.conftest import NOW

YEAR = dash.Period(date(2026, 1, 1), date(2026, 12, 1))


def _exam_stats(facts):
    facts[("stats_exams", None)] = [
        {"month": date(2026, 10, 1), "metric": "exams_sat", "value": 40, "kind": "低压电工作业", "city": "海口"},
        {"month": date(2026, 10, 1), "metric": "exams_passed", "value": 30, "kind": "低压电工作业", "city": "海口"}]
    facts[("stats_certificates", None)] = [
        {"month": date(2026, 11, 1), "metric": "certificates_issued", "value": 25, "kind": "低压电工作业", "city": "海口"}]


def test_rebuild_sums_training_from_courses_and_other_domains_facts(db, make_member, completed, industry, make_course,
                                                                    facts):
    a, b = make_member(), make_member()
    completed(a, hours=64, on=NOW - timedelta(days=30))
    completed(b, hours=64, on=NOW - timedelta(days=30))
    completed(b, hours=16, on=NOW - timedelta(days=400), title="去年的课")
    _exam_stats(facts)
    rebuild = rebuild_stats(db, now=NOW)
    assert rebuild.cells > 0
    totals = dash.totals(db, YEAR)
    assert totals["trained"] == 2 and totals["hours"] == 128
    assert totals["exams_sat"] == 40 and totals["certificates_issued"] == 25
    assert dash.pass_rate(totals) == 75.0
    by_union = dash.breakdown(db, YEAR, "union_name")
    assert [(r.key, r.values["trained"]) for r in by_union if "trained" in r.values] == [("测试工会", 2)]
    by_provider = {r.key: r.values for r in dash.breakdown(db, YEAR, "provider")}
    assert by_provider["海南省电力学校"]["trained"] == 2
    months = dict(dash.monthly(db, YEAR, "trained"))
    assert months[date(2026, 10, 1)] == 2 and len(months) == 12
    # idempotent: a second rebuild gives the same figures
    rebuild_stats(db, now=NOW)
    assert dash.totals(db, YEAR) == totals


def test_targets_progress_with_and_without_a_breakdown(db, make_user, facts):
    _exam_stats(facts)
    rebuild_stats(db, now=NOW)
    admin = make_user(Role.UNION_ADMIN)
    save_target(db, actor=admin, title="持证电工 300 人", metric="certificates_issued", goal=300,
                starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), now=NOW)
    save_target(db, actor=admin, title="三亚持证", metric="certificates_issued", goal=10, starts_on=date(2026, 1, 1),
                ends_on=date(2026, 12, 31), dimension="city", value="三亚", now=NOW)
    progress = {t.target.title: (t.done, t.percent) for t in dash.list_targets(db)}
    assert progress == {"持证电工 300 人": (25, 8), "三亚持证": (0, 0)}


def test_only_union_admins_set_targets_and_bad_ones_are_refused(client, db, make_user):
    admin = make_user(Role.UNION_ADMIN)
    body = {"title": "今年培训产业工人 1000 人", "metric": "trained", "goal": 1000, "starts_on": "2026-01-01",
            "ends_on": "2026-12-31"}
    created = client.post("/api/v1/targets", json=body, headers=bearer(admin))
    assert created.status_code == 201 and created.json["done"] == 0
    assert client.post("/api/v1/targets", json=body, headers=bearer(make_user(Role.WORKER))).status_code == 403
    for bad in ({"metric": "smiles"}, {"goal": 0}, {"ends_on": "2025-01-01"}, {"dimension": "planet", "value": "x"}):
        assert client.post("/api/v1/targets", json={**body, **bad}, headers=bearer(admin)).status_code == 422


def test_dashboard_page_reads_only_the_summary_with_a_fixed_number_of_statements(app, db, make_user, make_member,
                                                                                 completed, facts):
    admin = make_user(Role.UNION_ADMIN)
    db.add(Target(title="今年培训产业工人 1000 人", metric="trained", goal=1000, starts_on=date(2026, 1, 1),
                  ends_on=date(2026, 12, 31), created_at=NOW))
    completed(make_member(), on=NOW - timedelta(days=5))
    rebuild_stats(db, now=NOW)
    client = app.test_client()
    sign_in(client, admin)
    with count_queries(db) as few:
        html = client.get("/records/dashboard?from=2026-01&to=2026-12&by=city").get_data(as_text=True)
    assert "<svg" in html and 'data-test="trained">1<' in html and "今年培训产业工人 1000 人" in html
    for i in range(5):
        completed(make_member(), on=NOW - timedelta(days=5), title=f"课{i}", city=f"城{i}")
    rebuild_stats(db, now=NOW)
    with count_queries(db) as more:
        started = time.perf_counter()
        html = client.get("/records/dashboard?from=2026-01&to=2026-12&by=city").get_data(as_text=True)
        elapsed = time.perf_counter() - started
    assert 'data-test="trained">6<' in html
    assert len(more) == len(few)
    assert not any("enrollments" in s for s in more)      # never the source rows
    assert elapsed < 1.0


def test_every_table_exports_as_xlsx(app, db, make_user, make_member, completed, facts):
    completed(make_member(), on=NOW - timedelta(days=5))
    _exam_stats(facts)
    rebuild_stats(db, now=NOW)
    client = app.test_client()
    sign_in(client, make_user(Role.UNION_ADMIN))
    for table in ("breakdown", "months", "targets"):
        answer = client.get(f"/records/dashboard/{table}.xlsx?from=2026-01&to=2026-12&by=kind")
        assert answer.status_code == 200, table
        sheet = load_workbook(io.BytesIO(answer.data)).active
        assert sheet.max_row >= 1
    rows = list(load_workbook(io.BytesIO(client.get("/records/dashboard/breakdown.xlsx?by=kind&from=2026-01&to=2026-12")
                                         .data)).active.values)
    assert rows[0][0] == "Course or certificate"
    assert ("低压电工作业", 0, 0, 0, 25, 40, 30, 0, 0, 75.0) in rows


def test_dashboard_api_and_rebuild(app, client, db, make_user, make_member, completed):
    admin = make_user(Role.UNION_ADMIN)
    completed(make_member(), on=NOW - timedelta(days=5))
    assert client.post("/api/v1/dashboard/rebuild", headers=bearer(admin)).status_code == 202   # eager in tests
    answer = client.get("/api/v1/dashboard?from=2026-01&to=2026-12&by=provider", headers=bearer(admin))
    assert answer.status_code == 200
    assert answer.json["totals"]["trained"] == 1 and answer.json["breakdown"][0]["key"] == "海南省电力学校"
    assert client.get("/api/v1/dashboard?from=2026-13", headers=bearer(admin)).status_code == 422
    assert client.get("/api/v1/dashboard?from=2026-12&to=2026-01", headers=bearer(admin)).status_code == 422
    assert client.get("/api/v1/dashboard?by=planet", headers=bearer(admin)).status_code == 422
    assert client.get("/api/v1/dashboard", headers=bearer(make_user(Role.ENTERPRISE_ADMIN))).status_code == 403


def test_page_rebuild_button_and_target_form(app, db, make_user):
    client = app.test_client()
    sign_in(client, make_user(Role.UNION_ADMIN))
    assert post_form(client, "/records/dashboard/rebuild").status_code == 302
    answer = post_form(client, "/records/targets", {"title": "持证电工 300 人", "metric": "certificates_issued",
                                                    "goal": "300", "starts_on": "2026-01-01", "ends_on": "2026-12-31"})
    assert answer.status_code == 302
    assert db.query(Target).filter_by(title="持证电工 300 人").count() == 1
    assert db.query(StatCell).count() >= 0


def test_the_summary_is_rebuilt_by_a_beat_job(app):
    schedule = app.extensions["celery"].conf.beat_schedule
    assert schedule["records-rebuild-stats"]["task"] == "records.rebuild_stats"
    assert schedule["records-refresh-talent-cards"]["task"] == "records.refresh_talent_cards"


def test_every_installed_publisher_takes_the_arguments_records_passes(app, db):
    """records calls member facts as ``fn(session, user_id, now=...)`` (exam_results also with
    ``include_failed``) and aggregate facts as ``fn(session, now=...)``."""
    import inspect

    from records.facts import MEMBER_FACTS, STAT_FACTS, publishers

    for name in MEMBER_FACTS:
        for publish in publishers(name):
            extra = {"include_failed": True} if name == "exam_results" else {}
            inspect.signature(publish).bind(db, 1, now=NOW, **extra)
    found = set()
    for name in STAT_FACTS:
        for publish in publishers(name):
            inspect.signature(publish).bind(db, now=NOW)
            found.add(name)
    assert found == set(STAT_FACTS)     # every domain publishes its summary rows
