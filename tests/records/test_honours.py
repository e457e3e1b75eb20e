"""Honours have one home: studios/ (entered and verified by union admins, published as the
"honours" fact). The record shows the verified ones on the page, the API and the printout;
records itself has no honour table, page or endpoint any more."""

from __future__ import annotations

from sqlalchemy import inspect

from app.access import Role
from app.db import Base
from records.pdf import render_record_pdf
from records.queries.record import build_record
from studios.services.profiles import enter_honor, verify_honor
from tests.conftest import bearer, sign_in


def _honours(db, member, admin, now):
    medal = enter_honor(db, actor=admin, user_id=member.id, kind="may_day_medal", title="海南省五一劳动奖章",
                        level="provincial", year=now.year - 1, awarded_by="海南省总工会", now=now)
    verify_honor(db, actor=admin, honor_id=medal.id, accept=True, now=now)
    enter_honor(db, actor=admin, user_id=member.id, kind="craftsman", title="待核实的工匠称号", level="city",
                year=now.year - 2, awarded_by="海口市总工会", now=now)   # entered, not verified yet
    rejected = enter_honor(db, actor=admin, user_id=member.id, kind="model_worker", title="未通过核实的称号",
                           level="city", year=now.year - 3, awarded_by="某单位", now=now)
    verify_honor(db, actor=admin, honor_id=rejected.id, accept=False, now=now)
    db.flush()


def test_record_shows_verified_honours_from_studios(app, db, make_member, make_user, now):
    member, admin = make_member(), make_user(Role.UNION_ADMIN)
    _honours(db, member, admin, now)

    record = build_record(db, member, now=now, for_member=False)
    [honour] = [e for e in record.entries if e.kind == "honour"]
    assert (honour.title, honour.subtitle, honour.source, honour.status) == (
        "海南省五一劳动奖章", "may_day_medal", "海南省总工会", "verified")
    assert honour.on.year == now.year - 1 and honour.details["level"] == "provincial"

    client = app.test_client()
    sign_in(client, member)
    html = client.get("/records/me").get_data(as_text=True)
    assert 'data-kind="honour"' in html and "海南省五一劳动奖章" in html
    assert "待核实的工匠称号" not in html and "未通过核实的称号" not in html

    body = client.get("/api/v1/me/record", headers=bearer(member)).json
    assert [e["title"] for e in body["entries"] if e["kind"] == "honour"] == ["海南省五一劳动奖章"]

    pdf = render_record_pdf(record, verify_url="http://x/records/verify/t", printed_at=now)
    assert pdf.startswith(b"%PDF")
    printed = client.get("/api/v1/me/record?format=pdf", headers=bearer(member))
    assert printed.status_code == 200 and printed.data.startswith(b"%PDF")


def test_records_has_no_honour_entry_of_its_own(app, db, make_member, make_user):
    admin, member = make_user(Role.UNION_ADMIN), make_member()
    assert "record_honours" not in Base.metadata.tables
    assert "record_honours" not in inspect(db.connection()).get_table_names()
    client = app.test_client()
    sign_in(client, admin)
    assert client.get("/records/honours").status_code == 404
    body = {"kind": "may_day_medal", "title": "x", "awarded_by": "y", "awarded_on": "2026-04-28"}
    assert app.test_client().post(f"/api/v1/members/{member.id}/honours", json=body,
                                  headers=bearer(admin)).status_code in (404, 405)
    assert not any(rule.rule.startswith("/records/honours") for rule in app.url_map.iter_rules())
