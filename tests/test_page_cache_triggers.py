"""What the page cache's data_version triggers cost and whom they reach, for every watched table
(cpd_log/page_cache_triggers.py): a write reads the owners' "user" rows only, however many
accounts there are; it raises its owner's version and no one else's; a shipped row's reaches
everyone.

Each table gets an UPDATE, a DELETE and an INSERT of the owner's rows by plain SQL (the ORM is
one writer among several), inside a transaction that is rolled back."""

# ruff: noqa: S608 - table and column names from WATCHED, values as parameters

from datetime import date

import pytest
from sqlalchemy import text

from cpd_log.activities.tags import ROWS_PER_INSERT, insert_tags
from cpd_log.extensions import db
from cpd_log.models import (
    Allocation,
    ApplyPromptDismissal,
    QuickCapture,
    Scheme,
    SelfAssessment,
)
from cpd_log.page_cache_triggers import WATCHED
from cpd_log.schemes.services import enrol, seed_schemes
from tests import factories
from tests.crosswalks.helpers import make_crosswalk, make_override

ACCOUNTS = 1000
# Rows of "user" a statement may read at most: its owner's, the foreign key checks' of an
# INSERT, and those of the rows a DELETE removes with it (ON DELETE CASCADE), each by id.
READS = 10


def one_row_in_every_watched_table(user) -> None:
    """The user's own framework, activity, reflection, scheme, crosswalk… (one of each)."""
    framework = factories.make_framework(owner=user, slug="own")
    leaf = factories.leaves(framework)[0]
    activity = factories.make_activity(user, [leaf])
    factories.make_reflection(user, [leaf], activity_id=activity.id)
    factories.make_goal(user, leaf)
    make_crosswalk(user)
    make_override(user)
    shipped = next(iter(seed_schemes()))[0]
    own = Scheme(
        slug="own", version="1", name="Own", content=shipped.content, owner_id=user.id
    )  # fmt: skip
    db.session.add(own)
    db.session.flush()
    enrolment = enrol(user, own, date(2026, 1, 1), "Own", date(2026, 6, 1))
    db.session.add_all(
        [
            QuickCapture(user_id=user.id, activity_id=activity.id),
            ApplyPromptDismissal(user_id=user.id, activity_id=activity.id, checkpoint=30),
            SelfAssessment(
                user_id=user.id, competency_id=leaf.id, level=1, assessed_on=date(2026, 2, 1)
            ),
            Allocation(
                user_id=user.id,
                cycle_id=enrolment.cycles[0].id,
                activity_id=activity.id,
                category="education",
                minutes=60,
            ),
        ]
    )
    db.session.commit()


def more_accounts(count: int) -> None:
    db.session.execute(
        text(
            'INSERT INTO "user" (email, display_name, password_hash, role, timezone, created_at,'
            " data_version) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
            " WHERE i < :count) SELECT 'many' || i || '@example.com', 'Many', 'x',"
            " 'practitioner', 'UTC', CURRENT_TIMESTAMP, 0 FROM n"
        ),
        {"count": count},
    )
    db.session.commit()


def rows_of(table: str, shipped: bool = False) -> tuple[str, str]:
    """(the column to set to itself, the condition) for the rows of :owner (or shipped ones)."""
    owner = WATCHED[table]
    match = "IS NULL" if shipped else "= :owner"
    if owner.via is None:
        return owner.column, f"{owner.column} {match}"
    return owner.key, f"{owner.key} IN (SELECT id FROM {owner.via} WHERE {owner.column} {match})"


def writes(table: str) -> list[str]:
    """An UPDATE, a DELETE and an INSERT of the owner's rows (the deleted ones put back)."""
    column, condition = rows_of(table)
    return [
        f"UPDATE {table} SET {column} = {column} WHERE {condition}",
        f"CREATE TEMPORARY TABLE kept AS SELECT * FROM {table} WHERE {condition}",
        f"DELETE FROM {table} WHERE {condition}",
        f"INSERT INTO {table} SELECT * FROM kept",
    ]


def user_rows_read() -> int:
    """Rows of "user" this transaction has read so far (PostgreSQL's own counters)."""
    return db.session.scalar(
        text(
            "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)"
            " FROM pg_stat_xact_user_tables WHERE relname = 'user'"
        )
    )


def versions(owner_id: int) -> tuple[int, int]:
    """(the owner's version, the sum of everyone else's)."""
    mine = db.session.scalar(
        text('SELECT data_version FROM "user" WHERE id = :id'), {"id": owner_id}
    )
    theirs = db.session.scalar(
        text('SELECT sum(data_version) FROM "user" WHERE id <> :id'), {"id": owner_id}
    )
    return mine, theirs


@pytest.fixture
def owner(app):
    user = factories.make_user()
    one_row_in_every_watched_table(user)
    more_accounts(ACCOUNTS)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text('ANALYZE "user"'))  # the planner knows how many there are
        db.session.commit()
    return user


@pytest.mark.parametrize("table", sorted(WATCHED))
def test_a_write_reads_its_owners_row_only_and_moves_no_one_elses_version(owner, table):
    postgresql = db.engine.dialect.name == "postgresql"
    params = {"owner": owner.id}
    assert db.session.scalar(
        text(f"SELECT count(*) FROM {table} WHERE {rows_of(table)[1]}"), params
    ), f"no row of the owner's in {table}"
    mine, theirs = versions(owner.id)
    for statement in writes(table):
        before = user_rows_read() if postgresql else 0
        db.session.execute(text(statement), params)
        if postgresql:
            read = user_rows_read() - before
            assert read <= READS, f"{statement}: {read} rows of user read, {ACCOUNTS + 1} users"
    after = versions(owner.id)
    assert after[0] >= mine + 3  # the update, the delete and the insert each raised it
    assert after[1] == theirs
    db.session.rollback()


# The tables with shipped rows (loaded by `flask seed`), named here, not read from WATCHED.
SHIPPED = ("competency", "crosswalk", "crosswalk_mapping", "framework", "scheme")


@pytest.mark.parametrize("table", SHIPPED)
def test_a_shipped_rows_write_moves_every_users_version(owner, table):
    factories.make_framework(slug="shipped")
    seed_schemes()
    db.session.execute(
        text(
            "INSERT INTO crosswalk (slug, version, name, source, licence, description,"
            " from_framework, to_framework, created_at) VALUES ('shipped', '1', 'Shipped', '',"
            " '', '', 'shipped', 'own', CURRENT_TIMESTAMP)"
        )
    )
    db.session.execute(
        text(
            "INSERT INTO crosswalk_mapping (crosswalk_id, from_code, to_code, relation, reason)"
            " SELECT id, 'A1.1', 'A1.1', 'exact', '' FROM crosswalk WHERE owner_id IS NULL"
        )
    )
    db.session.commit()
    column, condition = rows_of(table, shipped=True)
    unchanged = 'SELECT count(*) FROM "user" WHERE data_version = :version'
    version = db.session.scalar(text('SELECT max(data_version) FROM "user"'))
    db.session.execute(text('UPDATE "user" SET data_version = :version'), {"version": version})
    db.session.execute(text(f"UPDATE {table} SET {column} = {column} WHERE {condition}"))
    assert db.session.scalar(text(unchanged), {"version": version}) == 0
    db.session.rollback()


def test_tags_written_together_run_the_triggers_once_a_statement(app, user, framework):
    """PostgreSQL's triggers run once a statement: tags inserted together (an import, the demo)
    raise the owner's version once per ROWS_PER_INSERT, not once a tag. (SQLite's run per row.)"""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's triggers are row-level")
    activities = [factories.make_activity(user) for _ in range(ROWS_PER_INSERT // 2 + 1)]
    leaves = factories.leaves(framework)[:4]
    before = versions(user.id)[0]
    insert_tags([{"activity_id": a.id, "competency_id": c.id} for a in activities for c in leaves])
    db.session.commit()
    tags = len(activities) * len(leaves)
    assert versions(user.id)[0] - before == -(-tags // ROWS_PER_INSERT)  # 3 statements
