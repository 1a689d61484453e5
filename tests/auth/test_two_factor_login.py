"""Logging in with two-factor on: the password, then a code; nothing is logged in between."""

from datetime import UTC, datetime, timedelta

import pytest

from cpd_log.auth import recovery, tokens, two_factor
from cpd_log.extensions import db
from cpd_log.models.account_token import TokenPurpose
from cpd_log.models.user import LoginSession
from tests import factories
from tests.auth.two_factor_helpers import code_at, fresh_code, password_step, turn_on

CODE_PAGE = "/account/login/code"


@pytest.fixture
def secured(user):
    secret, codes = turn_on(user)
    return user, secret, codes


def test_the_password_leads_to_the_code_step_and_the_code_logs_in(client, secured):
    user, secret, _ = secured
    response = password_step(client, user, factories.PASSWORD, next_url="/activities/")
    assert response.status_code == 302
    assert response.headers["Location"] == CODE_PAGE
    page = client.get(CODE_PAGE)
    assert b"6-digit code" in page.data
    response = client.post(CODE_PAGE, data={"code": fresh_code(secret, user.id)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/activities/"  # `next` survives the second step
    assert client.get("/dashboard").status_code == 200


@pytest.mark.parametrize(
    "path", ["/dashboard", "/activities/", "/account/two-factor", "/account/sessions"]
)
def test_half_logged_in_reaches_no_page(client, secured, path):
    user, _, _ = secured
    password_step(client, user, factories.PASSWORD)
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login")
    assert db.session.query(LoginSession).count() == 0  # no login session was started


def test_a_wrong_code_is_refused_at_the_field(client, secured):
    user, secret, _ = secured
    password_step(client, user, factories.PASSWORD)
    wrong = "000000" if fresh_code(secret, user.id) != "000000" else "111111"
    response = client.post(CODE_PAGE, data={"code": wrong})
    assert response.status_code == 200
    assert b"That code is not right" in response.data
    assert b"is-invalid" in response.data
    assert client.get("/dashboard").status_code == 302


@pytest.mark.parametrize("junk", ["", "x" * 41, "12345", "1234567", "\u0661\u0662\u0663456"])
def test_junk_codes_get_a_message_not_a_500(client, secured, junk):
    user, _, _ = secured
    password_step(client, user, factories.PASSWORD)
    response = client.post(CODE_PAGE, data={"code": junk})
    assert response.status_code == 200
    assert b"invalid-feedback" in response.data


def test_a_code_cannot_be_replayed(client, app, secured):
    user, secret, _ = secured
    password_step(client, user, factories.PASSWORD)
    code = fresh_code(secret, user.id)
    assert client.post(CODE_PAGE, data={"code": code}).status_code == 302
    other = app.test_client()
    password_step(other, user, factories.PASSWORD)
    response = other.post(CODE_PAGE, data={"code": code})
    assert b"was used already" in response.data
    assert other.get("/dashboard").status_code == 302


def test_replay_is_refused_within_the_window_and_an_older_step_too(app, secured):
    user, secret, _ = secured
    now = datetime(2026, 12, 1, 12, 0, 15, tzinfo=UTC)
    assert two_factor.check_code(user, code_at(secret, now), now=now).ok
    later = now + timedelta(seconds=30)  # the same code is still inside the window
    assert not two_factor.check_code(user, code_at(secret, now), now=later).ok
    earlier_step = code_at(secret, now - timedelta(seconds=30))
    assert not two_factor.check_code(user, earlier_step, now=later).ok
    assert two_factor.check_code(user, code_at(secret, later), now=later).ok
    assert not two_factor.check_code(user, code_at(secret, now - timedelta(minutes=5))).ok


def test_a_recovery_code_works_once(client, app, secured):
    user, _, codes = secured
    password_step(client, user, factories.PASSWORD)
    response = client.post(CODE_PAGE, data={"code": codes[0].upper().replace("-", " ")})
    assert response.headers["Location"] == "/account/two-factor"  # told to make new ones
    assert two_factor.recovery_codes_left(user) == 9
    again = app.test_client()
    password_step(again, user, factories.PASSWORD)
    response = again.post(CODE_PAGE, data={"code": codes[0]})
    assert b"That code is not right" in response.data
    assert again.get("/dashboard").status_code == 302
    assert again.post(CODE_PAGE, data={"code": codes[1]}).status_code == 302


def test_wrong_codes_lock_the_account_even_for_the_right_code(app, client, secured):
    user, secret, _ = secured
    password_step(client, user, factories.PASSWORD)
    right = fresh_code(secret, user.id)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(app.config["LOGIN_LOCK_AFTER"]):
        client.post(CODE_PAGE, data={"code": wrong})
    response = client.post(CODE_PAGE, data={"code": right})
    assert b"Too many wrong codes. Try again in 1 minute." in response.data
    assert client.get("/dashboard").status_code == 302


def test_the_half_way_state_expires(client, secured):
    user, secret, _ = secured
    password_step(client, user, factories.PASSWORD)
    with client.session_transaction() as state:
        pending = dict(state["two_factor_pending"])
        pending["until"] -= 10 * 60
        state["two_factor_pending"] = pending
    response = client.post(CODE_PAGE, data={"code": fresh_code(secret, user.id)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login"
    assert client.get("/dashboard").status_code == 302


def test_the_code_page_without_a_password_goes_to_login(client, secured):
    response = client.get(CODE_PAGE)
    assert response.headers["Location"] == "/account/login"


def test_keep_me_logged_in_survives_the_second_step(client, secured):
    user, secret, _ = secured
    password_step(client, user, factories.PASSWORD, remember=True)
    client.post(CODE_PAGE, data={"code": fresh_code(secret, user.id)})
    assert client.get_cookie("remember_token") is not None
    (row,) = db.session.query(LoginSession).all()
    assert row.remember is True


def test_a_password_reset_does_not_skip_the_code(client, app, secured):
    user, secret, _ = secured
    token = tokens.issue(user, TokenPurpose.RESET_PASSWORD, user.email, timedelta(hours=1))
    db.session.commit()
    assert recovery.reset_password(token, "a fresh and long passphrase 42") is not None
    db.session.commit()
    response = password_step(client, user, "a fresh and long passphrase 42")
    assert response.headers["Location"] == CODE_PAGE
    assert client.get("/dashboard").status_code == 302
    client.post(CODE_PAGE, data={"code": fresh_code(secret, user.id)})
    assert client.get("/dashboard").status_code == 200


def test_without_two_factor_the_password_is_enough(client, user):
    response = password_step(client, user, factories.PASSWORD)
    assert response.headers["Location"] == "/dashboard"


def test_a_password_reset_ends_a_login_waiting_for_its_code(client, secured):
    user, secret, _ = secured
    password_step(client, user, factories.PASSWORD)
    token = tokens.issue(user, TokenPurpose.RESET_PASSWORD, user.email, timedelta(hours=1))
    recovery.reset_password(token, "a fresh and long passphrase 42")
    db.session.commit()
    response = client.post(CODE_PAGE, data={"code": fresh_code(secret, user.id)})
    assert response.headers["Location"] == "/account/login"
    assert client.get("/dashboard").status_code == 302


def test_two_factor_turned_off_meanwhile_sends_back_to_the_password(client, secured):
    user, _, _ = secured
    password_step(client, user, factories.PASSWORD)
    two_factor.disable(user)
    db.session.commit()
    assert client.get(CODE_PAGE).headers["Location"] == "/account/login"
