"""Confirming the email address: on registration and on a change of address; unconfirmed
accounts work, with a banner that resends the link; links expire and work once."""

import re
from datetime import UTC, datetime, timedelta

from cpd_log.auth import recovery
from cpd_log.extensions import db
from cpd_log.mail.sending import wait_for_sends
from cpd_log.models import User
from tests import factories
from tests.mail.smtp import text_of

LINK = re.compile(r"http://localhost/account/verify/([\w-]+)")
BANNER = b"Please confirm your email address"


def register(client, email="ada@example.com"):
    data = {"email": email, "display_name": "Ada", "password": factories.PASSWORD}
    return client.post("/account/register", data={**data, "confirm": factories.PASSWORD})


def link_in(message) -> str:
    return LINK.search(text_of(message)).group(0)


def test_registration_mails_a_link_that_confirms_the_address_once(mail_app, smtp):
    client = mail_app.test_client()
    assert register(client).status_code == 302
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200 and BANNER in dashboard.data  # unconfirmed still works
    (message,) = smtp.wait_for(1)
    assert smtp.recipients == [["ada@example.com"]]
    assert message["Subject"] == "Confirm your email address for CPD Log"
    url = link_in(message)
    confirmed = mail_app.test_client().get(url)  # any browser, logged in or not
    assert confirmed.status_code == 200 and b"ada@example.com is confirmed" in confirmed.data
    assert db.session.scalar(db.select(User.verified_at)) is not None
    assert BANNER not in client.get("/dashboard").data
    assert client.get(url).status_code == 410  # used


def test_a_confirmation_link_expires(app, client):
    user = factories.make_user()
    stale = recovery.start_verification(user, now=datetime.now(UTC) - timedelta(hours=73))
    db.session.commit()
    assert client.get(f"/account/verify/{stale}").status_code == 410
    assert db.session.get(User, user.id).verified_at is None


def test_resend_mails_a_new_link_and_the_old_one_stops_working(mail_app, smtp, login_as):
    client = mail_app.test_client()
    register(client)
    first = link_in(smtp.wait_for(1)[0])
    answer = client.post("/account/verify/resend", follow_redirects=True)
    assert b"We sent a new confirmation link to ada@example.com" in answer.data
    assert wait_for_sends()
    second = link_in(smtp.wait_for(2)[1])
    assert first != second
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_resend_is_rate_limited(app_factory, login_as):
    app = app_factory(RATELIMIT_ENABLED=True, VERIFY_RESEND_RATE_LIMIT="1 per hour")
    with app.app_context():
        client = login_as(app.test_client(), factories.make_user())
        assert client.post("/account/verify/resend").status_code == 302
        assert client.post("/account/verify/resend").status_code == 429


def test_changing_the_email_asks_for_the_password_and_refuses_a_taken_address(
    app, client, login_as, user, other_user
):
    login_as(client, user)
    wrong = client.post("/account/email", data={"email": "new@example.com", "password": "nope"})
    assert b"That is not your password." in wrong.data
    taken = client.post(
        "/account/email", data={"email": "BOB@Example.com", "password": factories.PASSWORD}
    )
    assert b"This email address cannot be used for your account." in taken.data
    same = client.post("/account/email", data={"email": user.email, "password": factories.PASSWORD})
    assert b"That is already your email address." in same.data
    bad = client.post("/account/email", data={"email": "not an address", "password": "x"})
    assert bad.status_code == 200 and b"Enter a valid email address." in bad.data
    assert db.session.get(User, user.id).email == "ada@example.com"


def test_a_new_address_is_unconfirmed_gets_a_link_and_the_old_one_is_told(mail_app, smtp, login_as):
    user = factories.make_user(email="ada@example.com", display_name="Ada")
    old_link = recovery.start_verification(user)
    user.verified_at = datetime.now(UTC)
    db.session.commit()
    client = login_as(mail_app.test_client(), user)
    answer = client.post(
        "/account/email", data={"email": "Ada@New.example.com", "password": factories.PASSWORD}
    )
    assert answer.status_code == 302
    changed = db.session.get(User, user.id)
    assert changed.email == "ada@new.example.com" and changed.verified_at is None
    assert wait_for_sends()
    messages = {tuple(to): m for to, m in zip(smtp.recipients, smtp.wait_for(2), strict=True)}
    notice = messages[("ada@example.com",)]
    assert notice["Subject"] == "The email address of your CPD Log account was changed"
    assert "to ada@new.example.com" in text_of(notice)
    confirm = link_in(messages[("ada@new.example.com",)])
    assert client.get(f"/account/verify/{old_link}").status_code == 410
    assert client.get(confirm).status_code == 200
    assert db.session.get(User, user.id).verified_at is not None
    # Logging in goes by the new address.
    client.post("/account/logout")
    login_as(client, changed)
