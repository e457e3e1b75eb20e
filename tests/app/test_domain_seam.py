"""The domain seam: every domain plugs in through its declaration, and only through it."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from flask import Blueprint

from app import DOMAINS
from app.domain import Domain, PaymentPurpose, load_domains, resolve
from app.payments.services import PURPOSES

ROOT = Path(__file__).resolve().parents[2]


def _modules_of(package: str):
    """Every module of a domain package, imported."""
    pkg = importlib.import_module(package)
    yield pkg
    for info in pkgutil.walk_packages(pkg.__path__, prefix=package + "."):
        yield importlib.import_module(info.name)


@pytest.mark.parametrize("domain", load_domains(DOMAINS), ids=lambda d: d.name)
def test_everything_a_domain_defines_is_in_its_declaration(app, domain: Domain):
    declared_blueprints = {resolve(ref) for ref in domain.blueprints}
    declared_purposes = {resolve(ref) for ref in domain.payment_purposes}
    task_modules = set(domain.tasks)
    celery_tasks = app.extensions["celery"].tasks
    for module in _modules_of(domain.name):
        for value in vars(module).values():
            if isinstance(value, Blueprint) and value.import_name.startswith(domain.name):
                assert value in declared_blueprints, f"{module.__name__} defines blueprint {value.name} not declared"
                assert app.blueprints.get(value.name) is value
            if isinstance(value, PaymentPurpose):
                assert value in declared_purposes, f"{module.__name__} defines purpose {value.name} not declared"
        for name, task in celery_tasks.items():
            if name.startswith(domain.name + ".") and task.run.__module__ == module.__name__:
                assert module.__name__ in task_modules, f"task {name} lives in undeclared {module.__name__}"
    for purpose in declared_purposes:
        assert PURPOSES[purpose.name] is purpose
    for name in {e["task"] for e in domain.beat.values()}:
        assert name in celery_tasks, f"beat entry names unknown task {name}"
    for entry in (*domain.nav, *domain.home_cards):
        assert entry.endpoint in app.view_functions, f"{entry.endpoint} is not a route"
    for card in domain.home_cards:
        if card.count:
            assert callable(resolve(card.count))
    for reference in (*domain.home_sections, *domain.facts.values(), *domain.on_member_verified,
                      *([domain.demo] if domain.demo else [])):
        assert callable(resolve(reference))


def test_a_purpose_missing_from_the_declaration_is_caught(app, monkeypatch):
    """The check above is real: a domain that forgets its purpose fails it."""
    courses = load_domains(["courses"])[0]
    from dataclasses import replace

    forgetful = replace(courses, payment_purposes=())
    with pytest.raises(AssertionError, match="not declared"):
        test_everything_a_domain_defines_is_in_its_declaration(app, forgetful)


def test_a_task_module_missing_from_the_declaration_is_caught(app):
    from dataclasses import replace

    courses = load_domains(["courses"])[0]
    with pytest.raises(AssertionError, match="undeclared"):
        test_everything_a_domain_defines_is_in_its_declaration(app, replace(courses, tasks=()))


def test_app_names_no_domain_outside_the_one_list():
    pattern = re.compile(r"\b(" + "|".join(DOMAINS) + r")\.")
    offenders = []
    for path in (ROOT / "app").rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"^\s*(from|import)\s+(" + "|".join(DOMAINS) + r")\b", line) or pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_a_package_without_a_declaration_is_refused():
    with pytest.raises(RuntimeError, match="no DOMAIN"):
        load_domains(["app.auth"])


def test_domains_are_installed_in_the_listed_order(app):
    assert [d.name for d in app.extensions["domains"].domains] == list(DOMAINS)
