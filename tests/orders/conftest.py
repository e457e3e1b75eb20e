"""Factories of the orders domain (and the catalog's, reused): enterprises, demands, quotes, orders."""

from __future__ import annotations

import itertools

import pytest

from app.access import Role
from app.auth.models import OrgKind
from app.membership.idnumber import check_char
from orders.services import demands, ordering
from tests.courses import conftest as catalog
from tests.courses.conftest import NOW

# The catalog's factories, reused as fixtures of this folder.
industry, make_class, make_course, make_enrollment = (catalog.industry, catalog.make_class, catalog.make_course,
                                                      catalog.make_enrollment)
make_lesson, make_member, now, provider = catalog.make_lesson, catalog.make_member, catalog.now, catalog.provider

_n = itertools.count(1)


def id_number(serial: int, *, valid: bool = True) -> str:
    """A well-formed resident ID number (Haikou, born 1990-03-07) with a unique serial."""
    first17 = f"4601{(serial // 1000) % 100:02d}19900307{serial % 1000:03d}"
    check = check_char(first17)
    if not valid:
        check = "0" if check != "0" else "1"
    return first17 + check


@pytest.fixture
def enterprise(make_org):
    return make_org(OrgKind.ENTERPRISE, name="海南电网")


@pytest.fixture
def enterprise_admin(make_user, enterprise):
    return make_user(Role.ENTERPRISE_ADMIN, org=enterprise)


@pytest.fixture
def provider_admin(make_user, provider):
    return make_user(Role.PROVIDER_ADMIN, org=provider)


@pytest.fixture
def union_admin(make_user, make_org):
    return make_user(Role.UNION_ADMIN, org=make_org(OrgKind.UNION, name="海南省总工会"))


DEMAND = {"title": "配电线路工培训", "skill": "配电线路检修", "certificate_type": "电工证", "headcount": 40,
          "city": "海口", "venue_preference": "企业培训中心", "mode": "offline", "preferred_start": "2026-12-10",
          "preferred_end": "2026-12-14", "budget": 4000000, "notes": "周末为主"}


@pytest.fixture
def make_demand(db, enterprise_admin, union_admin):
    """A published demand directed to the given providers (default: none)."""

    def make(*, actor=None, to=(), publish=True, **values):
        demand = demands.create_demand(db, actor=actor or enterprise_admin, values={**DEMAND, **values}, now=NOW,
                                       publish=publish)
        if to:
            demands.direct_demand(db, actor=union_admin, demand_id=demand.id, organization_ids=[o.id for o in to],
                                  now=NOW)
        return demand

    return make


@pytest.fixture
def make_quote(db, make_user):
    def make(demand, org, *, admin=None, **values):
        admin = admin or make_user(Role.PROVIDER_ADMIN, org=org)
        return demands.submit_quote(db, actor=admin, demand_id=demand.id, organization_id=org.id,
                                    values={"price_per_person": 80000, "valid_until": "2026-12-31",
                                            "inclusions": ["materials", "exam_fee"], "instructors": "王师傅",
                                            **values}, now=NOW)

    return make


@pytest.fixture
def make_order(db, enterprise_admin, make_class):
    """A draft order for ``seats`` seats straight in a class (a new one unless given)."""

    def make(*, seats=5, training_class=None, actor=None, **class_values):
        training_class = training_class or make_class(**{"capacity": 30, "price": 50000, **class_values})
        return ordering.order_class(db, actor=actor or enterprise_admin, class_id=training_class.id, seats=seats,
                                    now=NOW)

    return make


@pytest.fixture(autouse=True)
def _edges_on_the_tests_clock(app):
    """Every factory here dates things from the fixed NOW: pages and API calls see the same clock
    (the suite also runs with the process clock moved a year ahead or back)."""
    app.config["CLOCK"] = lambda: NOW
    yield NOW
    app.config.pop("CLOCK", None)
