"""Platform pages: the home page and the language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.access import PUBLIC, Role, allow
from app.auth.views import safe_next
from app.db import get_session
from app.i18n import LANG_COOKIE

bp = Blueprint("main", __name__)

# Domains add cards to the home page by appending callables here (see create_app order).
HOME_SECTIONS: list = []


@bp.get("/")
@allow(PUBLIC)
def home():
    sections = [s for s in (fn() for fn in HOME_SECTIONS) if s]
    return render_template("home.html", sections=sections)


@bp.get("/lang/<code>")
@allow(PUBLIC)
def set_language(code: str):
    response = redirect(safe_next("/"))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
        if current_user.is_authenticated:
            current_user.locale = code
            get_session().commit()
    return response


# Navigation by role: (endpoint, label, roles that see it; None = everyone). Domains append.
NAV: list[tuple[str, object, frozenset[str] | None]] = [
    ("main.home", _l("Home"), None),
    ("membership.link", _l("Membership"), frozenset({Role.WORKER})),
    ("membership.admin", _l("Members"), frozenset({Role.UNION_ADMIN})),
    ("auth.pending_organizations", _l("Approvals"), frozenset({Role.UNION_ADMIN})),
    ("auth.outbox", _l("Outbox"), frozenset({Role.UNION_ADMIN})),
]


@bp.app_context_processor
def _navigation():
    from flask import url_for

    def nav_items():
        items = []
        for endpoint, label, roles in NAV:
            if roles is None or (current_user.is_authenticated and current_user.has_any_role(roles)):
                items.append({"url": url_for(endpoint), "label": label})
        return items

    return {"nav_items": nav_items}
