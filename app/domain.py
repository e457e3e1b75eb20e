"""The one seam through which a domain package plugs into the platform.

Each domain package (``courses``, ``exams``, ...) declares itself once, in its
``__init__.py``, as ``DOMAIN = Domain(...)``. The declaration names, by dotted reference
(``"package.module"`` or ``"package.module:attribute"``), everything the domain adds:
blueprints, model modules, task modules and beat entries, the demo loader, labels,
translations, navigation entries and home-page cards per role, payment purposes with their
handlers, what it does when a member's membership becomes verified, and the facts it publishes
for other domains (``records`` reads those, never the tables). References are resolved lazily,
so importing a package stays cheap (Alembic, the CLI) and no domain is imported before
``create_app()`` asks for it.

``app/`` names no domain anywhere except the one list :data:`app.DOMAINS`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:   # pragma: no cover - typing only
    from flask import Flask
    from sqlalchemy.orm import Session

    from app.auth.models import User


def resolve(reference: str) -> Any:
    """Import ``"pkg.module:attr"`` (the attribute) or ``"pkg.module"`` (the module)."""
    module_name, _, attribute = reference.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


@dataclass(frozen=True)
class NavEntry:
    """A link in the header (desktop) and the menu sheet (phone).

    ``roles`` None: everyone, signed in or not; an empty set: anyone signed in; otherwise the
    user must hold one of the roles. ``order`` sorts the entries of all domains together.
    """

    endpoint: str
    label: Any
    roles: frozenset[str] | None = None
    order: int = 50
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HomeCard:
    """A card on the role-aware home page: a next action, optionally with a count.

    ``count`` references ``fn(session, user, now) -> int | None``; a card whose count is 0 is
    still shown (the action stays available) but rendered quiet.
    """

    endpoint: str
    title: Any
    text: Any
    roles: frozenset[str]
    count: str | None = None
    order: int = 50
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PaymentPurpose:
    """What a domain does when a payment for ``name`` succeeds, fails or is refunded."""

    name: str
    succeeded: Callable[[Session, Any, datetime], None]
    failed: Callable[[Session, Any, datetime], None] | None = None
    refunded: Callable[[Session, Any, datetime], None] | None = None


@dataclass(frozen=True)
class Domain:
    """Everything one domain package adds to the platform, declared in one place."""

    name: str
    title: Any = ""
    blueprints: Sequence[str] = ()        # "pkg.views:bp"
    models: Sequence[str] = ()            # "pkg.models"
    tasks: Sequence[str] = ()             # "pkg.tasks" (Celery tasks named "<domain>.<verb>")
    beat: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    demo: str | None = None               # "pkg.demo:load", called with app.demo.DemoWorld
    labels: Sequence[str] = ()            # modules that call app.labels.register
    translations: str | None = None       # folder with <locale>/LC_MESSAGES/messages.po
    nav: Sequence[NavEntry] = ()
    home_cards: Sequence[HomeCard] = ()
    home_sections: Sequence[str] = ()     # "pkg.views.x:fn" -> HTML for the home page
    payment_purposes: Sequence[str] = ()  # "pkg.module:PURPOSE_OBJECT" (a PaymentPurpose)
    facts: Mapping[str, str] = field(default_factory=dict)   # fact name -> "pkg.module:fn"
    # "pkg.module:fn", called as fn(session, profile, now) in the same transaction whenever a
    # membership link becomes verified (at once, by an admin, or by a register import)
    on_member_verified: Sequence[str] = ()
    setup: str | None = None              # "pkg.module:fn", called with the app last
    # "pkg.module:fn", called with the app when a web server process starts serving (gunicorn's
    # post_worker_init): loads what its first requests would otherwise wait for
    warm_up: Sequence[str] = ()

    @property
    def package(self) -> str:
        return self.name


def load_domains(names: Sequence[str]) -> list[Domain]:
    """The declarations of the named packages, in order."""
    domains = []
    for name in names:
        declaration = getattr(importlib.import_module(name), "DOMAIN", None)
        if not isinstance(declaration, Domain):
            raise RuntimeError(f"package {name!r} has no DOMAIN = Domain(...) declaration")
        domains.append(declaration)
    return domains


class Registry:
    """What the installed domains declared, resolved: kept on ``app.extensions["domains"]``."""

    def __init__(self, domains: Sequence[Domain]):
        self.domains = list(domains)
        self.nav = sorted((entry for d in self.domains for entry in d.nav), key=lambda e: e.order)
        self.home_cards = sorted((card for d in self.domains for card in d.home_cards), key=lambda c: c.order)

    def fact(self, name: str) -> list[Callable]:
        """Every domain's publisher of the fact ``name`` (records reads these)."""
        return [resolve(d.facts[name]) for d in self.domains if name in d.facts]

    def translation_dirs(self) -> list[str]:
        return [d.translations for d in self.domains if d.translations]

    def warm_up(self, app: Flask) -> None:
        """Every domain's warm-up, in a web server process about to serve (``gunicorn.conf.py``)."""
        for domain in self.domains:
            for reference in domain.warm_up:
                resolve(reference)(app)


def install(app: Flask, domains: Sequence[Domain]) -> Registry:
    """Register each domain's declaration with the app: the one place domains plug in."""
    from app import labels as _labels  # noqa: F401 - platform labels first
    from app.membership.services import register_verified_hook
    from app.payments.services import register_purpose

    registry = Registry(domains)
    for domain in domains:
        for reference in domain.labels:
            resolve(reference)
        for reference in domain.models:
            resolve(reference)
        for reference in domain.blueprints:
            app.register_blueprint(resolve(reference))
        for reference in domain.tasks:
            resolve(reference)
        for reference in domain.payment_purposes:
            purpose = resolve(reference)
            if not isinstance(purpose, PaymentPurpose):
                raise RuntimeError(f"{reference} is not a PaymentPurpose")
            register_purpose(purpose)
        for reference in domain.on_member_verified:
            register_verified_hook(reference, resolve(reference))
    for domain in domains:
        if domain.setup:
            resolve(domain.setup)(app)
    app.extensions["domains"] = registry
    return registry


def beat_schedule(domains: Sequence[Domain]) -> dict[str, Mapping[str, Any]]:
    """Every domain's periodic jobs, merged (a clash of names is a mistake)."""
    schedule: dict[str, Mapping[str, Any]] = {}
    for domain in domains:
        for name, entry in domain.beat.items():
            if name in schedule:
                raise RuntimeError(f"beat entry {name!r} declared twice")
            schedule[name] = entry
    return schedule


def translation_dirs(domains: Sequence[Domain]) -> list[Path]:
    return [Path(d.translations) for d in domains if d.translations]


def count_for(card: HomeCard, session: Session, user: User, now: datetime) -> int | None:
    return resolve(card.count)(session, user, now) if card.count else None
