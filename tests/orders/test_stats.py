"""The "stats_orders" fact: employees trained through orders and the union's subsidy per month,
in total and per enterprise, provider, course and city; the dashboard shows them after a rebuild."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from app.access import Role
from app.security import vault
from courses.models import Enrollment, EnrollmentStatus
from orders.facts import stats_orders
from orders.models import RosterEntry, RosterMatch
from orders.services import ordering, subsidy
from records.queries import dashboard as dash
from records.services.stats import rebuild_stats
from tests.conftest import count_queries, sign_in
from tests.orders.conftest import NOW, id_number

YEAR = dash.Period(date(2026, 1, 1), date(2026, 12, 1))
_serial = iter(range(2000, 9000))


@pytest.fixture
def rule(db, union_admin):
    return subsidy.set_rule(db, actor=union_admin, year=2026, kind="amount", value=20000, budget=1_000_000, now=NOW)


@pytest.fixture
def confirmed_order(db, make_order, make_member, enterprise_admin, provider_admin):
    """``confirmed_order(members=2, others=1)`` — an order confirmed at NOW with that roster (members
    are verified: they get the union's subsidy)."""

    def make(*, members: int = 2, others: int = 1, **class_values):
        order = make_order(seats=members + others, **class_values)
        people = [make_member() for _ in range(members)] + [None] * others
        for n, user in enumerate(people):
            number = id_number(next(_serial))
            db.add(RosterEntry(order_id=order.id, name=user.name if user else f"员工{n}", phone="",
                               id_number_cipher=vault().encrypt(number), id_number_hash=vault().lookup_hash(number),
                               id_last4=number[-4:], user_id=user.id if user else None,
                               match=RosterMatch.MEMBER if user else RosterMatch.INVITED))
        db.flush()
        ordering.submit_order(db, actor=enterprise_admin, order_id=order.id, now=NOW)
        ordering.confirm_order(db, actor=provider_admin, order_id=order.id, now=NOW)
        return order

    return make


def _complete(db, order, *, at):
    ids = select(RosterEntry.enrollment_id).where(RosterEntry.order_id == order.id)
    db.execute(update(Enrollment).where(Enrollment.id.in_(ids))
               .values(status=EnrollmentStatus.COMPLETED, completed_at=at))
    db.flush()


def test_stats_orders_counts_trained_employees_and_subsidy(db, rule, confirmed_order, enterprise_admin):
    done = confirmed_order(members=2, others=1, city="三亚")
    assert done.subsidy_amount == 2 * 20000
    _complete(db, done, at=NOW + timedelta(days=20))          # December (Asia/Shanghai)
    open_one = confirmed_order(members=1, others=0)            # not completed yet: only its subsidy counts
    cancelled = confirmed_order(members=3, others=0)
    ordering.cancel_order(db, actor=enterprise_admin, order_id=cancelled.id, reason="停工", now=NOW)
    db.flush()
    later = NOW + timedelta(days=30)
    with count_queries(db) as statements:
        rows = stats_orders(db, now=later)
    assert len(statements) == 10                             # 2 metrics x 5 breakdowns, grouped
    figures = {(r["month"], r["metric"], r["dimension"], r.get(r["dimension"], "")): r["value"] for r in rows}
    assert figures[(date(2026, 12, 1), "orders_trained", "", "")] == 2   # the enrollments the roster made
    assert figures[(date(2026, 11, 1), "subsidy", "", "")] == done.subsidy_amount + open_one.subsidy_amount
    assert figures[(date(2026, 11, 1), "subsidy", "enterprise", "海南电网")] == 60000
    assert figures[(date(2026, 11, 1), "subsidy", "provider", "海南省电力学校")] == 60000
    assert figures[(date(2026, 12, 1), "orders_trained", "city", "三亚")] == 2
    assert figures[(date(2026, 12, 1), "orders_trained", "enterprise", "海南电网")] == 2
    assert sum(v for (m, metric, d, _k), v in figures.items() if metric == "orders_trained" and d == "kind") == 2
    # before the completions, nothing was trained through orders yet
    assert not [r for r in stats_orders(db, now=NOW + timedelta(days=1)) if r["metric"] == "orders_trained"]


def test_dashboard_shows_orders_figures_after_a_rebuild(app, db, rule, confirmed_order, make_user):
    order = confirmed_order(members=2, others=0)
    _complete(db, order, at=NOW + timedelta(days=2))
    rebuild_stats(db, now=NOW + timedelta(days=3))
    totals = dash.totals(db, YEAR)
    assert totals["orders_trained"] == 2 and totals["subsidy"] == 40000
    by_enterprise = {r.key: r.values for r in dash.breakdown(db, YEAR, "enterprise")}
    assert by_enterprise["海南电网"]["orders_trained"] == 2 and by_enterprise["海南电网"]["subsidy"] == 40000
    client = app.test_client()
    sign_in(client, make_user(Role.UNION_ADMIN))
    html = client.get("/records/dashboard?from=2026-01&to=2026-12&by=enterprise").get_data(as_text=True)
    assert 'data-test="orders-trained">2<' in html and 'data-test="subsidy">' in html
    assert "400.00" in html
