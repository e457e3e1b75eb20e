"""The OpenAPI description matches what the server really returns.

With the demo data loaded, every documented ``GET`` under ``/api/v1`` that declares a response
model is called as each role, with ids that exist; every 200 answer must validate against the
declared model (lists: ``{"items", "page", "per_page", "total"}``) and against the JSON schema
the served description gives for it (what clients generate code from). The whole API is also
fuzzed by schemathesis in ``.ci/run`` (tests/fuzz/run_schemathesis.py).
"""

from __future__ import annotations

import re

from jsonschema import Draft202012Validator
from pydantic import ValidationError
from sqlalchemy import select

from app.access import Role
from app.demo import load_demo
from app.membership.models import MemberProfile
from certificates.models import Certificate, IssuanceJob, StatusList
from courses.models import Course, Enrollment, Lesson, TrainingClass
from exams.models import Attempt, ExamSession
from instructors.models import InstructorProfile
from orders.models import Order, RosterUpload, TrainingDemand
from records.models import TalentProfile
from studios.models import Apprenticeship, HelpRequest, Studio
from tests.conftest import bearer

ID_SOURCES = {"course_id": Course, "class_id": TrainingClass, "enrollment_id": Enrollment, "lesson_id": Lesson,
              "profile_id": MemberProfile, "user_id": InstructorProfile.user_id, "demand_id": TrainingDemand,
              "order_id": Order, "upload_id": RosterUpload, "studio_id": Studio, "apprenticeship_id": Apprenticeship,
              "request_id": HelpRequest, "exam_session_id": ExamSession, "attempt_id": Attempt,
              "token": Certificate.token, "list_id": StatusList, "job_id": IssuanceJob, "talent_id": TalentProfile}


def openapi_path(rule) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)


def test_models_sharing_a_class_name_get_distinct_components(app, client):
    from courses.schemas import enrollment, learning

    assert learning.ClassRef is not enrollment.ClassRef  # two models named ClassRef, different fields
    spec = client.get("/api/v1/openapi.json").json
    schemas = spec["components"]["schemas"]
    enrollment_out = next(schema for name, schema in schemas.items() if name.endswith("EnrollmentOut"))
    class_ref = enrollment_out["properties"]["class"]["$ref"].rsplit("/", 1)[1]
    assert "course_title" in schemas[class_ref]["properties"]
    referenced = set(re.findall(r'"#/components/schemas/([^"]+)"', str(spec).replace("'", '"')))
    assert referenced <= set(schemas)


def test_documented_get_responses_match_their_models(app, db, client):
    world = load_demo(db)
    worker = world.users["worker"]
    first_class = db.scalar(select(TrainingClass).order_by(TrainingClass.id))
    db.add(Enrollment(class_id=first_class.id, user_id=worker.id, status="confirmed", confirmed_at=world.now))
    db.flush()
    callers = {role: bearer(world.users[key]) for role, key in [
        (Role.WORKER, "worker"), (Role.PROVIDER_ADMIN, "provider_admin"), (Role.INSTRUCTOR, "instructor"),
        (Role.ENTERPRISE_ADMIN, "enterprise_admin"), (Role.UNION_ADMIN, "union_admin")]}
    callers[None] = {}
    checked, problems = 0, []
    spec = client.get("/api/v1/openapi.json").json
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or "GET" not in rule.methods:
            continue
        meta = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if not meta or not meta.get("response"):
            continue
        url = rule.rule
        for arg in rule.arguments:
            model = ID_SOURCES.get(arg)
            assert model is not None, f"add an id source for <{arg}> in {rule.rule}"
            column = model if hasattr(model, "expression") else model.id
            url = re.sub(rf"<(?:\w+:)?{arg}>", str(db.scalar(select(column).order_by(column))), url)
        for role, headers in callers.items():
            response = client.get(url, headers=headers)
            if response.status_code != 200:
                continue
            checked += 1
            try:
                meta["response"].model_validate(response.json)
            except ValidationError as exc:
                problems.append(f"GET {url} as {role or 'anonymous'}: {exc.errors()[:2]}")
            schema = spec["paths"][openapi_path(rule)]["get"]["responses"]["200"]["content"]["application/json"]
            validator = Draft202012Validator({**schema["schema"], "components": spec["components"]},
                                             format_checker=Draft202012Validator.FORMAT_CHECKER)
            problems += [f"GET {url} as {role or 'anonymous'} against the OpenAPI schema: {error.message}"
                         for error in list(validator.iter_errors(response.json))[:2]]
    assert problems == [], "\n".join(problems)
    assert checked >= 15, checked
