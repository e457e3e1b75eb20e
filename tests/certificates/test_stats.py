"""The "stats_certificates" fact: certificates issued per month, in total and per type, union and
employer; the union's dashboard shows them after a rebuild."""

from __future__ import annotations

from datetime import date, timedelta

from app.access import Role
from certificates import services
from certificates.facts import stats_certificates
from records.queries import dashboard as dash
from records.services.stats import rebuild_stats
from tests.certificates.conftest import NOW
from tests.conftest import count_queries, sign_in

YEAR = dash.Period(date(2026, 1, 1), date(2026, 12, 1))


def test_stats_certificates_counts_issued_ones_per_month_and_type(db, make_certificate, propose, make_member,
                                                                  union_admin):
    make_certificate(at=NOW)
    make_certificate(at=NOW - timedelta(days=1), title="高压电工作业技能鉴定合格证书")
    october = make_certificate(at=NOW - timedelta(days=40))
    services.revoke_certificate(db, actor=union_admin, certificate_id=october.id, reason="证件作废",
                                now=NOW)                           # revoked later: still issued in October
    propose(at=NOW)                                                # proposed only: not issued
    db.flush()
    with count_queries(db) as statements:
        rows = stats_certificates(db, now=NOW)
    assert len(statements) == 4
    figures = {(r["month"], r["dimension"], r.get(r["dimension"], "")): r["value"] for r in rows}
    assert all(r["metric"] == "certificates_issued" for r in rows)
    assert figures[(date(2026, 11, 1), "", "")] == 2 and figures[(date(2026, 10, 1), "", "")] == 1
    assert figures[(date(2026, 11, 1), "kind", "低压电工作业技能鉴定合格证书")] == 1
    assert figures[(date(2026, 11, 1), "kind", "高压电工作业技能鉴定合格证书")] == 1
    assert figures[(date(2026, 11, 1), "union_name", "测试工会")] == 2
    assert stats_certificates(db, now=NOW - timedelta(days=60)) == []


def test_dashboard_shows_certificates_issued_after_a_rebuild(app, db, make_certificate, make_user):
    for _ in range(3):
        make_certificate(at=NOW)
    rebuild_stats(db, now=NOW)
    assert dash.totals(db, YEAR)["certificates_issued"] == 3
    by_kind = {r.key: r.values for r in dash.breakdown(db, YEAR, "kind")}
    assert by_kind["低压电工作业技能鉴定合格证书"]["certificates_issued"] == 3
    client = app.test_client()
    sign_in(client, make_user(Role.UNION_ADMIN))
    html = client.get("/records/dashboard?from=2026-01&to=2026-12&by=kind").get_data(as_text=True)
    assert 'data-test="certificates-issued">3<' in html
