"""import_batch: a large spreadsheet's check or import as a background job (issue 17, Deliver 4)

Revision ID: d4a7e2c9b518
Revises: d4a7f2c9e851
Create Date: 2026-12-01 20:05:00

Plain nullable or defaulted columns: ADD COLUMN on both databases, no table copy. Batches stored
before have no job (NULL state), as every small upload still has.
"""

import sqlalchemy as sa
from alembic import op

revision = "d4a7e2c9b518"
down_revision = "d4a7f2c9e851"
branch_labels = None
depends_on = None

COLUMNS = (
    ("job_state", lambda: sa.Column("job_state", sa.String(length=16), nullable=True)),
    ("job", lambda: sa.Column("job", sa.JSON(), nullable=True)),
    ("job_done", lambda: sa.Column("job_done", sa.Integer(), server_default="0", nullable=False)),
    ("job_total", lambda: sa.Column("job_total", sa.Integer(), server_default="0", nullable=False)),
    ("job_message", lambda: sa.Column("job_message", sa.Text(), server_default="", nullable=False)),
    (
        "job_updated_at",
        lambda: sa.Column("job_updated_at", sa.DateTime(timezone=True), nullable=True),
    ),
)


def upgrade():
    for _, column in COLUMNS:
        op.add_column("import_batch", column())


def downgrade():
    with op.batch_alter_table("import_batch") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
