"""The OpenAPI description matches what the server really returns.

With the demo data loaded, every documented ``GET`` under ``/api/v1`` that declares a response
model is called as each role, with ids that exist; every 200 answer must validate against the
declared model (lists: ``{"items", "page", "per_page", "total"}``).
"""

from __future__ import annotations

import re

from pydantic import ValidationError
from sqlalchemy import select

from app.access import Role
from app.demo import load_demo
from app.membership.models import MemberProfile
from courses.models import Course, Enrollment, Lesson, TrainingClass
from records.models import TalentProfile
from tests.conftest import bearer

ID_SOURCES = {"course_id": Course, "class_id": TrainingClass, "enrollment_id": Enrollment, "lesson_id": Lesson,
              "profile_id": MemberProfile, "talent_id": TalentProfile}


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
            url = re.sub(rf"<(?:\w+:)?{arg}>", str(db.scalar(select(model.id).order_by(model.id))), url)
        for role, headers in callers.items():
            response = client.get(url, headers=headers)
            if response.status_code != 200:
                continue
            checked += 1
            try:
                meta["response"].model_validate(response.json)
            except ValidationError as exc:
                problems.append(f"GET {url} as {role or 'anonymous'}: {exc.errors()[:2]}")
    assert problems == [], "\n".join(problems)
    assert checked >= 15, checked
