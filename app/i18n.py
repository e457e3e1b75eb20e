"""Language and time zone: zh_Hans by default, English on request, Asia/Shanghai times.

The catalogs live as ``.po`` sources under ``app/translations``; their compiled ``.mo``
files are build products, compiled here at start-up whenever a source is newer.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, has_request_context, request
from flask_babel import format_datetime, get_locale
from flask_login import current_user
from jinja2 import pass_context

from app.labels import label
from app.money import format_money

SHANGHAI = ZoneInfo("Asia/Shanghai")
LANG_COOKIE = "lang"
TRANSLATIONS = Path(__file__).parent / "translations"


def compile_catalogs(root: Path = TRANSLATIONS) -> None:
    """Compile every ``messages.po`` under ``root`` whose ``.mo`` is missing or older."""
    for po_path in Path(root).glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp.replace(mo_path)


def select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():   # a task or CLI command: services still translate, in the default
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in languages:   # this browser's latest choice
        return cookie
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def local_time(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """Format a UTC datetime in Asia/Shanghai."""
    if value is None:
        return ""
    return format_datetime(value, fmt)


def localized(obj: object, field: str = "name") -> str:
    """A stored bilingual name in the page's language: ``name_en`` in English when set, else ``name_zh``."""
    if obj is None:
        return ""
    chinese = getattr(obj, f"{field}_zh", "") or ""
    if str(get_locale() or "").startswith("en"):
        return getattr(obj, f"{field}_en", "") or chinese
    return chinese


def init_app(app: Flask, domains=()) -> None:
    """Babel with the platform's catalog and each domain's own (``Domain.translations``)."""
    from app.domain import translation_dirs
    from app.extensions import babel

    folders = [TRANSLATIONS, *translation_dirs(domains)]
    for folder in folders:
        compile_catalogs(folder)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(f) for f in folders)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Asia/Shanghai")
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.globals["get_locale"] = get_locale

    app.jinja_env.filters["money"] = format_money
    # pass_context keeps Jinja from folding ``"rejected"|label`` into the template at compile
    # time, in whichever language the first visitor happened to read.
    app.jinja_env.filters["label"] = pass_context(lambda _ctx, value, group="status": label(value, group))
    app.jinja_env.filters["localized"] = pass_context(lambda _ctx, obj, field="name": localized(obj, field))
