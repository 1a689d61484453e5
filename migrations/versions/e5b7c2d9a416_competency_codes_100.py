"""competency.code and the crosswalk codes: 32 → 100 characters, as long as Mahara's shortnames

Revision ID: e5b7c2d9a416
Revises: e5a1c7d93b60
Create Date: 2026-12-01 13:50:00

Mahara's framework_standard(_element).shortname is char(100) (module/framework/db/install.xml)
and real .matrix files hold shortnames of 46–50 characters (issue 16, class 2); a crosswalk names
competencies by code, so its columns widen with them. PostgreSQL widens a varchar in place.
SQLite ignores the length, but its schema text still says VARCHAR(32); rewriting it needs a table
copy, and dropping the old competency table would cascade to every tag, self-assessment and goal
while foreign keys are on, so the copy runs with them off (see _foreign_keys_off).
"""

from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

from cpd_log.page_cache_triggers import rebuilding

revision = "e5b7c2d9a416"
down_revision = "e5a1c7d93b60"
branch_labels = None
depends_on = None

COLUMNS = {
    "competency": ["code"],
    "crosswalk_mapping": ["from_code", "to_code"],
    "crosswalk_override": ["from_code", "to_code"],
}


def upgrade():
    _resize(32, 100)


def downgrade():
    # Codes longer than 32 characters must go first (PostgreSQL refuses to cut them).
    _resize(100, 32)


def _resize(old: int, new: int) -> None:
    with _foreign_keys_off():
        for table, columns in COLUMNS.items():
            with rebuilding(op, table), op.batch_alter_table(table) as batch:
                for column in columns:
                    batch.alter_column(
                        column, existing_type=sa.String(old), type_=sa.String(new),
                        existing_nullable=False,
                    )  # fmt: skip


@contextmanager
def _foreign_keys_off():
    """SQLite only changes the setting outside a transaction: commit what came before, turn
    them off, and check that they are off before any table is copied."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    if bind.connection.dbapi_connection.in_transaction:
        bind.exec_driver_sql("COMMIT")  # the migrations before this one, already complete
    bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("Could not turn SQLite's foreign keys off to copy the competency table.")
    try:
        yield
    finally:
        bind.exec_driver_sql("PRAGMA foreign_keys=ON")
