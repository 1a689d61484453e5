"""Accounts: register, log in and out, rate limit, `next`, change password, delete."""

import pytest
from sqlalchemy import func, select

from cpd_log.auth.services import safe_next
from cpd_log.extensions import db
from cpd_log.models import Activity, Framework, User
from tests import factories

REGISTRATION = {
    "email": "New.Person@Example.com",
    "display_name": "New Person",
    "password": "a long enough password",
    "confirm": "a long enough password",
}


def test_register_logs_in_and_lands_on_dashboard(client):
    response = client.post("/account/register", data=REGISTRATION, follow_redirects=True)
    assert response.status_code == 200
    assert b"Hello, New Person" in response.data
    user = db.session.scalar(select(User))
    assert user.email == "new.person@example.com"
    assert user.password_hash.startswith("pbkdf2:") and "a long enough" not in user.password_hash


def test_production_hashes_with_scrypt(app_factory):
    app = app_factory(PASSWORD_HASH_METHOD="scrypt")
    with app.app_context():
        user = factories.make_user()
        assert user.password_hash.startswith("scrypt:")
        assert user.check_password(factories.PASSWORD)


def test_email_is_unique_whatever_its_case(client, user):
    data = {**REGISTRATION, "email": "ADA@example.COM"}
    response = client.post("/account/register", data=data)
    assert response.status_code == 200
    # Said without confirming that the address has an account (no email can tell its owner yet).
    assert b"We could not create an account with these details." in response.data
    assert b"exists" not in response.data
    assert b'value="New Person"' in response.data  # the rest of the input is kept
    assert b'value="ADA@example.COM"' in response.data
    assert db.session.scalar(select(func.count(User.id))) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-email", b"Enter a valid email address."),
        ("password", "short", b"Use at least 10 characters."),
        ("confirm", "something else entirely", b"The passwords do not match."),
        ("display_name", "", b"This field is required."),
    ],
)
def test_register_validation_messages(client, field, value, message):
    data = {**REGISTRATION, field: value}
    if field == "password":
        data["confirm"] = value
    response = client.post("/account/register", data=data)
    assert response.status_code == 200
    assert message in response.data
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_login_accepts_any_email_case(client, user):
    response = client.post(
        "/account/login", data={"email": " ADA@Example.com ", "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_login_does_not_reveal_whether_the_email_exists(client, user):
    wrong_password = client.post(
        "/account/login", data={"email": user.email, "password": "not the password"}
    )
    unknown_email = client.post(
        "/account/login", data={"email": "nobody@example.com", "password": "not the password"}
    )
    assert wrong_password.status_code == unknown_email.status_code == 200
    assert b"The email or password is not right." in wrong_password.data
    assert wrong_password.data == unknown_email.data.replace(
        b"nobody@example.com", user.email.encode()
    )


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/activities/?kind=course", "/activities/?kind=course"),
        ("https://evil.example/", None),
        ("//evil.example/", None),
        ("/\\evil.example", None),
        ("javascript:alert(1)", None),
        ("activities", None),
        ("", None),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target) == expected


def test_login_follows_only_a_relative_next(client, user):
    data = {"email": user.email, "password": factories.PASSWORD}
    response = client.post("/account/login?next=/activities/new", data=data)
    assert response.headers["Location"] == "/activities/new"
    client.post("/account/logout")
    response = client.post("/account/login?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/dashboard"


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/activities/new")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=%2Factivities%2Fnew"


def test_login_is_rate_limited(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        factories.make_user(email="limited@example.com")
        client = app.test_client()
        data = {"email": "limited@example.com", "password": "wrong password"}
        codes = [client.post("/account/login", data=data).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert b"Too many attempts" in client.post("/account/login", data=data).data
        assert client.get("/account/login").status_code == 200  # reading the form is not limited


def test_logout_is_a_post(logged_in):
    assert logged_in.get("/account/logout").status_code == 405
    assert logged_in.post("/account/logout").status_code == 302
    assert logged_in.get("/dashboard").status_code == 302


def test_change_password_logs_out_other_sessions(app, logged_in, login_as, user):
    other_device = login_as(app.test_client(), user)
    response = logged_in.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "password": "a brand new password",
            "confirm": "a brand new password",
        },
    )
    assert response.status_code == 302
    assert logged_in.get("/dashboard").status_code == 200  # this session carries on
    assert other_device.get("/dashboard").status_code == 302  # the other one is logged out
    db.session.expire_all()
    assert user.check_password("a brand new password")


def test_change_password_needs_the_current_one(logged_in, user):
    response = logged_in.post(
        "/account/password",
        data={
            "current_password": "wrong",
            "password": "a brand new password",
            "confirm": "a brand new password",
        },
    )
    assert b"That is not your current password." in response.data
    db.session.expire_all()
    assert user.check_password(factories.PASSWORD)


def test_delete_account_asks_for_the_password(logged_in, user):
    factories.make_activity(user)
    response = logged_in.post("/account/delete", data={"password": "wrong"})
    assert b"Nothing was deleted." in response.data
    assert db.session.scalar(select(func.count(Activity.id))) == 1


def test_delete_account_removes_every_row_of_the_user(logged_in, user, other_user):
    own_framework = factories.make_framework(owner=user)
    factories.make_activity(user, competencies=factories.leaves(own_framework))
    factories.make_activity(other_user)
    response = logged_in.post("/account/delete", data={"password": factories.PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(User.email)) == "bob@example.com"
    assert db.session.scalar(select(func.count(Activity.id))) == 1
    assert db.session.scalar(select(func.count(Framework.id))) == 0
    assert logged_in.get("/dashboard").status_code == 302
