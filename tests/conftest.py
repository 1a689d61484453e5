"""Shared fixtures: a migrated database per run, an app per test, users, logins, query counting."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, text

from cpd_log import create_app, page_cache
from cpd_log.extensions import db
from tests import factories, parallel
from tests.database import TEST_DATABASE_URL, scratch_database

# Words in a test file that show it opens the run's database some other way than the `app`
# fixtures (a subprocess given its URL, a scratch database of its own).
_DATABASE_WORDS = ("scratch_database", "TEST_DATABASE_URL", "database_url")
_SOURCES: dict = {}


def _opens_the_database(item) -> bool:
    if "database_url" in getattr(item, "fixturenames", ()):
        return True
    path = item.path
    if path not in _SOURCES:
        source = path.read_text(encoding="utf-8")
        _SOURCES[path] = any(word in source for word in _DATABASE_WORDS)
    return _SOURCES[path]


def pytest_collection_modifyitems(config, items):
    """The `serial` tests last, in one block; and on PostgreSQL only the tests that open a
    database.

    In one block (in their files' order), the serial tests run one after another on a worker,
    which then drains the other worker once for all of them (tests/parallel.py, `turn`) instead
    of once for each file's; last rather than first, so the workers' imports and lazy loads are
    mostly done before anything is timed. Under xdist the block lands at the end of one worker's
    queue; a worker that runs out of tests takes over the end of it, so it may split in two.

    On PostgreSQL (`make test-pg`) run the tests that open a database; the others (parsers,
    pure rules, file checks) behave the same on any database and ran under `make test` already.
    Deselected, never skipped: pytest prints how many, and the SQLite pass runs every test."""
    items.sort(key=lambda item: item.get_closest_marker("serial") is not None)  # stable
    if not TEST_DATABASE_URL:
        return
    kept, dropped = [], []
    for item in items:
        (kept if _opens_the_database(item) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_configure(config):
    parallel.configure(config)


def pytest_unconfigure(config):
    parallel.unconfigure(config)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Under xdist a `serial` test runs with no test on any other worker (tests/parallel.py)."""
    with parallel.turn(item, nextitem):
        return (yield)


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context — fresh `g` and DB session — as under a server.

    The test's own session is rolled back after each request, so its next read sees what the
    request committed (SQLite's WAL would otherwise keep showing the older snapshot).
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():
            db.session.rollback()
        return response


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """One database per test run, migrated with Alembic (never create_all), dropped at the end."""
    with scratch_database(tmp_path_factory.mktemp("db")) as url:
        app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            db.engine.dispose()
        yield url


@pytest.fixture
def app_factory(database_url) -> Iterator[Callable[..., Flask]]:
    """Build apps on the run's database; extra config as keyword arguments (e.g. CSRF on).

    Afterwards every row is deleted, so each test starts from the migrated, empty schema.
    """
    apps: list[Flask] = []

    def make(**overrides) -> Flask:
        app = create_app(
            "testing", overrides={"SQLALCHEMY_DATABASE_URI": database_url, **overrides}
        )
        app.test_client_class = IsolatedClient
        apps.append(app)
        return app

    yield make
    for index, app in enumerate(apps):
        with app.app_context():
            db.session.rollback()
            if index == 0:  # one shared database: empty it once
                _delete_every_row()
            db.session.remove()
            db.engine.dispose()


def _delete_every_row() -> None:
    """DELETE FROM every table, children first, in one transaction. On PostgreSQL the 47
    statements go to the server as one string (one round trip instead of 47: about 20 ms instead
    of 70–120 ms a test, measured on the shared 2-core machine); SQLite's driver runs one
    statement a call, in process, so there they stay separate."""
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        quote = db.engine.dialect.identifier_preparer.format_table
        db.session.execute(text("; ".join(f"DELETE FROM {quote(table)}" for table in tables)))  # noqa: S608 - our own table names, quoted
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def upload_dir(tmp_path):
    """Each test's own evidence folder, so stored files can be counted and never leak across."""
    return tmp_path / "uploads"


@pytest.fixture
def app(app_factory, upload_dir) -> Iterator[Flask]:
    """The app under test, with an app context and its own upload folder; every row is deleted
    afterwards."""
    app = app_factory(UPLOAD_DIR=str(upload_dir))
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def user(app):
    return factories.make_user(email="ada@example.com", display_name="Ada")


@pytest.fixture
def other_user(app):
    return factories.make_user(email="bob@example.com", display_name="Bob")


@pytest.fixture
def framework(app):
    return factories.make_framework()


def _login(client, user, password: str = factories.PASSWORD):
    response = client.post("/account/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, "login failed"
    return client


@pytest.fixture
def login_as() -> Callable:
    """login_as(client, user): log the client in through the real login form."""
    return _login


@pytest.fixture
def logged_in(client, user):
    """A client logged in as `user`."""
    return _login(client, user)


@contextmanager
def _counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def uncached(app) -> None:
    """Turn the page cache off, so a page's queries are those of really rendering it."""
    app.extensions[page_cache.EXTENSION] = page_cache.PageCache(0)


@pytest.fixture
def count_queries() -> Callable:
    """`with count_queries() as statements:` records every SQL statement sent."""
    return _counting


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on a free local port; `smtp.config()` points an app at it."""
    from tests.mail.smtp import smtp_server

    with smtp_server() as mailbox:
        yield mailbox


@pytest.fixture
def mail_app(app_factory, upload_dir, smtp):
    """The app under test sending its mail to the `smtp` test server."""
    app = app_factory(UPLOAD_DIR=str(upload_dir), **smtp.config())
    with app.app_context():
        yield app
