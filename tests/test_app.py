"""App set-up: configuration, cookies, security headers, SQLite settings, error pages."""

import pytest
from sqlalchemy import text

from config import ProductionConfig
from cpd_log import create_app
from cpd_log.extensions import db


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
