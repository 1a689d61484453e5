"""Fixtures for the Open Badge tests: an issuer server and an app allowed to reach it."""

import pytest

from tests import factories
from tests.imports.badge_helpers import BadgeServer


@pytest.fixture
def issuer():
    server = BadgeServer()
    yield server
    server.close()


@pytest.fixture
def badge_app(app_factory):
    app = app_factory(BADGE_ALLOW_PRIVATE_HOSTS=True, BADGE_FETCH_TIMEOUT=1)
    with app.app_context():
        yield app


@pytest.fixture
def badge_client(badge_app, login_as):
    user = factories.make_user(email="ada@example.com", display_name="Ada")
    client = badge_app.test_client()
    login_as(client, user)
    client.user = user
    return client
