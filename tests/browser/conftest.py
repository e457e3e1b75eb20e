"""Browser tests: the real app served on 127.0.0.1, driven by Debian's headless Chromium.

The live server runs the platform as the README's start command does (migrations, demo
data, embedded SQLite file, eager Celery) in a thread. Screenshots go to
``test-artifacts/screenshots/`` so people can look at them.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.cli import upgrade_database
from app.db import get_session
from app.demo import load_demo
from tests.conftest import TEST_CONFIG
from tests.stripe_support import localstripe_url, stripe_config  # noqa: F401 - fixture

DEMO_PASSWORD = "Demo-2026"

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def live_app(tmp_path_factory, localstripe_url):  # noqa: F811 - the fixture imported above
    """The platform as ``run.py start`` runs it, with Stripe pointed at a local localstripe."""
    folder = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{folder / 'live.db'}"
    upgrade_database(url)
    app = create_app({**TEST_CONFIG, "DATABASE_URL": url, "UPLOAD_FOLDER": str(folder / "uploads"),
                      "LOGIN_RATE_LIMIT": "100 per minute", **stripe_config(localstripe_url),
                      "STRIPE_JS_URL": localstripe_url + "/js.stripe.com/v3/"})
    with app.app_context():
        load_demo(get_session())
        get_session().commit()
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live_app.config["SERVER_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield live_app.config["SERVER_BASE_URL"]
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        pytest.skip("needs Debian's chromium (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


NEW_WORKER_PASSWORD = "Worker-2026"


def ask_to_sign_up(page, base: str, name: str, phone: str, password: str = NEW_WORKER_PASSWORD) -> None:
    """Fill the sign-up form and send it (the account then waits for the link: finish_sign_up)."""
    page.goto(base + "/signup")
    page.fill("#name", name)
    page.fill("#phone", phone)
    page.fill("#password", password)
    page.fill("#confirm", password)
    page.click("main button[type=submit]")


def finish_sign_up(page, live_app, base: str, phone: str) -> None:
    """Open the sign-up link sent to ``phone`` (from the outbox) and create the account."""
    from tests.conftest import sign_up_link

    with live_app.app_context():
        link = sign_up_link(get_session(), "+86" + phone)
    page.goto(base + link)
    page.click("main button[type=submit]")


def sign_in(page, base: str, phone: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(base + "/login")
    page.fill("#account", phone)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture
def new_page(browser, request):
    """``new_page()`` — another person's phone (own cookies), ``new_page("desktop")`` a 1280×800 desktop
    browser; screenshots via ``page.shot(name[, locator])``."""
    contexts = []

    def make(size: str = "phone"):
        if size == "desktop":
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN",
                                          timezone_id="Asia/Shanghai")
        else:
            context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                          is_mobile=True, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

        def shot(name: str, part=None) -> Path:
            """The whole page, or only ``part`` (a locator) when the page is too long to read."""
            path = ARTIFACTS / f"{request.node.name}-{name}.png"
            if part is not None:
                part.screenshot(path=str(path))
            else:
                page.evaluate("window.scrollTo(0, 0)")  # else the sticky top bar is drawn mid-page
                page.screenshot(path=str(path), full_page=True)
            return path

        page.shot = shot
        return page

    yield make
    for context in contexts:
        context.close()


def nav(page):
    """The navigation as a person reaches it at this size: the header bar on a desktop, the menu
    sheet (after a tap on 菜单) on a phone. Fails if neither is usable."""
    from playwright.sync_api import expect

    # After a navigation (the language switch) the new document may not have its stylesheet
    # yet, and an unstyled page shows the desktop bar at any size: wait for the load event.
    page.wait_for_load_state("load")
    desk = page.locator(".desknav")
    if desk.is_visible():
        return desk
    page.click(".menu summary")
    sheet = page.locator(".menu .sheet")
    expect(sheet).to_be_visible()
    return sheet


@pytest.fixture
def page(new_page):
    """A phone-sized page (most workers are on phones)."""
    return new_page()
