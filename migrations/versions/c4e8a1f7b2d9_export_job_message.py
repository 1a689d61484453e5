"""export_job.message: why a background export failed (issue 17: jobs on a real queue)

Revision ID: c4e8a1f7b2d9
Revises: d8472c55d30c
Create Date: 2026-12-01 16:10:00

A job now runs in a worker process; when that worker dies its job is marked failed and the page
says so, which needs the reason on the row. Existing rows get an empty message (the page then
shows the generic one).
"""

import sqlalchemy as sa
from alembic import op

revision = "c4e8a1f7b2d9"
down_revision = "d8472c55d30c"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("export_job") as batch:
        batch.add_column(sa.Column("message", sa.Text(), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("export_job") as batch:
        batch.drop_column("message")
