"""crosswalk_override: a user's own relation for a pair of a shipped crosswalk

Revision ID: 8c4d1e7a2f90
Revises: 6e1d9a4c2b58
Create Date: 2026-12-04 09:00:00

Behind the dashboard (an override moves the user's minutes between a scheme's categories), so it
gets the page cache's data_version triggers (cpd_log/page_cache_triggers.py).
"""

import sqlalchemy as sa
from alembic import op

from cpd_log.page_cache_triggers import create_triggers, drop_triggers

revision = "8c4d1e7a2f90"
down_revision = "6e1d9a4c2b58"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "crosswalk_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("crosswalk_slug", sa.String(length=64), nullable=False),
        sa.Column("from_framework", sa.String(length=64), nullable=False),
        sa.Column("to_framework", sa.String(length=64), nullable=False),
        sa.Column("from_code", sa.String(length=32), nullable=False),
        sa.Column("to_code", sa.String(length=32), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "relation IS NULL OR relation IN ('exact', 'broader', 'narrower', 'related')",
            name=op.f("ck_crosswalk_override_relation_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_crosswalk_override_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crosswalk_override")),
        sa.UniqueConstraint(
            "user_id",
            "crosswalk_slug",
            "from_code",
            "to_code",
            name=op.f("uq_crosswalk_override_user_id_crosswalk_slug_from_code_to_code"),
        ),
    )
    op.create_index(
        op.f("ix_crosswalk_override_user_id"), "crosswalk_override", ["user_id"]
    )
    create_triggers(op, "crosswalk_override")


def downgrade():
    drop_triggers(op, "crosswalk_override")
    op.drop_index(op.f("ix_crosswalk_override_user_id"), table_name="crosswalk_override")
    op.drop_table("crosswalk_override")
