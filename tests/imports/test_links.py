"""User-supplied addresses become links only when they are http(s) (issue 10, defect 10).

A `javascript:` address could arrive by badge import, an old account import or a calendar; the
pages render it as text, and the imports we own drop it on the way in.
"""

import json
import re
from datetime import date

import pytest
from sqlalchemy import select

from cpd_log.common.web_urls import is_web_url
from cpd_log.extensions import db
from cpd_log.models import Activity, BadgeAssertion, Evidence
from tests import factories
from tests.imports.test_badges import upload as upload_badge
from tests.portfolio.builders import make_link, make_portfolio

HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/",
    "https://",
    "https://example.com/a b",
    "https://example.com/\x00",
]


def hrefs(page: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', page)


@pytest.mark.parametrize("url", HOSTILE)
def test_only_http_addresses_are_web_addresses(url):
    assert not is_web_url(url)


@pytest.mark.parametrize("url", ["https://example.com/x?a=1&b=2", "HTTP://EXAMPLE.COM"])
def test_web_addresses(url):
    assert is_web_url(url)


def test_badge_with_javascript_issuer_and_criteria_is_imported_without_a_link(logged_in):
    assertion = {
        "type": "Assertion",
        "id": "urn:uuid:2f0a3c4e-0000-4000-8000-00000000beef",
        "badge": {
            "type": "BadgeClass",
            "name": "Sneaky badge",
            "criteria": {"id": "javascript:alert(1)"},
            "issuer": {"name": "Evil issuer", "url": "javascript:alert(2)"},
        },
        "issuedOn": "2026-01-20",
        "verification": {"type": "SignedBadge"},
    }
    response = upload_badge(logged_in, json.dumps(assertion).encode())
    assert response.status_code == 302
    activity = db.session.scalar(select(Activity))
    badge = db.session.scalar(select(BadgeAssertion))
    assert (activity.url, badge.issuer_url) == ("", "")
    page = logged_in.get(response.headers["Location"]).data.decode()
    assert "Evil issuer" in page and "Sneaky badge" in page
    assert not [h for h in hrefs(page) if "script" in h.lower()]


def test_calendar_url_that_is_not_a_web_address_is_dropped():
    from zoneinfo import ZoneInfo

    from cpd_log.imports.ics import read_calendar

    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\nBEGIN:VEVENT\r\n"
        b"UID:u@example.com\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260105T090000Z\r\n"
        b"DTEND:20260105T100000Z\r\nURL:javascript:alert(1)\r\nSUMMARY:Talk\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    (event,) = read_calendar(data, ZoneInfo("UTC"), (date(2025, 1, 1), date(2027, 1, 1))).events
    assert event.url == ""


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>x</b>"])
def test_old_rows_with_hostile_urls_render_as_text(logged_in, user, client, url):
    """As an account import from before this fix could have stored them."""
    activity = factories.make_activity(user, title="Imported long ago", url=url)
    db.session.add(Evidence(user_id=user.id, activity_id=activity.id, title="Proof", url=url))
    db.session.commit()
    portfolio = make_portfolio(user, title="Review")
    _link, token = make_link(portfolio)
    pages = {
        "activity": logged_in.get(f"/activities/{activity.id}").data.decode(),
        "portfolio": logged_in.get(f"/portfolios/{portfolio.id}").data.decode(),
        "shared": client.get(f"/shared/{token}").data.decode(),
    }
    for name, page in pages.items():
        assert "Imported long ago" in page, name
        bad = [h for h in hrefs(page) if h.lower().startswith(("javascript", "data"))]
        assert bad == [], name
    assert "javascript:alert(1)" in pages["activity"] or "data:text/html" in pages["activity"]


def test_spreadsheet_row_with_a_javascript_url_is_an_error(logged_in):
    from tests.imports.test_sheets import csv_bytes, upload

    data = csv_bytes("title,date,hours,url", "Talk,2026-01-05,1,javascript:alert(1)")
    page = logged_in.get(upload(logged_in, data).headers["Location"]).data.decode()
    assert "a web address starts with http:// or https://." in page
    assert "1 with errors" in page
