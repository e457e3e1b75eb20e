"""Walk every route registered in the app with anonymous and each role; check the answer.

Each route declares who may use it (``app.access.allow``). Anonymous callers of protected
routes are sent to sign-in (pages) or get 401 (API); signed-in callers without the role get
403; callers with the role get past the gate (here usually 404, as the ids do not exist).
Nobody ever gets a 500.
"""

from __future__ import annotations

import pytest

from app.access import PUBLIC, SIGNED_IN, Role
from tests.conftest import bearer, csrf_token, sign_in

SKIP = {"static"}


def build_url(rule) -> str:
    import re

    def repl(match: re.Match) -> str:
        converter = match.group(1) or ""
        if converter == "int":
            return "987654"
        if converter == "any":
            return match.group(2).split(",")[0].strip().strip("'\"")
        if converter == "path":
            return "no/such/file"
        return "no-such-thing"

    return re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>", repl, rule.rule)


def routes(app):
    # Signing out goes last, or it would sign the walkers out for the routes after it.
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.rule)):
        if rule.endpoint in SKIP or rule.endpoint.endswith(".static"):   # static files are public
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_declares_who_may_use_it(app):
    undeclared = [rule.rule for rule, _ in routes(app) if getattr(app.view_functions[rule.endpoint], "access", None) is None]
    assert undeclared == []


@pytest.fixture
def identities(app, db, make_user):
    """Anonymous plus one signed-in client and one bearer header per role."""
    people = {role: make_user(role) for role in Role}
    for role, user in people.items():  # everyone signs up as a worker; keep exactly one role here
        user.grants = [g for g in user.grants if g.role == role]
    db.flush()
    clients = {}
    for role, user in people.items():
        client = app.test_client()
        sign_in(client, user)
        clients[role] = (client, bearer(user), csrf_token(client, "/"))
    anonymous = app.test_client()
    clients[None] = (anonymous, {}, csrf_token(anonymous))
    return clients


def test_walk_every_route_with_every_role(app, identities):
    problems = []
    for rule, method in routes(app):
        view = app.view_functions[rule.endpoint]
        declared = view.access
        url = build_url(rule)
        is_api = rule.rule.startswith("/api/")
        for role, (client, auth, token) in identities.items():
            headers = dict(auth) if is_api else {}
            kwargs = {}
            if method != "GET":
                if is_api:
                    kwargs["json"] = {}
                else:
                    kwargs["data"] = {"csrf_token": token}
            if not is_api and method != "GET":
                headers["X-CSRFToken"] = token
            response = client.open(url, method=method, headers=headers, **kwargs)
            status = response.status_code
            where = f"{method} {rule.rule} as {role or 'anonymous'}: {status}"
            if status >= 500:
                problems.append(where + " (server error)")
            elif PUBLIC in declared:
                continue
            elif role is None:
                expected_login = status == 401 if is_api else (status == 302 and "/login" in response.headers["Location"])
                if not expected_login:
                    problems.append(where + " (anonymous should be sent to sign in / get 401)")
            elif SIGNED_IN in declared or role in declared:
                if status in (401, 403) and (response.json or {}).get("error", {}).get("code") in (None, "forbidden", "unauthorized"):
                    problems.append(where + " (allowed role was refused)")
            elif status != 403:
                problems.append(where + " (role without access should get 403)")
    assert problems == [], "\n".join(problems)
