"""The pages of enterprise orders, as each role: the journey by forms, and nobody sees another's."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from app.access import Role
from app.auth.models import OutboxMessage
from orders.models import Order, OrderStatus, TrainingDemand
from tests.conftest import csrf_token, sign_in
from tests.orders.conftest import id_number


def post(client, path, data=None, page="/", **kwargs):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **(data or {})}, **kwargs)


def test_enterprise_posts_provider_quotes_enterprise_accepts_and_uploads(app, db, enterprise_admin, union_admin,
                                                                        provider, provider_admin, make_class,
                                                                        make_course):
    enterprise = app.test_client()
    sign_in(enterprise, enterprise_admin)
    assert enterprise.get("/orders/enterprise").status_code == 200
    form = {"kind": "training", "skill": "配电线路检修", "headcount": "3", "mode": "offline", "city": "海口",
            "budget": "3000", "action": "publish"}
    response = post(enterprise, "/orders/demands/new", form, page="/orders/demands/new")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    demand = db.scalar(select(TrainingDemand).order_by(TrainingDemand.id.desc()))
    assert demand.status == "published" and demand.budget == 300000
    union = app.test_client()
    sign_in(union, union_admin)
    page = union.get(f"/orders/demands/{demand.id}").get_data(as_text=True)
    assert "direct" in page
    post(union, f"/orders/demands/{demand.id}/direct", {"organization_ids": [str(provider.id)]})
    supplier = app.test_client()
    sign_in(supplier, provider_admin)
    assert demand.title in supplier.get("/orders/provider").get_data(as_text=True)
    tc = make_class(course=make_course(), capacity=10, price=50000)
    sent = post(supplier, f"/orders/demands/{demand.id}/quote", {
        "price_per_person": "900", "course_id": str(tc.course_id), "class_id": str(tc.id), "mode": "offline",
        "inclusions": ["materials", "exam_fee"], "valid_until": "2099-01-01", "cancel_fee_pct": "10"})
    assert sent.status_code == 302
    compare = enterprise.get(f"/orders/demands/{demand.id}").get_data(as_text=True)
    assert "¥900.00" in compare and "¥2,700.00" in compare
    quote_id = int(re.search(r"/orders/quotes/(\d+)/accept", compare).group(1))
    post(enterprise, f"/orders/quotes/{quote_id}/ask", {"body": "可以周末上课吗？"})
    assert "可以周末上课吗？" in supplier.get(f"/orders/demands/{demand.id}").get_data(as_text=True)
    accepted = post(enterprise, f"/orders/quotes/{quote_id}/accept")
    order = db.scalar(select(Order).where(Order.demand_id == demand.id))
    assert accepted.headers["Location"].endswith(f"/orders/{order.id}")
    csv = f"姓名,手机号,身份证号,部门\n王五,13800002222,{id_number(3)},运检部\n错号,13800002223,{id_number(4, valid=False)},运检部\n"
    uploaded = post(enterprise, f"/orders/{order.id}/roster", {"file": (io.BytesIO(csv.encode()), "花名册.csv")},
                    content_type="multipart/form-data")
    assert uploaded.status_code == 302
    html = enterprise.get(uploaded.headers["Location"]).get_data(as_text=True)
    assert "outcome-invited" in html and "outcome-rejected" in html and id_number(3) not in html
    assert db.query(OutboxMessage).filter_by(recipient="+8613800002222").count() == 1
    post(enterprise, f"/orders/{order.id}/submit", {"pay_method": "online"})
    post(supplier, f"/orders/{order.id}/confirm")
    db.refresh(order)
    assert order.status == OrderStatus.CONFIRMED
    for path in (f"/orders/{order.id}", f"/orders/{order.id}/progress", f"/orders/{order.id}/summary"):
        assert enterprise.get(path).status_code == 200
    export = enterprise.get(f"/orders/{order.id}/progress.xlsx")
    assert export.status_code == 200 and export.data[:2] == b"PK"


def test_nobody_else_sees_an_order_or_a_demand(app, db, make_order, make_user, make_demand):
    order, demand = make_order(), make_demand()
    for role in (Role.ENTERPRISE_ADMIN, Role.PROVIDER_ADMIN):
        stranger = app.test_client()
        sign_in(stranger, make_user(role))
        for path in (f"/orders/{order.id}", f"/orders/{order.id}/progress", f"/orders/{order.id}/progress.xlsx",
                     f"/orders/{order.id}/summary", f"/orders/demands/{demand.id}"):
            assert stranger.get(path).status_code == 404, (role, path)
    worker = app.test_client()
    sign_in(worker, make_user(Role.WORKER))
    assert worker.get(f"/orders/{order.id}").status_code == 403
    assert app.test_client().get(f"/orders/{order.id}").status_code == 302


def test_course_page_shows_the_provider_rating_and_order_button(app, db, make_order, enterprise_admin,
                                                                provider_admin, make_class):
    from orders.services import ordering
    from tests.orders.conftest import NOW

    order = make_order(seats=1)
    db.execute(Order.__table__.update().where(Order.id == order.id).values(status="delivered"))
    ordering.accept_delivery(db, actor=enterprise_admin, order_id=order.id, rating=4, now=NOW)
    client = app.test_client()
    sign_in(client, enterprise_admin)
    html = client.get(f"/courses/{order.course_id}").get_data(as_text=True)
    assert "★★★★☆" in html and f"/orders/courses/{order.course_id}/order" in html


def test_the_union_desk_and_the_provider_settlement(app, db, union_admin, provider_admin):
    union = app.test_client()
    sign_in(union, union_admin)
    assert union.get("/orders/union").status_code == 200
    saved = post(union, "/orders/union/subsidy", {"year": "2026", "kind": "amount", "value": "300", "budget": "50000"})
    assert saved.status_code == 302
    from orders.models import SubsidyRule

    rule = db.scalar(select(SubsidyRule))
    assert (rule.value, rule.budget) == (30000, 5000000)
    supplier = app.test_client()
    sign_in(supplier, provider_admin)
    assert supplier.get("/orders/provider/settlement").status_code == 200
