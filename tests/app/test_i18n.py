"""Chinese first: zh_Hans by default, English on request and remembered, every string translated."""

from datetime import UTC, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.access import Role
from app.i18n import local_time
from tests.conftest import bearer, post_form, sign_in

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "app" / "translations" / "zh_Hans" / "LC_MESSAGES" / "messages.po"
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def chinese_client(app):
    """A visitor who never chose a language."""
    client = app.test_client()
    client.delete_cookie("lang")
    return client


def test_pages_are_chinese_by_default(app, db):
    page = chinese_client(app).get("/login").get_data(as_text=True)
    assert 'lang="zh-Hans"' in page and "登录" in page


def test_english_is_switchable_and_remembered(app, make_user, db):
    client = chinese_client(app)
    assert "登录" in client.get("/login").get_data(as_text=True)
    response = client.get("/lang/en?next=/login")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Sign in" in client.get("/login").get_data(as_text=True)
    user = make_user(Role.WORKER)
    sign_in(client, user)
    assert client.get("/lang/en").status_code == 302   # a GET only sets this browser's cookie
    db.refresh(user)
    assert user.locale is None
    post_form(client, "/lang/en")                      # the menu's button remembers it on the account
    db.refresh(user)
    assert user.locale == "en"
    other_device = chinese_client(app)  # no cookie: the account remembers
    sign_in(other_device, user)
    assert 'lang="en"' in other_device.get("/account").get_data(as_text=True)


def test_unknown_language_is_ignored(app, db):
    client = chinese_client(app)
    client.get("/lang/xx")
    assert 'lang="zh-Hans"' in client.get("/login").get_data(as_text=True)


def test_api_errors_follow_the_callers_language(client, make_user):
    user = make_user(Role.WORKER)
    client.put("/api/v1/me/locale", json={"locale": "en"}, headers=bearer(user))
    response = client.put("/api/v1/me/membership", headers=bearer(user), json={
        "member_no": "1", "union_name": "u", "employer": "e", "real_name": "r", "id_number": "110105194912310021"})
    assert "check digit" in response.json["error"]["message"]


def test_times_are_shown_in_shanghai(app):
    from datetime import UTC, datetime

    with app.test_request_context():
        assert local_time(datetime(2026, 11, 22, 16, 30, tzinfo=UTC)) == "2026-11-23 00:30"


def _translated(po_path) -> set[str]:
    if not po_path.exists():
        return set()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale="zh_Hans")
    return {m.id for m in catalog if m.id and m.string and not m.fuzzy}


def test_every_message_in_the_code_has_a_chinese_translation():
    """The platform's strings are in app's catalog; a domain's in its own catalog (or app's)."""
    from app import DOMAINS
    from app.domain import load_domains

    platform = _translated(CATALOG)
    folders = {"app": platform}
    for domain in load_domains(DOMAINS):
        own = Path(domain.translations) / "zh_Hans" / "LC_MESSAGES" / "messages.po" if domain.translations else None
        folders[domain.name] = platform | (_translated(own) if own else set())
    missing = set()
    for package, translated in folders.items():
        for _file, _line, message, _comments, _context in extract_from_dir(ROOT / package, METHODS, keywords=KEYWORDS):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid and msgid not in translated:
                missing.add(f"{package}: {msgid}")
    assert not missing, f"{len(missing)} strings lack a zh_Hans translation, e.g. {sorted(missing)[:10]}"


def test_services_translate_without_a_request(app):
    """A Celery task or CLI command calls services in an app context only: messages still render."""
    from app.errors import NotFound
    from courses.services import shelf

    with app.app_context():
        from app.db import get_session

        try:
            shelf.refresh_course_listing(get_session(), 987654321, now=datetime(2026, 1, 1, tzinfo=UTC))
        except NotFound as exc:
            assert str(exc.message) == "未找到该课程。"   # the default language, zh_Hans
        else:
            raise AssertionError("expected NotFound")


def test_no_two_catalogs_translate_the_same_words_differently():
    """Flask-Babel merges the platform's and every domain's catalog into one: a msgid that two
    catalogs translate differently would silently take one domain's wording on another's page."""
    from app import DOMAINS
    from app.domain import load_domains

    catalogs = [CATALOG] + [Path(d.translations) / "zh_Hans" / "LC_MESSAGES" / "messages.po"
                            for d in load_domains(DOMAINS) if d.translations]
    seen: dict[str, tuple[str, Path]] = {}
    clashes = []
    for path in catalogs:
        if not path.exists():
            continue
        with path.open("rb") as handle:
            for message in read_po(handle, locale="zh_Hans"):
                if not message.id or not message.string or message.fuzzy:
                    continue
                key = (message.context, message.id if isinstance(message.id, str) else message.id[0])
                text = message.string if isinstance(message.string, str) else message.string[0]
                if key in seen and seen[key][0] != text:
                    clashes.append(f"{key!r}: {seen[key][0]!r} ({seen[key][1].parts[-5]}) vs {text!r} ({path.parts[-5]})")
                seen.setdefault(key, (text, path))
    assert clashes == []
