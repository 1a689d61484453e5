"""The tables behind the cached pages, declared once, and the triggers that raise
`user.data_version` on every write to them (cpd_log/page_cache.py says why triggers).

WATCHED maps each table to the users a changed row concerns: a condition on "user" with {row} the
changed row. Rows of a shipped framework, competency, scheme or crosswalk (no owner) concern every
user.
SQLite gets row-level triggers; PostgreSQL statement-level triggers with transition tables, so a
10,000-row import raises the version once, not 10,000 times.

Migration 5d2e8c1a9f37 created the triggers from its own frozen copy of this table (a migration
must keep its meaning whatever the code says later). Later migrations use this module:
- a new table behind the dashboard or the activity list: add it to WATCHED and call
  `create_triggers(op, "table")` in the migration that creates the table;
- a batch operation that copies a table on SQLite (a change `op.add_column` cannot make): wrap
  it in `with rebuilding(op, "table"), op.batch_alter_table("table") as batch_op:`. The copy
  drops the table's own triggers (on `activity` also those of the monthly totals,
  cpd_log/aggregates/triggers.py, and on the tables cpd_log/schemes/kept_triggers.py reads those
  of the kept counts, which `rebuilding` brings back as well), and SQLite refuses
  to rename the copy into place while another table's trigger reads it (activity_competency's
  reads activity, every trigger updates "user"); `rebuilding` drops all of those first and
  creates them again after the block;
- a changed condition: a migration that calls `create_triggers` for that table.
tests/test_page_cache.py fails when a watched table lacks its triggers on the migrated database or
when they differ from what this module writes. Pure Python: no Flask, no SQLAlchemy.
"""

import re
from contextlib import contextmanager

from cpd_log.aggregates import triggers as aggregate_triggers
from cpd_log.schemes import kept_triggers

_DIRECT = '"user".id = {row}.user_id'
_OWNER = '({row}.owner_id IS NULL OR "user".id = {row}.owner_id)'

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
    "crosswalk": _OWNER,
    "crosswalk_mapping": (
        "EXISTS (SELECT 1 FROM crosswalk WHERE crosswalk.id = {row}.crosswalk_id"
        ' AND (crosswalk.owner_id IS NULL OR crosswalk.owner_id = "user".id))'
    ),
    "crosswalk_override": _DIRECT,
    "enrolment": _DIRECT,
    "cycle": _DIRECT,
    "allocation": _DIRECT,
    "self_assessment": _DIRECT,  # the next best activity ranks goals and gaps first
    "goal": _DIRECT,
}

EVENTS = {"insert": ("NEW",), "update": ("OLD", "NEW"), "delete": ("OLD",)}
_BUMP = 'UPDATE "user" SET data_version = data_version + 1 WHERE '
_TRANSITION = {"NEW": "new_rows", "OLD": "old_rows"}


def trigger_name(table: str, event: str) -> str:
    return f"data_version_{table}_{event}"


def create_statements(table: str, dialect: str) -> list[str]:
    """The statements that create `table`'s three triggers (and, on PostgreSQL, their functions)."""
    condition, statements = WATCHED[table], []
    for event, rows in EVENTS.items():
        name = trigger_name(table, event)
        if dialect == "sqlite":
            where = " OR ".join(f"({condition.format(row=row)})" for row in rows)
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} "
                f"FOR EACH ROW BEGIN {_BUMP}{where}; END"
            )
        elif dialect == "postgresql":
            where = " OR ".join(
                f"EXISTS (SELECT 1 FROM {_TRANSITION[row]} AS changed"  # noqa: S608 - our names
                f" WHERE {condition.format(row='changed')})"
                for row in rows
            )
            referencing = " ".join(f"{row} TABLE AS {_TRANSITION[row]}" for row in rows)
            statements.append(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {_BUMP}{where}; RETURN NULL; END $$"
            )
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} "
                f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
        else:
            raise ValueError(f"CPD Log runs on SQLite or PostgreSQL, not {dialect}")
    return statements


def drop_statements(table: str, dialect: str) -> list[str]:
    statements = []
    for event in EVENTS:
        name = trigger_name(table, event)
        if dialect == "postgresql":
            statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            statements.append(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
    return statements


def create_triggers(op, *tables: str) -> None:
    """(Re)create the triggers of `tables` in a migration (`op` is alembic.op): whatever is left
    of them is dropped first, so it is safe after a batch operation and when nothing was lost."""
    dialect = op.get_bind().dialect.name
    for table in tables:
        for statement in drop_statements(table, dialect) + create_statements(table, dialect):
            op.execute(statement)


def drop_triggers(op, *tables: str) -> None:
    """Drop the triggers of `tables` (a migration's downgrade, or before dropping a table)."""
    dialect = op.get_bind().dialect.name
    for table in tables:
        for statement in drop_statements(table, dialect):
            op.execute(statement)


def reading(table: str) -> list[str]:
    """The watched tables whose triggers use `table`: its own, those whose condition reads it,
    and every one for "user" (each trigger updates it)."""
    return [
        watched
        for watched, condition in WATCHED.items()
        if table in ("user", watched) or table in re.findall(r"FROM (\w+)", condition)
    ]


@contextmanager
def rebuilding(op, table: str):
    """Around a batch operation that copies `table` (see the module's docstring)."""
    tables = reading(table)
    drop_triggers(op, *tables)
    if table == aggregate_triggers.TABLE:  # the monthly totals' triggers are on it too
        aggregate_triggers.drop_triggers(op)
    # the kept counts' marks (cpd_log/schemes/kept.py), once a migration has made them
    kept = table in kept_triggers.READING and kept_triggers.made(op)
    if kept:
        kept_triggers.drop_triggers(op)
    yield
    create_triggers(op, *tables)
    if table == aggregate_triggers.TABLE:
        aggregate_triggers.create_triggers(op)
    if kept:
        kept_triggers.create_triggers(op)
