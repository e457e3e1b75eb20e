"""The roster: per-row report, ID numbers masked and encrypted, re-upload idempotent, background job,
replace/remove, people who sign up later."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from app.access import Role
from app.auth.models import OutboxMessage
from app.errors import Conflict, Invalid
from app.membership.models import MemberProfile, MembershipStatus
from app.security import vault
from courses.models import Enrollment, EnrollmentStatus
from orders.models import RosterEntry, RosterMatch, RosterStatus, UploadStatus
from orders.services import ordering, roster
from tests.orders.conftest import NOW, id_number

HEADER = "姓名,手机号,身份证号,会员证号,部门\n"


def csv_of(lines: list[str]) -> bytes:
    return (HEADER + "\n".join(lines) + "\n").encode()


def member_with(db, make_member, number: str, **kwargs):
    user = make_member(**kwargs)
    profile = db.scalar(select(MemberProfile).where(MemberProfile.user_id == user.id))
    profile.id_number_cipher, profile.id_number_hash = vault().encrypt(number), vault().lookup_hash(number)
    profile.id_last4 = number[-4:]
    db.flush()
    return user


def test_each_row_is_reported(db, make_order, enterprise_admin, make_member, make_user):
    order = make_order(seats=5)
    member = member_with(db, make_member, id_number(1))
    account = make_user(Role.WORKER, phone="13900001111")
    content = csv_of([
        f"张三,,{id_number(1)},M1,运检部",                  # verified member by ID number
        f"李四,13900001111,{id_number(2)},,营销部",         # account by phone, no membership
        f"王五,13800002222,{id_number(3)},,调度中心",       # invited by SMS
        f"赵六,13800003333,{id_number(4, valid=False)},,",  # bad check digit
        f"张三二,,{id_number(1)},,",                        # duplicate in the file
        ",13800004444,,,",                                  # no name
        f"孙七,,{id_number(5)},,",                          # nobody to invite
        f"周八,13800005555,{id_number(6)},,",
        f"吴九,13800006666,{id_number(7)},,",
        f"郑十,13800007777,{id_number(8)},,",               # the 6th person for 5 seats
    ])
    upload, new = roster.start_import(db, actor=enterprise_admin, order_id=order.id, filename="花名册.csv",
                                      content=content, vault=vault(), now=NOW)
    assert new and upload.status == UploadStatus.DONE and upload.processed_rows == 10
    outcome = [(line["row"], line["outcome"], line["code"]) for line in upload.report]
    assert outcome == [(2, "member", ""), (3, "account", ""), (4, "invited", ""), (5, "rejected", "id_check_digit"),
                       (6, "rejected", "duplicate_in_file"), (7, "rejected", "name_required"),
                       (8, "rejected", "no_contact"), (9, "invited", ""), (10, "invited", ""),
                       (11, "rejected", "over_seats")]
    assert roster.summary(upload.report) == {"member": 1, "account": 1, "invited": 3, "rejected": 5}
    entries = db.scalars(select(RosterEntry).where(RosterEntry.order_id == order.id).order_by(RosterEntry.id)).all()
    assert [e.user_id for e in entries[:2]] == [member.id, account.id]
    assert entries[0].id_masked.endswith(id_number(1)[-4:]) and id_number(1) not in str(upload.report)
    assert vault().decrypt(entries[2].id_number_cipher) == id_number(3)
    assert db.query(OutboxMessage).filter_by(recipient="+8613800002222").count() == 0   # sent by a job
    assert roster.send_invitations(db, order_id=order.id, now=NOW) == 3
    assert roster.send_invitations(db, order_id=order.id, now=NOW) == 0   # once each
    assert db.query(OutboxMessage).filter_by(recipient="+8613800002222").count() == 1


def test_the_same_file_twice_changes_nothing(db, make_order, enterprise_admin):
    order = make_order(seats=5)
    content = csv_of([f"王五,13800002222,{id_number(3)},,"])
    first, _ = roster.start_import(db, actor=enterprise_admin, order_id=order.id, filename="a.csv", content=content,
                                   vault=vault(), now=NOW)
    again, new = roster.start_import(db, actor=enterprise_admin, order_id=order.id, filename="a.csv", content=content,
                                     vault=vault(), now=NOW)
    assert not new and again.id == first.id and roster.roster_count(db, order.id) == 1
    other, new = roster.start_import(db, actor=enterprise_admin, order_id=order.id, filename="b.csv",
                                     content=content + b"\n", vault=vault(), now=NOW)
    assert new and other.report[0]["code"] == "already_on_order" and roster.roster_count(db, order.id) == 1


def test_xlsx_is_read_too(db, make_order, enterprise_admin):
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机号", "身份证号", "部门"])
    sheet.append(["王五", "13800002222", id_number(3), "运检部"])
    out = io.BytesIO()
    book.save(out)
    upload, _ = roster.start_import(db, actor=enterprise_admin, order_id=make_order().id, filename="r.xlsx",
                                    content=out.getvalue(), vault=vault(), now=NOW)
    assert [line["outcome"] for line in upload.report] == ["invited"]


@pytest.mark.parametrize("content", [b"name,phone\nx,y\n", b"", b"\xff\xfe\x00garbage"])
def test_unreadable_files_are_refused(db, make_order, enterprise_admin, content):
    with pytest.raises(Invalid):
        roster.start_import(db, actor=enterprise_admin, order_id=make_order().id, filename="x.csv", content=content,
                            vault=vault(), now=NOW)


def test_a_large_file_runs_as_a_job_in_chunks(db, make_order, enterprise_admin):
    order = make_order(seats=30)
    content = csv_of([f"员工{n},138{n:08d},{id_number(100 + n)},," for n in range(25)])
    upload, _ = roster.start_import(db, actor=enterprise_admin, order_id=order.id, filename="big.csv",
                                    content=content, vault=vault(), now=NOW, inline_rows=10)
    assert upload.status == UploadStatus.QUEUED and upload.processed_rows == 0 and upload.pending
    steps = 0
    while not roster.run_import_step(db, upload_id=upload.id, vault=vault(), now=NOW, chunk=10):
        steps += 1
        assert upload.processed_rows == 10 * steps
    assert upload.status == UploadStatus.DONE and upload.pending is None and upload.processed_rows == 25
    assert roster.roster_count(db, order.id) == 25


def test_confirmed_order_people_are_enrolled_replaced_and_removed(db, make_order, enterprise_admin,
                                                                  provider_admin, make_user):
    order = make_order(seats=2)
    people = [make_user(Role.WORKER, phone=f"1390000{n:04d}") for n in range(3)]
    content = csv_of([f"{p.name},{p.phone},{id_number(200 + n)},," for n, p in enumerate(people[:2])])
    roster.start_import(db, actor=enterprise_admin, order_id=order.id, filename="a.csv", content=content,
                        vault=vault(), now=NOW)
    ordering.submit_order(db, actor=enterprise_admin, order_id=order.id, now=NOW)
    ordering.confirm_order(db, actor=provider_admin, order_id=order.id, now=NOW)
    entries = db.scalars(select(RosterEntry).where(RosterEntry.order_id == order.id).order_by(RosterEntry.id)).all()
    assert all(e.enrollment_id for e in entries)
    with pytest.raises(Invalid) as caught:
        roster.add_person(db, actor=enterprise_admin, order_id=order.id, vault=vault(), now=NOW,
                          values={"name": "多余", "phone": people[2].phone, "id_number": id_number(299)})
    assert caught.value.code == "over_seats"
    roster.replace_person(db, actor=enterprise_admin, order_id=order.id, entry_id=entries[0].id, vault=vault(),
                          now=NOW, values={"name": people[2].name, "phone": people[2].phone,
                                           "id_number": id_number(202)})
    assert entries[0].status == RosterStatus.REPLACED and entries[0].replaced_by_id
    assert db.get(Enrollment, entries[0].enrollment_id).status == EnrollmentStatus.CANCELLED
    replacement = db.get(RosterEntry, entries[0].replaced_by_id)
    assert db.get(Enrollment, replacement.enrollment_id).user_id == people[2].id
    roster.remove_person(db, actor=enterprise_admin, order_id=order.id, entry_id=entries[1].id, now=NOW)
    assert roster.roster_count(db, order.id) == 1
    from datetime import timedelta

    with pytest.raises(Conflict):
        roster.remove_person(db, actor=enterprise_admin, order_id=order.id, entry_id=replacement.id,
                             now=NOW + timedelta(days=20))


def test_an_invited_person_who_signs_up_later_is_attached_and_enrolled(db, make_order, enterprise_admin,
                                                                       provider_admin, make_member):
    order = make_order(seats=2)
    roster.start_import(db, actor=enterprise_admin, order_id=order.id, filename="a.csv", vault=vault(), now=NOW,
                        content=csv_of([f"王五,13800002222,{id_number(3)},,"]))
    ordering.submit_order(db, actor=enterprise_admin, order_id=order.id, now=NOW)
    ordering.confirm_order(db, actor=provider_admin, order_id=order.id, now=NOW)
    assert roster.attach_people(db, now=NOW) == 0
    worker = member_with(db, make_member, id_number(3), status=MembershipStatus.VERIFIED)
    assert roster.attach_people(db, now=NOW) == 1
    entry = db.scalar(select(RosterEntry).where(RosterEntry.order_id == order.id))
    assert entry.user_id == worker.id and entry.match == RosterMatch.MEMBER
    assert db.get(Enrollment, entry.enrollment_id).user_id == worker.id
    assert roster.attach_people(db, now=NOW) == 0


def _on_roster_then_signed_up(db, make_order, enterprise_admin, provider_admin, make_user, number: str):
    """A confirmed order with a person on its roster who had no account; they sign up later with
    another phone, and the union's register knows their membership."""
    from app.membership.models import RegisterEntry, RegisterImport

    order = make_order(seats=2)
    roster.start_import(db, actor=enterprise_admin, order_id=order.id, filename="a.csv", vault=vault(), now=NOW,
                        content=csv_of([f"王五,13800003333,{number},,"]))
    ordering.submit_order(db, actor=enterprise_admin, order_id=order.id, now=NOW)
    ordering.confirm_order(db, actor=provider_admin, order_id=order.id, now=NOW)
    batch = RegisterImport(filename="r.csv", uploaded_by_id=enterprise_admin.id, created_at=NOW, report=[])
    db.add(batch)
    db.flush()
    db.add(RegisterEntry(member_no="HN777", name="王五", id_number_cipher=vault().encrypt(number),
                         id_number_hash=vault().lookup_hash(number), id_last4=number[-4:], union_name="测试工会",
                         import_id=batch.id, updated_at=NOW))
    worker = make_user(Role.WORKER, phone="13900007777", name="王五")
    db.flush()
    return order, worker


def _link(db, worker, number: str, *, name: str = "王五"):
    from app.membership.services import MembershipInput, link_membership

    return link_membership(db, actor=worker, vault=vault(), now=NOW, data=MembershipInput(
        member_no="HN777", union_name="测试工会", employer="海南电网", real_name=name, id_number=number))


def test_a_verified_membership_link_attaches_earlier_roster_places_at_once(db, make_order, enterprise_admin,
                                                                           provider_admin, make_user):
    """Through the seam (``Domain.on_member_verified``): no periodic job is needed."""
    from orders.facts import order_training_of_member

    order, worker = _on_roster_then_signed_up(db, make_order, enterprise_admin, provider_admin, make_user,
                                              id_number(41))
    profile = _link(db, worker, id_number(41))
    assert profile.status == MembershipStatus.VERIFIED
    entry = db.scalar(select(RosterEntry).where(RosterEntry.order_id == order.id))
    assert entry.user_id == worker.id and entry.match == RosterMatch.MEMBER
    enrollment = db.get(Enrollment, entry.enrollment_id)
    assert enrollment.user_id == worker.id and enrollment.source == "order"
    assert [f["order_id"] for f in order_training_of_member(db, worker.id, now=NOW)] == [order.id]
    assert roster.attach_people(db, now=NOW) == 0          # nothing left for the job


def test_a_pending_link_attaches_nothing_until_an_admin_verifies_it(db, make_order, enterprise_admin,
                                                                    provider_admin, make_user, union_admin):
    from app.membership.services import decide_membership
    from orders.facts import order_training_of_member

    order, worker = _on_roster_then_signed_up(db, make_order, enterprise_admin, provider_admin, make_user,
                                              id_number(42))
    profile = _link(db, worker, id_number(42), name="王五五")     # not as on the register: pending
    assert profile.status == MembershipStatus.PENDING
    entry = db.scalar(select(RosterEntry).where(RosterEntry.order_id == order.id))
    assert entry.user_id is None
    # an ID number typed into a link nobody verified shows nobody's training
    assert order_training_of_member(db, worker.id, now=NOW) == []
    decide_membership(db, actor=union_admin, profile_id=profile.id, approve=True, note="", now=NOW)
    assert entry.user_id == worker.id and db.get(Enrollment, entry.enrollment_id).user_id == worker.id
    assert [f["order_id"] for f in order_training_of_member(db, worker.id, now=NOW)] == [order.id]


def test_people_can_be_invited_by_mail_and_matched_by_mail(db, make_order, enterprise_admin, make_user):
    order = make_order(seats=5)
    account = make_user(Role.WORKER, email="li@example.com")
    content = ("姓名,身份证号,邮箱\n"
               f"李四,{id_number(2)},li@example.com\n"
               f"王五,{id_number(3)},wang@example.com\n"
               f"赵六,{id_number(4)},not-an-address\n").encode()
    upload, _ = roster.start_import(db, actor=enterprise_admin, order_id=order.id, filename="m.csv", content=content,
                                    vault=vault(), now=NOW)
    assert [(line["outcome"], line["code"]) for line in upload.report] == [
        ("account", ""), ("invited", ""), ("rejected", "bad_email")]
    entries = db.scalars(select(RosterEntry).where(RosterEntry.order_id == order.id).order_by(RosterEntry.id)).all()
    assert entries[0].user_id == account.id
    assert roster.send_invitations(db, order_id=order.id, now=NOW) == 1
    assert db.query(OutboxMessage).filter_by(recipient="wang@example.com", channel="email").count() == 1
