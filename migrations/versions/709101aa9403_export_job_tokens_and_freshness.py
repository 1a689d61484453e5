"""export jobs: a random public token, the share link that started them, a content fingerprint,
an expiry

Revision ID: 709101aa9403
Revises: a7c3e5f19b42
Create Date: 2026-12-01 06:47:25

Export jobs are addressed by `token` (192 random bits), never by their sequential id. A job
started through a share link records it (`share_link_id`) and is served through that link only.
`fingerprint` is the portfolio's content version when the job started; `expires_at` is when the
housekeeping sweep removes the row and its file.

Existing jobs are deleted: they are kept an hour at most and have neither a token nor a
fingerprint to check them by. Their files are then named by no row, and the sweep
(`flask --app cpd_log sweep`) removes them. export_job is not among the tables whose triggers
raise user.data_version, so SQLite's batch mode (a table copy) is safe here.
"""

from alembic import op
import sqlalchemy as sa


revision = "709101aa9403"
down_revision = "a7c3e5f19b42"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM export_job")
    with op.batch_alter_table("export_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token", sa.String(length=32), nullable=False))
        batch_op.add_column(sa.Column("share_link_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=False))
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False))
        batch_op.create_index(batch_op.f("ix_export_job_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_export_job_share_link_id"), ["share_link_id"], unique=False
        )
        batch_op.create_unique_constraint(batch_op.f("uq_export_job_token"), ["token"])
        batch_op.create_foreign_key(
            batch_op.f("fk_export_job_share_link_id_share_link"),
            "share_link",
            ["share_link_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade():
    with op.batch_alter_table("export_job", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_export_job_share_link_id_share_link"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_export_job_token"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_export_job_share_link_id"))
        batch_op.drop_index(batch_op.f("ix_export_job_expires_at"))
        batch_op.drop_column("expires_at")
        batch_op.drop_column("fingerprint")
        batch_op.drop_column("share_link_id")
        batch_op.drop_column("token")
