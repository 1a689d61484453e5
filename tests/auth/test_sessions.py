"""Login sessions: a cookie opens exactly the session it was issued for, and only while it lives.

Everything goes through a real cookie jar (Flask's test client): cookies are taken from one
browser and replayed, alone, in another, as someone who copied them would.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from cpd_log import create_app
from cpd_log.auth.sessions import token_hash
from cpd_log.extensions import db
from cpd_log.models import User
from cpd_log.models.user import LoginSession
from tests import factories

COOKIES = ("session", "remember_token")


def log_in(client, email, remember=False, password=factories.PASSWORD):
    data = {"email": email, "password": password, **({"remember": "y"} if remember else {})}
    response = client.post("/account/login", data=data)
    assert response.status_code == 302, "login failed"
    return response


def cookies_of(client) -> dict[str, str]:
    return {name: c.value for name in COOKIES if (c := client.get_cookie(name)) is not None}


def browser_with(app, name: str, value: str):
    """A new browser that has only this one cookie."""
    client = app.test_client()
    client.set_cookie(name, value)
    return client


def opens_the_account(client) -> bool:
    """Whether the client reaches personal pages; it must be all of them or none."""
    paths = ("/dashboard", "/export/", "/activities/", "/portfolios/")
    answers = [client.get(path).status_code for path in paths]
    assert len(set(answers)) == 1, answers
    return answers[0] == 200


def test_a_deleted_accounts_cookies_never_open_the_next_account(app):
    """Defect 2: on SQLite the next account gets the deleted account's id; the cookies kept from
    the deleted account must open nothing."""
    ada = factories.make_user(email="ada@example.com", display_name="Ada")
    old_id = ada.id
    browser = app.test_client()
    log_in(browser, "ada@example.com", remember=True)
    kept = cookies_of(browser)
    assert set(kept) == set(COOKIES)
    for name, value in kept.items():  # each cookie alone does open the account (until deleted)
        assert opens_the_account(browser_with(app, name, value)), name

    deleted = browser.post("/account/delete", data={"password": factories.PASSWORD})
    assert deleted.status_code == 302
    newcomer = app.test_client()
    registration = {
        "email": "grace@example.com",
        "display_name": "Grace",
        "password": "a long enough password",
        "confirm": "a long enough password",
    }
    assert newcomer.post("/account/register", data=registration).status_code == 302
    grace = db.session.scalar(select(User).where(User.email == "grace@example.com"))
    factories.make_activity(grace, title="Grace's private course")
    if db.engine.dialect.name == "sqlite":
        assert grace.id == old_id  # the id really is reused, so the replay below means something
    assert opens_the_account(newcomer)

    for name, value in kept.items():
        replay = browser_with(app, name, value)
        assert not opens_the_account(replay), name
        assert b"Grace" not in replay.get("/dashboard", follow_redirects=True).data


def test_logout_ends_the_session_on_the_server(app, user):
    browser = app.test_client()
    log_in(browser, user.email, remember=True)
    kept = cookies_of(browser)
    assert browser.post("/account/logout").status_code == 302
    assert not opens_the_account(browser)
    for name, value in kept.items():
        assert not opens_the_account(browser_with(app, name, value)), name
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0


def test_password_change_ends_every_other_session(app, user):
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop, user.email)
    log_in(phone, user.email, remember=True)
    phone_cookies = cookies_of(phone)
    laptop_before = cookies_of(laptop)["session"]
    changed = laptop.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "password": "a brand new password",
            "confirm": "a brand new password",
        },
    )
    assert changed.status_code == 302
    assert opens_the_account(laptop)  # this browser carries on…
    assert not opens_the_account(browser_with(app, "session", laptop_before))  # …on a new token
    assert not opens_the_account(phone)
    for name, value in phone_cookies.items():
        assert not opens_the_account(browser_with(app, name, value)), name
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 1


def test_the_cookies_carry_a_random_token_stored_only_as_its_hash(app, user):
    browser = app.test_client()
    log_in(browser, user.email, remember=True)
    token = cookies_of(browser)["remember_token"].split("|")[0]
    assert len(token) >= 43 and str(user.id) != token
    session = app.session_interface.get_signing_serializer(app).loads(
        cookies_of(browser)["session"]
    )
    assert session["_user_id"] == token
    stored = db.session.scalar(select(LoginSession))
    assert stored.token_hash == token_hash(token) and stored.user_id == user.id and stored.remember


def test_deleting_the_account_deletes_its_sessions(app, user, other_user):
    mine, theirs = app.test_client(), app.test_client()
    log_in(mine, user.email)
    log_in(theirs, other_user.email)
    mine.post("/account/delete", data={"password": factories.PASSWORD})
    user_ids = db.session.scalars(select(LoginSession.user_id)).all()
    assert user_ids == [other_user.id]
    assert opens_the_account(theirs)


def _set_session_times(**values) -> None:
    db.session.execute(update(LoginSession).values(**values))
    db.session.commit()


def test_a_session_not_remembered_ends_after_the_idle_time(app_factory):
    app = app_factory(SESSION_IDLE_HOURS=2)
    with app.app_context():
        user = factories.make_user()
        browser = app.test_client()
        before = datetime.now(UTC)
        log_in(browser, user.email)
        stored = db.session.scalar(select(LoginSession))
        expires = stored.expires_at.replace(tzinfo=UTC)
        assert before + timedelta(hours=2) <= expires <= datetime.now(UTC) + timedelta(hours=2)

        # In use: seen more than five minutes ago, the next request moves the expiry along.
        _set_session_times(
            last_seen_at=before - timedelta(minutes=30),
            expires_at=before + timedelta(minutes=90),
        )
        assert opens_the_account(browser)
        db.session.expire_all()
        moved = db.session.scalar(select(LoginSession.expires_at)).replace(tzinfo=UTC)
        assert moved >= before + timedelta(hours=2)

        _set_session_times(expires_at=datetime.now(UTC) - timedelta(seconds=1))  # idle too long
        assert not opens_the_account(browser)


def test_a_remembered_session_lasts_the_configured_days_and_no_longer(app_factory):
    app = app_factory(REMEMBER_COOKIE_DAYS=3)
    with app.app_context():
        user = factories.make_user()
        browser = app.test_client()
        response = log_in(browser, user.email, remember=True)
        cookie = next(c for c in response.headers.getlist("Set-Cookie") if "remember_token" in c)
        expires = datetime.strptime(
            cookie.split("Expires=")[1].split(";")[0], "%a, %d %b %Y %X GMT"
        )
        days = (expires.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds() / 86400
        assert 2.99 < days <= 3
        stored = db.session.scalar(select(LoginSession)).expires_at.replace(tzinfo=UTC)
        assert abs((stored - expires.replace(tzinfo=UTC)).total_seconds()) < 5

        remember = cookies_of(browser)["remember_token"]
        _set_session_times(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        assert not opens_the_account(browser_with(app, "remember_token", remember))


def test_remember_me_defaults_to_14_days_and_refuses_more_than_30(database_url):
    overrides = {"SQLALCHEMY_DATABASE_URI": database_url}
    app = create_app("testing", overrides=overrides)
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)
    longest = create_app("testing", overrides={**overrides, "REMEMBER_COOKIE_DAYS": 30})
    assert longest.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    for days in (31, 365, 0):
        with pytest.raises(RuntimeError, match="REMEMBER_COOKIE_DAYS is"):
            create_app("testing", overrides={**overrides, "REMEMBER_COOKIE_DAYS": days})
