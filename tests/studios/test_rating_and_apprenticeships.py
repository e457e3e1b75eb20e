"""Yearly star rating with weighted criteria and history; targets; apprenticeships and their facts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.access import Role
from app.errors import Conflict, Forbidden, Invalid, NotFound
from studios import queries
from studios.facts import apprenticeships_of_member, studio_roles_of_member
from studios.models import ApprenticeshipStatus, RatingStatus, StudioLevel, StudioStatus
from studios.services import apprenticeships, rating
from tests.studios.conftest import NOW, TODAY


def test_weighted_total_and_suggested_stars(criteria):
    assert rating.weighted_total(criteria, {"innovation": 90, "talent": 60}) == 78   # 0.6*90 + 0.4*60
    assert [rating.suggested_stars(t) for t in (95, 85, 75, 65, 10)] == [5, 4, 3, 2, 1]


def test_the_studio_self_assesses_and_the_union_rates_with_history(db, make_studio, make_user, union_admin, criteria):
    member = make_user(Role.WORKER)
    studio = make_studio(members=[member])
    with pytest.raises(Forbidden):
        rating.self_assess(db, actor=make_user(Role.WORKER), studio_id=studio.id, year=2025,
                           scores={"innovation": 80, "talent": 70}, evidence={}, now=NOW)
    with pytest.raises(Invalid) as bad:
        rating.self_assess(db, actor=member, studio_id=studio.id, year=2025, scores={"innovation": 120},
                           evidence={}, now=NOW)
    assert bad.value.field == "scores.innovation"
    first = rating.self_assess(db, actor=member, studio_id=studio.id, year=2025,
                               scores={"innovation": 80, "talent": 70}, evidence={"innovation": "两项专利"}, now=NOW)
    assert first.self_total == 76 and first.self_scores["innovation"] == {"score": 80, "evidence": "两项专利"}
    with pytest.raises(Forbidden):   # only union admins rate
        rating.review_rating(db, actor=member, rating_id=first.id, scores={}, stars=5, now=NOW)
    rating.review_rating(db, actor=union_admin, rating_id=first.id, scores={"innovation": 75, "talent": 70},
                         stars=3, now=NOW)
    assert (first.status, first.stars, first.change, studio.stars) == (RatingStatus.REVIEWED, 3, "new", 3)
    with pytest.raises(Conflict):
        rating.self_assess(db, actor=member, studio_id=studio.id, year=2025, scores={"innovation": 1, "talent": 1},
                           evidence={}, now=NOW)
    second = rating.self_assess(db, actor=studio.leader, studio_id=studio.id, year=2026,
                                scores={"innovation": 60, "talent": 60}, evidence={}, now=NOW)
    rating.review_rating(db, actor=union_admin, rating_id=second.id, scores={"innovation": 60, "talent": 55},
                         stars=2, now=NOW)
    assert (second.previous_stars, second.change, studio.stars) == (3, "down", 2)   # 摘星降级
    assert [(r.year, r.stars) for r in queries.studio_page(db, studio).ratings] == [(2026, 2), (2025, 3)]
    with pytest.raises(Invalid):
        rating.self_assess(db, actor=member, studio_id=studio.id, year=2027, scores={}, evidence={}, now=NOW)


def test_a_proposed_studio_is_not_rated_and_criteria_are_union_data(db, make_studio, union_admin, criteria):
    studio = make_studio(status=StudioStatus.PROPOSED)
    with pytest.raises(Conflict):
        rating.self_assess(db, actor=studio.leader, studio_id=studio.id, year=2026,
                           scores={"innovation": 1, "talent": 1}, evidence={}, now=NOW)
    with pytest.raises(Forbidden):
        rating.set_criterion(db, actor=studio.leader, code="x", name="x", weight=10, now=NOW)
    rating.set_criterion(db, actor=union_admin, code="talent", name="人才培养", weight=20, now=NOW)
    assert rating.weighted_total(rating.active_criteria(db), {"innovation": 90, "talent": 60}) == 83


def test_targets_and_progress(db, make_studio, union_admin):
    with pytest.raises(Forbidden):
        rating.set_target(db, actor=make_studio().leader, year=2026, level="city", target=100, now=NOW)
    rating.set_target(db, actor=union_admin, year=2026, level="city", target=100, now=NOW)
    rating.set_target(db, actor=union_admin, year=2026, level=StudioLevel.PROVINCIAL, target=4, now=NOW)
    rating.set_target(db, actor=union_admin, year=2026, level="provincial", target=5, now=NOW)   # replaces
    make_studio(level=StudioLevel.PROVINCIAL)
    last_year = make_studio(level=StudioLevel.PROVINCIAL)
    last_year.named_at = NOW - timedelta(days=365)
    make_studio(status=StudioStatus.PROPOSED, level=StudioLevel.PROVINCIAL)
    db.flush()
    progress = {str(p.target.level): (p.named, p.target.target, p.percent)
                for p in queries.target_progress(db, 2026)}
    assert progress == {"provincial": (1, 5, 20), "city": (1, 100, 1)}


def test_apprenticeships_notes_and_assessment(db, make_studio, make_user):
    master, apprentice, outsider = make_user(Role.WORKER), make_user(Role.WORKER, phone="13966667777"), \
        make_user(Role.WORKER)
    studio = make_studio(members=[master])
    with pytest.raises(Forbidden):
        apprenticeships.start_apprenticeship(db, actor=outsider, studio_id=studio.id, master_id=master.id,
                                             apprentice_phone="13966667777", starts_on=TODAY,
                                             ends_on=TODAY + timedelta(days=300), goals="考取技师", now=NOW)
    with pytest.raises(Invalid):
        apprenticeships.start_apprenticeship(db, actor=studio.leader, studio_id=studio.id, master_id=outsider.id,
                                             apprentice_phone="13966667777", starts_on=TODAY,
                                             ends_on=TODAY + timedelta(days=300), goals="考取技师", now=NOW)
    with pytest.raises(Invalid):
        apprenticeships.start_apprenticeship(db, actor=master, studio_id=studio.id, master_id=master.id,
                                             apprentice_phone="13966667777", starts_on=TODAY, ends_on=TODAY,
                                             goals="考取技师", now=NOW)
    pairing = apprenticeships.start_apprenticeship(db, actor=master, studio_id=studio.id, master_id=master.id,
                                                   apprentice_phone="13966667777", starts_on=TODAY,
                                                   ends_on=TODAY + timedelta(days=300), goals="考取技师", now=NOW)
    with pytest.raises(Conflict):
        apprenticeships.start_apprenticeship(db, actor=master, studio_id=studio.id, master_id=master.id,
                                             apprentice_id=apprentice.id, starts_on=TODAY,
                                             ends_on=TODAY + timedelta(days=300), goals="again", now=NOW)
    apprenticeships.add_note(db, actor=master, apprenticeship_id=pairing.id, body="掌握倒闸操作", now=NOW)
    apprenticeships.add_note(db, actor=apprentice, apprenticeship_id=pairing.id, body="完成实训记录",
                             now=NOW + timedelta(hours=1))
    with pytest.raises(NotFound):
        apprenticeships.add_note(db, actor=outsider, apprenticeship_id=pairing.id, body="x", now=NOW)
    with pytest.raises(Forbidden):   # a studio member sees it but does not write in it
        apprenticeships.add_note(db, actor=studio.leader, apprenticeship_id=pairing.id, body="x", now=NOW)
    with pytest.raises(Forbidden):
        apprenticeships.assess(db, actor=apprentice, apprenticeship_id=pairing.id, result="passed",
                               assessment="x", now=NOW)
    apprenticeships.assess(db, actor=master, apprenticeship_id=pairing.id, result="excellent",
                           assessment="可独立带班作业", now=NOW)
    assert pairing.status == ApprenticeshipStatus.COMPLETED and [n.body for n in pairing.notes] == [
        "掌握倒闸操作", "完成实训记录"]
    with pytest.raises(Conflict):
        apprenticeships.add_note(db, actor=master, apprenticeship_id=pairing.id, body="late", now=NOW)
    # Both members' records read them through the published facts.
    for person, role in ((master, "master"), (apprentice, "apprentice")):
        [fact] = apprenticeships_of_member(db, person.id, now=NOW)
        assert (fact["role"], fact["studio"], fact["final_result"]) == (role, studio.name, "excellent")
    assert [(r["studio"], r["role"]) for r in studio_roles_of_member(db, master.id, now=NOW)] == [
        (studio.name, "member")]
    assert studio_roles_of_member(db, apprentice.id, now=NOW) == []
    assert [a.id for a in queries.my_apprenticeships(db, apprentice)] == [pairing.id]


def test_only_a_named_studio_runs_apprenticeships(db, make_studio, make_user):
    studio = make_studio(status=StudioStatus.PROPOSED)
    make_user(Role.WORKER, phone="13966668888")
    with pytest.raises(Conflict):
        apprenticeships.start_apprenticeship(db, actor=studio.leader, studio_id=studio.id,
                                             master_id=studio.leader_id, apprentice_phone="13966668888",
                                             starts_on=date(2026, 12, 1), ends_on=date(2027, 12, 1), goals="x",
                                             now=NOW)
