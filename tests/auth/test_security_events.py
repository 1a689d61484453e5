"""Account events reach the security log, and carry no email address or password."""

import logging

import pytest

from tests import factories

EMAIL = "ada@example.com"
NEW_PASSWORD = "a brand new password"


@pytest.fixture
def events(caplog):
    caplog.set_level(logging.INFO, logger="cpd_log.security")

    def recorded() -> list[dict]:
        return [r.security for r in caplog.records if r.name == "cpd_log.security"]

    return recorded


def names(entries: list[dict]) -> list[str]:
    return [e["event"] for e in entries]


def test_account_lifecycle_events(app_factory, events):
    app = app_factory(LOGIN_LOCK_AFTER=2)
    with app.app_context():
        client = app.test_client()
        registration = {"email": EMAIL, "display_name": "Ada"}
        registration |= {"password": factories.PASSWORD, "confirm": factories.PASSWORD}
        client.post("/account/register", data=registration)
        client.post("/account/logout")
        client.post("/account/login", data={"email": EMAIL, "password": "wrong password 1"})
        client.post("/account/login", data={"email": "nobody@example.com", "password": "x"})
        client.post("/account/login", data={"email": EMAIL, "password": factories.PASSWORD})
        client.post(
            "/account/password",
            data={
                "current_password": factories.PASSWORD,
                "password": NEW_PASSWORD,
                "confirm": NEW_PASSWORD,
            },
        )
        client.post("/account/delete", data={"password": NEW_PASSWORD})

    entries = events()
    assert names(entries) == [
        "account.registered",
        "logout",
        "login.failed",
        "login.failed",
        "login.succeeded",
        "password.changed",
        "account.deleted",
    ]
    user_id = entries[0]["user_id"]
    assert isinstance(user_id, int)
    assert [e["reason"] for e in entries if e["event"] == "login.failed"] == [
        "password",
        "unknown_account",
    ]
    failed = [e for e in entries if e["event"] == "login.failed"]
    assert [e["user_id"] for e in failed] == [user_id, None]  # the account under attack, if any
    assert failed[0]["account"] != failed[1]["account"] and len(failed[0]["account"]) == 16
    for entry in entries:
        if entry["event"] != "login.failed":
            assert entry["user_id"] == user_id, entry
        text = repr(entry).lower()
        for secret in (EMAIL, "nobody@", factories.PASSWORD, NEW_PASSWORD, "wrong password"):
            assert secret not in text, entry


def test_a_lock_is_logged_without_the_email(app_factory, events):
    app = app_factory(LOGIN_LOCK_AFTER=2, LOGIN_LOCK_SECONDS=60)
    with app.app_context():
        client = app.test_client()
        for _ in range(3):
            client.post("/account/login", data={"email": EMAIL, "password": "wrong password"})
    entries = events()
    assert names(entries) == ["login.failed", "login.failed", "login.locked", "login.locked"]
    assert [e["retry_after"] for e in entries[2:]] == [60, 60]
    assert all(EMAIL not in repr(e) for e in entries)
