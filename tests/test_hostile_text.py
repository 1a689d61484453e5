"""Hostile text in every text field is stored exactly and rendered escaped everywhere."""

import pytest
from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.models import Activity, User

SCRIPT = "<script>alert(1)</script>"
HOSTILE = [
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "{{7*7}} {% raw %}",
    "' OR 1=1 --",
    "مرحبا بالعالم — עברית \u202eRTL override",
    "emoji 👩🏽‍💻🎓 and ✓",
]
BIG = ("Ten kilobytes of reflection. " + SCRIPT) * 300  # ≈ 10 kB


def _form(title: str, text: str) -> dict:
    return {
        "title": title,
        "kind": "reading",
        "provider": title,
        "start_date": "2026-02-02",
        "hours": "1",
        "delivery": "self_paced",
        "description": text,
        "url": "https://example.org/?q=" + text[:50].replace(" ", "+"),
        "status": "completed",
    }


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_activity_text_round_trips_and_renders_escaped(logged_in, text):
    response = logged_in.post("/activities/new", data=_form(text, text + "\x00" + BIG))
    assert response.status_code == 302, response.data[-500:]
    activity = db.session.scalar(select(Activity))
    assert activity.title == text
    assert activity.provider == text
    assert activity.description == text + BIG  # NUL dropped, everything else exact
    for url in [
        f"/activities/{activity.id}",
        f"/activities/{activity.id}/edit",
        f"/activities/{activity.id}/delete",
        "/activities/",
        f"/activities/?q={text[:20]}",
        "/dashboard",
    ]:
        page = logged_in.get(url).data.decode()
        assert SCRIPT not in page, url
        assert "<img src=x" not in page, url
        if "{{7*7}}" in text:
            assert "{{7*7}}" in page, url  # shown literally, never evaluated


def test_display_name_renders_escaped(client):
    name = SCRIPT + " {{7*7}}"
    data = {
        "email": "x@example.com",
        "display_name": name,
        "password": "correct horse battery",
        "confirm": "correct horse battery",
    }
    page = client.post("/account/register", data=data, follow_redirects=True).data.decode()
    assert db.session.scalar(select(User.display_name)) == name
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{7*7}}" in page
