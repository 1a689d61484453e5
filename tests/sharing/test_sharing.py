"""Share links: scope, expiry, revocation, hashing, view counts, reviews, rate limits."""

import io
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask.sessions import SecureCookieSessionInterface
from pypdf import PdfReader
from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.models import Review, ShareLink
from cpd_log.sharing import services as sharing
from tests import factories
from tests.portfolio.builders import make_link, make_portfolio


@pytest.fixture
def shared(user):
    factories.make_activity(user, title="Shared course")
    portfolio = make_portfolio(user, title="For the assessor")
    link, token = make_link(portfolio)
    return portfolio, link, token


def test_owner_creates_a_link_shown_once_and_stored_hashed(logged_in, user):
    portfolio = make_portfolio(user)
    response = logged_in.post(f"/portfolios/{portfolio.id}/share", follow_redirects=True)
    page = response.get_data(as_text=True)
    token = re.search(r"/shared/([A-Za-z0-9_\-]+)", page).group(1)
    assert len(token) >= 43  # 32 random bytes, base64url: 256 bits
    link = db.session.scalar(select(ShareLink))
    assert link.token_hash == sharing.token_hash(token) and token not in link.token_hash
    assert (link.expires_at.replace(tzinfo=UTC) - datetime.now(UTC)).days in (29, 30)
    assert logged_in.get(f"/portfolios/{portfolio.id}").get_data(as_text=True).count(token) == 0


def _session_of(app, client) -> str:
    """The session cookie's content, decoded as anyone holding the cookie could."""
    cookie = client.get_cookie("session")
    if cookie is None:
        return ""
    return repr(SecureCookieSessionInterface().get_signing_serializer(app).loads(cookie.value))


def test_the_new_link_never_travels_in_the_session_cookie(app, logged_in, user):
    """A flashed message is stored in the signed, not encrypted, session cookie."""
    portfolio = make_portfolio(user)
    response = logged_in.post(f"/portfolios/{portfolio.id}/share")
    cookie = _session_of(app, logged_in)  # as set by the response to the POST itself
    if response.status_code == 302:  # (how it was: a redirect and a flashed message)
        response = logged_in.get(response.headers["Location"])
    page = response.get_data(as_text=True)
    token = re.search(r"/shared/([A-Za-z0-9_\-]{43,})", page).group(1)
    assert "it is shown only once" in page
    assert "_user_id" in cookie  # the cookie is there, and decoded
    assert token not in cookie
    assert response.headers["Cache-Control"] == "private, no-store"
    later = logged_in.get(f"/portfolios/{portfolio.id}").get_data(as_text=True)
    assert token not in later and token not in _session_of(app, logged_in)


def test_share_links_created_and_revoked_are_security_events(logged_in, user, caplog):
    portfolio = make_portfolio(user)
    with caplog.at_level(logging.INFO, logger="cpd_log.security"):
        page = logged_in.post(f"/portfolios/{portfolio.id}/share").get_data(as_text=True)
        link = db.session.scalar(select(ShareLink))
        logged_in.post(f"/portfolios/{portfolio.id}/links/{link.id}/revoke")
    events = [r.security for r in caplog.records if r.name == "cpd_log.security"]
    expected = {"user_id": user.id, "portfolio_id": portfolio.id, "share_link_id": link.id}
    created = [e for e in events if e["event"] == "share_link.created"]
    revoked = [e for e in events if e["event"] == "share_link.revoked"]
    assert len(created) == 1 and expected.items() <= created[0].items()
    assert len(revoked) == 1 and expected.items() <= revoked[0].items()
    token = re.search(r"/shared/([A-Za-z0-9_\-]{43,})", page).group(1)
    assert token not in caplog.text and link.token_hash not in caplog.text


def test_reviewer_sees_only_that_portfolio_and_views_are_counted(client, user, shared):
    portfolio, link, token = shared
    factories.make_activity(user, title="Private diary", start_date=portfolio.created_at.date())
    make_portfolio(user, title="Another portfolio", date_from=datetime(2030, 1, 1).date())
    first = client.get(f"/shared/{token}")
    page = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "For the assessor" in page and "Shared course" in page
    assert "Another portfolio" not in page
    assert first.headers["Referrer-Policy"] == "no-referrer"
    client.get(f"/shared/{token}")
    db.session.refresh(link)
    assert link.views == 2 and link.last_viewed_at is not None


def test_reviewer_downloads_the_pdf_and_zip(client, shared):
    _portfolio, _link, token = shared
    response = client.get(f"/shared/{token}/portfolio.pdf")
    data = response.get_data()
    response.close()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "For the assessor" in text and "Shared course" in text
    response = client.get(f"/shared/{token}/portfolio.zip")
    assert response.mimetype == "application/zip"
    response.close()


@pytest.mark.parametrize("suffix", ["", "/portfolio.pdf", "/portfolio.zip"])
def test_unknown_token_is_404(client, shared, suffix):
    assert client.get(f"/shared/not-a-real-token{suffix}").status_code == 404
    assert client.get(f"/shared/{'x' * 500}{suffix}").status_code == 404


@pytest.mark.parametrize("suffix", ["", "/portfolio.pdf", "/portfolio.zip"])
def test_expired_link_says_so(client, user, suffix):
    past = datetime.now(UTC) - timedelta(days=31)
    _link, token = make_link(make_portfolio(user), days=30, now=past)
    response = client.get(f"/shared/{token}{suffix}")
    assert response.status_code == 410
    assert "has expired" in response.get_data(as_text=True)


@pytest.mark.parametrize("suffix", ["", "/portfolio.pdf", "/portfolio.zip"])
def test_revoked_link_says_so(logged_in, client, user, shared, suffix):
    portfolio, link, token = shared
    response = logged_in.post(f"/portfolios/{portfolio.id}/links/{link.id}/revoke")
    assert response.status_code == 302
    logged_in.post("/account/logout")
    response = client.get(f"/shared/{token}{suffix}")
    assert response.status_code == 410
    assert "has been revoked" in response.get_data(as_text=True)


def test_revoke_with_another_portfolios_id_is_404(logged_in, user, shared):
    _portfolio, link, _token = shared
    other = make_portfolio(user, title="Other")
    assert logged_in.post(f"/portfolios/{other.id}/links/{link.id}/revoke").status_code == 404
    db.session.refresh(link)
    assert link.revoked_at is None


def test_review_is_recorded_seen_by_owner_and_printed_in_later_pdfs(client, login_as, user, shared):
    portfolio, _link, token = shared
    response = client.post(
        f"/shared/{token}",
        data={
            "reviewer_name": "Grace <b>Hopper</b>",
            "reviewer_role": "Line manager",
            "comment": "Good range of learning.",
            "signed_off": "y",
        },
    )
    assert response.status_code == 302
    review = db.session.scalar(select(Review))
    assert review.signed_off and review.reviewer_name == "Grace <b>Hopper</b>"
    login_as(client, user)
    page = client.get(f"/portfolios/{portfolio.id}").get_data(as_text=True)
    assert "Reviewed by Grace &lt;b&gt;Hopper&lt;/b&gt;, Line manager, on" in page
    response = client.get(f"/portfolios/{portfolio.id}/portfolio.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.get_data())).pages)
    response.close()
    assert "Reviewed by Grace <b>Hopper</b>, Line manager, on" in text
    assert "signed off" in text and "Good range of learning." in text


def test_empty_review_is_a_field_error(client, shared):
    _portfolio, _link, token = shared
    response = client.post(f"/shared/{token}", data={"reviewer_name": "Grace", "comment": ""})
    assert response.status_code == 200
    assert "Write a comment or tick the sign-off" in response.get_data(as_text=True)
    assert db.session.scalar(select(Review)) is None


def test_review_needs_csrf(app_factory, user):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        _link, token = make_link(make_portfolio(user))
        response = app.test_client().post(
            f"/shared/{token}", data={"reviewer_name": "X", "signed_off": "y"}
        )
        assert response.status_code == 400
        assert db.session.scalar(select(Review)) is None


def test_share_links_are_rate_limited(app_factory, user):
    app = app_factory(RATELIMIT_ENABLED=True, SHARE_RATE_LIMIT="3 per minute")
    with app.app_context():
        _link, token = make_link(make_portfolio(user))
        client = app.test_client()
        codes = [client.get(f"/shared/guess-{n}").status_code for n in range(5)]
        assert codes[:3] == [404, 404, 404] and codes[3:] == [429, 429]


def test_other_users_cannot_revoke(client, login_as, other_user, shared):
    portfolio, link, _token = shared
    login_as(client, other_user)
    assert client.post(f"/portfolios/{portfolio.id}/links/{link.id}/revoke").status_code == 404


def test_shared_page_query_count_does_not_grow(client, user, count_queries):
    factories.make_activity(user)
    portfolio = make_portfolio(user)
    _link, token = make_link(portfolio)
    with count_queries() as few:
        client.get(f"/shared/{token}")
    for _ in range(15):
        factories.make_activity(user)
    with count_queries() as many:
        assert "16 activities" in client.get(f"/shared/{token}").get_data(as_text=True)
    assert len(many) == len(few)
