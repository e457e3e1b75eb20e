"""Finding 6: no form echoes an ID number; personal pages and answers are not cached;
access is checked before a request body is read; the CSRF exemption needs a real token."""

from __future__ import annotations

import io

from app.access import Role
from tests.conftest import bearer, post_form, sign_in

VALID_ID = "11010519491231002X"


def test_the_membership_form_never_echoes_the_id_number(client, make_user):
    sign_in(client, make_user(Role.WORKER))
    # Another field fails validation (empty employer): the form comes back without the number.
    response = post_form(client, "/membership", {"member_no": "HN001", "union_name": "海口市总工会",
                                                 "employer": "", "real_name": "张三", "id_number": VALID_ID})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'aria-invalid="true"' in page
    assert VALID_ID not in page and "19491231" not in page
    assert "HN001" in page   # the other fields are kept


def test_personal_pages_and_answers_are_not_stored(client, make_user):
    user = make_user(Role.WORKER)
    assert client.get("/api/v1/me", headers=bearer(user)).headers["Cache-Control"] == "no-store"
    sign_in(client, user)
    for path in ("/account", "/membership", "/api/v1/me", "/my/enrollments"):
        response = client.get(path)
        assert response.headers.get("Cache-Control") == "no-store", path
    assert client.get("/login").headers.get("Cache-Control") == "no-store"


def test_anonymous_catalog_pages_stay_cacheable(app):
    anonymous = app.test_client()
    assert "no-store" not in anonymous.get("/courses").headers.get("Cache-Control", "")


class CountingStream(io.BytesIO):
    """A request body that remembers whether anyone read it."""

    read_bytes = 0

    def read(self, size=-1):
        data = super().read(size)
        CountingStream.read_bytes += len(data)
        return data


def test_an_anonymous_upload_is_refused_before_its_body_is_read(client):
    size = 30 * 1024 * 1024
    CountingStream.read_bytes = 0
    body = CountingStream(b"x" * size)
    for path in ("/provider/classes/1/lessons", "/admin/membership", "/api/v1/membership/register-imports"):
        body.seek(0)
        response = client.post(path, input_stream=body, content_type="multipart/form-data; boundary=x",
                               headers={"Content-Length": str(size)})
        assert response.status_code in (302, 401), (path, response.status_code)
    assert CountingStream.read_bytes == 0


def test_a_signed_in_worker_cannot_make_staff_pages_parse_a_body(client, make_user):
    sign_in(client, make_user(Role.WORKER))
    CountingStream.read_bytes = 0
    response = client.post("/admin/membership", input_stream=CountingStream(b"x" * 1024),
                           content_type="multipart/form-data; boundary=x", headers={"Content-Length": "1024"})
    assert response.status_code == 403 and CountingStream.read_bytes == 0
