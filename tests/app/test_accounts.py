"""Accounts: sign-up, sign-in, passwords, reset links, organizations, invitations."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.access import Role
from app.auth import services
from app.auth.models import Invitation, OrgKind, OrgStatus, OutboxMessage, User
from app.db import utcnow
from app.errors import Conflict, Forbidden, Invalid
from tests.conftest import TEST_PASSWORD, csrf_token, post_form, sign_in, sign_up_link

SECRET = "test-secret-key-not-for-production"


def test_register_by_phone_normalises_and_grants_worker(db):
    user = services.register_user(db, name="张三", password="Mango-2026-abc", phone="138 0013 8000")
    assert user.phone == "+8613800138000"
    assert user.roles == {Role.WORKER}
    assert user.password_hash.startswith("$argon2id$")


def test_register_by_email(db):
    user = services.register_user(db, name="李四", password="Mango-2026-abc", email="Li.Si@Example.COM")
    assert user.email == "li.si@example.com"


@pytest.mark.parametrize("kwargs, field", [
    ({"phone": "12345"}, "phone"),
    ({"email": "not-an-email"}, "email"),
    ({}, "phone"),
    ({"phone": "13800138000", "password": "short1"}, "password"),
    ({"phone": "13800138000", "password": "1234567890"}, "password"),
    ({"phone": "13800138000", "name": "  "}, "name"),
])
def test_register_rejects_bad_input_with_the_field(db, kwargs, field):
    args = {"name": "王五", "password": "Mango-2026-abc", **kwargs}
    with pytest.raises(Invalid) as info:
        services.register_user(db, **args)
    assert info.value.field == field


def test_register_twice_is_a_conflict(db):
    services.register_user(db, name="甲", password="Mango-2026-abc", phone="13800138000")
    with pytest.raises(Conflict) as info:
        services.register_user(db, name="乙", password="Mango-2026-abc", phone="+86 138-0013-8000")
    assert info.value.code == "account_taken"


def test_authenticate_by_phone_or_email_and_same_error_for_unknown(db):
    user = services.register_user(db, name="甲", password="Mango-2026-abc", phone="13800138000", email="a@example.com")
    assert services.authenticate(db, account="13800138000", password="Mango-2026-abc", now=utcnow()) is user
    assert services.authenticate(db, account="A@example.com", password="Mango-2026-abc", now=utcnow()) is user
    with pytest.raises(services.InvalidCredentials) as wrong:
        services.authenticate(db, account="13800138000", password="wrong-pass", now=utcnow())
    with pytest.raises(services.InvalidCredentials) as unknown:
        services.authenticate(db, account="13900000000", password="Mango-2026-abc", now=utcnow())
    assert wrong.value.message == unknown.value.message


def test_change_password_bumps_credentials_version(db):
    user = services.register_user(db, name="甲", password="Mango-2026-abc", phone="13800138000")
    with pytest.raises(Invalid):
        services.change_password(db, actor=user, current_password="nope", new_password="Newpass-2026!")
    services.change_password(db, actor=user, current_password="Mango-2026-abc", new_password="Newpass-2026!")
    assert user.credentials_version == 2
    assert services.authenticate(db, account="13800138000", password="Newpass-2026!", now=utcnow())


def test_password_reset_link_is_single_use_and_time_limited(db):
    user = services.register_user(db, name="甲", password="Mango-2026-abc", email="a@example.com")
    links = []
    services.request_password_reset(db, account="a@example.com", secret_key=SECRET, reset_url=lambda t: links.append(t) or t)
    assert len(links) == 1
    message = db.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "a@example.com"))
    assert links[0] in message.body
    services.reset_password(db, token=links[0], new_password="brandnew123", secret_key=SECRET, max_age=3600)
    with pytest.raises(Invalid) as reused:
        services.reset_password(db, token=links[0], new_password="Again-2026-xyz", secret_key=SECRET, max_age=3600)
    assert reused.value.code == "bad_token"
    services.request_password_reset(db, account="a@example.com", secret_key=SECRET, reset_url=lambda t: links.append(t) or t)
    with pytest.raises(Invalid):  # expired: max_age in the past
        services.reset_password(db, token=links[1], new_password="Again-2026-xyz", secret_key=SECRET, max_age=-1)
    assert user.credentials_version == 2


def test_password_reset_for_unknown_account_sends_nothing(db):
    links = []
    services.request_password_reset(db, account="ghost@example.com", secret_key=SECRET, reset_url=lambda t: links.append(t) or t)
    assert links == []


def test_credit_code_check_character():
    assert services.normalize_credit_code("91460000735805621u") == "91460000735805621U"
    with pytest.raises(Invalid):
        services.normalize_credit_code("91460000735805621A")


def test_organization_waits_for_union_approval(db, make_user):
    admin = make_user(Role.UNION_ADMIN)
    owner = make_user(Role.WORKER)
    org = services.register_organization(db, actor=owner, kind=OrgKind.ENTERPRISE, name="海南某企业",
                                         credit_code="91460000735805621U")
    assert org.status == OrgStatus.PENDING and owner.has_role(Role.ENTERPRISE_ADMIN)
    with pytest.raises(Forbidden) as info:
        services.require_approved_org(owner, Role.ENTERPRISE_ADMIN)
    assert info.value.code == "org_not_approved"
    with pytest.raises(Invalid):
        services.decide_organization(db, actor=admin, org_id=org.id, approve=False, note="", now=utcnow())
    services.decide_organization(db, actor=admin, org_id=org.id, approve=True, note="", now=utcnow())
    assert services.require_approved_org(owner, Role.ENTERPRISE_ADMIN) is org


def test_invitation_grants_role_once_and_expires(db, make_user, make_org):
    org = make_org(OrgKind.PROVIDER)
    admin = make_user(Role.PROVIDER_ADMIN, org=org)
    teacher = make_user(Role.WORKER, email="t@example.com")
    now = utcnow()
    urls = []
    invitation = services.invite_staff(db, actor=admin, org_id=org.id, contact="t@example.com",
                                       role=Role.INSTRUCTOR, now=now, ttl_days=14,
                                       invite_url=lambda t: urls.append(t) or f"/invitations/{t}")
    assert invitation.token_hash != urls[0]  # only a hash is stored
    services.accept_invitation(db, actor=teacher, token=urls[0], now=now)
    assert org.id in teacher.org_ids(Role.INSTRUCTOR)
    with pytest.raises(Conflict):
        services.accept_invitation(db, actor=teacher, token=urls[0], now=now)
    services.invite_staff(db, actor=admin, org_id=org.id, contact="13800138000", role=Role.INSTRUCTOR, now=now,
                          ttl_days=14, invite_url=lambda t: urls.append(t) or "x")
    with pytest.raises(Conflict) as expired:
        services.get_invitation(db, token=urls[1], now=now + timedelta(days=15))
    assert expired.value.code == "invitation_expired"


def test_invite_refuses_roles_outside_the_organization_kind(db, make_user, make_org):
    org = make_org(OrgKind.ENTERPRISE)
    admin = make_user(Role.ENTERPRISE_ADMIN, org=org)
    with pytest.raises(Invalid):
        services.invite_staff(db, actor=admin, org_id=org.id, contact="a@example.com", role=Role.INSTRUCTOR,
                              now=utcnow(), ttl_days=1, invite_url=str)


def test_only_admins_of_that_org_invite(db, make_user, make_org):
    org = make_org(OrgKind.PROVIDER)
    outsider = make_user(Role.PROVIDER_ADMIN)  # admin of another provider
    with pytest.raises(Forbidden):
        services.invite_staff(db, actor=outsider, org_id=org.id, contact="a@example.com", role=Role.INSTRUCTOR,
                              now=utcnow(), ttl_days=1, invite_url=str)


# --- through HTTP ---------------------------------------------------------------------------

def test_signup_sign_in_sign_out_pages(client, db):
    response = post_form(client, "/signup", {"name": "赵六", "phone": "13800138001", "password": "Mango-2026-abc",
                                             "confirm": "Mango-2026-abc"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/account").status_code == 302, "no account until the link is opened"
    link = sign_up_link(db, "+8613800138001")
    assert client.get(link).status_code == 200
    response = post_form(client, link)
    assert response.status_code == 302 and response.headers["Location"].endswith("/membership")
    assert client.get("/account").status_code == 200
    assert post_form(client, "/logout").status_code == 302
    assert client.get("/account").status_code == 302
    response = post_form(client, "/login", {"account": "13800138001", "password": "Mango-2026-abc"})
    assert response.status_code == 302


def test_signup_errors_are_shown_on_the_form(client):
    response = post_form(client, "/signup", {"name": "赵六", "phone": "123", "password": "Mango-2026-abc",
                                             "confirm": "Mango-2026-abc"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_forms_without_csrf_token_are_refused(client):
    response = client.post("/login", data={"account": "13800138001", "password": "Mango-2026-abc"})
    assert response.status_code == 400


def test_login_is_rate_limited_after_repeated_failures(client, make_user):
    user = make_user(Role.WORKER)
    token = csrf_token(client)
    statuses = [client.post("/login", data={"csrf_token": token, "account": user.phone, "password": "wrong"}).status_code
                for _ in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429


def test_successful_logins_are_not_counted_against_the_limit(client, make_user):
    user = make_user(Role.WORKER)
    for _ in range(7):
        sign_in(client, user)


def test_next_parameter_cannot_redirect_elsewhere(client, make_user):
    user = make_user(Role.WORKER)
    response = post_form(client, "/login?next=https://evil.example/", {"account": user.phone, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/"


def test_password_change_page(client, make_user, db):
    user = make_user(Role.WORKER)
    sign_in(client, user)
    response = post_form(client, "/account", {"current_password": TEST_PASSWORD, "new_password": "Changed-2026-pw",
                                              "confirm": "Changed-2026-pw"})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(User, user.id).credentials_version == 2


def test_forgot_password_page_sends_link_that_resets(client, make_user, db):
    user = make_user(Role.WORKER, email="reset@example.com")
    post_form(client, "/password/forgot", {"account": "reset@example.com"})
    body = db.scalar(select(OutboxMessage.body).where(OutboxMessage.recipient == "reset@example.com"))
    path = body[body.index("/password/reset/"):].split()[0]
    response = post_form(client, path, {"new_password": "fresh-pass1", "confirm": "fresh-pass1"})
    assert response.status_code == 302
    sign_in(client, user, password="fresh-pass1")


def test_register_organization_and_union_approval_pages(client, make_user, db):
    owner = make_user(Role.WORKER)
    sign_in(client, owner)
    response = post_form(client, "/organizations/new", {"kind": "provider", "name": "三亚职业培训学校",
                                                        "credit_code": "", "city": "三亚"})
    assert response.status_code == 302
    org_path = response.headers["Location"]
    assert client.get(org_path).status_code == 200
    admin = make_user(Role.UNION_ADMIN)
    client2 = client.application.test_client()
    sign_in(client2, admin)
    page = client2.get("/admin/organizations").get_data(as_text=True)
    assert "三亚职业培训学校" in page
    org_id = int(org_path.rsplit("/", 1)[1])
    assert post_form(client2, f"/admin/organizations/{org_id}/approve", {"note": ""}).status_code == 302
    assert f"/admin/organizations/{org_id}/approve" not in client2.get("/admin/organizations").get_data(as_text=True)


def test_org_page_of_another_org_is_not_found(client, make_user, make_org):
    mine = make_user(Role.PROVIDER_ADMIN)
    other = make_org(OrgKind.PROVIDER)
    sign_in(client, mine)
    assert client.get(f"/organizations/{other.id}").status_code == 404


def test_invite_and_accept_through_pages(client, make_user, make_org, db):
    org = make_org(OrgKind.PROVIDER)
    admin = make_user(Role.PROVIDER_ADMIN, org=org)
    sign_in(client, admin)
    assert post_form(client, f"/organizations/{org.id}", {"contact": "new@example.com", "role": "instructor"}).status_code == 302
    invitation = db.scalar(select(Invitation).where(Invitation.contact == "new@example.com"))
    body = db.scalar(select(OutboxMessage.body).where(OutboxMessage.recipient == "new@example.com"))
    path = body[body.index("/invitations/"):].split()[0]
    teacher = make_user(Role.WORKER, email="new@example.com")
    other = client.application.test_client()
    assert other.get(path).status_code == 200
    sign_in(other, teacher)
    assert post_form(other, path).status_code == 302
    db.expire_all()
    assert db.get(Invitation, invitation.id).accepted_by_id == teacher.id


def test_outbox_page_lists_messages_for_union_admins(client, make_user, db):
    services.request_password_reset(db, account=make_user(Role.WORKER, email="o@example.com").email,
                                    secret_key=SECRET, reset_url=lambda t: "link")
    sign_in(client, make_user(Role.UNION_ADMIN))
    assert "o@example.com" in client.get("/admin/outbox").get_data(as_text=True)
