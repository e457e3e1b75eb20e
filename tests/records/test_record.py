"""The member's record: one timeline from every source (honours through the "honours" fact), totals, the API."""

from __future__ import annotations

from datetime import date, timedelta

from app.access import Role
from records.queries.record import build_record
from tests.conftest import bearer, count_queries, sign_in
from tests.records.conftest import NOW


def cert(number="HN-2026-0001", *, status="valid", ours=True, until=NOW + timedelta(days=6 * 365), **values):
    return {"number": number, "token": "tok-" + number, "type": values.pop("type", "特种作业操作证（低压电工作业）"),
            "level": values.pop("level", ""), "status": status, "valid_from": (NOW - timedelta(days=30)).date(),
            "valid_until": until.date(), "issuer": values.pop("issuer", "海南省总工会"), "ours": ours}


def test_training_from_the_catalog_shows_hours_provider_mode_and_attendance(db, make_member, completed, now):
    member = make_member()
    completed(member, hours=64)
    record = build_record(db, member, now=now)
    [entry] = record.entries
    assert (entry.kind, entry.title, entry.status, entry.source) == ("training", "低压电工作业培训", "completed",
                                                                     "海南省电力学校")
    assert entry.details["hours"] == 64 and entry.details["mode"] == "offline"
    assert entry.details["days_total"] == 3 and "days_present" in entry.details
    assert record.totals.hours_this_year == 64 and record.totals.trainings_completed == 1
    assert record.name == member.name and record.member_no == f"M{member.id:06d}"


def test_hours_of_last_year_do_not_count_this_year(db, make_member, completed, now):
    member = make_member()
    completed(member, hours=40, on=now - timedelta(days=400))
    completed(member, hours=24, on=now - timedelta(days=1))
    totals = build_record(db, member, now=now).totals
    assert (totals.hours_this_year, totals.hours_total) == (24, 64)


def test_cancelled_enrollments_are_not_on_the_record(db, make_member, make_class, make_enrollment, now):
    from courses.models import EnrollmentStatus

    member = make_member()
    make_enrollment(make_class(), member, status=EnrollmentStatus.CANCELLED)
    assert build_record(db, member, now=now).entries == []


def test_absent_domains_leave_their_sections_empty(db, make_member, now):
    record = build_record(db, make_member(), now=now)
    assert record.entries == [] and record.sections == {}
    assert record.totals.certificates_valid == 0


def test_every_source_lands_on_one_timeline_newest_first(db, make_member, completed, facts, now):
    member = make_member()
    completed(member, on=now - timedelta(days=60))
    facts[("exam_results", member.id)] = [
        {"certificate_type": "低压电工作业", "component": "theory", "score": 86, "passed": True,
         "sat_at": now - timedelta(days=20), "released_at": now - timedelta(days=19), "valid_until": None}]
    facts[("certificates", member.id)] = [cert()]
    facts[("order_training", member.id)] = [{"order_id": 7, "enterprise": "海南电网", "course": "高处作业培训",
                                             "class": "第一期", "status": "confirmed", "roster_status": "completed",
                                             "starts_on": (now - timedelta(days=90)).date(), "hours": 16}]
    facts[("studio_roles", member.id)] = [{"studio": "符永创新工作室", "role": "member",
                                           "since": date(2025, 3, 1), "until": None}]
    facts[("apprenticeships", member.id)] = [{"studio": "符永创新工作室", "master": "符永", "role": "apprentice",
                                              "since": date(2025, 4, 1)}]
    record = build_record(db, member, now=now)
    assert [e.kind for e in record.entries] == ["exam", "certificate", "training", "order_training",
                                                "apprenticeship", "studio"]
    assert record.totals.hours_total == 64 + 16
    assert record.sections["studio"] == 1


def test_an_order_place_and_its_class_are_one_line_through_the_employer(db, make_member, completed, facts, now):
    member = make_member()
    enrollment = completed(member, hours=24, on=now - timedelta(days=30), title="高处作业培训")
    facts[("order_training", member.id)] = [
        {"order_id": 7, "enterprise": "海南电网", "course": "高处作业培训", "class": "第一期", "status": "confirmed",
         "roster_status": "active", "enrollment_id": enrollment.id},
        {"order_id": 8, "enterprise": "海南电网", "course": "低压电工作业培训", "class": "第二期", "status": "quoted",
         "roster_status": "active", "enrollment_id": None}]
    record = build_record(db, member, now=now)
    lines = [(e.kind, e.title) for e in record.entries]
    assert lines == [("order_training", "高处作业培训"), ("order_training", "低压电工作业培训")]
    line = record.entries[0]
    assert (line.status, line.source, line.details["hours"], line.details["order_id"]) == ("completed", "海南电网", 24, 7)
    assert line.details["provider"] and line.details["via"] == "self"   # the provider who taught it stays on the line
    assert record.totals.trainings_completed == 1 and record.totals.hours_total == 24
    assert "enrollment_id" not in line.public()


def test_failed_attempts_are_shown_to_the_member_only(db, make_member, facts, now):
    member = make_member()
    facts[("exam_results", member.id)] = [
        {"certificate_type": "低压电工作业", "component": "theory", "score": 62, "passed": False,
         "sat_at": now - timedelta(days=40), "released_at": now - timedelta(days=39), "valid_until": None},
        {"certificate_type": "低压电工作业", "component": "theory", "score": 88, "passed": True,
         "sat_at": now - timedelta(days=10), "released_at": now - timedelta(days=9), "valid_until": None}]
    mine = build_record(db, member, now=now)
    assert [(e.status, e.only_member) for e in mine.entries] == [("passed", False), ("failed", True)]
    others = build_record(db, member, now=now, for_member=False)
    assert [e.status for e in others.entries] == ["passed"]


def test_certificates_ours_and_government_valid_and_expiring(db, make_member, facts, now):
    member = make_member()
    facts[("certificates", member.id)] = [
        cert("A"), cert("B", until=now + timedelta(days=30)), cert("C", status="revoked"),
        cert("D", until=now - timedelta(days=1)),
        cert("GOV-1", ours=False, type="电工证（应急管理部门）", issuer="海南省应急管理厅")]
    record = build_record(db, member, now=now)
    assert record.totals.certificates_valid == 3 and record.totals.certificates_expiring == 1
    government = [e for e in record.entries if e.ours is False]
    assert [e.details["number"] for e in government] == ["GOV-1"] and government[0].details["token"] is None


def test_a_revoked_certificate_shows_at_once(db, make_member, facts, now):
    member = make_member()
    facts[("certificates", member.id)] = [cert()]
    assert build_record(db, member, now=now).totals.certificates_valid == 1
    facts[("certificates", member.id)] = [cert(status="revoked")]
    record = build_record(db, member, now=now)
    assert record.totals.certificates_valid == 0 and record.entries[0].status == "revoked"


def test_record_reads_a_fixed_number_of_statements(db, make_member, completed, now):
    member = make_member()
    completed(member)
    with count_queries(db) as one:
        build_record(db, member, now=now)
    for i in range(4):
        completed(member, title=f"课程{i}")
    with count_queries(db) as five:
        build_record(db, member, now=now)
    assert len(five) == len(one)


def test_api_record_for_the_member_only(app, db, client, make_member, make_user, completed, facts, now):
    member = make_member()
    completed(member)
    facts[("exam_results", member.id)] = [{"certificate_type": "低压电工作业", "component": "theory", "score": 50,
                                           "passed": False, "sat_at": now, "released_at": now, "valid_until": None}]
    answer = client.get("/api/v1/me/record", headers=bearer(member))
    assert answer.status_code == 200
    body = answer.json
    assert {e["kind"] for e in body["entries"]} == {"training", "exam"}
    assert [e["only_member"] for e in body["entries"] if e["kind"] == "exam"] == [True]
    assert body["totals"]["hours_total"] == 64
    assert client.get("/api/v1/me/record").status_code == 401
    # everyone signs up as a worker: another person only ever gets their own (here empty) record
    other = client.get("/api/v1/me/record", headers=bearer(make_user(Role.ENTERPRISE_ADMIN)))
    assert other.status_code == 200 and other.json["entries"] == []
    assert client.get("/api/v1/me/record?format=xml", headers=bearer(member)).status_code == 422


def test_timeline_page_on_the_phone(app, db, make_member, completed, facts, now):
    member = make_member()
    completed(member)
    facts[("certificates", member.id)] = [cert(ours=False, type="电工证（政府）")]
    client = app.test_client()
    sign_in(client, member)
    html = client.get("/records/me").get_data(as_text=True)
    assert "低压电工作业培训" in html and "government certificate (recorded)" in html
    assert 'data-test="hours-year">64<' in html


def test_the_real_shapes_of_exams_studios_and_instructors_fit(db, make_member, facts, now):
    """Shapes as the exams, studios and instructors branches publish them."""
    member = make_member()
    facts[("exam_results", member.id)] = [
        {"result_id": 1, "certificate_type": "LV-ELEC", "certificate_type_id": 1, "certificate_type_name": "低压电工作业",
         "component": "theory", "component_id": 1, "score": 90, "max_score": 100, "passed": True, "absent": False,
         "sat_at": now - timedelta(days=9), "released_at": now - timedelta(days=8), "valid_until": None,
         "exam_session_id": 3}]
    facts[("honours", member.id)] = [{"kind": "craftsman", "title": "海南工匠", "level": "province", "year": 2025,
                                      "awarded_by": "海南省总工会", "verified_at": now}]
    facts[("apprenticeships", member.id)] = [
        {"studio": "符永劳模创新工作室", "role": "apprentice", "master": "符永", "apprentice": member.name,
         "starts_on": date(2025, 9, 1), "ends_on": date(2026, 8, 31), "goals": "高压带电作业", "status": "active",
         "final_result": None, "assessed_at": None}]
    facts[("teaching", member.id)] = [{"class_id": 5, "course": "触电急救", "class": "第二期", "starts_on": date(2026, 5, 1),
                                       "ends_on": date(2026, 5, 3), "hours": 8, "learners": 20, "completed": 18,
                                       "rating": 4.8, "finished": True}]
    record = build_record(db, member, now=now)
    by_kind = {e.kind: e for e in record.entries}
    assert by_kind["exam"].title == "低压电工作业" and by_kind["exam"].details["max_score"] == 100
    assert by_kind["honour"].title == "海南工匠" and by_kind["honour"].on == date(2025, 1, 1)
    assert by_kind["apprenticeship"].on == date(2025, 9, 1) and by_kind["apprenticeship"].subtitle == "符永"
    assert (by_kind["teaching"].title, by_kind["teaching"].subtitle, by_kind["teaching"].status) == (
        "触电急救", "第二期", "ended")


def test_an_entry_made_public_has_every_field_once():
    from dataclasses import fields
    from datetime import date

    from records.queries.record import Entry

    entry = Entry(kind="training", on=date(2026, 3, 1), title="t", details={"d": date(2026, 3, 2), "l": [date(2026, 1, 1)]})
    public = entry.public()
    assert set(public) == {f.name for f in fields(Entry)} - {"enrollment_id"}   # internal: joins order places
    assert public["on"] == "2026-03-01" and public["details"] == {"d": "2026-03-02", "l": ["2026-01-01"]}
