"""The page cache: `user.data_version` rises on every write behind the dashboard and the list,
whoever writes; cached pages show the new figures at once; a hit costs one query; a cached form
carries the current session's CSRF token; nothing crosses accounts."""

import re
from datetime import date, timedelta

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from flask_migrate import upgrade
from sqlalchemy import text

from cpd_log import create_app
from cpd_log.aggregates import triggers as aggregate_triggers
from cpd_log.common.dates import today_for
from cpd_log.competencies.services import seed_frameworks
from cpd_log.extensions import db
from cpd_log.models import User
from cpd_log.page_cache import EXTENSION, PageCache
from cpd_log.page_cache_triggers import (
    WATCHED,
    create_statements,
    create_triggers,
    reading,
    rebuilding,
)
from cpd_log.schemes.services import seed_schemes
from tests import factories
from tests.database import scratch_database


def _watched() -> dict[str, str]:
    """The tables behind the cached pages, as cpd_log/page_cache_triggers.py declares them."""
    return WATCHED


def version(user) -> int:
    return db.session.scalar(
        text('SELECT data_version FROM "user" WHERE id = :id'), {"id": user.id}
    )


def stat(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}">', 1)[1].split("<", 1)[0]


def run(sql: str, **params) -> None:
    db.session.execute(text(sql), params)
    db.session.commit()


def test_every_watched_table_has_its_three_triggers(app):
    """A later migration that rebuilds a table (SQLite batch mode) would drop its triggers."""
    expected = {f"data_version_{t}_{e}" for t in _watched() for e in ("insert", "update", "delete")}
    if db.engine.dialect.name == "postgresql":
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    names = set(db.session.scalars(text(sql)))
    assert expected <= names, sorted(expected - names)
    # …and no table outside the declaration keeps triggers of its own.
    assert {n for n in names if n.startswith("data_version_")} == expected


def stored_definitions(connection) -> dict[str, str]:
    """Each data_version trigger as the database keeps it: SQLite the CREATE TRIGGER text,
    PostgreSQL the body of the trigger's function."""
    if connection.dialect.name == "postgresql":
        sql = "SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'data_version%'"
    else:
        # Only the page cache's own: the search index keeps triggers too (cpd_log/search/).
        sql = (
            "SELECT name, sql FROM sqlite_master"
            " WHERE type = 'trigger' AND name LIKE 'data_version%'"
        )
    return {name: body.strip() for name, body in connection.execute(text(sql))}


def declared_definitions(dialect: str) -> dict[str, str]:
    """What page_cache_triggers writes, in the form stored_definitions reads."""
    found = {}
    for table in WATCHED:
        for statement in create_statements(table, dialect):
            name = statement.split()[2].removesuffix("()")
            if dialect == "sqlite":
                found[name] = statement
            elif statement.startswith("CREATE FUNCTION"):
                found[name] = statement.split("$$")[1].strip()
    return found


def test_the_migrated_triggers_are_the_ones_the_declaration_writes(app):
    """The frozen migration and the helper later migrations call write the same triggers."""
    with db.engine.connect() as connection:
        assert stored_definitions(connection) == declared_definitions(db.engine.dialect.name)


# Batch mode reflects the table and cannot reflect the expression index ix_activity_user_ended.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based")
def test_rebuilding_keeps_the_triggers_of_a_table_batch_mode_copies(tmp_path):
    """SQLite's batch mode copies the table, which loses its triggers and cannot be renamed into
    place while activity_competency's triggers read it; `rebuilding` around the batch block
    makes it work and brings every trigger back; writes raise the owner's version again."""
    with scratch_database(tmp_path) as url:
        app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            with db.engine.begin() as connection:
                op = Operations(MigrationContext.configure(connection))
                # PostgreSQL alters in place (its functions are late-bound): nothing to copy.
                copy = "always" if connection.dialect.name == "sqlite" else "auto"
                with rebuilding(op, "activity"), op.batch_alter_table("activity", recreate=copy):
                    pass
                assert reading("activity") == ["activity", "activity_competency"]
                create_triggers(op, "activity")
                create_triggers(op, "activity")  # idempotent
                assert stored_definitions(connection) == declared_definitions(
                    connection.dialect.name
                )
                monthly = {aggregate_triggers.trigger_name(e) for e in aggregate_triggers.EVENTS}
                kept = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                if connection.dialect.name == "postgresql":
                    kept = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
                assert monthly <= set(connection.scalars(text(kept)))
            user = factories.make_user()
            db.session.commit()
            before = version(user)
            factories.make_activity(user)
            db.session.commit()
            assert version(user) > before
            db.session.remove()
            db.engine.dispose()


def test_writes_outside_the_orm_raise_the_owners_version_only(app, user, other_user, framework):
    leaf = factories.leaves(framework)[0]
    activity = factories.make_activity(user, [leaf])
    db.session.commit()
    mine, theirs = version(user), version(other_user)

    # An import's bulk INSERT … SELECT, an UPDATE and a DELETE from psql: each is seen.
    run(
        "INSERT INTO activity (user_id, title, kind, provider, start_date, minutes, delivery,"
        " participatory, description, url, status, source, created_at, updated_at)"
        " SELECT user_id, 'Copy', kind, provider, start_date, minutes, delivery, participatory,"
        " description, url, status, source, created_at, updated_at FROM activity WHERE id = :id",
        id=activity.id,
    )
    assert version(user) > mine
    mine = version(user)
    run("UPDATE activity SET minutes = minutes + 15 WHERE id = :id", id=activity.id)
    assert version(user) > mine
    mine = version(user)
    run("DELETE FROM activity_competency WHERE activity_id = :id", id=activity.id)
    assert version(user) > mine
    mine = version(user)
    run(
        "INSERT INTO activity_competency (activity_id, competency_id) VALUES (:a, :c)",
        a=activity.id,
        c=leaf.id,
    )
    assert version(user) > mine
    mine = version(user)
    run("DELETE FROM activity WHERE user_id = :id", id=user.id)
    assert version(user) > mine
    assert version(other_user) == theirs


def test_a_shipped_framework_change_reaches_everyone_an_own_framework_only_its_owner(
    app, user, other_user, framework
):
    own = factories.make_framework(owner=user, slug="mine")
    db.session.commit()
    before = version(user), version(other_user)
    run("UPDATE competency SET name = 'Renamed' WHERE framework_id = :id", id=framework.id)
    assert version(user) > before[0] and version(other_user) > before[1]

    before = version(user), version(other_user)
    run("UPDATE competency SET name = 'Mine renamed' WHERE framework_id = :id", id=own.id)
    assert version(user) > before[0]
    assert version(other_user) == before[1]


def test_the_dashboard_and_list_show_writes_made_around_the_orm(logged_in, user, framework):
    area, leaf = framework.competencies[0], factories.leaves(framework)[0]
    activity = factories.make_activity(
        user, start_date=today_for(user), minutes=60, title="Risk workshop"
    )
    db.session.commit()
    page = logged_in.get("/dashboard").data.decode()
    assert stat(page, "hours-all") == "1 h"
    assert area.name not in page
    assert "Risk workshop" in logged_in.get("/activities/").data.decode()

    run("UPDATE activity SET minutes = 150, title = 'Risk clinic' WHERE id = :id", id=activity.id)
    assert stat(logged_in.get("/dashboard").data.decode(), "hours-all") == "2.5 h"
    listing = logged_in.get("/activities/").data.decode()
    assert "Risk clinic" in listing and "Risk workshop" not in listing
    badge = f'title="{leaf.name}">{leaf.code}</span>'
    assert badge not in listing

    run(
        "INSERT INTO activity_competency (activity_id, competency_id) VALUES (:a, :c)",
        a=activity.id,
        c=leaf.id,
    )
    assert area.name in logged_in.get("/dashboard").data.decode()  # the hours-by-area panel
    assert badge in logged_in.get("/activities/").data.decode()


def test_the_dashboard_shows_an_activity_logged_through_the_form(logged_in, user):
    assert stat(logged_in.get("/dashboard").data.decode(), "hours-all") == "0 h"
    data = {
        "title": "Webinar",
        "kind": "webinar",
        "start_date": today_for(user).isoformat(),
        "hours": "1.25",
        "delivery": "online",
        "status": "completed",
    }
    assert logged_in.post("/activities/new", data=data).status_code == 302
    assert stat(logged_in.get("/dashboard").data.decode(), "hours-all") == "1.25 h"


def test_a_cached_page_costs_one_query_and_each_period_and_filter_is_its_own_entry(
    app, logged_in, user, count_queries
):
    factories.make_activity(user, start_date=today_for(user) - timedelta(days=400), minutes=60)
    db.session.commit()
    cache: PageCache = app.extensions[EXTENSION]
    for path in ("/dashboard", "/dashboard?period=all", "/activities/", "/activities/?q=zzz"):
        logged_in.get(path)
        misses = cache.misses
        with count_queries() as statements:
            page = logged_in.get(path).data.decode()
        assert len(statements) == 1, statements  # loading the logged-in user
        assert cache.misses == misses
    assert "1 activity" in logged_in.get("/activities/").data.decode()
    assert "0 activities" in logged_in.get("/activities/?q=zzz").data.decode()
    assert stat(logged_in.get("/dashboard?period=all").data.decode(), "hours-all") == "1 h"
    assert "No activities match" in page


def test_another_user_never_gets_a_cached_page(app_factory, user, other_user, login_as):
    app = app_factory()
    with app.app_context():
        factories.make_activity(user, title="Ada's secret course", start_date=date(2026, 1, 5))
        db.session.commit()
    ada, bob = login_as(app.test_client(), user), login_as(app.test_client(), other_user)
    for path in ("/dashboard", "/activities/"):
        assert "Ada&#39;s secret course" in ada.get(path).data.decode()
        assert "secret course" not in bob.get(path).data.decode()


def test_a_new_account_reusing_a_deleted_accounts_id_starts_empty(app, logged_in, user, login_as):
    factories.make_activity(user, title="Old account's course", start_date=today_for(user))
    db.session.commit()
    user_id = user.id
    assert "Old account&#39;s course" in logged_in.get("/dashboard").data.decode()
    run('DELETE FROM "user" WHERE id = :id', id=user_id)

    db.session.expire_all()
    reborn = factories.make_user(email="new@example.com", display_name="New")
    run('UPDATE "user" SET id = :old WHERE id = :new', old=user_id, new=reborn.id)
    reborn = db.session.get(User, user_id)
    assert reborn.data_version == 0
    client = login_as(app.test_client(), reborn)
    for path in ("/dashboard", "/activities/"):
        assert "Old account" not in client.get(path).data.decode()


CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _login_with_token(client, user) -> None:
    token = CSRF.search(client.get("/account/login").data.decode()).group(1)
    data = {"email": user.email, "password": factories.PASSWORD, "csrf_token": token}
    assert client.post("/account/login", data=data).status_code == 302


def test_a_form_in_a_cached_page_carries_this_sessions_token(app_factory, user):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        activity = factories.make_activity(user, start_date=today_for(user) - timedelta(days=40))
        db.session.commit()
        activity_id = activity.id
    first, second = app.test_client(), app.test_client()
    _login_with_token(first, user)
    _login_with_token(second, user)
    assert f'data-testid="apply-{activity_id}"' in first.get("/dashboard").data.decode()
    cache: PageCache = app.extensions[EXTENSION]
    hits = cache.hits
    page = second.get("/dashboard").data.decode()
    assert cache.hits == hits + 1  # the body rendered for the first session
    assert cache.placeholder not in page
    token = CSRF.search(page.split(f'data-testid="apply-{activity_id}"', 1)[1]).group(1)
    response = second.post(
        f"/reflections/apply/{activity_id}/dismiss",
        data={"checkpoint": "30", "csrf_token": token},
    )
    assert response.status_code == 302
    assert f'data-testid="apply-{activity_id}"' not in second.get("/dashboard").data.decode()


@pytest.mark.parametrize("megabytes", [0, 0.000001])
def test_a_cache_that_is_off_or_too_small_still_serves_every_page(
    app_factory, user, login_as, megabytes
):
    app = app_factory(PAGE_CACHE_MB=megabytes)
    client = login_as(app.test_client(), user)
    for _ in range(2):
        assert client.get("/dashboard").status_code == 200
        assert client.get("/activities/").status_code == 200
    assert app.extensions[EXTENSION].hits == 0


def test_seeding_the_shipped_data_again_changes_no_version(app, user):
    seed_frameworks()
    seed_schemes()
    db.session.commit()
    before = version(user)
    seed_frameworks()
    seed_schemes()
    db.session.commit()
    assert version(user) == before  # an unchanged release rewrites nothing, so caches stay
