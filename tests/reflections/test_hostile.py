"""Hostile text in reflections is stored exactly and never runs; every form needs its CSRF token."""

import re

import pytest
from sqlalchemy import func, select

from cpd_log.extensions import db
from cpd_log.models import Reflection
from tests import factories
from tests.test_hostile_text import HOSTILE, SCRIPT


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_reflection_text_round_trips_and_renders_safely(logged_in, framework, text):
    leaf = factories.leaves(framework)[0]
    data = {
        "title": text, "reflected_on": "2026-03-01", "model": "driscoll", "activity": "",
        "stage_what": text + "\x00", "stage_so_what": f"**{text}**", "competencies": [leaf.id],
    }  # fmt: skip
    assert logged_in.post("/reflections/new", data=data).status_code == 302
    reflection = db.session.scalar(select(Reflection))
    assert reflection.title == text and reflection.stages["what"] == text
    logged_in.post(f"/reflections/{reflection.id}/applied", data={"applied_text": text})
    for url in [
        f"/reflections/{reflection.id}",
        f"/reflections/{reflection.id}/edit",
        f"/reflections/{reflection.id}/delete",
        "/reflections/",
        f"/competencies/{leaf.id}",
    ]:
        page = logged_in.get(url).data.decode()
        assert SCRIPT not in page, url
        assert "<img src=x" not in page, url


@pytest.fixture
def csrf_client(app_factory, user):
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    page = client.get("/account/login").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"email": user.email, "password": factories.PASSWORD, "csrf_token": token}
    assert client.post("/account/login", data=data).status_code == 302
    return client


def test_reflection_post_needs_the_token(csrf_client):
    data = {"title": "T", "reflected_on": "2026-03-01", "model": "free", "stage_text": "x"}
    assert csrf_client.post("/reflections/new", data=data).status_code == 400
    page = csrf_client.get("/reflections/new").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert (
        csrf_client.post("/reflections/new", data={**data, "csrf_token": token}).status_code == 302
    )
    assert db.session.scalar(select(func.count(Reflection.id))) == 1


def test_framework_import_needs_the_token(csrf_client):
    response = csrf_client.post("/competencies/frameworks/import", data={"format": "csv"})
    assert response.status_code == 400
