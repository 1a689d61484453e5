"""activity source and import batch kind "xapi" (issue 16: xAPI learning records)

Revision ID: a7c3e9f15d20
Revises: e5b7c2d9a416
Create Date: 2026-12-01 14:20:00

activity.source (a VARCHAR enum, native_enum=False) and import_batch.kind are checked by named
CHECK constraints, so a new value means a new constraint. PostgreSQL drops and adds it. SQLite
cannot alter a constraint, and batch mode would copy `activity`, dropping the page cache's
triggers and the expression index ix_activity_user_ended (see d9186bf55dcd). So on SQLite the
constraint's text in the schema is rewritten in place, the procedure SQLite documents for changes
that leave every stored row valid ("Making Other Kinds Of Table Schema Changes",
https://www.sqlite.org/lang_altertable.html): adding a value only widens the check. The downgrade
first turns xAPI activities into manual ones and drops xAPI batches.
"""

import sqlalchemy as sa
from alembic import op

revision = "a7c3e9f15d20"
down_revision = "e5b7c2d9a416"
branch_labels = None
depends_on = None

SOURCES = ("manual", "csv", "ics", "badge", "api")
KINDS = ("ics", "spreadsheet")
# (table, constraint, column, values before, values after)
CHECKS = (
    ("activity", "ck_activity_activity_source", "source", SOURCES, (*SOURCES, "xapi")),
    ("import_batch", "ck_import_batch_kind_known", "kind", KINDS, (*KINDS, "xapi")),
)


def _check(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _replace(table: str, name: str, old: str, new: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f(name), table, type_="check")
        op.create_check_constraint(op.f(name), table, new)
        return
    bind = op.get_bind()
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    changed = bind.execute(
        sa.text(
            "UPDATE sqlite_master SET sql = replace(sql, :old, :new) "
            "WHERE type = 'table' AND name = :table AND instr(sql, :old) > 0"
        ),
        {
            "old": f"CONSTRAINT {name} CHECK ({old})",
            "new": f"CONSTRAINT {name} CHECK ({new})",
            "table": table,
        },
    )
    if changed.rowcount != 1:
        raise RuntimeError(f"{name} is not the constraint this migration expects")
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade():
    for table, name, column, before, after in CHECKS:
        _replace(table, name, _check(column, before), _check(column, after))


def downgrade():
    # Keep the activities; they only stop being recognised on a re-import.
    op.execute("UPDATE activity SET source = 'manual', external_uid = NULL WHERE source = 'xapi'")
    op.execute("DELETE FROM import_batch WHERE kind = 'xapi'")
    for table, name, column, before, after in CHECKS:
        _replace(table, name, _check(column, after), _check(column, before))
