"""CSRF protection is on app-wide: a POST without the token is refused, with it accepted."""

import re

import pytest
from sqlalchemy import func, select

from cpd_log.extensions import db
from cpd_log.models import Activity
from tests import factories


@pytest.fixture
def csrf_client(app_factory, user):
    app = app_factory(WTF_CSRF_ENABLED=True)
    return app.test_client()


def token(page: bytes) -> str:
    return re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()


def test_login_without_token_is_refused(csrf_client, user):
    data = {"email": user.email, "password": factories.PASSWORD}
    response = csrf_client.post("/account/login", data=data)
    assert response.status_code == 400
    assert b"This form has expired or did not come from this site" in response.data
    assert csrf_client.get("/dashboard").status_code == 302


def test_post_without_token_is_refused_and_with_token_accepted(csrf_client, user):
    login_page = csrf_client.get("/account/login").data
    data = {"email": user.email, "password": factories.PASSWORD, "csrf_token": token(login_page)}
    assert csrf_client.post("/account/login", data=data).status_code == 302

    activity = {
        "title": "Course",
        "kind": "course",
        "start_date": "2026-01-05",
        "hours": "2",
        "delivery": "online",
        "status": "completed",
    }
    refused = csrf_client.post("/activities/new", data=activity)
    assert refused.status_code == 400
    assert b"nothing was done" in refused.data
    assert db.session.scalar(select(func.count(Activity.id))) == 0

    form = csrf_client.get("/activities/new").data
    accepted = csrf_client.post("/activities/new", data={**activity, "csrf_token": token(form)})
    assert accepted.status_code == 302
    assert db.session.scalar(select(func.count(Activity.id))) == 1


def test_delete_and_logout_without_token_do_nothing(csrf_client, user):
    activity_id = factories.make_activity(user).id
    page = csrf_client.get("/account/login").data
    data = {"email": user.email, "password": factories.PASSWORD, "csrf_token": token(page)}
    csrf_client.post("/account/login", data=data)
    assert csrf_client.post(f"/activities/{activity_id}/delete").status_code == 400
    assert db.session.get(Activity, activity_id) is not None
    csrf_client.post("/account/logout")
    assert csrf_client.get("/dashboard").status_code == 200  # still logged in
