"""activity.version and reflection.version: optimistic concurrency for the edit forms

Revision ID: a7c3e91d04b2
Revises: de1c80a55790
Create Date: 2026-12-01 07:05:00

Each edit raises the row's version by one in an UPDATE that also compares it with the version the
form was loaded with; a save from an older form matches no row and is shown the newer values
instead of overwriting them (cpd_log/versions.py).

Plain `op.add_column`, never batch mode: SQLite's batch mode copies the table and drops the page
cache's data_version triggers on activity and reflection (migration 5d2e8c1a9f37). Existing rows
start at version 1 through the server default.
"""

from alembic import op
import sqlalchemy as sa


revision = "a7c3e91d04b2"
down_revision = "de1c80a55790"
branch_labels = None
depends_on = None

TABLES = ("activity", "reflection")


def upgrade():
    for table in TABLES:
        op.add_column(
            table, sa.Column("version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade():
    # SQLite 3.35+ drops a column in place (no table copy), so the triggers stay.
    for table in TABLES:
        op.drop_column(table, "version")
