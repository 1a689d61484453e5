"""Forgot password in a real browser: the mail arrives at a real SMTP server (aiosmtpd), its
link sets a new password, and a session left open in another browser is signed out."""

import re
import threading
from collections.abc import Iterator

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from cpd_log import create_app
from cpd_log.auth import services as auth_services
from cpd_log.extensions import db
from tests.browser.conftest import DESKTOP, TIMEOUT_MS
from tests.mail.smtp import Mailbox, smtp_server, text_of

pytestmark = pytest.mark.browser

EMAIL, OLD, NEW = (
    "reset-browser@example.com",
    "an old long passphrase 1",
    "a brand new passphrase 2",
)


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture(scope="module")
def site(tmp_path_factory, mailbox) -> Iterator[str]:
    """An app of its own, sending mail to the test SMTP server, served on a free port."""
    folder = tmp_path_factory.mktemp("reset-browser")
    app = create_app(
        "testing",
        overrides={
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'db.sqlite'}",
            "WTF_CSRF_ENABLED": True,
            "UPLOAD_DIR": str(folder / "uploads"),
            **mailbox.config(),
        },
    )
    with app.app_context():
        upgrade()
        auth_services.register_user(EMAIL, "Reset Tester", OLD)
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


def new_page(browser, site):
    context = browser.new_context(base_url=site, viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


def log_in(page, password):
    page.goto("/account/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_forgot_password_mail_link_resets_it_and_ends_the_old_session(browser, site, mailbox):
    old_context, old = new_page(browser, site)
    new_context, page = new_page(browser, site)
    try:
        log_in(old, OLD)
        old.wait_for_url("**/dashboard")

        page.goto("/account/login")
        page.get_by_role("link", name="Forgot password?").click()
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_role("button", name="Send me a reset link").click()
        assert page.get_by_role("heading", name="Check your email").is_visible()

        (message,) = mailbox.wait_for(1)
        link = re.search(rf"{re.escape(site)}/account/reset/[\w-]+", text_of(message)).group(0)
        page.goto(link)
        page.get_by_label("New password", exact=True).fill(NEW)
        page.get_by_label("Confirm new password").fill(NEW)
        page.get_by_role("button", name="Set new password").click()
        page.wait_for_url("**/account/login")
        assert page.get_by_text("Your password is changed").is_visible()

        log_in(page, NEW)
        page.wait_for_url("**/dashboard")
        old.goto("/dashboard")
        old.wait_for_url("**/account/login?next=%2Fdashboard")
        assert mailbox.wait_for(2)[1]["Subject"] == "Your CPD Log password was changed"
        page.goto(link)  # the link worked once
        assert page.get_by_role("heading", name="This link no longer works").is_visible()
    finally:
        old_context.close()
        new_context.close()
