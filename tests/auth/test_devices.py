"""The signed-in devices page: each browser named, this one marked, "sign out" per device and
"sign out everywhere else", scoped to the owner."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from cpd_log.auth import sessions
from cpd_log.auth.devices import UNKNOWN, device_name
from cpd_log.common.dates import time_ago
from cpd_log.extensions import db
from cpd_log.models.user import LoginSession

CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"


@pytest.mark.parametrize(
    ("agent", "name"),
    [
        (CHROME_LINUX, "Chrome on Linux"),
        (SAFARI_IPHONE, "Mobile Safari on iOS"),
        (FIREFOX_WINDOWS, "Firefox on Windows"),
        ("", UNKNOWN),
        (None, UNKNOWN),
        ("<script>alert(1)</script>", UNKNOWN),
    ],
)
def test_a_user_agent_names_the_browser_and_system(agent, name):
    assert device_name(agent) == name


def test_times_are_approximate():
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert time_ago(now - timedelta(seconds=20), now) == "just now"
    assert time_ago(now - timedelta(minutes=1, seconds=5), now) == "1 minute ago"
    assert time_ago(now - timedelta(hours=5, minutes=59), now) == "5 hours ago"
    assert time_ago((now - timedelta(days=2)).replace(tzinfo=None), now) == "2 days ago"
    assert time_ago(now - timedelta(days=45), now) == "17 Oct 2026"
    assert time_ago(None, now) == ""


def browser(app, login_as, user, agent):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    return login_as(client, user)


def test_the_page_lists_each_browser_and_marks_this_one(app, login_as, user, other_user):
    here = browser(app, login_as, user, CHROME_LINUX)
    browser(app, login_as, user, SAFARI_IPHONE)
    browser(app, login_as, other_user, FIREFOX_WINDOWS)
    page = here.get("/account/sessions").data.decode()
    assert 'Chrome on Linux</strong> <span class="badge text-bg-success">This device' in page
    assert "Mobile Safari on iOS" in page and "Firefox on Windows" not in page
    assert "Signed in just now · last seen just now" in page
    assert page.count(">Sign out</button>") == 1  # not for this device
    assert "Sign out everywhere else" in page


def test_signing_out_one_device_logs_that_browser_out(app, login_as, user):
    here = browser(app, login_as, user, CHROME_LINUX)
    phone = browser(app, login_as, user, SAFARI_IPHONE)
    phone_row = db.session.scalar(
        select(LoginSession).where(LoginSession.user_agent == SAFARI_IPHONE)
    )
    answer = here.post(f"/account/sessions/{phone_row.token_hash}/sign-out", follow_redirects=True)
    assert b"That device is signed out." in answer.data
    assert phone.get("/dashboard").headers["Location"].startswith("/account/login")
    assert here.get("/dashboard").status_code == 200


def test_another_users_session_or_this_one_is_404(app, login_as, user, other_user):
    here = browser(app, login_as, user, CHROME_LINUX)
    browser(app, login_as, other_user, FIREFOX_WINDOWS)
    theirs = db.session.scalar(select(LoginSession).where(LoginSession.user_id == other_user.id))
    mine = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    assert here.post(f"/account/sessions/{theirs.token_hash}/sign-out").status_code == 404
    assert here.post(f"/account/sessions/{mine.token_hash}/sign-out").status_code == 404
    assert here.post(f"/account/sessions/{'0' * 64}/sign-out").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 2


def test_sign_out_everywhere_else_keeps_only_this_browser(app, login_as, user, other_user):
    here = browser(app, login_as, user, CHROME_LINUX)
    others = [browser(app, login_as, user, agent) for agent in (SAFARI_IPHONE, FIREFOX_WINDOWS)]
    stranger = browser(app, login_as, other_user, FIREFOX_WINDOWS)
    answer = here.post("/account/sessions/sign-out-others", follow_redirects=True)
    assert b"Signed out everywhere else (2 other devices)." in answer.data
    for client in others:
        assert client.get("/dashboard").status_code == 302
    assert here.get("/dashboard").status_code == 200
    assert stranger.get("/dashboard").status_code == 200


def test_expired_sessions_are_not_listed(app, user):
    sessions.start_session(user, remember=False)
    sessions.start_session(user, remember=False, now=datetime.now(UTC) - timedelta(days=2))
    db.session.commit()
    assert len(sessions.live_sessions(user)) == 1


def test_a_long_user_agent_is_cut(app, login_as, user):
    browser(app, login_as, user, "x" * 5000)
    stored = db.session.scalar(select(LoginSession.user_agent))
    assert len(stored) == sessions.USER_AGENT_CHARS
