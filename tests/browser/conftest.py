"""Browser fixtures: the app served for real on a free port, and Debian's Chromium driving it.

Independent of tests/conftest.py: its own SQLite file (CPD_LOG_TEST_DATABASE_URL is ignored, the
browser run never touches PostgreSQL), CSRF on, migrated with Alembic and seeded like `make seed`.
"""

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Request, sync_playwright
from werkzeug.serving import make_server

from cpd_log import create_app
from cpd_log.auth import services as auth_services
from cpd_log.competencies.services import seed_frameworks
from cpd_log.crosswalks.services import seed_crosswalks
from cpd_log.demo import demo_reflections_and_schemes, generate_activities
from cpd_log.extensions import db
from cpd_log.schemes.services import seed_schemes

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000


# Werkzeug's development server, when the browser drops a connection while a static file is being
# sent (a favicon's 304 as a page navigates away), can fail in its clean-up before it closes the
# file; the garbage collector then reports the file, in whichever test is running. Only files of
# cpd_log/static/ served by that server are let through; any other unclosed file still fails.
DROPPED_STATIC_FILE = (
    "ignore:Exception ignored in. <_io.(FileIO|BufferedReader) name='[^']*/cpd_log/static/"
    ":pytest.PytestUnraisableExceptionWarning"
)


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.filterwarnings(DROPPED_STATIC_FILE))


@pytest.fixture(scope="session")
def live_app(tmp_path_factory) -> Iterator[Flask]:
    """The app the live server serves: migrated and seeded; a test may change its config."""
    folder = tmp_path_factory.mktemp("browser")
    app = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'browser.sqlite'}",
            "WTF_CSRF_ENABLED": True,
            "UPLOAD_DIR": str(folder / "uploads"),
        },
    )
    with app.app_context():
        upgrade()
        seed_frameworks()
        seed_crosswalks()
        seed_schemes()
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[str]:
    """The app on http://127.0.0.1:<free port>; yields its base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright) -> Iterator[Browser]:
    """Debian's Chromium. A browser that cannot start is an error, never a skip."""
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@dataclass
class Tab:
    """A page plus what it did: every request URL, console errors and uncaught exceptions."""

    page: Page
    origin: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        """Requests to any origin but the app's (data: URLs never leave the page)."""
        return [
            url
            for url in self.requests
            if not url.startswith("data:") and _origin(url) != self.origin
        ]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def open_tab(browser, live_server) -> Iterator[Callable[..., Tab]]:
    """open_tab(viewport=DESKTOP, javascript=True): a fresh browser context (no cookies) with one
    recorded page; javascript=False tests what works without it (progressive enhancement)."""
    contexts = []

    def open_(viewport: dict = DESKTOP, javascript: bool = True) -> Tab:
        context = browser.new_context(
            base_url=live_server, viewport=viewport, java_script_enabled=javascript
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        tab = Tab(page=context.new_page(), origin=live_server)

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                tab.errors.append(f"console: {message.text} ({message.location.get('url')})")

        def on_request(request: Request) -> None:
            tab.requests.append(request.url)

        tab.page.on("console", on_console)
        tab.page.on("pageerror", lambda error: tab.errors.append(f"pageerror: {error}"))
        tab.page.on("request", on_request)
        return tab

    yield open_
    for context in contexts:
        context.close()


DEMO_PASSWORD = "demo-password"  # noqa: S105 - a throwaway account of the test database


@pytest.fixture(scope="session")
def demo_account(live_app) -> str:
    """An account filled like `flask demo` (80 activities, reflections, two schemes); its email."""
    email = "demo-browser@example.com"
    with live_app.app_context():
        user = auth_services.register_user(email, "Demo Practitioner", DEMO_PASSWORD)
        user.verified_at = datetime.now(UTC)  # confirmed, like `flask demo`: no banner
        generate_activities(user.id, 80, years=1, tags_per_activity=2)
        demo_reflections_and_schemes(user, date.today())
        db.session.commit()
        db.session.remove()
    return email


@pytest.fixture
def demo_login(demo_account) -> Callable[[Page], None]:
    """demo_login(page): log the demo account in through the form."""

    def login(page: Page) -> None:
        page.goto("/account/login")
        page.get_by_label("Email").fill(demo_account)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/dashboard")

    return login
