"""activity.objective and import_row.objective: the learning objective (what the person set out to
learn, which RICS and NMC records ask for)

Revision ID: d9186bf55dcd
Revises: a7c3e91b5d20
Create Date: 2026-12-02 07:00:00

Nullable text with no server default: existing activities have no objective (NULL), and the
column is added in place on both databases. Plain `op.add_column`, not SQLite's batch mode: batch
mode would copy `activity`, dropping the page cache's data_version triggers and the expression
index ix_activity_user_ended (cpd_log/page_cache_triggers.py). The downgrade drops the columns in
place too (SQLite 3.35+, as migration a7c3e91d04b2 does).
"""

import sqlalchemy as sa
from alembic import op

revision = "d9186bf55dcd"
down_revision = "a7c3e91b5d20"
branch_labels = None
depends_on = None

TABLES = ("activity", "import_row")


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column("objective", sa.Text(), nullable=True))


def downgrade():
    for table in TABLES:
        op.drop_column(table, "objective")
