"""Finding 5 (pages): every HTML form route, posted with the edge values of every field type
by the people who may use it, answers without a server error.

Schemathesis covers the JSON API; this covers the pages: with the demo data loaded, each
POST page route is called with real ids (the first row of its kind) and with an id beyond
any column, as the demo provider admin, union admin and worker, with a valid CSRF token and
every form field of the platform set to what breaks naive code (numbers of 30 digits, ``1e30``,
year 9999, overlong text).
"""

from __future__ import annotations

import importlib
import re

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, DateTimeLocalField, DecimalField, IntegerField
from wtforms.fields.core import UnboundField

from app.demo import DEMO_PASSWORD, load_demo
from tests.conftest import csrf_token

FORM_MODULES = ("app.auth.forms", "app.membership.forms", "courses.forms.enrollment", "courses.forms.learning",
                "courses.forms.shelf")


def edge_form() -> dict[str, str]:
    """Every field name of every form, with a value its type handles worst."""
    values: dict[str, str] = {}
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for form in vars(module).values():
            if not (isinstance(form, type) and issubclass(form, FlaskForm)):
                continue
            for name, field in vars(form).items():
                if not isinstance(field, UnboundField):
                    continue
                kind = field.field_class
                if issubclass(kind, DateTimeLocalField):
                    values[name] = "9999-12-31T23:59"
                elif issubclass(kind, DateField):
                    values[name] = "9999-12-31"
                elif issubclass(kind, DecimalField):
                    values[name] = "1e30"
                elif issubclass(kind, IntegerField):
                    values[name] = "9" * 30
                else:
                    values.setdefault(name, "技" * 501)  # past every Length(max=500)
    return values


def _url(rule, first: dict[str, int], ids: str) -> str:
    def repl(match: re.Match) -> str:
        converter, name = match.group(1) or "", match.group(3)
        if converter == "int":
            return str(first.get(name) or 1) if ids == "real" else "9" * 30
        if converter == "any":
            return match.group(2).split(",")[0].strip().strip("'\"")
        return "no-such-token"

    return re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>", repl, rule.rule)


def test_no_page_answers_500_to_edge_values(app, db):
    from app.auth.models import Organization
    from app.membership.models import MemberProfile
    from app.payments.models import Refund
    from courses.models import Course, Enrollment, Lesson, TrainingClass

    world = load_demo(db)
    db.flush()
    first = {name: db.scalar(select(model.id).order_by(model.id)) for name, model in {
        "course_id": Course, "class_id": TrainingClass, "enrollment_id": Enrollment, "lesson_id": Lesson,
        "org_id": Organization, "profile_id": MemberProfile, "refund_id": Refund}.items()}
    form = edge_form()
    failures = []
    for key in ("provider_admin", "union_admin", "worker"):
        client = app.test_client()
        client.post("/login", data={"csrf_token": csrf_token(client), "account": world.users[key].phone,
                                    "password": DEMO_PASSWORD})
        token = csrf_token(client, "/")
        for rule in app.url_map.iter_rules():
            if "POST" not in rule.methods or rule.rule.startswith(("/api/", "/payments/")) or \
                    rule.endpoint in ("auth.logout", "static"):
                continue
            for ids in ("real", "huge"):
                url = _url(rule, first, ids)
                response = client.post(url, data={**form, "csrf_token": token})
                if response.status_code >= 500:
                    failures.append(f"{key} POST {url}: {response.status_code}")
    assert failures == []
