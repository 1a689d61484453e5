"""import_job: account backups restored in the background, with their progress

Revision ID: a7c3e91b5d20
Revises: a7c3e91d04b2
Create Date: 2026-12-01 07:00:00

A new table only; no table the page cache's triggers watch is touched.
"""

import sqlalchemy as sa
from alembic import op

revision = "a7c3e91b5d20"
down_revision = "a7c3e91d04b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("folder", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "done >= 0 AND total >= 0", name=op.f("ck_import_job_progress_not_negative")
        ),
        sa.CheckConstraint(
            "state IN ('queued', 'checking', 'importing', 'done', 'failed')",
            name=op.f("ck_import_job_state_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_import_job_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_job")),
    )
    op.create_index(op.f("ix_import_job_user_id"), "import_job", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_import_job_user_id"), table_name="import_job")
    op.drop_table("import_job")
