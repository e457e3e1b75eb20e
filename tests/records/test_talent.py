"""The talent pool: consent, what enterprises see, search, contact through the platform, the
access log, and a privacy walk over everything an enterprise can reach."""

from __future__ import annotations

import json

import pytest

from app.access import Role
from app.auth.models import OrgKind, OrgStatus
from records.models import ConsentRecord, ContactStatus, TalentAccess
from records.services.talent import CONSENT_VERSION, PoolChoice, set_pool_choice
from tests.conftest import bearer, post_form, sign_in
from tests.records.conftest import NOW

CERT = {"number": "HN-2026-7", "token": "tok7", "type": "特种作业操作证（低压电工作业）", "level": "初级", "status": "valid",
        "valid_from": "2026-01-01", "valid_until": "2032-01-01", "issuer": "海南省总工会", "ours": True}


@pytest.fixture
def enterprise(make_user):
    return make_user(Role.ENTERPRISE_ADMIN)


def join(client, member, **values):
    body = {"listed": True, "trades": ["低压电工"], "consent_version": CONSENT_VERSION, **values}
    return client.put("/api/v1/me/talent-pool", json=body, headers=bearer(member))


def test_opting_in_needs_the_current_consent_and_records_its_wording(client, db, make_member, facts):
    member = make_member()
    refused = client.put("/api/v1/me/talent-pool", json={"listed": True}, headers=bearer(member))
    assert refused.status_code == 422 and refused.json["error"]["field"] == "consent_version"
    shown = client.get("/api/v1/me/talent-pool", headers=bearer(member)).json
    assert shown["listed"] is False and shown["consent_version"] == CONSENT_VERSION
    answer = join(client, member, show_city=True, city="海口")
    assert answer.status_code == 200 and answer.json["listed"] is True
    assert answer.json["card"] == {"trades": ["低压电工"], "certificates": [], "city": "海口"}
    [consent] = db.query(ConsentRecord).filter_by(user_id=member.id).all()
    assert consent.action == "opt_in" and consent.shown_fields == ["trades", "certificates", "city"]
    assert "city" in consent.wording and "ID number" in consent.wording and consent.created_at is not None


def test_search_finds_by_skill_certificate_level_and_city(client, db, make_member, enterprise, facts):
    a, b = make_member(), make_member()
    facts[("certificates", a.id)] = [CERT]
    assert join(client, a, show_city=True, city="海口").status_code == 200
    assert join(client, b, trades=["焊工"], show_city=False, city="三亚").status_code == 200

    def found(**query):
        answer = client.get("/api/v1/talent", query_string=query, headers=bearer(enterprise))
        assert answer.status_code == 200, answer.json
        return answer.json["total"]

    assert found() == 2
    assert found(skill="电工") == 1 and found(skill="焊工") == 1
    assert found(certificate_type="低压电工作业") == 1 and found(level="初级") == 1
    assert found(city="海口") == 1
    assert found(city="三亚") == 0          # b did not choose to show the city: it cannot be searched either


def test_a_revoked_certificate_leaves_the_card_when_cards_refresh(client, db, make_member, enterprise, facts):
    from records.services.talent import refresh_cards

    member = make_member()
    facts[("certificates", member.id)] = [CERT]
    join(client, member)
    facts[("certificates", member.id)] = [{**CERT, "status": "revoked"}]
    refresh_cards(db, now=NOW)
    answer = client.get("/api/v1/talent", query_string={"certificate_type": "低压电工"}, headers=bearer(enterprise))
    assert answer.json["total"] == 0


def test_withdrawing_hides_the_member_at_once(client, db, make_member, enterprise, facts):
    member = make_member()
    talent_id = join(client, member).json and client.get("/api/v1/talent", headers=bearer(enterprise)).json[
        "items"][0]["id"]
    asked = client.post(f"/api/v1/talent/{talent_id}/contact-requests", json={"message": "您好"},
                        headers=bearer(enterprise))
    assert asked.status_code == 201
    assert client.put("/api/v1/me/talent-pool", json={"listed": False}, headers=bearer(member)).status_code == 200
    assert client.get("/api/v1/talent", headers=bearer(enterprise)).json["total"] == 0
    assert client.get(f"/api/v1/talent/{talent_id}", headers=bearer(enterprise)).status_code == 404
    assert client.get("/api/v1/talent/contact-requests", headers=bearer(enterprise)).json["items"] == []
    assert client.post(f"/api/v1/talent/{talent_id}/contact-requests", json={},
                       headers=bearer(enterprise)).status_code == 404
    actions = [c.action for c in db.query(ConsentRecord).filter_by(user_id=member.id).order_by(ConsentRecord.id)]
    assert actions == ["opt_in", "withdraw"]


def test_contact_details_are_shared_only_after_the_member_accepts(client, db, make_member, enterprise, facts):
    member = make_member()
    join(client, member)
    talent_id = client.get("/api/v1/talent", headers=bearer(enterprise)).json["items"][0]["id"]
    request_id = client.post(f"/api/v1/talent/{talent_id}/contact-requests", json={"message": "招聘电工"},
                             headers=bearer(enterprise)).json["id"]
    [sent] = client.get("/api/v1/talent/contact-requests", headers=bearer(enterprise)).json["items"]
    assert sent["status"] == "pending" and sent["name"] is None and sent["contact"] is None
    again = client.post(f"/api/v1/talent/{talent_id}/contact-requests", json={}, headers=bearer(enterprise))
    assert again.status_code == 409
    # nobody but the member answers
    assert client.post(f"/api/v1/me/contact-requests/{request_id}/accept",
                       headers=bearer(make_member())).status_code == 404
    assert client.post(f"/api/v1/me/contact-requests/{request_id}/accept", headers=bearer(member)).status_code == 200
    [sent] = client.get("/api/v1/talent/contact-requests", headers=bearer(enterprise)).json["items"]
    assert (sent["status"], sent["name"], sent["contact"]) == ("accepted", member.name, member.phone)
    assert client.post(f"/api/v1/me/contact-requests/{request_id}/decline",
                       headers=bearer(member)).status_code == 409


def test_a_declined_request_shares_nothing(client, db, make_member, enterprise, facts):
    member = make_member()
    join(client, member)
    talent_id = client.get("/api/v1/talent", headers=bearer(enterprise)).json["items"][0]["id"]
    request_id = client.post(f"/api/v1/talent/{talent_id}/contact-requests", json={},
                             headers=bearer(enterprise)).json["id"]
    client.post(f"/api/v1/me/contact-requests/{request_id}/decline", headers=bearer(member))
    [sent] = client.get("/api/v1/talent/contact-requests", headers=bearer(enterprise)).json["items"]
    assert sent["status"] == ContactStatus.DECLINED and sent["contact"] is None


def test_every_search_and_view_is_logged_and_the_member_sees_who_looked(client, db, make_member, enterprise, facts):
    member = make_member()
    join(client, member)
    talent_id = client.get("/api/v1/talent", query_string={"skill": "电工"}, headers=bearer(enterprise)).json[
        "items"][0]["id"]
    client.get(f"/api/v1/talent/{talent_id}", headers=bearer(enterprise))
    client.get("/api/v1/talent", query_string={"skill": "木工"}, headers=bearer(enterprise))
    log = db.query(TalentAccess).order_by(TalentAccess.id).all()
    assert [(x.action, x.profile_id, x.query) for x in log] == [
        ("search", talent_id, {"skill": "电工"}), ("view", talent_id, {}), ("search", None, {"skill": "木工"})]
    visitors = client.get("/api/v1/me/talent-pool", headers=bearer(member)).json["visitors"]
    org_name = enterprise.grants[-1].organization.name if enterprise.grants[-1].organization else None
    assert {(v["organization"], v["action"], v["times"]) for v in visitors} == {(org_name, "search", 1),
                                                                                (org_name, "view", 1)}


def test_only_approved_enterprise_admins_search(client, db, make_member, make_user, make_org, facts):
    pending = make_user(Role.ENTERPRISE_ADMIN, org=make_org(OrgKind.ENTERPRISE, status=OrgStatus.PENDING))
    assert client.get("/api/v1/talent", headers=bearer(pending)).status_code == 403
    assert client.get("/api/v1/talent", headers=bearer(make_member())).status_code == 403
    assert client.get("/api/v1/talent").status_code == 401
    assert client.get("/api/v1/talent?per_page=1000", headers=bearer(make_user(Role.ENTERPRISE_ADMIN))).status_code == 422


def test_pool_pages_journey(app, db, make_member, enterprise, facts):
    member = make_member()
    facts[("certificates", member.id)] = [CERT]
    worker = app.test_client()
    sign_in(worker, member)
    page = worker.get("/records/talent-pool").get_data(as_text=True)
    assert "Join the talent pool" in page and "ID number" in page
    joined = post_form(worker, "/records/talent-pool", {"show_trades": "y", "trades": "低压电工，配电", "show_certificates": "y",
                                                        "agree": "y", "consent_version": CONSENT_VERSION,
                                                        "consent_fields": "trades,certificates"})
    assert joined.status_code == 302
    boss = app.test_client()
    sign_in(boss, enterprise)
    results = boss.get("/talent?skill=配电").get_data(as_text=True)
    assert "配电" in results and "低压电工作业" in results
    talent_id = int(results.split('data-test="talent-')[1].split('"')[0])
    asked = post_form(boss, f"/talent/{talent_id}", {"message": "欢迎应聘"})
    assert asked.status_code == 302
    mine = worker.get("/records/talent-pool").get_data(as_text=True)
    request_id = int(mine.split('data-test="request-')[1].split('"')[0])
    assert post_form(worker, f"/records/contact-requests/{request_id}/accept").status_code == 302
    assert member.phone in boss.get("/talent/contacts").get_data(as_text=True)


# --- privacy walk ---------------------------------------------------------------------------

def _everything_an_enterprise_reaches(app, client, boss_client, enterprise) -> list[str]:
    """Every page and API answer of the talent pool an enterprise admin can open."""
    client = app.test_client()   # a fresh API client (bearer only, no cookies)
    texts = []
    for path in ("/talent", "/talent?skill=电工", "/talent?city=海口", "/talent/contacts"):
        texts.append(boss_client.get(path).get_data(as_text=True))
    found = client.get("/api/v1/talent", query_string={"per_page": 100}, headers=bearer(enterprise)).json
    assert "items" in found, found
    texts.append(json.dumps(found, ensure_ascii=False))
    for item in found["items"]:
        texts.append(json.dumps(client.get(f"/api/v1/talent/{item['id']}", headers=bearer(enterprise)).json,
                                ensure_ascii=False))
        texts.append(boss_client.get(f"/talent/{item['id']}").get_data(as_text=True))
    texts.append(json.dumps(client.get("/api/v1/talent/contact-requests", headers=bearer(enterprise)).json,
                            ensure_ascii=False))
    # and every other route of the records domain an enterprise admin may call
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if (rule.endpoint.startswith("records") and "GET" in rule.methods and not rule.arguments
                and {"enterprise_admin", "signed_in", "public"} & set(view.access)):
            texts.append(boss_client.get(rule.rule).get_data(as_text=True))
            texts.append(client.get(rule.rule, headers=bearer(enterprise)).get_data(as_text=True))
    return texts


def test_privacy_walk_finds_nothing_unshared_and_nothing_of_those_who_withdrew(app, client, db, make_member,
                                                                                enterprise, facts):
    shy = make_member(name="隐私甲")               # shows trades only; hides certificates, city, experience
    facts[("certificates", shy.id)] = [{**CERT, "number": "SECRET-CERT-1", "type": "秘密证书甲"}]
    join(client, shy, trades=["保密电工"], show_certificates=False, show_city=False, city="保密市",
         show_experience=False, years_experience=17)
    gone = make_member(name="退出乙")
    facts[("certificates", gone.id)] = [{**CERT, "type": "退出者证书"}]
    join(client, gone, trades=["退出者工种"], show_city=True, city="退出城", show_experience=True, years_experience=23)
    gone_id = client.get("/api/v1/talent", query_string={"skill": "退出者工种"}, headers=bearer(enterprise)).json[
        "items"][0]["id"]
    client.post(f"/api/v1/talent/{gone_id}/contact-requests", json={}, headers=bearer(enterprise))
    shy_id = client.get("/api/v1/talent", query_string={"skill": "保密电工"}, headers=bearer(enterprise)).json[
        "items"][0]["id"]
    request_id = client.post(f"/api/v1/talent/{shy_id}/contact-requests", json={},
                             headers=bearer(enterprise)).json["id"]
    client.put("/api/v1/me/talent-pool", json={"listed": False}, headers=bearer(gone))
    boss = app.test_client()
    sign_in(boss, enterprise)

    texts = "\n".join(_everything_an_enterprise_reaches(app, client, boss, enterprise))
    assert "保密电工" in texts                         # what the shy member chose to show is there
    never = ["460100199003071237", "19900307", "1990-03-07", "SECRET-CERT-1", "秘密证书甲", "保密市", ">17<", '"17"',
             shy.name, shy.phone, f"M{shy.id:06d}", "测试工会", "测试企业",
             # nothing at all of the member who withdrew
             gone.name, gone.phone, "退出者工种", "退出者证书", "退出城", f"Candidate #{gone_id}<", f'"talent_id": {gone_id}',
             f'"id": {gone_id}, "card"']
    leaks = [secret for secret in never if secret in texts]
    assert leaks == []

    # once the shy member accepts, the enterprise (and only it) sees name and phone
    client.post(f"/api/v1/me/contact-requests/{request_id}/accept", headers=bearer(shy))
    texts = "\n".join(_everything_an_enterprise_reaches(app, client, boss, enterprise))
    assert shy.phone in texts and "秘密证书甲" not in texts and "保密市" not in texts


def test_set_pool_choice_refuses_a_stale_consent(db, make_member, now):
    from app.errors import Invalid

    with pytest.raises(Invalid):
        set_pool_choice(db, actor=make_member(), choice=PoolChoice(listed=True, consent_version="2020-1"), now=now)


def test_changed_choices_ask_for_consent_to_the_new_text(app, db, make_member):
    """The consent recorded is the text the member read: a form whose choices differ from the
    text shown is sent back with the new text."""
    member = make_member()
    client = app.test_client()
    sign_in(client, member)
    page = post_form(client, "/records/talent-pool", {"show_trades": "y", "show_city": "y", "city": "海口",
                                                      "agree": "y", "consent_version": CONSENT_VERSION,
                                                      "consent_fields": "trades,certificates"})
    assert page.status_code == 200 and "read it and agree again" in page.get_data(as_text=True)
    assert db.query(ConsentRecord).filter_by(user_id=member.id).count() == 0
    done = post_form(client, "/records/talent-pool", {"show_trades": "y", "show_city": "y", "city": "海口",
                                                      "agree": "y", "consent_version": CONSENT_VERSION,
                                                      "consent_fields": "trades,city"})
    assert done.status_code == 302
    [consent] = db.query(ConsentRecord).filter_by(user_id=member.id).all()
    assert consent.shown_fields == ["trades", "city"] and "city" in consent.wording
