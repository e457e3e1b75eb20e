"""Shelf services: creating courses and classes, sanitising, the union review workflow, listing columns."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.access import Role
from app.auth.models import OrgKind, OrgStatus
from app.errors import Conflict, Forbidden, Invalid, NotFound
from courses.models import ClassMode, ClassStatus, CourseStatus
from courses.services import shelf

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64


@pytest.fixture
def admin(make_user, provider):
    return make_user(Role.PROVIDER_ADMIN, org=provider)


@pytest.fixture
def union_admin(make_user):
    return make_user(Role.UNION_ADMIN)


@pytest.fixture
def industries(db):
    return {i.code: i for i in shelf.seed_industries(db)}


@pytest.fixture
def draft(db, admin, industries, now):
    return shelf.create_course(db, actor=admin, now=now, title="低压电工作业培训", summary="第一期电工培训班",
                               industry_codes=["hightech"], skills=["电气安全"], hours=64)


def class_values(now, **overrides):
    starts = (now + timedelta(days=14)).date()
    values = dict(title="第一期", mode=ClassMode.OFFLINE, city="海口", venue="海南省电力学校", starts_on=starts,
                  ends_on=starts + timedelta(days=4), enroll_opens_at=now - timedelta(days=1),
                  enroll_closes_at=now + timedelta(days=10), capacity=30, price=128000, member_price=98000)
    values.update(overrides)
    return values


# --- industries ---------------------------------------------------------------------------

def test_seed_industries_creates_the_seven_once(db):
    first = shelf.seed_industries(db)
    again = shelf.seed_industries(db)
    assert [i.name_zh for i in first] == ["旅游业", "现代服务业", "高新技术产业", "热带特色高效农业", "南繁", "深海", "航天"]
    assert [i.id for i in again] == [i.id for i in first]
    assert {i.code for i in first if i.is_future} == {"seed_breeding", "deep_sea", "aerospace"}


def test_union_admin_adds_an_industry_others_cannot(db, union_admin, admin, industries):
    added = shelf.add_industry(db, actor=union_admin, code="marine_fishery", name_zh="海洋渔业", name_en="Marine fishery")
    assert added.position > max(i.position for i in industries.values())
    with pytest.raises(Conflict):
        shelf.add_industry(db, actor=union_admin, code="other", name_zh="海洋渔业", name_en="x")
    with pytest.raises(Invalid) as exc:
        shelf.add_industry(db, actor=union_admin, code="Bad Code!", name_zh="新", name_en="New")
    assert exc.value.field == "code"
    with pytest.raises(Forbidden):
        shelf.add_industry(db, actor=admin, code="x_y", name_zh="新行业", name_en="New")


# --- courses ------------------------------------------------------------------------------

def test_create_course_is_a_draft_of_the_admins_provider(draft, provider):
    assert draft.status == CourseStatus.DRAFT and not draft.is_published
    assert draft.provider_id == provider.id
    assert [i.code for i in draft.industries] == ["hightech"]


def test_create_course_needs_an_approved_provider(db, make_user, make_org, now):
    pending = make_org(OrgKind.PROVIDER, status=OrgStatus.PENDING)
    user = make_user(Role.PROVIDER_ADMIN, org=pending)
    with pytest.raises(Forbidden) as exc:
        shelf.create_course(db, actor=user, now=now, title="课程")
    assert exc.value.code == "org_not_approved"


def test_create_course_validates_fields(db, admin, industries, now):
    with pytest.raises(Invalid) as exc:
        shelf.create_course(db, actor=admin, now=now, title="  ")
    assert exc.value.field == "title"
    with pytest.raises(Invalid) as exc:
        shelf.create_course(db, actor=admin, now=now, title="课程", industry_codes=["nope"])
    assert exc.value.code == "unknown_industry"
    with pytest.raises(Invalid) as exc:
        shelf.create_course(db, actor=admin, now=now, title="课程", hours=-1)
    assert exc.value.field == "hours"


def test_description_is_sanitised_on_write(db, admin, now):
    course = shelf.create_course(
        db, actor=admin, now=now, title="课程",
        description_html='<p onclick="x()">好<script>alert(1)</script><strong>课</strong>'
                         '<a href="javascript:alert(1)">坏</a><a href="https://example.com">链接</a>'
                         '<img src=x onerror=alert(1)><style>p{}</style></p>')
    html = course.description_html
    assert "<script" not in html and "onclick" not in html and "javascript:" not in html
    assert "<img" not in html and "<style" not in html
    assert "<strong>课</strong>" in html and 'href="https://example.com"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_skills_from_text_are_split_and_deduplicated(db, admin, now):
    course = shelf.create_course(db, actor=admin, now=now, title="课程", skills="配电, 变电、配电；继电保护")
    assert course.skills == ["配电", "变电", "继电保护"]


def test_instructors_must_be_staff_of_the_provider(db, admin, provider, make_user, now):
    ours = make_user(Role.INSTRUCTOR, org=provider)
    theirs = make_user(Role.INSTRUCTOR)
    course = shelf.create_course(db, actor=admin, now=now, title="课程", instructor_ids=[ours.id])
    assert course.instructors == [ours]
    with pytest.raises(Invalid) as exc:
        shelf.update_course(db, actor=admin, course_id=course.id, changes={"instructor_ids": [theirs.id]}, now=now)
    assert exc.value.code == "not_instructor"


def test_other_providers_admin_cannot_see_or_edit(db, draft, make_user, now):
    stranger = make_user(Role.PROVIDER_ADMIN)
    with pytest.raises(NotFound):
        shelf.update_course(db, actor=stranger, course_id=draft.id, changes={"title": "x"}, now=now)
    with pytest.raises(NotFound):
        shelf.submit_course(db, actor=stranger, course_id=draft.id, now=now)


# --- review workflow ----------------------------------------------------------------------

def test_review_workflow_submit_reject_with_reason_resubmit_approve_publish(db, draft, admin, union_admin, now):
    with pytest.raises(Conflict):
        shelf.publish_course(db, actor=admin, course_id=draft.id, now=now)
    shelf.submit_course(db, actor=admin, course_id=draft.id, now=now)
    assert draft.status == CourseStatus.SUBMITTED and draft.submitted_at == now
    with pytest.raises(Conflict):
        shelf.submit_course(db, actor=admin, course_id=draft.id, now=now)
    with pytest.raises(Invalid) as exc:
        shelf.reject_course(db, actor=union_admin, course_id=draft.id, reason="  ", now=now)
    assert exc.value.code == "reason_required"
    shelf.reject_course(db, actor=union_admin, course_id=draft.id, reason="请补充实操课时安排", now=now)
    assert draft.status == CourseStatus.REJECTED and draft.review_note == "请补充实操课时安排"
    with pytest.raises(Conflict):
        shelf.approve_course(db, actor=union_admin, course_id=draft.id, now=now)
    shelf.update_course(db, actor=admin, course_id=draft.id, changes={"hours": 72}, now=now)
    assert draft.status == CourseStatus.DRAFT
    shelf.submit_course(db, actor=admin, course_id=draft.id, now=now)
    assert draft.review_note == ""
    shelf.approve_course(db, actor=union_admin, course_id=draft.id, now=now)
    assert draft.status == CourseStatus.APPROVED and draft.reviewed_by_id == union_admin.id
    assert not draft.is_public
    shelf.publish_course(db, actor=admin, course_id=draft.id, now=now)
    assert draft.is_public
    shelf.publish_course(db, actor=admin, course_id=draft.id, publish=False, now=now)
    assert not draft.is_public


def test_only_union_admins_review(db, draft, admin, now):
    shelf.submit_course(db, actor=admin, course_id=draft.id, now=now)
    with pytest.raises(Forbidden):
        shelf.approve_course(db, actor=admin, course_id=draft.id, now=now)


def test_submit_needs_summary_and_industry(db, admin, now):
    course = shelf.create_course(db, actor=admin, now=now, title="课程")
    with pytest.raises(Invalid) as exc:
        shelf.submit_course(db, actor=admin, course_id=course.id, now=now)
    assert exc.value.code == "incomplete"


def test_editing_substance_of_approved_course_sends_it_back_to_review(db, make_course, admin, now):
    course = make_course(title="高压电工作业培训", summary="摘要")
    assert course.is_public
    shelf.update_course(db, actor=admin, course_id=course.id, changes={"instructor_ids": []}, now=now)
    assert course.status == CourseStatus.APPROVED, "instructors are not substance"
    shelf.update_course(db, actor=admin, course_id=course.id, changes={"title": "高压电工作业培训（新版）"}, now=now)
    assert course.status == CourseStatus.SUBMITTED and not course.is_public
    assert course.is_published, "comes back by itself once approved again"


def test_same_values_do_not_count_as_a_change(db, make_course, admin, now):
    course = make_course(title="高压电工作业培训", summary="摘要")
    shelf.update_course(db, actor=admin, course_id=course.id, changes={"title": "高压电工作业培训", "summary": "摘要"},
                        now=now)
    assert course.status == CourseStatus.APPROVED


# --- cover --------------------------------------------------------------------------------

@pytest.mark.parametrize("content, ext", [(PNG, "png"), (JPEG, "jpg"), (WEBP, "webp")])
def test_cover_accepts_png_jpeg_webp_by_magic_bytes(db, draft, admin, now, tmp_path, content, ext):
    shelf.set_course_cover(db, actor=admin, course_id=draft.id, content=content, upload_folder=str(tmp_path), now=now)
    assert draft.cover_image.endswith("." + ext)
    assert (tmp_path / "covers" / draft.cover_image).read_bytes() == content
    assert shelf.cover_path(str(tmp_path), draft.cover_image) is not None


@pytest.mark.parametrize("content", [b"GIF89a" + b"\x00" * 20, b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                                     b"%PDF-1.4", b"", b"RIFF\x00\x00\x00\x00WAVE"])
def test_cover_rejects_non_images(db, draft, admin, now, tmp_path, content):
    with pytest.raises(Invalid) as exc:
        shelf.set_course_cover(db, actor=admin, course_id=draft.id, content=content, upload_folder=str(tmp_path),
                               now=now)
    assert exc.value.code == "bad_image" and exc.value.field == "cover"
    assert draft.cover_image is None


def test_cover_rejects_more_than_5_mb(db, draft, admin, now, tmp_path):
    with pytest.raises(Invalid) as exc:
        shelf.set_course_cover(db, actor=admin, course_id=draft.id, content=PNG + b"\x00" * (5 * 1024 * 1024),
                               upload_folder=str(tmp_path), now=now)
    assert exc.value.code == "image_too_large"


def test_cover_path_refuses_traversal(tmp_path):
    assert shelf.cover_path(str(tmp_path), "../secret_key") is None
    assert shelf.cover_path(str(tmp_path), "a" * 20 + ".exe") is None


# --- classes ------------------------------------------------------------------------------

def test_create_class_and_listing_columns(db, draft, admin, now):
    tc = shelf.create_class(db, actor=admin, course_id=draft.id, now=now, **class_values(now))
    assert tc.status == ClassStatus.SCHEDULED and tc.seats_left == 30
    assert draft.price_from == 128000 and draft.member_price_from == 98000
    assert draft.next_start_on == tc.starts_on
    assert draft.modes == " offline " and draft.cities == " 海口 "
    assert not draft.has_free_member_class


@pytest.mark.parametrize("overrides, field", [
    ({"city": ""}, "city"),
    ({"venue": ""}, "venue"),
    ({"mode": "hybrid"}, "mode"),
    ({"ends_on": "starts-1"}, "ends_on"),
    ({"enroll_closes_at": "opens-1"}, "enroll_closes_at"),
    ({"enroll_closes_at": "after-end"}, "enroll_closes_at"),
    ({"member_price": 200000}, "member_price"),
    ({"price": -1}, "price"),
    ({"capacity": 0}, "capacity"),
    ({"refund_rule": "sometimes"}, "refund_rule"),
    ({"title": ""}, "title"),
])
def test_class_validation(db, draft, admin, now, overrides, field):
    values = class_values(now)
    if overrides.get("ends_on") == "starts-1":
        overrides["ends_on"] = values["starts_on"] - timedelta(days=1)
    if overrides.get("enroll_closes_at") == "opens-1":
        overrides["enroll_closes_at"] = values["enroll_opens_at"] - timedelta(hours=1)
    if overrides.get("enroll_closes_at") == "after-end":
        overrides["enroll_closes_at"] = now + timedelta(days=40)
    values.update(overrides)
    with pytest.raises(Invalid) as exc:
        shelf.create_class(db, actor=admin, course_id=draft.id, now=now, **values)
    assert exc.value.field == field


def test_online_class_needs_no_venue_and_past_start_is_refused(db, draft, admin, now):
    tc = shelf.create_class(db, actor=admin, course_id=draft.id, now=now,
                            **class_values(now, mode=ClassMode.ONLINE, city="", venue=""))
    assert tc.mode == ClassMode.ONLINE
    with pytest.raises(Invalid) as exc:
        shelf.create_class(db, actor=admin, course_id=draft.id, now=now,
                           **class_values(now, starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 2),
                                          enroll_closes_at=now - timedelta(days=30),
                                          enroll_opens_at=now - timedelta(days=40)))
    assert exc.value.code == "starts_in_past"


def test_capacity_cannot_drop_below_seats_taken(db, make_class, make_member, make_enrollment, admin, now):
    tc = make_class(capacity=3)
    make_enrollment(tc, make_member())
    make_enrollment(tc, make_member())
    with pytest.raises(Conflict) as exc:
        shelf.update_class(db, actor=admin, class_id=tc.id, changes={"capacity": 1}, now=now)
    assert exc.value.code == "capacity_below_taken"
    updated = shelf.update_class(db, actor=admin, class_id=tc.id, changes={"capacity": 2}, now=now)
    assert updated.capacity == 2 and updated.seats_left == 0


def test_cancelled_class_cannot_be_edited(db, make_class, admin, now):
    tc = make_class(status=ClassStatus.CANCELLED)
    with pytest.raises(Conflict):
        shelf.update_class(db, actor=admin, class_id=tc.id, changes={"capacity": 5}, now=now)


def test_class_instructor_must_be_staff(db, draft, admin, provider, make_user, now):
    ours = make_user(Role.INSTRUCTOR, org=provider)
    tc = shelf.create_class(db, actor=admin, course_id=draft.id, now=now, **class_values(now, instructor_id=ours.id))
    assert tc.instructor_id == ours.id
    with pytest.raises(Invalid):
        shelf.update_class(db, actor=admin, class_id=tc.id, changes={"instructor_id": make_user(Role.INSTRUCTOR).id},
                           now=now)


# --- refresh_course_listing ---------------------------------------------------------------

def test_refresh_course_listing_follows_the_open_classes(db, make_course, make_class, now):
    course = make_course()
    soon = make_class(course=course, price=50000, member_price=40000, mode=ClassMode.BLENDED, city="三亚",
                      starts_on=(now + timedelta(days=5)).date(), enroll_closes_at=now + timedelta(days=4))
    later = make_class(course=course, price=30000, free_for_members=True, starts_on=(now + timedelta(days=30)).date())
    shelf.refresh_course_listing(db, course.id, now=now)
    assert course.next_start_on == soon.starts_on
    assert (course.price_from, course.member_price_from, course.has_free_member_class) == (30000, 0, True)
    assert course.modes == " blended offline " and course.cities == " 三亚 海口 "

    later.status = ClassStatus.CANCELLED   # what the enrollment work does, then it calls refresh
    shelf.refresh_course_listing(db, course.id, now=now)
    assert (course.price_from, course.member_price_from, course.has_free_member_class) == (50000, 40000, False)
    assert course.cities == " 三亚 "

    # once enrollment has closed, the class no longer lists the course
    shelf.refresh_course_listing(db, course.id, now=now + timedelta(days=4, hours=1))
    assert course.next_start_on is None and course.price_from is None and course.modes == ""


def test_refresh_course_listing_unknown_course(db):
    with pytest.raises(NotFound):
        shelf.refresh_course_listing(db, 987654, now=datetime(2026, 1, 1, tzinfo=UTC))


def test_update_class_refreshes_listing(db, make_course, make_class, admin, now):
    course = make_course()
    tc = make_class(course=course, price=10000)
    shelf.update_class(db, actor=admin, class_id=tc.id, changes={"price": 8000, "city": "儋州"}, now=now)
    assert course.price_from == 8000 and course.cities == " 儋州 "

