"""Finding 5 (catalog side): prices and dates no class can have are 422, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.access import Role
from tests.conftest import bearer


@pytest.fixture
def class_body(now):
    starts = (now + timedelta(days=20)).date()
    return {"title": "第一期", "mode": "online", "starts_on": starts.isoformat(),
            "ends_on": (starts + timedelta(days=7)).isoformat(),
            "enroll_opens_at": (now - timedelta(days=1)).isoformat(),
            "enroll_closes_at": f"{starts.isoformat()}T00:00:00+08:00", "capacity": 40, "price": 128000}


@pytest.mark.parametrize("field, value", [
    ("price", 1e30), ("price", 2**63), ("member_price", 2**63), ("capacity", 2**63),
    ("starts_on", "9999-12-31"), ("ends_on", "9999-12-31"), ("enroll_opens_at", "0001-01-01T00:00:00+08:00"),
    ("enroll_closes_at", "9999-12-31T23:59:59+08:00"), ("instructor_id", 2**63),
])
def test_class_values_out_of_range_are_422(client, make_user, provider, make_course, class_body, field, value):
    admin = bearer(make_user(Role.PROVIDER_ADMIN, org=provider))
    course = make_course()
    response = client.post(f"/api/v1/courses/{course.id}/classes", headers=admin, json={**class_body, field: value})
    assert response.status_code == 422, response.json
    assert response.json["error"]["field"] in (field, "ends_on")
    assert client.post(f"/api/v1/courses/{course.id}/classes", headers=admin, json=class_body).status_code == 201


def test_service_refuses_year_9999_and_absurd_prices(db, make_user, provider, make_class):
    from app.errors import Invalid
    from courses.services import shelf

    admin = make_user(Role.PROVIDER_ADMIN, org=provider)
    training_class = make_class()
    for changes in ({"ends_on": training_class.ends_on.replace(year=9999)}, {"price": 10**15}):
        with pytest.raises(Invalid):
            shelf.update_class(db, actor=admin, class_id=training_class.id, changes=changes,
                               now=training_class.enroll_opens_at)
