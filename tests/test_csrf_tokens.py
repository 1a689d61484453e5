"""A session's signed CSRF token is signed once per process (cpd_log/csrf_tokens.py) and is
still exactly as good as a fresh one: accepted in its own session, refused in any other."""

import re
from itertools import count

import pytest
from itsdangerous import TimestampSigner

from cpd_log import csrf_tokens
from tests import factories


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


@pytest.fixture
def ticking(monkeypatch):
    """Every signature a second later than the last, so a token signed again always differs."""
    seconds = count(2_000_000_000)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: next(seconds))


def _logged_in(app, user):
    client = app.test_client()
    token = _token(client.get("/account/login").get_data(as_text=True))
    data = {"email": user.email, "password": factories.PASSWORD, "csrf_token": token}
    assert client.post("/account/login", data=data).status_code == 302
    return client


def test_a_session_gets_the_token_signed_once(app_factory, user, ticking):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = _logged_in(app, user)
    first = _token(client.get("/activities/new").get_data(as_text=True))
    again = _token(client.get("/activities/new").get_data(as_text=True))
    assert again == first
    activity = factories.make_activity(user)
    deleted = client.post(f"/activities/{activity.id}/delete", data={"csrf_token": again})
    assert deleted.status_code == 302


def test_another_session_gets_its_own_token_and_refuses_this_one(
    app_factory, user, other_user, ticking
):
    app = app_factory(WTF_CSRF_ENABLED=True)
    ada, bob = _logged_in(app, user), _logged_in(app, other_user)
    ada_token = _token(ada.get("/activities/new").get_data(as_text=True))
    bob_token = _token(bob.get("/activities/new").get_data(as_text=True))
    assert ada_token != bob_token
    activity = factories.make_activity(other_user)
    refused = bob.post(f"/activities/{activity.id}/delete", data={"csrf_token": ada_token})
    assert refused.status_code == 400
    assert (
        bob.post(f"/activities/{activity.id}/delete", data={"csrf_token": bob_token}).status_code
        == 302
    )


def test_with_a_time_limit_every_request_signs_afresh(app_factory, user, ticking):
    app = app_factory(WTF_CSRF_ENABLED=True, WTF_CSRF_TIME_LIMIT=3600)
    assert csrf_tokens.EXTENSION not in app.extensions
    client = _logged_in(app, user)
    first = _token(client.get("/activities/new").get_data(as_text=True))
    assert _token(client.get("/activities/new").get_data(as_text=True)) != first
