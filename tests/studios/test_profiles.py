"""Studio profiles: proposing, naming, members editing, honours, achievements, search, visibility."""

from __future__ import annotations

from datetime import date

import pytest

from app.access import Role
from app.auth.models import OrgKind
from app.errors import Conflict, Forbidden, Invalid, NotFound
from studios import queries
from studios.facts import honours_of_member
from studios.models import AchievementKind, HonorKind, HonorStatus, StudioLevel, StudioStatus
from studios.services import profiles
from tests.conftest import count_queries
from tests.studios.conftest import NOW


def test_an_enterprise_proposes_a_studio_for_itself_only(db, enterprise, enterprise_admin, make_user, make_org):
    leader = make_user(Role.WORKER, phone="13912345678")
    studio = profiles.propose_studio(db, actor=enterprise_admin, name="电力工匠创新工作室", organization_id=enterprise.id,
                                     leader_phone="13912345678", level="provincial", now=NOW)
    assert studio.status == StudioStatus.PROPOSED and studio.level is None
    assert studio.proposed_level == StudioLevel.PROVINCIAL and studio.city == "海口"
    assert [(m.user_id, m.role) for m in studio.members] == [(leader.id, "leader")]
    other = make_org(OrgKind.ENTERPRISE)
    with pytest.raises(Forbidden):
        profiles.propose_studio(db, actor=enterprise_admin, name="别家的工作室", organization_id=other.id,
                                leader_phone="13912345678", now=NOW)
    with pytest.raises(Conflict):
        profiles.propose_studio(db, actor=enterprise_admin, name="电力工匠创新工作室", organization_id=enterprise.id,
                                leader_phone="13912345678", now=NOW)
    with pytest.raises(Invalid) as unknown:
        profiles.propose_studio(db, actor=enterprise_admin, name="新工作室", organization_id=enterprise.id,
                                leader_phone="13700000000", now=NOW)
    assert unknown.value.code == "unknown_user"


def test_a_union_admin_proposes_for_any_enterprise_but_not_for_a_provider(db, union_admin, enterprise, make_user,
                                                                          make_org):
    make_user(Role.WORKER, phone="13912345679")
    assert profiles.propose_studio(db, actor=union_admin, name="甲", organization_id=enterprise.id,
                                   leader_phone="13912345679", now=NOW).organization_id == enterprise.id
    with pytest.raises(Invalid):
        profiles.propose_studio(db, actor=union_admin, name="乙", organization_id=make_org(OrgKind.PROVIDER).id,
                                leader_phone="13912345679", now=NOW)


def test_only_union_admins_name_a_studio(db, make_studio, union_admin, enterprise_admin):
    studio = make_studio(status=StudioStatus.PROPOSED)
    for someone in (enterprise_admin, studio.leader):
        with pytest.raises((Forbidden, NotFound)):
            profiles.name_studio(db, actor=someone, studio_id=studio.id, level="city", now=NOW)
    profiles.name_studio(db, actor=union_admin, studio_id=studio.id, level="provincial", now=NOW)
    assert (studio.status, studio.level, studio.named_at) == (StudioStatus.NAMED, StudioLevel.PROVINCIAL, NOW)
    with pytest.raises(Conflict):
        profiles.name_studio(db, actor=union_admin, studio_id=studio.id, level="city", now=NOW)


def test_a_proposal_is_turned_down_with_a_reason(db, make_studio, union_admin):
    studio = make_studio(status=StudioStatus.PROPOSED)
    with pytest.raises(Invalid):
        profiles.reject_studio(db, actor=union_admin, studio_id=studio.id, note=" ", now=NOW)
    profiles.reject_studio(db, actor=union_admin, studio_id=studio.id, note="材料不全", now=NOW)
    assert studio.status == StudioStatus.REJECTED and studio.decision_note == "材料不全"


def test_a_proposed_studio_is_hidden_from_strangers(db, make_studio, make_user, union_admin):
    studio = make_studio(status=StudioStatus.PROPOSED)
    with pytest.raises(NotFound):
        profiles.get_studio(db, actor=make_user(Role.WORKER), studio_id=studio.id)
    assert profiles.get_studio(db, actor=union_admin, studio_id=studio.id) is studio
    assert profiles.get_studio(db, actor=studio.leader, studio_id=studio.id) is studio


def test_members_edit_the_profile_and_nobody_else(db, make_studio, make_user, enterprise_admin, union_admin,
                                                  industry, make_course):
    member = make_user(Role.WORKER)
    studio = make_studio(members=[member])
    electric, course = industry("hightech", "高新技术产业", "High tech"), make_course(title="高压电工作业培训")
    profiles.update_studio(db, actor=member, studio_id=studio.id, now=NOW, changes={
        "summary": "变电检修技术攻关", "trades": "变电检修、继电保护，变电检修", "industry_codes": ["hightech"],
        "course_ids": [course.id]})
    assert studio.trade_names == ["变电检修", "继电保护"]
    assert studio.industries == [electric] and studio.courses == [course]
    for outsider in (make_user(Role.WORKER), enterprise_admin, union_admin):
        with pytest.raises(Forbidden):
            profiles.update_studio(db, actor=outsider, studio_id=studio.id, changes={"summary": "x"}, now=NOW)
    with pytest.raises(Invalid):
        profiles.update_studio(db, actor=member, studio_id=studio.id, changes={"industry_codes": ["nope"]}, now=NOW)
    with pytest.raises(Invalid):
        profiles.update_studio(db, actor=member, studio_id=studio.id, changes={"stars": 5}, now=NOW)


def test_the_leader_manages_members(db, make_studio, make_user):
    member, newcomer = make_user(Role.WORKER), make_user(Role.WORKER, phone="13911112222")
    studio = make_studio(members=[member])
    with pytest.raises(Forbidden):
        profiles.add_member(db, actor=member, studio_id=studio.id, phone="13911112222", now=NOW)
    profiles.add_member(db, actor=studio.leader, studio_id=studio.id, phone="13911112222", title="技师", now=NOW)
    with pytest.raises(Conflict):
        profiles.add_member(db, actor=studio.leader, studio_id=studio.id, phone="13911112222", now=NOW)
    profiles.remove_member(db, actor=studio.leader, studio_id=studio.id, user_id=newcomer.id, now=NOW)
    assert [m.user_id for m in queries.studio_page(db, studio).members] == [studio.leader_id, member.id]
    with pytest.raises(Conflict):
        profiles.remove_member(db, actor=studio.leader, studio_id=studio.id, user_id=studio.leader_id, now=NOW)
    with pytest.raises(Forbidden):   # a former member no longer edits
        profiles.update_studio(db, actor=newcomer, studio_id=studio.id, changes={"summary": "x"}, now=NOW)


@pytest.mark.parametrize("raw, stored", [("ZL 2023 2 1458637.6", "ZL202321458637.6"),
                                         ("202321458637.6", "ZL202321458637.6"),
                                         ("zl201910012345.x", None)])
def test_patent_numbers_are_checked(raw, stored):
    if stored:
        assert profiles.normalize_patent_number(raw) == stored
    else:
        with pytest.raises(Invalid):
            profiles.normalize_patent_number(raw)


def test_achievements_with_patent_numbers_and_evidence(db, make_studio, make_user, tmp_path):
    studio = make_studio()
    patent = profiles.add_achievement(db, actor=studio.leader, studio_id=studio.id, kind="patent",
                                      title="绝缘遮蔽装置", achieved_on=date(2024, 6, 16),
                                      patent_number="ZL 2023 2 1458637.6", evidence=b"%PDF-1.7 evidence",
                                      evidence_name="证书.pdf", upload_folder=str(tmp_path), now=NOW)
    assert patent.patent_number == "ZL202321458637.6" and patent.evidence_file.endswith(".pdf")
    assert profiles.stored_file(str(tmp_path), patent.evidence_file).read_bytes() == b"%PDF-1.7 evidence"
    with pytest.raises(Conflict):
        profiles.add_achievement(db, actor=studio.leader, studio_id=studio.id, kind="patent", title="again",
                                 achieved_on=date(2024, 6, 16), patent_number="ZL202321458637.6", now=NOW)
    with pytest.raises(Invalid) as bad:
        profiles.add_achievement(db, actor=studio.leader, studio_id=studio.id, kind="patent", title="wrong",
                                 achieved_on=date(2024, 6, 16), patent_number="ZL202321458637.5", now=NOW)
    assert bad.value.field == "patent_number"
    with pytest.raises(Invalid):
        profiles.add_achievement(db, actor=studio.leader, studio_id=studio.id, kind=AchievementKind.AWARD,
                                 title="x", achieved_on=date(2027, 1, 1), now=NOW)
    with pytest.raises(Invalid):
        profiles.add_achievement(db, actor=studio.leader, studio_id=studio.id, kind="award", title="x",
                                 achieved_on=date(2024, 1, 1), evidence=b"MZ not a pdf", upload_folder=str(tmp_path),
                                 now=NOW)
    with pytest.raises(Forbidden):
        profiles.add_achievement(db, actor=make_user(Role.WORKER), studio_id=studio.id, kind="award", title="x",
                                 achieved_on=date(2024, 1, 1), now=NOW)


def test_honours_are_entered_and_verified_by_union_admins_and_published_when_verified(db, union_admin, make_user):
    member = make_user(Role.WORKER)
    with pytest.raises(Forbidden):
        profiles.enter_honor(db, actor=member, user_id=member.id, kind="craftsman", title="海南工匠",
                             level="provincial", year=2024, awarded_by="海南省总工会", now=NOW)
    honor = profiles.enter_honor(db, actor=union_admin, user_id=member.id, kind=HonorKind.CRAFTSMAN,
                                 title="海南工匠", level="provincial", year=2024, awarded_by="海南省总工会", now=NOW)
    assert honours_of_member(db, member.id, now=NOW) == []
    profiles.verify_honor(db, actor=union_admin, honor_id=honor.id, accept=True, now=NOW)
    assert honor.status == HonorStatus.VERIFIED
    assert honours_of_member(db, member.id, now=NOW) == [{
        "kind": "craftsman", "title": "海南工匠", "level": "provincial", "year": 2024, "awarded_by": "海南省总工会",
        "verified_at": NOW}]
    with pytest.raises(Conflict):
        profiles.verify_honor(db, actor=union_admin, honor_id=honor.id, accept=False, now=NOW)
    with pytest.raises(Invalid):
        profiles.enter_honor(db, actor=union_admin, user_id=member.id, kind="craftsman", title="x",
                             level="provincial", year=2030, awarded_by="y", now=NOW)


def test_search_by_trade_industry_city_and_level(db, make_studio, industry):
    tourism = industry("tourism", "旅游业", "Tourism")
    power = make_studio(name="电力工作室", trades=("变电检修",), city="海口", level=StudioLevel.PROVINCIAL, stars=3)
    guide = make_studio(name="导游工作室", trades=("景区讲解",), industries=[tourism], city="三亚")
    make_studio(name="未命名", status=StudioStatus.PROPOSED, trades=("变电检修",))

    def names(**filters):
        return [s.name for s in queries.list_studios(db, **filters)[0]]

    assert names() == [power.name, guide.name]
    assert names(trade="变电检修") == [power.name]
    assert names(industry="tourism") == [guide.name]
    assert names(city="三亚") == [guide.name]
    assert names(level="provincial") == [power.name]
    assert names(q="讲解") == [guide.name]
    assert queries.list_studios(db, trade="焊接")[1] == 0


def test_the_list_loads_without_n_plus_1(db, make_studio, industry):
    tourism = industry("tourism", "旅游业", "Tourism")
    for _ in range(3):
        make_studio(trades=("景区讲解", "旅游服务"), industries=[tourism])
    db.expunge_all()
    with count_queries(db) as one:
        studios, _total = queries.list_studios(db)
        [(s.organization.name, s.leader.name, s.trade_names, [i.code for i in s.industries]) for s in studios]
    tourism = industry("tourism")
    for _ in range(5):
        make_studio(trades=("景区讲解",), industries=[tourism])
    db.expunge_all()
    with count_queries(db) as many:
        studios, _total = queries.list_studios(db)
        [(s.organization.name, s.leader.name, s.trade_names, [i.code for i in s.industries]) for s in studios]
    assert len(studios) == 8 and len(many) == len(one)


def test_the_listing_filters_use_indexes(db):
    from studios.models import Studio, StudioTrade

    assert any(ix.name == "ix_studio_trades_trade" for ix in StudioTrade.__table__.indexes)
    assert any(ix.name == "ix_studios_listing" for ix in Studio.__table__.indexes)


def test_photos_are_images_added_by_members(db, make_studio, make_user, tmp_path):
    studio = make_studio()
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
    photo = profiles.add_photo(db, actor=studio.leader, studio_id=studio.id, content=png, caption="实训室",
                               upload_folder=str(tmp_path), now=NOW)
    assert photo.file_name.endswith(".png") and profiles.stored_file(str(tmp_path), photo.file_name) is not None
    assert profiles.stored_file(str(tmp_path), "../../etc/passwd") is None
    with pytest.raises(Invalid):
        profiles.add_photo(db, actor=studio.leader, studio_id=studio.id, content=b"GIF89a", upload_folder=str(tmp_path),
                           now=NOW)
    with pytest.raises(Forbidden):
        profiles.add_photo(db, actor=make_user(Role.WORKER), studio_id=studio.id, content=png,
                           upload_folder=str(tmp_path), now=NOW)
    assert [p.caption for p in queries.studio_page(db, studio).photos] == ["实训室"]


def test_union_stats_and_home_counts(db, make_studio, union_admin, enterprise_admin):
    from studios.facts import studio_stats
    from studios.home import count_open_proposals, count_to_decide

    make_studio(level=StudioLevel.PROVINCIAL)
    make_studio(status=StudioStatus.PROPOSED)
    stats = studio_stats(db, now=NOW)
    assert stats["named"] == 1 and stats["named_per_level"] == {"provincial": 1}
    assert count_to_decide(db, union_admin, NOW) == 1
    assert count_open_proposals(db, enterprise_admin, NOW) == 0
