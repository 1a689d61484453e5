"""App set-up: configuration, cookies, security headers, SQLite settings, error pages."""

import logging

import pytest
from sqlalchemy import text

from config import ProductionConfig
from cpd_log import create_app
from cpd_log.app import check_source_tree
from cpd_log.extensions import db
from tests.test_deployment import REDIS_URL


@pytest.mark.parametrize("secret", [None, "", "dev-only-not-secret"])
def test_production_refuses_to_start_without_a_secret_key(secret):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig, overrides={"SECRET_KEY": secret})


def test_production_cookies_are_secure_httponly_lax():
    app = create_app(ProductionConfig, overrides={"SECRET_KEY": "s" * 32})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_session_cookie_flags(client, user):
    response = client.post("/account/login", data={"email": user.email, "password": "x" * 10})
    client.get("/account/login")
    login = client.post(
        "/account/login", data={"email": user.email, "password": "correct horse battery"}
    )
    cookie = login.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.status_code == 200


def test_security_headers_forbid_outside_resources(client):
    response = client.get("/account/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_load_nothing_from_another_site(client):
    page = client.get("/account/login").data.decode()
    assert "http://" not in page and "https://" not in page
    assert "/static/vendor/bootstrap/bootstrap.min.css" in page
    css = client.get("/static/vendor/bootstrap/bootstrap.min.css")
    assert css.status_code == 200
    css.close()


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings; this run is on another database")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"There is nothing here." in response.data


def test_home_sends_anonymous_users_to_login(client):
    assert client.get("/").headers["Location"] == "/account/login"


def test_behind_a_proxy_the_client_address_is_used(app_factory):
    app = app_factory(PROXY_FIX_HOPS=1, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="1 per minute")
    client = app.test_client()
    data = {"email": "x@example.com", "password": "wrong"}
    first = {"X-Forwarded-For": "203.0.113.7"}
    assert client.post("/account/login", data=data, headers=first).status_code == 200
    assert client.post("/account/login", data=data, headers=first).status_code == 429
    other = {"X-Forwarded-For": "198.51.100.9"}  # another client behind the same proxy
    assert client.post("/account/login", data=data, headers=other).status_code == 200


def test_personal_pages_are_never_stored_static_files_are(logged_in):
    for path in ("/dashboard", "/activities/", "/export/", "/account/password"):
        response = logged_in.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-store", path
        assert response.headers["Pragma"] == "no-cache", path
    css = logged_in.get("/static/vendor/bootstrap/bootstrap.min.css")
    assert "no-store" not in css.headers.get("Cache-Control", "")
    css.close()


def test_anonymous_pages_may_be_stored_share_link_pages_may_not(client, user):
    from tests.portfolio.builders import make_link, make_portfolio

    assert "no-store" not in client.get("/account/login").headers.get("Cache-Control", "")
    _, token = make_link(make_portfolio(user))
    shared = client.get(f"/shared/{token}")
    assert shared.status_code == 200
    assert shared.headers["Cache-Control"] == "private, no-store"
    assert shared.headers["Pragma"] == "no-cache"
    assert client.get("/shared/no-such-token").headers["Cache-Control"] == "private, no-store"


def test_hsts_when_cookies_are_secure(app_factory):
    secure = app_factory(SESSION_COOKIE_SECURE=True).test_client().get("/account/login")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    off = app_factory(SESSION_COOKIE_SECURE=True, HSTS_SECONDS=0).test_client()
    assert "Strict-Transport-Security" not in off.get("/account/login").headers
    plain = app_factory().test_client().get("/account/login")  # development: plain http
    assert "Strict-Transport-Security" not in plain.headers


def test_production_warns_when_rate_limits_are_counted_per_worker(caplog):
    overrides = {"SECRET_KEY": "s" * 32, "RATELIMIT_STORAGE_URI": "memory://"}
    with caplog.at_level(logging.WARNING, logger="cpd_log"):
        create_app(ProductionConfig, overrides=overrides)
    assert any("memory://" in r.getMessage() for r in caplog.records if r.name == "cpd_log")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="cpd_log"):
        overrides["RATELIMIT_STORAGE_URI"] = REDIS_URL
        create_app(ProductionConfig, overrides=overrides)
    assert not [r for r in caplog.records if r.name == "cpd_log"]


def test_an_install_without_the_source_tree_refuses_to_start(tmp_path):
    """A non-editable install has no templates/ or migrations/ beside config.py: every page was
    a TemplateNotFound. Starting says what is missing instead."""
    (tmp_path / "templates").mkdir()
    with pytest.raises(RuntimeError, match="migrations not found in .*pip install -e"):
        check_source_tree(tmp_path)
    (tmp_path / "migrations").mkdir()
    check_source_tree(tmp_path)
