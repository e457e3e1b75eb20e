"""The verification answer filled into its shape's skeleton is, byte for byte, the page its
template renders: every status, both languages, facts present or absent, hostile text."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from app.i18n import local_time
from certificates.answer_page import (
    ShownCertificate,
    render_answer,
    shown,
    verification_html,
)

STATUSES = ("valid", "expired", "not_yet_valid", "suspended", "revoked")

FULL = ShownCertificate(
    number="LVE-2026-0000001-X", holder_name="王海军", title="低压电工作业", level="初级", issuer_name="省总工会",
    valid_from="2026-03-01", valid_until="2032-03-01", review_due="2029-03-01", suspended_at="2026-05-02 10:30",
    suspension_reason="未按期复审", revoked_at="2026-06-03 08:00", revocation_reason="违规取得",
    credential_url="/api/v1/certificates/tok/credential",
)
HOSTILE = replace(FULL, holder_name='<script>alert("x")</script> & \'O\'Brien\' \ue000number\ue001',
                  revocation_reason="a < b > c & \"d\"", title="{{ 7*7 }} %(date)s")
SPARSE = replace(FULL, level="", valid_until="", review_due="", suspended_at="", suspension_reason="",
                 revoked_at="", revocation_reason="")


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
@pytest.mark.parametrize("status", STATUSES)
def test_a_filled_skeleton_is_the_rendered_page(app, db, lang, status):
    for facts in (FULL, HOSTILE, SPARSE, FULL):   # FULL twice: once from a kept skeleton
        with app.test_request_context("/v/tok?from=<qr>&x=\"1\"", environ_base={"HTTP_COOKIE": f"lang={lang}"}):
            assert verification_html(facts, status) == render_answer(facts, status)


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_not_found_is_the_rendered_page(app, db, lang):
    with app.test_request_context("/v/unknown", environ_base={"HTTP_COOKIE": f"lang={lang}"}):
        html = verification_html(None, "not_found")
        assert html == render_answer(None, "not_found")
        assert "\ue000" not in html


def test_hostile_text_is_escaped_and_never_read_as_a_marker(app, db):
    with app.test_request_context("/v/tok"):
        verification_html(FULL, "valid")                 # the skeleton of this shape is kept
        html = verification_html(HOSTILE, "valid")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "LVE-2026-0000001-X" in html                  # the real number, once, in its place
    assert "\ue000number\ue001" in html                  # the holder's text as typed, not filled


def test_shown_dates_are_what_local_time_prints(app, db):
    moments = [datetime(2026, 12, 31, 16, 30, tzinfo=UTC), datetime(2027, 1, 1, 0, 5, tzinfo=UTC)]
    with app.test_request_context("/v/tok"):
        for moment in moments:
            cert = SimpleNamespace(token="tok", number="N", holder_name="H", title="T", level=None, issuer_name="I",
                                   valid_from=moment, valid_until=moment, review_due=None, suspended_at=moment,
                                   suspension_reason=None, revoked_at=moment, revocation_reason=None)
            facts = shown(cert)
            assert facts.valid_from == local_time(moment, "yyyy-MM-dd")
            assert facts.suspended_at == facts.revoked_at == local_time(moment)
            assert facts.review_due == facts.level == ""
