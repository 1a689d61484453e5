"""crosswalk and crosswalk_mapping: how competencies of one framework correspond to another's

Revision ID: 3b8e2f6c1d47
Revises: b5e2c7d41a93
Create Date: 2026-12-03 09:00:00

Two new tables, both behind the dashboard (a shipped crosswalk moves minutes between a scheme's
categories), so both get the page cache's data_version triggers (cpd_log/page_cache_triggers.py).
"""

import sqlalchemy as sa
from alembic import op

from cpd_log.page_cache_triggers import create_triggers, drop_triggers

revision = "3b8e2f6c1d47"
down_revision = "b5e2c7d41a93"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "crosswalk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("licence", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("from_framework", sa.String(length=64), nullable=False),
        sa.Column("to_framework", sa.String(length=64), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["user.id"], name=op.f("fk_crosswalk_owner_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crosswalk")),
        sa.UniqueConstraint(
            "owner_id", "slug", "version", name=op.f("uq_crosswalk_owner_id_slug_version")
        ),
    )
    op.create_table(
        "crosswalk_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crosswalk_id", sa.Integer(), nullable=False),
        sa.Column("from_code", sa.String(length=32), nullable=False),
        sa.Column("to_code", sa.String(length=32), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "relation IN ('exact', 'broader', 'narrower', 'related')",
            name=op.f("ck_crosswalk_mapping_relation_known"),
        ),
        sa.ForeignKeyConstraint(
            ["crosswalk_id"],
            ["crosswalk.id"],
            name=op.f("fk_crosswalk_mapping_crosswalk_id_crosswalk"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crosswalk_mapping")),
        sa.UniqueConstraint(
            "crosswalk_id",
            "from_code",
            "to_code",
            name=op.f("uq_crosswalk_mapping_crosswalk_id_from_code_to_code"),
        ),
    )
    op.create_index(
        op.f("ix_crosswalk_mapping_crosswalk_id"), "crosswalk_mapping", ["crosswalk_id"]
    )
    create_triggers(op, "crosswalk", "crosswalk_mapping")


def downgrade():
    drop_triggers(op, "crosswalk_mapping", "crosswalk")
    op.drop_index(op.f("ix_crosswalk_mapping_crosswalk_id"), table_name="crosswalk_mapping")
    op.drop_table("crosswalk_mapping")
    op.drop_table("crosswalk")
