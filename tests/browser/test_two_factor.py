"""Two-factor in a real browser: set up from the account menu (QR code drawn as inline SVG
under the CSP), log out, log in with the password and a code pyotp computes from the key."""

import re
import time

import pyotp
import pytest

from cpd_log.auth import services as auth_services
from cpd_log.extensions import db

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "two-factor-browser@example.com", "a long two factor passphrase 7"


@pytest.fixture(scope="module")
def account(live_app) -> str:
    with live_app.app_context():
        auth_services.register_user(EMAIL, "Two Factor Tester", PASSWORD)
        db.session.commit()
        db.session.remove()
    return EMAIL


def log_in_with_password(page) -> None:
    page.goto("/account/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def unused_code(secret: str, used_step: int) -> str:
    """The current code, or the next step's when the current one was used (still accepted)."""
    totp = pyotp.TOTP(secret)
    now = time.time()
    if int(now) // 30 <= used_step:
        return totp.at(now + 30)
    return totp.at(now)


def test_set_up_log_out_and_log_in_with_a_code(open_tab, account):
    tab = open_tab()
    page = tab.page
    log_in_with_password(page)
    page.wait_for_url("**/dashboard")
    page.get_by_role("button", name="Two Factor Tester").click()
    page.get_by_role("link", name="Two-factor sign-in").click()
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    page.wait_for_url("**/account/two-factor/setup")
    qr = page.locator(".two-factor-qr svg")
    assert qr.is_visible() and qr.bounding_box()["width"] >= 80
    secret = page.locator("#two-factor-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    used_step = int(time.time()) // 30
    page.get_by_role("button", name="Turn on two-factor").click()
    codes = page.locator("#recovery-codes li")
    assert codes.count() == 10

    page.wait_for_load_state("load")  # Bootstrap's dropdown script bound before the click
    page.get_by_role("button", name="Two Factor Tester").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/account/login")

    log_in_with_password(page)
    page.wait_for_url("**/account/login/code")
    page.goto("/dashboard")  # half logged in: no page opens
    page.wait_for_url("**/account/login?next=*")
    page.goto("/account/login/code")
    page.get_by_label("Code").fill(unused_code(secret, used_step))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/dashboard")
    assert page.get_by_role("button", name="Two Factor Tester").is_visible()
    assert tab.errors == []  # no CSP violation, no script error
    assert tab.foreign_requests() == []
