"""Union membership: linking, the register import, admin decisions; ID numbers stay secret."""

import io
import logging

import pytest
from openpyxl import Workbook
from sqlalchemy import select, text

from app.access import Role
from app.db import utcnow
from app.errors import Invalid
from app.membership import services
from app.membership.models import MemberProfile, MembershipStatus, RegisterEntry
from app.security import vault
from tests.conftest import bearer, post_form, sign_in

VALID_ID = "11010519491231002X"
OTHER_ID = "460100199003071237"


def link(db, user, **overrides):
    data = services.MembershipInput(**{"member_no": "HN001", "union_name": "海口市总工会", "employer": "海南电网",
                                       "real_name": user.name, "id_number": VALID_ID, **overrides})
    return services.link_membership(db, actor=user, data=data, vault=vault(), now=utcnow())


def register_csv(rows: list[str]) -> bytes:
    return ("member_no,name,id_number,union_name\n" + "\n".join(rows) + "\n").encode()


def test_link_without_register_match_waits_for_decision(db, make_user):
    profile = link(db, make_user(Role.WORKER))
    assert profile.status == MembershipStatus.PENDING
    assert profile.id_last4 == "002X" and profile.id_masked.endswith("002X")


def test_id_number_is_encrypted_and_hashed_at_rest(db, make_user):
    profile = link(db, make_user(Role.WORKER))
    raw = db.execute(text("SELECT id_number_cipher, id_number_hash FROM member_profiles WHERE id = :id"),
                     {"id": profile.id}).one()
    assert VALID_ID.encode() not in bytes(raw[0]) and VALID_ID not in raw[1]
    assert vault().decrypt(bytes(raw[0])) == VALID_ID
    assert raw[1] == vault().lookup_hash(VALID_ID)


@pytest.mark.parametrize("bad, code", [("110105194912310021", "id_number_check_digit"),
                                       ("110105491231002", "id_number_old_format")])
def test_link_rejects_bad_id_numbers_with_a_clear_reason(db, make_user, bad, code):
    with pytest.raises(Invalid) as info:
        link(db, make_user(Role.WORKER), id_number=bad)
    assert info.value.field == "id_number" and info.value.code == code


def test_import_reports_every_row_and_verifies_matching_links(db, make_user):
    admin = make_user(Role.UNION_ADMIN)
    worker = make_user(Role.WORKER, name="王芳")
    pending = link(db, worker)
    content = register_csv([
        f"HN001,王芳,{VALID_ID},海口市总工会",
        f"HN002,李雷,{OTHER_ID},三亚市总工会",
        "HN003,韩梅梅,110105194912310021,三亚市总工会",
        f"HN002,李雷,{OTHER_ID},三亚市总工会",
        ",无号,,",
    ])
    batch = services.import_register(db, actor=admin, filename="register.csv", content=content, vault=vault(),
                                     now=utcnow())
    outcomes = [(r["row"], r["outcome"]) for r in batch.report]
    assert outcomes == [(2, "added"), (3, "added"), (4, "rejected"), (5, "rejected"), (6, "rejected")]
    assert all(r["reason"] for r in batch.report if r["outcome"] == "rejected")
    assert (batch.added, batch.updated, batch.rejected, batch.verified_links) == (2, 0, 3, 1)
    assert pending.status == MembershipStatus.VERIFIED
    again = services.import_register(db, actor=admin, filename="register.csv",
                                     content=register_csv([f"HN002,李雷,{OTHER_ID},儋州市总工会"]), vault=vault(), now=utcnow())
    assert again.updated == 1
    assert db.scalar(select(RegisterEntry.union_name).where(RegisterEntry.member_no == "HN002")) == "儋州市总工会"


def test_link_matching_the_register_is_verified_at_once(db, make_user):
    admin = make_user(Role.UNION_ADMIN)
    services.import_register(db, actor=admin, filename="r.csv", vault=vault(), now=utcnow(),
                             content=register_csv([f"HN001,张伟,{VALID_ID},海口市总工会"]))
    assert link(db, make_user(Role.WORKER, name="张伟")).status == MembershipStatus.VERIFIED
    assert link(db, make_user(Role.WORKER, name="冒名者")).status == MembershipStatus.PENDING


def test_import_reads_xlsx_with_chinese_headers(db, make_user):
    book = Workbook()
    sheet = book.active
    sheet.append(["会员证号", "姓名", "身份证号", "基层工会"])
    sheet.append(["HN010", "赵敏", VALID_ID, "文昌市总工会"])
    buffer = io.BytesIO()
    book.save(buffer)
    batch = services.import_register(db, actor=make_user(Role.UNION_ADMIN), filename="名册.xlsx",
                                     content=buffer.getvalue(), vault=vault(), now=utcnow())
    assert batch.added == 1


@pytest.mark.parametrize("filename, content", [("r.csv", b""), ("r.csv", b"a,b\n1,2\n"), ("r.xlsx", b"not a zip"),
                                               ("r.csv", "会员证号".encode("utf-16"))])
def test_import_refuses_unreadable_files_clearly(db, make_user, filename, content):
    with pytest.raises(Invalid) as info:
        services.import_register(db, actor=make_user(Role.UNION_ADMIN), filename=filename, content=content,
                                 vault=vault(), now=utcnow())
    assert info.value.field == "file"


def test_admin_decision_requires_reason_to_reject(db, make_user):
    admin = make_user(Role.UNION_ADMIN)
    profile = link(db, make_user(Role.WORKER))
    with pytest.raises(Invalid):
        services.decide_membership(db, actor=admin, profile_id=profile.id, approve=False, note=" ", now=utcnow())
    services.decide_membership(db, actor=admin, profile_id=profile.id, approve=False, note="查无此会员", now=utcnow())
    assert profile.status == MembershipStatus.REJECTED


# --- HTTP and API ----------------------------------------------------------------------------

def test_api_put_membership_masks_the_id_number(client, make_user):
    user = make_user(Role.WORKER)
    body = {"member_no": "HN001", "union_name": "海口市总工会", "employer": "海南电网", "real_name": user.name,
            "id_number": VALID_ID}
    response = client.put("/api/v1/me/membership", json=body, headers=bearer(user))
    assert response.status_code == 200
    assert response.json["status"] == "pending" and response.json["id_number"] == "**************002X"
    assert VALID_ID not in response.get_data(as_text=True)
    assert "002X" in client.get("/api/v1/me", headers=bearer(user)).json["membership"]["id_number"]


def test_api_bad_id_number_is_422_on_that_field(client, make_user):
    user = make_user(Role.WORKER)
    body = {"member_no": "HN001", "union_name": "u", "employer": "e", "real_name": "r", "id_number": "110105194912310021"}
    response = client.put("/api/v1/me/membership", json=body, headers=bearer(user))
    assert response.status_code == 422
    assert response.json["error"]["field"] == "id_number"
    assert response.json["error"]["code"] == "id_number_check_digit"
    assert "110105194912310021" not in response.get_data(as_text=True)


def test_api_missing_field_and_unknown_field_are_422(client, make_user):
    user = make_user(Role.WORKER)
    assert client.put("/api/v1/me/membership", json={"member_no": "x"}, headers=bearer(user)).json["error"]["field"] == "union_name"
    body = {"member_no": "1", "union_name": "u", "employer": "e", "real_name": "r", "id_number": VALID_ID, "x": 1}
    assert client.put("/api/v1/me/membership", json=body, headers=bearer(user)).status_code == 422


def test_link_page_never_echoes_the_id_number(client, make_user):
    user = make_user(Role.WORKER)
    sign_in(client, user)
    bad = "110105194912310021"
    response = post_form(client, "/membership", {"member_no": "HN001", "union_name": "海口市总工会",
                                                 "employer": "海南电网", "real_name": user.name, "id_number": bad})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and bad not in page and 'aria-invalid="true"' in page
    response = post_form(client, "/membership", {"member_no": "HN001", "union_name": "海口市总工会",
                                                 "employer": "海南电网", "real_name": user.name, "id_number": VALID_ID})
    assert response.status_code == 302
    page = client.get("/membership").get_data(as_text=True)
    assert VALID_ID not in page and "**************002X" in page


def test_id_numbers_never_reach_the_logs(client, make_user, caplog):
    user = make_user(Role.WORKER)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("app.test").info("linking %s for %s", VALID_ID, user.id)
        client.put("/api/v1/me/membership", headers=bearer(user), json={
            "member_no": "HN001", "union_name": "u", "employer": "e", "real_name": "r", "id_number": VALID_ID})
    assert VALID_ID not in caplog.text
    assert "**************002X" in caplog.text


def test_admin_page_imports_and_shows_the_report(client, make_user):
    sign_in(client, make_user(Role.UNION_ADMIN))
    data = {"file": (io.BytesIO(register_csv([f"HN005,孙丽,{VALID_ID},海口市总工会", "HN006,错号,123,海口"])), "r.csv")}
    response = post_form(client, "/admin/membership", data, content_type="multipart/form-data")
    assert response.status_code == 302
    report = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "HN005" in report and "HN006" in report and VALID_ID not in report


def test_admin_page_refuses_other_file_types(client, make_user):
    sign_in(client, make_user(Role.UNION_ADMIN))
    data = {"file": (io.BytesIO(b"x"), "register.pdf")}
    response = post_form(client, "/admin/membership", data, content_type="multipart/form-data")
    assert response.status_code == 200 and "CSV" in response.get_data(as_text=True)


def test_api_import_and_decide(client, make_user, db):
    admin = make_user(Role.UNION_ADMIN)
    worker = make_user(Role.WORKER)
    link(db, worker)
    response = client.post("/api/v1/membership/register-imports", headers=bearer(admin),
                           data={"file": (io.BytesIO(register_csv([f"HN009,某,{OTHER_ID},u"])), "r.csv")})
    assert response.status_code == 201 and response.json["rows"][0]["outcome"] == "added"
    pending = client.get("/api/v1/membership/pending", headers=bearer(admin)).json
    assert pending["total"] == 1 and pending["items"][0]["id_number"].endswith("002X")
    profile_id = pending["items"][0]["id"]
    decided = client.post(f"/api/v1/membership/{profile_id}/decision", json={"approve": True}, headers=bearer(admin))
    assert decided.json["status"] == "verified"
    assert db.get(MemberProfile, profile_id).status == MembershipStatus.VERIFIED


def test_workers_cannot_use_admin_membership_api(client, make_user):
    worker = make_user(Role.WORKER)
    assert client.get("/api/v1/membership/pending", headers=bearer(worker)).status_code == 403
    assert client.post("/api/v1/membership/1/decision", json={"approve": True}, headers=bearer(worker)).status_code == 403


def test_import_report_speaks_the_viewers_language(app, client, make_user):
    """Reasons are stored as codes: an English importer and a Chinese colleague each read their own language."""
    admin = make_user(Role.UNION_ADMIN)
    sign_in(client, admin)
    data = {"file": (io.BytesIO(register_csv(["HN007,错号,123,海口", "HN007,重复,123,海口"])), "r.csv")}
    report_url = post_form(client, "/admin/membership", data, content_type="multipart/form-data").headers["Location"]
    english = client.get(report_url).get_data(as_text=True)
    assert "An ID number has 18 characters" in english and "Not imported" in english
    colleague = app.test_client()
    colleague.delete_cookie("lang")   # never chose: Chinese
    sign_in(colleague, admin)
    chinese = colleague.get(report_url).get_data(as_text=True)
    assert "An ID number has 18 characters" not in chinese and "Not imported" not in chinese
    assert "身份证号" in chinese


def test_stored_english_industry_names_show_in_english(app, client, db):
    from courses.services.shelf.industries import seed_industries

    seed_industries(db)
    db.commit()
    english = client.get("/courses").get_data(as_text=True)
    assert "High technology" in english
    chinese_client = app.test_client()
    chinese_client.delete_cookie("lang")
    assert "高新技术产业" in chinese_client.get("/courses").get_data(as_text=True)
