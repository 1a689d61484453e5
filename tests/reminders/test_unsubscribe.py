"""The signed one-click unsubscribe: GET asks, POST (RFC 8058, no session, no CSRF token) turns
digests off; a bad signature answers 404; a replay is harmless."""

import pytest
from itsdangerous import URLSafeSerializer

from cpd_log.extensions import db
from cpd_log.models.reminder import Frequency
from cpd_log.reminders import services, unsubscribe
from tests.reminders.helpers import subscriber

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def strict(app_factory, upload_dir):
    """CSRF checks on, as in production: the one-click POST must pass without a token."""
    app = app_factory(UPLOAD_DIR=str(upload_dir), WTF_CSRF_ENABLED=True)
    with app.app_context(), app.test_request_context():
        yield app


def test_get_asks_and_post_unsubscribes_without_login_or_csrf(strict):
    user = subscriber()
    url = f"/reminders/unsubscribe/{unsubscribe.token_for(user)}"
    client = strict.test_client()
    page = client.get(url)
    assert page.status_code == 200 and "Stop the reminder mails?" in page.text
    assert services.frequency_of(user) == Frequency.WEEKLY  # a GET changes nothing
    done = client.post(url, data=ONE_CLICK)
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    db.session.expire_all()
    assert services.frequency_of(user) == Frequency.OFF
    again = client.post(url, data=ONE_CLICK)  # a replay, or the button pressed twice
    assert again.status_code == 200
    assert services.frequency_of(user) == Frequency.OFF


def test_a_bad_signature_answers_404_and_changes_nothing(strict):
    user = subscriber()
    token = unsubscribe.token_for(user)
    forged = URLSafeSerializer("another key", salt=unsubscribe.SALT).dumps([user.id, "x"])
    other_salt = URLSafeSerializer("testing", salt="elsewhere").dumps([user.id, "x"])
    client = strict.test_client()
    for bad in (token[:-2] + "xx", forged, other_salt, "nonsense", "x" * 500):
        for method in ("GET", "POST"):
            response = client.open(f"/reminders/unsubscribe/{bad}", method=method, data=ONE_CLICK)
            assert response.status_code == 404, (bad, method)
    db.session.expire_all()
    assert services.frequency_of(user) == Frequency.WEEKLY


def test_a_deleted_accounts_link_opens_no_later_account(strict):
    user = subscriber("gone@example.com")
    token = unsubscribe.token_for(user)
    user_id = user.id
    db.session.delete(user)
    db.session.commit()
    later = subscriber("later@example.com")
    later.id == user_id or pytest.skip("the database did not reuse the id")  # noqa: B015
    assert strict.test_client().post(f"/reminders/unsubscribe/{token}").status_code == 404


def test_another_accounts_token_never_names_this_one(strict):
    ada, bob = subscriber(), subscriber()
    client = strict.test_client()
    client.post(f"/reminders/unsubscribe/{unsubscribe.token_for(bob)}", data=ONE_CLICK)
    db.session.expire_all()
    assert services.frequency_of(ada) == Frequency.WEEKLY
    assert services.frequency_of(bob) == Frequency.OFF
