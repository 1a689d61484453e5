"""Common and guessable passwords are refused (zxcvbn, offline) wherever a password is chosen."""

import gc
import time

import pytest
from sqlalchemy import func, select

from cpd_log.auth.passwords import guessable_words, password_problem
from cpd_log.extensions import db
from cpd_log.models import User
from tests import factories

REGISTRATION = {
    "email": "marguerite.okonkwo@example.com",
    "display_name": "Marguerite Okonkwo",
    "password": "a long enough password",
    "confirm": "a long enough password",
}


@pytest.mark.parametrize(
    ("password", "advice"),
    [
        ("password1234", b"This is a very common password."),
        ("qwertyuiop123", b"This is a very common password."),
        ("abcabcabcabc", b"Repeats like"),
        # Strong on its own (zxcvbn scores it 4), but made of the account's own name and email.
        ("marguerite.okonkwo2026", b"Add another word or two."),
    ],
)
def test_registration_refuses_guessable_passwords_with_advice(client, password, advice):
    data = {**REGISTRATION, "password": password, "confirm": password}
    response = client.post("/account/register", data=data)
    assert response.status_code == 200
    assert b"This password is too easy to guess." in response.data
    assert advice in response.data
    assert b'value="Marguerite Okonkwo"' in response.data  # the rest of the input is kept
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_the_account_name_makes_a_password_guessable(app):
    assert password_problem("marguerite.okonkwo2026") is None
    words = guessable_words("marguerite.okonkwo@example.com", "Marguerite Okonkwo")
    assert password_problem("marguerite.okonkwo2026", words) is not None


def test_a_strong_password_is_accepted(client):
    assert client.post("/account/register", data=REGISTRATION).status_code == 302


def test_change_password_refuses_a_guessable_one(logged_in, user):
    response = logged_in.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "password": "password1234",
            "confirm": "password1234",
        },
    )
    assert b"This password is too easy to guess." in response.data
    db.session.expire_all()
    assert user.check_password(factories.PASSWORD)


def test_create_user_command_refuses_a_guessable_password(app):
    runner = app.test_cli_runner()
    args = ["create-user", "--email", "admin@example.com", "--name", "Admin"]
    result = runner.invoke(args=[*args, "--password", "password1234"])
    assert result.exit_code != 0
    assert "This password is too easy to guess." in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


@pytest.mark.serial  # asserts a wall-time bound
def test_long_passwords_are_checked_in_bounded_time(app):
    """zxcvbn alone takes seconds on 200 random characters; the estimate reads the first 72."""
    long_one = "Zq8#vL2!mW9@xR4$" * 12 + "abcdefgh"
    assert len(long_one) == 200
    # The bound is the estimator's, not the garbage collector's: serial tests run last, when a
    # full collection of everything earlier tests left can pause the process for a second.
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        assert password_problem(long_one) is None
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    assert elapsed < 1
    assert password_problem(long_one + "x") == "Use at most 200 characters."


def test_the_minimum_score_is_a_setting(app_factory):
    app = app_factory(PASSWORD_MIN_SCORE=0)
    with app.app_context():
        assert password_problem("password1234") is None
