"""framework, scheme and crosswalk: team_id, a team's own (issue 18, Deliver 4)

Revision ID: b3d61f0a7c24
Revises: c8e4a1f7d352
Create Date: 2026-12-01 16:30:00

A nullable column on each with a named foreign key; uniqueness per team is a unique index. Rows
already stored have no team, so they keep their meaning (shipped or a user's own). PostgreSQL
adds column and key in place. SQLite adds a named key only by copying the table (ADD COLUMN
takes an unnamed one only, which the models' named key would never match), so there each table
is copied with foreign keys off (dropping the old table would otherwise cascade to every
competency, cycle or mapping; see e5b7c2d9a416) and the page cache's triggers made again
(`rebuilding`). The downgrade deletes the teams' rows first (with the members' tags, enrolments
and cycles that hang off them), then drops the columns the same way.
"""

from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

from cpd_log.page_cache_triggers import rebuilding

revision = "b3d61f0a7c24"
down_revision = "c8e4a1f7d352"
branch_labels = None
depends_on = None

# table -> the columns of its unique index besides team_id
TABLES = {"framework": ("slug",), "scheme": ("slug", "version"), "crosswalk": ("slug", "version")}


def _index(table: str) -> str:
    return f"uq_{table}_team_id_" + "_".join(TABLES[table])


def upgrade():
    with _foreign_keys_off():
        for table, columns in TABLES.items():
            name = op.f(f"fk_{table}_team_id_team")
            column = sa.Column("team_id", sa.Integer(), nullable=True)
            if op.get_bind().dialect.name == "sqlite":
                with rebuilding(op, table), op.batch_alter_table(table) as batch:
                    batch.add_column(column)
                    batch.create_foreign_key(name, "team", ["team_id"], ["id"], ondelete="CASCADE")
            else:
                op.add_column(table, column)
                op.create_foreign_key(
                    name, table, "team", ["team_id"], ["id"], ondelete="CASCADE"
                )
            op.create_index(_index(table), table, ["team_id", *columns], unique=True)


def downgrade():
    for table in TABLES:
        op.execute(sa.text(f"DELETE FROM {table} WHERE team_id IS NOT NULL"))
        op.drop_index(_index(table), table_name=table)
    with _foreign_keys_off():
        for table in TABLES:
            if op.get_bind().dialect.name == "sqlite":
                with rebuilding(op, table), op.batch_alter_table(table) as batch:
                    batch.drop_column("team_id")
            else:
                op.drop_constraint(op.f(f"fk_{table}_team_id_team"), table, type_="foreignkey")
                op.drop_column(table, "team_id")


@contextmanager
def _foreign_keys_off():
    """SQLite only changes the setting outside a transaction: commit what came before, turn
    them off, and check that they are off before any table is copied."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    if bind.connection.dbapi_connection.in_transaction:
        bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("Could not turn SQLite's foreign keys off to copy the tables.")
    try:
        yield
    finally:
        bind.exec_driver_sql("PRAGMA foreign_keys=ON")
