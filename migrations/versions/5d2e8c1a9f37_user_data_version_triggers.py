"""user.data_version, raised by triggers on every table behind the dashboard and activity list;
an index for the apply queue's window

Revision ID: 5d2e8c1a9f37
Revises: 04ecdb6a7db2
Create Date: 2026-11-29 21:05:00

The page cache (cpd_log/page_cache.py) keys a user's rendered dashboard and activity list on
`user.data_version`. Triggers, not application code, raise it, so every writer is seen: the ORM,
the imports' bulk `INSERT … SELECT`, the demo generator, an administrator with psql.

SQLite gets row-level triggers. PostgreSQL gets statement-level triggers with transition tables:
a 10,000-row import updates the user row once, not 10,000 times.

Rows of a shipped framework, competency or scheme (no owner) raise every user's version: they
change only when `flask seed` loads a new release of the shipped data.

WATCHED below is a frozen copy: the declaration later migrations use is
cpd_log/page_cache_triggers.py (WATCHED, create_triggers, rebuilding). Careful in later
migrations: SQLite's batch mode rebuilds a table by copying it, which drops its triggers; wrap
the batch block in `rebuilding(op, table)` (tests/test_page_cache.py fails when one is missing).
"""

from alembic import op
import sqlalchemy as sa


revision = "5d2e8c1a9f37"
down_revision = "04ecdb6a7db2"
branch_labels = None
depends_on = None

_DIRECT = '"user".id = {row}.user_id'
_OWNER = '({row}.owner_id IS NULL OR "user".id = {row}.owner_id)'

# Table -> which users a changed row concerns, as a condition on "user" with {row} the row.
# Frozen as of this revision; cpd_log/page_cache_triggers.py holds the living declaration.
WATCHED = {
    "activity": _DIRECT,
    "activity_competency": (
        '"user".id = (SELECT activity.user_id FROM activity WHERE activity.id = {row}.activity_id)'
    ),
    "quick_capture": _DIRECT,
    "apply_prompt_dismissal": _DIRECT,
    "reflection": _DIRECT,
    "reflection_competency": (
        '"user".id = (SELECT reflection.user_id FROM reflection'
        " WHERE reflection.id = {row}.reflection_id)"
    ),
    "framework": _OWNER,
    "competency": (
        "EXISTS (SELECT 1 FROM framework WHERE framework.id = {row}.framework_id"
        ' AND (framework.owner_id IS NULL OR framework.owner_id = "user".id))'
    ),
    "scheme": _OWNER,
    "enrolment": _DIRECT,
    "cycle": _DIRECT,
    "allocation": _DIRECT,
}

_BUMP = 'UPDATE "user" SET data_version = data_version + 1 WHERE '
_EVENTS = {"insert": ("NEW",), "update": ("OLD", "NEW"), "delete": ("OLD",)}


def _sqlite_upgrade() -> None:
    for table, condition in WATCHED.items():
        for event, rows in _EVENTS.items():
            where = " OR ".join(f"({condition.format(row=row)})" for row in rows)
            op.execute(
                f"CREATE TRIGGER data_version_{table}_{event} AFTER {event.upper()} ON {table} "
                f"FOR EACH ROW BEGIN {_BUMP}{where}; END"
            )


def _postgresql_upgrade() -> None:
    tables = {"NEW": "new_rows", "OLD": "old_rows"}
    for table, condition in WATCHED.items():
        for event, rows in _EVENTS.items():
            name = f"data_version_{table}_{event}"
            where = " OR ".join(
                f"EXISTS (SELECT 1 FROM {tables[row]} AS changed"
                f" WHERE {condition.format(row='changed')})"
                for row in rows
            )
            referencing = " ".join(f"{row} TABLE AS {tables[row]}" for row in rows)
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {_BUMP}{where}; RETURN NULL; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} "
                f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("data_version", sa.BigInteger(), server_default="0", nullable=False)
        )
    op.create_index(
        "ix_activity_user_ended",
        "activity",
        ["user_id", "status", sa.text("coalesce(end_date, start_date)")],
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_upgrade()
    elif dialect == "postgresql":
        _postgresql_upgrade()
    else:
        raise NotImplementedError(f"CPD Log runs on SQLite or PostgreSQL, not {dialect}")


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in WATCHED:
        for event in _EVENTS:
            name = f"data_version_{table}_{event}"
            if dialect == "postgresql":
                op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                op.execute(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_activity_user_ended", table_name="activity")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("data_version")
