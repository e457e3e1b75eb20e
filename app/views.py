"""Platform pages: the role-aware home page and the language switch; the shell's navigation.

Navigation entries and home cards come from the platform (below) and from each installed
domain's declaration (``Domain.nav``, ``Domain.home_cards``), filtered by the roles the
visitor holds.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.access import PUBLIC, Role, allow
from app.auth.views import safe_next
from app.db import get_session, utcnow
from app.domain import HomeCard, NavEntry, count_for, resolve
from app.i18n import LANG_COOKIE

bp = Blueprint("main", __name__)

STAFF_FIRST = (Role.UNION_ADMIN, Role.PROVIDER_ADMIN, Role.INSTRUCTOR, Role.ENTERPRISE_ADMIN, Role.WORKER)

PLATFORM_NAV = (
    NavEntry("main.home", _l("Home"), None, order=0),
    NavEntry("membership.link", _l("Membership"), frozenset({Role.WORKER}), order=80),
    NavEntry("membership.admin", _l("Members"), frozenset({Role.UNION_ADMIN}), order=80),
    NavEntry("auth.pending_organizations", _l("Approvals"), frozenset({Role.UNION_ADMIN}), order=81),
    NavEntry("auth.outbox", _l("Outbox"), frozenset({Role.UNION_ADMIN}), order=90),
)

PLATFORM_CARDS = (
    HomeCard("membership.link", _l("Union membership"),
             _l("Link your membership for member prices and subsidised places."),
             frozenset({Role.WORKER}), order=90),
    HomeCard("membership.admin", _l("Membership register"), _l("Import the register and decide pending links."),
             frozenset({Role.UNION_ADMIN}), count="app.membership.queries:count_pending_links", order=80),
    HomeCard("auth.pending_organizations", _l("Organizations to approve"),
             _l("Enterprises and providers waiting for approval."), frozenset({Role.UNION_ADMIN}),
             count="app.auth.queries:count_pending_organizations", order=81),
)


def _visible(roles: frozenset[str] | None) -> bool:
    if roles is None:
        return True
    if not current_user.is_authenticated:
        return False
    return not roles or current_user.has_any_role(roles)


def nav_entries() -> list[NavEntry]:
    """The navigation this visitor sees, platform and domains together, in order."""
    entries = current_app.extensions.get("nav_entries")
    if entries is None:   # the same for every request: sorted once per application
        registry = current_app.extensions["domains"]
        entries = current_app.extensions["nav_entries"] = [
            e for e in sorted((*PLATFORM_NAV, *registry.nav), key=lambda e: e.order)
            if e.endpoint in current_app.view_functions]
    if not current_user.is_authenticated:
        return [e for e in entries if e.roles is None]
    return [e for e in entries if _visible(e.roles)]


def home_cards() -> list[dict]:
    """The signed-in visitor's next actions, with counts, grouped by the role they serve."""
    if not current_user.is_authenticated:
        return []
    registry = current_app.extensions["domains"]
    session, now = get_session(), utcnow()
    cards = []
    for card in sorted((*PLATFORM_CARDS, *registry.home_cards), key=lambda c: c.order):
        if not current_user.has_any_role(card.roles) or card.endpoint not in current_app.view_functions:
            continue
        role = next(r for r in STAFF_FIRST if r in card.roles and current_user.has_role(r))
        cards.append({"url": url_for(card.endpoint, **card.values), "title": card.title, "text": card.text,
                      "count": count_for(card, session, current_user, now), "role": role})
    return cards


@bp.get("/")
@allow(PUBLIC)
def home():
    registry = current_app.extensions["domains"]
    sections = [html for html in (resolve(ref)() for d in registry.domains for ref in d.home_sections) if html]
    cards = home_cards()
    # Staff roles first: what a person comes to do at work, then what they do as a worker.
    roles = [r for r in STAFF_FIRST if any(c["role"] == r for c in cards)]
    return render_template("home.html", sections=sections, cards=cards, card_roles=roles)


@bp.get("/lang/<code>")
@allow(PUBLIC)
def set_language(code: str):
    response = redirect(safe_next("/"))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.post("/lang/<code>")
@allow(PUBLIC)
def choose_language(code: str):
    """Switch language; a signed-in person's choice is remembered on the account (a write, so a POST)."""
    response = set_language(code)
    if code in current_app.config["LANGUAGES"] and current_user.is_authenticated:
        current_user.locale = code
        get_session().commit()
    return response


@bp.app_context_processor
def _navigation():
    def nav_items():
        # The layout shows the menu twice (desktop bar, phone sheet): work it out once a request.
        items = g.get("nav_items")
        if items is None:
            items = g.nav_items = [{"url": url_for(e.endpoint, **e.values), "label": str(e.label), "endpoint": e.endpoint}
                                   for e in nav_entries()]
        return items

    return {"nav_items": nav_items}
