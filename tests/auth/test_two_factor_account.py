"""Setting two-factor up, renewing recovery codes and turning it off, from the account menu."""

import re

import pyotp
import pytest

from cpd_log.auth import two_factor
from cpd_log.extensions import db
from cpd_log.mail.sending import wait_for_sends
from cpd_log.models.two_factor import RecoveryCode, TwoFactor
from tests import factories
from tests.auth.two_factor_helpers import fresh_code, turn_on
from tests.mail.smtp import html_of, text_of

SECRET = re.compile(rb'id="two-factor-secret">([A-Z2-7]{32})<')
INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)")
CODES = re.compile(rb"<li>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</li>")


def wrong_code(right: str) -> str:
    return "000000" if right != "000000" else "111111"


def test_setup_shows_a_qr_code_and_the_key_and_needs_a_code(mail_app, smtp, caplog):
    user = factories.make_user(email="ada@example.com", display_name="Ada")
    client = mail_app.test_client()
    client.post("/account/login", data={"email": user.email, "password": factories.PASSWORD})
    page = client.get("/account/two-factor/setup")
    assert page.headers["Cache-Control"] == "no-store"
    assert b"<svg" in page.data and not INLINE_SCRIPT.search(page.data)  # CSP
    secret = SECRET.search(page.data).group(1).decode()
    assert client.get("/account/two-factor/setup").data.count(secret.encode()) == 1  # same key
    right = pyotp.TOTP(secret).now()
    refused = client.post("/account/two-factor/setup", data={"code": wrong_code(right)})
    assert b"That code is not right" in refused.data
    assert two_factor.enabled_for(user) is None
    done = client.post("/account/two-factor/setup", data={"code": right})
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    codes = CODES.findall(done.data)
    assert len(set(codes)) == 10
    assert two_factor.enabled_for(user) is not None
    stored = db.session.scalars(db.select(RecoveryCode.code_hash)).all()
    assert not any(code.decode().replace("-", "") in stored for code in codes)  # hashed only
    # the key is never shown again
    assert secret.encode() not in client.get("/account/two-factor").data
    assert client.get("/account/two-factor/setup").headers["Location"] == "/account/two-factor"
    assert wait_for_sends()
    (mail,) = smtp.wait_for(1)
    assert mail["Subject"] == "Two-factor sign-in was turned on for your CPD Log account"
    assert "turned on" in text_of(mail) and "turned on" in html_of(mail)
    assert secret not in text_of(mail)
    assert "two_factor.enabled" in caplog.messages


@pytest.fixture
def secured(app, logged_in, user):
    secret, codes = turn_on(user)
    return logged_in, user, secret, codes


def test_turning_it_off_needs_the_password_and_a_code(secured, mail_app, smtp):
    client, user, secret, _ = secured
    right = fresh_code(secret, user.id)
    no_password = client.post(
        "/account/two-factor/disable", data={"password": "not it at all", "code": right}
    )
    assert b"That is not your password." in no_password.data
    no_code = client.post(
        "/account/two-factor/disable",
        data={"password": factories.PASSWORD, "code": wrong_code(right)},
    )
    assert b"That code is not right" in no_code.data
    missing = client.post("/account/two-factor/disable", data={"password": factories.PASSWORD})
    assert b"Enter the code." in missing.data
    assert two_factor.enabled_for(user) is not None
    done = client.post(
        "/account/two-factor/disable", data={"password": factories.PASSWORD, "code": right}
    )
    assert done.headers["Location"] == "/account/two-factor"
    assert db.session.get(TwoFactor, user.id) is None
    assert db.session.query(RecoveryCode).count() == 0


def test_turning_it_off_mails_the_owner(mail_app, smtp):
    user = factories.make_user(email="ada@example.com", display_name="Ada")
    secret, codes = turn_on(user)
    client = mail_app.test_client()
    client.post("/account/login", data={"email": user.email, "password": factories.PASSWORD})
    client.post("/account/login/code", data={"code": codes[0]})
    client.post(
        "/account/two-factor/disable",
        data={"password": factories.PASSWORD, "code": fresh_code(secret, user.id)},
    )
    assert two_factor.enabled_for(user) is None
    assert wait_for_sends()
    (mail,) = smtp.wait_for(1)
    assert mail["Subject"] == "Two-factor sign-in was turned off for your CPD Log account"
    assert smtp.recipients == [["ada@example.com"]]


def test_new_recovery_codes_need_a_code_and_kill_the_old_ones(secured):
    client, user, secret, old = secured
    refused = client.post("/account/two-factor/recovery-codes", data={"code": "123"})
    assert refused.status_code == 400
    assert two_factor.check_code(user, old[0]).ok  # still the old set
    db.session.commit()
    page = client.post(
        "/account/two-factor/recovery-codes", data={"code": fresh_code(secret, user.id)}
    )
    new = [code.decode() for code in CODES.findall(page.data)]
    assert len(new) == 10 and not set(new) & set(old)
    assert page.headers["Cache-Control"] == "no-store"
    assert not two_factor.check_code(user, old[1]).ok
    assert two_factor.check_code(user, new[0]).ok


def test_the_status_page_counts_recovery_codes(secured):
    client, user, _, codes = secured
    assert b"<strong>10</strong> unused recovery codes" in client.get("/account/two-factor").data
    two_factor.check_code(user, codes[3])
    db.session.commit()
    assert b"<strong>9</strong> unused recovery codes" in client.get("/account/two-factor").data


def test_account_deletion_takes_the_two_factor_rows(secured):
    client, user, _, _ = secured
    client.post("/account/delete", data={"password": factories.PASSWORD})
    assert db.session.query(TwoFactor).count() == 0
    assert db.session.query(RecoveryCode).count() == 0
