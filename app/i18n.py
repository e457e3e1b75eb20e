"""Language and time zone: zh_Hans by default, English on request, Asia/Shanghai times.

The catalogs live as ``.po`` sources under ``app/translations``; their compiled ``.mo``
files are build products, compiled here at start-up whenever a source is newer.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, g, has_app_context, has_request_context, request, url_for
from flask_babel import force_locale, format_datetime, get_locale
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
    from app.auth.loaders import may_be_signed_in

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():   # a task or CLI command: services still translate, in the default
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in languages:   # this browser's latest choice
        return cookie
    if may_be_signed_in() and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def local_time(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """Format a UTC datetime in Asia/Shanghai."""
    if value is None:
        return ""
    return format_datetime(value, fmt)


def locale_code() -> str:
    """The current language as a code (``zh_Hans``, ``en``), worked out once per request (or
    per ``in_language`` block): a page asks for it dozens of times, once per translated string
    and bilingual name, and asking Flask-Babel costs several µs each time."""
    if not has_app_context():
        return str(get_locale() or "")
    code = g.get("locale_code")
    if code is None:
        code = g.locale_code = str(get_locale() or "")
    return code


@contextmanager
def in_language(code: str):
    """Translate inside this block in ``code`` (Flask-Babel's ``force_locale``, with the
    request's kept language code set aside and restored after)."""
    saved = g.pop("locale_code", None)
    try:
        with force_locale(code):
            yield
    finally:
        g.pop("locale_code", None)
        if saved is not None:
            g.locale_code = saved


def here_quoted() -> str:
    """This request's path and query string as the language switch's ``next=`` value."""
    return quote(request.full_path.removesuffix("?"), safe="/")


def language_links() -> dict[str, str]:
    """The language switch of a page: back to this very address in each other language, by
    the GET that sets this browser's choice. The switch's own address per language is built
    once per app. A page skeleton (``app.skeletons``) renders with ``g.language_back`` set to
    a marker where this address goes."""
    here = locale_code()
    bases = current_app.extensions.get("language_link_bases")
    if bases is None:
        bases = current_app.extensions["language_link_bases"] = {
            code: url_for("main.set_language", code=code) for code in current_app.config["LANGUAGES"]}
    back = g.get("language_back") or here_quoted()
    return {code: f"{base}?next={back}" for code, base in bases.items() if code != here}


def install_kept_translations(app: Flask) -> None:
    """Jinja's ``_()`` through a per-language store of translated messages: a page makes 20–40
    look-ups, each a walk through Flask-Babel's context and catalogs (≈ 13 µs) where a dict read
    does (translations do not change while the process runs). Plural and contextual forms keep
    Flask-Babel's own look-up."""
    from flask_babel import get_translations

    kept: dict[tuple[str, str], str] = {}

    def gettext(message: str) -> str:
        key = (locale_code(), message)
        translated = kept.get(key)
        if translated is None:
            translated = kept[key] = get_translations().ugettext(message)
        return translated

    app.jinja_env.install_gettext_callables(
        gettext=gettext,
        ngettext=lambda s, p, n: get_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: get_translations().unpgettext(c, s, p, n))


def localized(obj: object, field: str = "name") -> str:
    """A stored bilingual name in the page's language: ``name_en`` in English when set, else ``name_zh``."""
    if obj is None:
        return ""
    chinese = getattr(obj, f"{field}_zh", "") or ""
    if locale_code().startswith("en"):
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
    app.jinja_env.globals["locale_code"] = locale_code
    app.jinja_env.globals["language_links"] = language_links
    install_kept_translations(app)

    app.jinja_env.filters["money"] = format_money
    # pass_context keeps Jinja from folding ``"rejected"|label`` into the template at compile
    # time, in whichever language the first visitor happened to read.
    app.jinja_env.filters["label"] = pass_context(lambda _ctx, value, group="status": label(value, group))
    app.jinja_env.filters["localized"] = pass_context(lambda _ctx, obj, field="name": localized(obj, field))
