"""Studios through HTTP: the API under /api/v1/studios and the pages, per role."""

from __future__ import annotations

from datetime import timedelta

from app.access import Role
from app.auth.models import OrgKind
from studios.models import HelpRequest, StudioStatus
from tests.conftest import bearer, csrf_token, post_form, sign_in
from tests.studios.conftest import TODAY


def test_the_public_list_filters_and_the_public_page(client, make_studio, industry):
    tourism = industry("tourism", "旅游业", "Tourism")
    power = make_studio(name="电力工匠创新工作室", trades=("变电检修",), stars=3)
    make_studio(name="导游工作室", trades=("景区讲解",), industries=[tourism], city="三亚")
    hidden = make_studio(name="申报中工作室", status=StudioStatus.PROPOSED)
    answer = client.get("/api/v1/studios?trade=变电检修")
    assert answer.status_code == 200 and answer.json["total"] == 1
    assert answer.json["items"][0]["name"] == power.name and answer.json["items"][0]["stars"] == 3
    assert [s["name"] for s in client.get("/api/v1/studios?industry=tourism&city=三亚").json["items"]] == ["导游工作室"]
    assert client.get("/api/v1/studios?level=galactic").status_code == 422
    assert client.get("/api/v1/studios?per_page=1000").status_code == 422
    detail = client.get(f"/api/v1/studios/{power.id}").json
    assert detail["leader"]["name"] == power.leader.name and detail["members"][0]["role"] == "leader"
    assert client.get(f"/api/v1/studios/{hidden.id}").status_code == 404
    page = client.get(f"/studios/{power.id}").get_data(as_text=True)
    assert power.name in page and "变电检修" in page
    assert client.get(f"/studios/{hidden.id}").status_code == 404
    listing = client.get("/studios?city=三亚").get_data(as_text=True)
    assert "导游工作室" in listing and power.name not in listing


def test_propose_name_and_edit_through_the_api(client, enterprise, enterprise_admin, union_admin, make_user,
                                               make_org):
    leader = make_user(Role.WORKER, phone="13955556666")
    body = {"name": "海南电网电力工匠创新工作室", "organization_id": enterprise.id, "leader_phone": "13955556666",
            "level": "provincial"}
    assert client.post("/api/v1/studios", json=body, headers=bearer(leader)).status_code == 403
    other = make_org(OrgKind.ENTERPRISE)
    assert client.post("/api/v1/studios", json={**body, "organization_id": other.id},
                       headers=bearer(enterprise_admin)).status_code == 403
    assert client.post("/api/v1/studios", json={**body, "extra": 1}, headers=bearer(enterprise_admin)).status_code == 422
    created = client.post("/api/v1/studios", json=body, headers=bearer(enterprise_admin))
    assert created.status_code == 201 and created.json["status"] == "proposed"
    studio_id = created.json["id"]
    assert client.post(f"/api/v1/studios/{studio_id}/name", json={"level": "city"},
                       headers=bearer(enterprise_admin)).status_code == 403
    named = client.post(f"/api/v1/studios/{studio_id}/name", json={"level": "provincial"}, headers=bearer(union_admin))
    assert named.status_code == 200 and named.json["level"] == "provincial"
    patch = {"summary": "变电检修技术攻关", "trades": ["变电检修", "继电保护"]}
    assert client.patch(f"/api/v1/studios/{studio_id}", json=patch, headers=bearer(enterprise_admin)).status_code == 403
    assert client.patch(f"/api/v1/studios/{studio_id}", json=patch, headers=bearer(union_admin)).status_code == 403
    edited = client.patch(f"/api/v1/studios/{studio_id}", json=patch, headers=bearer(leader))
    assert edited.status_code == 200 and edited.json["trades"] == ["变电检修", "继电保护"]
    patent = client.post(f"/api/v1/studios/{studio_id}/achievements", headers=bearer(leader), json={
        "kind": "patent", "title": "绝缘遮蔽装置", "achieved_on": "2024-06-16", "patent_number": "ZL202321458637.5"})
    assert patent.status_code == 422 and patent.json["error"]["field"] == "patent_number"
    patent = client.post(f"/api/v1/studios/{studio_id}/achievements", headers=bearer(leader), json={
        "kind": "patent", "title": "绝缘遮蔽装置", "achieved_on": "2024-06-16", "patent_number": "ZL202321458637.6"})
    assert patent.status_code == 201 and patent.json["achievements"][0]["patent_number"] == "ZL202321458637.6"


def test_apprenticeships_through_the_api(client, make_studio, make_user):
    master, apprentice, outsider = make_user(Role.WORKER), make_user(Role.WORKER), make_user(Role.WORKER)
    studio = make_studio(members=[master])
    body = {"master_id": master.id, "apprentice_id": apprentice.id, "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + timedelta(days=365)).isoformat(), "goals": "考取高级技师"}
    assert client.post(f"/api/v1/studios/{studio.id}/apprenticeships", json=body,
                       headers=bearer(outsider)).status_code == 403
    assert client.post(f"/api/v1/studios/{studio.id}/apprenticeships", json={**body, "starts_on": "soon"},
                       headers=bearer(master)).status_code == 422
    started = client.post(f"/api/v1/studios/{studio.id}/apprenticeships", json=body, headers=bearer(master))
    assert started.status_code == 201 and started.json["apprentice"]["id"] == apprentice.id
    pairing = started.json["id"]
    note = client.post(f"/api/v1/apprenticeships/{pairing}/notes", json={"body": "完成倒闸操作练习"},
                       headers=bearer(apprentice))
    assert note.status_code == 201 and note.json["notes"][0]["author"]["id"] == apprentice.id
    assert client.get(f"/api/v1/apprenticeships/{pairing}", headers=bearer(outsider)).status_code == 404
    done = client.post(f"/api/v1/apprenticeships/{pairing}/assessment", json={"result": "passed", "assessment": "合格"},
                       headers=bearer(master))
    assert done.status_code == 200 and done.json["status"] == "completed"


def test_help_requests_through_the_api_and_each_enterprise_sees_only_its_own(client, make_studio, make_user,
                                                                              make_org, make_offer):
    airport, grid = make_org(OrgKind.ENTERPRISE, city="海口"), make_org(OrgKind.ENTERPRISE, city="海口")
    airport_admin, grid_admin = (make_user(Role.ENTERPRISE_ADMIN, org=airport),
                                 make_user(Role.ENTERPRISE_ADMIN, org=grid))
    studio = make_studio()
    make_offer(studio)
    asked = client.post("/api/v1/help-requests", headers=bearer(airport_admin), json={
        "organization_id": airport.id, "kind": "technical_service", "title": "配电室放电排查", "trades": ["变电检修"]})
    assert asked.status_code == 201
    request_id = asked.json["id"]
    assert client.post("/api/v1/help-requests", headers=bearer(grid_admin), json={
        "organization_id": airport.id, "kind": "technical_service", "title": "x"}).status_code == 403
    assert client.get(f"/api/v1/help-requests/{request_id}", headers=bearer(grid_admin)).status_code == 404
    assert client.get("/api/v1/help-requests", headers=bearer(grid_admin)).json["total"] == 0
    assert client.get(f"/api/v1/help-requests/{request_id}", headers=bearer(airport_admin)).json["matches"] == []
    seen = client.get(f"/api/v1/help-requests/{request_id}", headers=bearer(studio.leader)).json
    assert seen["matches"][0]["studio"]["id"] == studio.id and seen["matches"][0]["score"] > 0
    proposal = client.post(f"/api/v1/help-requests/{request_id}/proposals", headers=bearer(studio.leader),
                           json={"studio_id": studio.id, "plan": "现场诊断"})
    assert proposal.status_code == 201
    pid = proposal.json["id"]
    assert client.post(f"/api/v1/studio-proposals/{pid}/accept", headers=bearer(grid_admin)).status_code == 404
    assert client.post(f"/api/v1/studio-proposals/{pid}/accept", headers=bearer(airport_admin)).json["status"] == \
        "accepted"
    assert client.post(f"/api/v1/studio-proposals/{pid}/deliver", headers=bearer(studio.leader),
                       json={"note": "已处理"}).json["status"] == "delivered"
    assert client.post(f"/api/v1/studio-proposals/{pid}/complete", headers=bearer(airport_admin),
                       json={"rating": 9}).status_code == 422
    rated = client.post(f"/api/v1/studio-proposals/{pid}/complete", headers=bearer(airport_admin),
                        json={"rating": 5, "comment": "专业"})
    assert rated.json["status"] == "completed" and rated.json["rating"] == 5
    assert client.get(f"/api/v1/studios/{studio.id}").json["help_given"][0]["rating"] == 5


def test_post_demand_proposal_endpoint(client, db, make_studio, make_user, make_org):
    from orders.models import DemandKind, DemandStatus, TrainingDemand

    airport = make_org(OrgKind.ENTERPRISE)
    admin = make_user(Role.ENTERPRISE_ADMIN, org=airport)
    demand = TrainingDemand(enterprise_id=airport.id, created_by_id=admin.id, kind=DemandKind.TECHNICAL_SERVICE,
                            title="故障诊断", skill="变电检修", headcount=1, status=DemandStatus.PUBLISHED)
    db.add(demand)
    db.flush()
    studio = make_studio()
    assert client.post(f"/api/v1/demands/{demand.id}/proposals", headers=bearer(studio.leader),
                       json={"studio_id": studio.id}).status_code == 422
    answer = client.post(f"/api/v1/demands/{demand.id}/proposals", headers=bearer(studio.leader),
                         json={"studio_id": studio.id, "plan": "现场诊断"})
    assert answer.status_code == 201
    mirror = db.get(HelpRequest, answer.json["help_request_id"])
    assert mirror.demand_id == demand.id
    assert client.get(f"/api/v1/help-requests/{mirror.id}", headers=bearer(admin)).json["demand_id"] == demand.id
    assert client.post("/api/v1/demands/987654/proposals", headers=bearer(studio.leader),
                       json={"studio_id": studio.id, "plan": "x"}).status_code == 404


def test_pages_for_each_role(app, db, make_studio, make_user, union_admin, enterprise, enterprise_admin, criteria):
    member = make_user(Role.WORKER)
    studio = make_studio(members=[member])
    proposed = make_studio(name="待命名工作室", status=StudioStatus.PROPOSED)
    union = app.test_client()
    sign_in(union, union_admin)
    page = union.get("/union/studios").get_data(as_text=True)
    assert "待命名工作室" in page and "<svg" not in page   # no target yet: no chart
    assert post_form(union, "/union/studio-targets", {"year": 2026, "level": "city", "target": 100}).status_code == 302
    response = post_form(union, f"/union/studios/{proposed.id}/name", {"level": "city"})
    assert response.status_code == 302
    db.refresh(proposed)
    assert proposed.status == StudioStatus.NAMED
    worker = app.test_client()
    sign_in(worker, member)
    assert worker.get("/union/studios").status_code == 403
    assert post_form(worker, f"/union/studios/{studio.id}/name", {"level": "city"}).status_code == 403
    edit = worker.get(f"/studios/{studio.id}/edit")
    assert edit.status_code == 200
    token = csrf_token(worker, f"/studios/{studio.id}/edit")
    saved = worker.post(f"/studios/{studio.id}/edit", data={"csrf_token": token, "name": studio.name,
                                                           "summary": "新的简介", "trades": "变电检修"})
    assert saved.status_code == 302
    db.refresh(studio)
    assert studio.summary == "新的简介"
    boss = app.test_client()
    sign_in(boss, enterprise_admin)
    assert boss.get(f"/studios/{studio.id}/edit").status_code == 403
    assert boss.get("/studios/propose").status_code == 200
    assert worker.get("/studios/propose").status_code == 403
    assessed = post_form(worker, f"/studios/{studio.id}/rating", {"year": 2026, "score_innovation": 80,
                                                                  "score_talent": 70})
    assert assessed.status_code == 302
    assert "self-assessed score 76" in union.get("/union/studios").get_data(as_text=True)
    for path in ("/studios/mine", "/help", f"/studios/{studio.id}/achievements/new",
                 f"/studios/{studio.id}/apprenticeships/new", f"/studios/{studio.id}/offers/new"):
        assert worker.get(path).status_code == 200, path


def test_union_endpoints_honours_targets_teams_and_assignment(client, make_studio, make_user, make_org,
                                                              union_admin):
    member = make_user(Role.WORKER, phone="13977778888")
    honour = {"phone": "13977778888", "kind": "craftsman", "title": "海南工匠", "level": "provincial", "year": 2024,
              "awarded_by": "海南省总工会"}
    assert client.post("/api/v1/honours", json=honour, headers=bearer(member)).status_code == 403
    entered = client.post("/api/v1/honours", json=honour, headers=bearer(union_admin))
    assert entered.status_code == 201 and entered.json["user"]["id"] == member.id
    assert entered.json["status"] == "pending"
    verified = client.post(f"/api/v1/honours/{entered.json['id']}/verify", headers=bearer(union_admin))
    assert verified.json["status"] == "verified"
    assert client.post(f"/api/v1/honours/{entered.json['id']}/reject", headers=bearer(union_admin)).status_code == 409
    studio = make_studio(leader=member)
    assert client.get(f"/api/v1/studios/{studio.id}").json["members"][0]["honours"][0]["title"] == "海南工匠"

    assert client.post("/api/v1/studio-targets", json={"year": 2026, "level": "city", "target": 100},
                       headers=bearer(member)).status_code == 403
    targets = client.post("/api/v1/studio-targets", json={"year": 2026, "level": "city", "target": 100},
                          headers=bearer(union_admin))
    assert targets.status_code == 200 and targets.json["items"][0]["target"] == 100
    assert client.get("/api/v1/studio-targets?year=x", headers=bearer(union_admin)).status_code == 422

    team = client.post("/api/v1/service-teams", headers=bearer(union_admin), json={
        "name": "海南省劳模工匠助企服务队", "scope": "provincial", "studio_ids": [studio.id]})
    assert team.status_code == 201 and team.json["studios"][0]["id"] == studio.id
    airport = make_org(OrgKind.ENTERPRISE)
    admin = make_user(Role.ENTERPRISE_ADMIN, org=airport)
    asked = client.post("/api/v1/help-requests", headers=bearer(admin), json={
        "organization_id": airport.id, "kind": "technical_service", "title": "故障诊断"}).json
    assert client.post(f"/api/v1/help-requests/{asked['id']}/assign", json={"team_id": team.json["id"]},
                       headers=bearer(admin)).status_code == 403
    assigned = client.post(f"/api/v1/help-requests/{asked['id']}/assign", json={"team_id": team.json["id"]},
                           headers=bearer(union_admin))
    assert assigned.status_code == 200 and assigned.json["assigned_team"]["id"] == team.json["id"]


def test_offers_photos_and_evidence_through_the_api(client, db, make_studio, make_user, app, tmp_path):
    import io
    from datetime import date

    from studios.services import profiles
    from tests.studios.conftest import NOW

    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    studio = make_studio()
    offer = client.post(f"/api/v1/studios/{studio.id}/offers", headers=bearer(studio.leader), json={
        "kind": "farming_guidance", "title": "热带果树嫁接指导", "trades": ["果树栽培"], "city": "琼海"})
    assert offer.status_code == 201 and offer.json["offers"][0]["kind"] == "farming_guidance"
    assert client.post(f"/api/v1/studios/{studio.id}/offers", headers=bearer(make_user(Role.WORKER)), json={
        "kind": "management", "title": "x"}).status_code == 403
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
    photo = client.post(f"/api/v1/studios/{studio.id}/photos", headers=bearer(studio.leader),
                        data={"photo": (io.BytesIO(png), "lab.png"), "caption": "实训室"})
    assert photo.status_code == 201 and photo.json["photos"][0].startswith("/studios/media/")
    assert client.get(photo.json["photos"][0]).status_code == 200
    assert client.post(f"/api/v1/studios/{studio.id}/photos", headers=bearer(studio.leader),
                       data={}).status_code == 422
    award = profiles.add_achievement(db, actor=studio.leader, studio_id=studio.id, kind="award", title="技术创新奖",
                                     achieved_on=date(2025, 5, 1), now=NOW)
    evidence = client.post(f"/api/v1/studio-achievements/{award.id}/evidence", headers=bearer(studio.leader),
                           data={"evidence": (io.BytesIO(b"%PDF-1.4 certificate"), "获奖证书.pdf")})
    assert evidence.status_code == 200
    assert evidence.json["achievements"][0]["evidence_url"].startswith("/studios/media/")
    assert client.post(f"/api/v1/studio-achievements/{award.id}/evidence", headers=bearer(make_user(Role.WORKER)),
                       data={"evidence": (io.BytesIO(b"%PDF-1.4"), "x.pdf")}).status_code == 403


def test_a_studio_answers_an_orders_demand_on_the_pages(app, db, make_studio, make_user, make_org):
    from orders.models import DemandKind, DemandStatus, TrainingDemand

    airport = make_org(OrgKind.ENTERPRISE, name="海口美兰国际机场有限责任公司")
    admin = make_user(Role.ENTERPRISE_ADMIN, org=airport)
    demand = TrainingDemand(enterprise_id=airport.id, created_by_id=admin.id, kind=DemandKind.TECHNICAL_SERVICE,
                            title="航站楼配电故障诊断", skill="变电检修", headcount=1, city="海口",
                            status=DemandStatus.PUBLISHED)
    db.add(demand)
    db.flush()
    studio = make_studio()
    enterprise = app.test_client()
    sign_in(enterprise, admin)
    assert f"/orders/demands/{demand.id}" in enterprise.get("/help").get_data(as_text=True)   # waiting for studios
    leader = app.test_client()
    sign_in(leader, studio.leader)
    board = leader.get("/help").get_data(as_text=True)
    assert "航站楼配电故障诊断" in board
    assert leader.get(f"/help/demands/{demand.id}").status_code == 200
    answered = post_form(leader, f"/help/demands/{demand.id}/proposals",
                         {"studio_id": studio.id, "plan": "现场诊断并指导检修"})
    assert answered.status_code == 302 and "/help/" in answered.headers["Location"]
    request_path = answered.headers["Location"]
    assert leader.get(f"/help/demands/{demand.id}").status_code == 302   # now followed as a request for help
    assert f"/orders/demands/{demand.id}" not in enterprise.get("/help").get_data(as_text=True)
    page = enterprise.get(request_path).get_data(as_text=True)
    assert "现场诊断并指导检修" in page and "/accept" in page
    stranger = app.test_client()
    sign_in(stranger, make_user(Role.ENTERPRISE_ADMIN, org=make_org(OrgKind.ENTERPRISE)))
    assert stranger.get(request_path).status_code == 404
    assert stranger.get(f"/help/demands/{demand.id}").status_code == 404


def test_the_union_reviews_a_self_assessment_on_its_page(app, db, make_studio, make_user, union_admin, criteria):
    from studios.models import StudioRating
    from studios.services import rating
    from tests.studios.conftest import NOW

    studio = make_studio(stars=4)
    row = rating.self_assess(db, actor=studio.leader, studio_id=studio.id, year=2026,
                             scores={"innovation": 70, "talent": 70}, evidence={"talent": "带徒3人"}, now=NOW)
    db.add(StudioRating(studio_id=studio.id, year=2025, status="reviewed", stars=4, submitted_by_id=studio.leader_id,
                        submitted_at=NOW, self_scores={}, review_scores={}))
    db.flush()
    leader = app.test_client()
    sign_in(leader, studio.leader)
    assert leader.get(f"/union/studio-ratings/{row.id}").status_code == 403
    union = app.test_client()
    sign_in(union, union_admin)
    page = union.get(f"/union/studio-ratings/{row.id}").get_data(as_text=True)
    assert "带徒3人" in page and "suggested 3 stars" in page
    answer = post_form(union, f"/union/studio-ratings/{row.id}", {"score_innovation": 70, "score_talent": 68,
                                                                  "stars": 3, "note": "技术服务偏少"})
    assert answer.status_code == 302
    db.refresh(row)
    db.refresh(studio)
    assert (row.stars, row.previous_stars, row.change, studio.stars) == (3, 4, "down", 3)
    assert "Down a star" in union.get(f"/studios/{studio.id}").get_data(as_text=True)
    assert union.get("/union/studio-ratings/987654").status_code == 404


def test_the_contract_paths_are_in_the_openapi_description(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path, method in (("/api/v1/studios", "get"), ("/api/v1/studios", "post"), ("/api/v1/studios/{studio_id}", "get"),
                         ("/api/v1/studios/{studio_id}", "patch"),
                         ("/api/v1/studios/{studio_id}/apprenticeships", "post"),
                         ("/api/v1/demands/{demand_id}/proposals", "post")):
        assert method in paths[path], (path, method)
    listing = paths["/api/v1/studios"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"trade", "industry", "city", "level"}
