"""trash_item and trash_file: deleted activities and reflections kept 30 days, restorable

Revision ID: 15d572fb7aa2
Revises: e5a81c3f7d62
Create Date: 2026-12-01 13:02:31

A snapshot table rather than a deleted_at column on activity and reflection: no live query has
to skip deleted rows. Neither table is behind the cached pages (page_cache_triggers.WATCHED):
deleting and restoring write activity/reflection rows, whose triggers already raise the version.
"""

import sqlalchemy as sa
from alembic import op

revision = "15d572fb7aa2"
down_revision = "e5a81c3f7d62"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "trash_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('activity', 'reflection')", name=op.f("ck_trash_item_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_trash_item_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trash_item")),
    )
    op.create_index("ix_trash_item_user_batch", "trash_item", ["user_id", "batch"])
    op.create_index("ix_trash_item_user_deleted", "trash_item", ["user_id", "deleted_at"])
    op.create_table(
        "trash_file",
        sa.Column("trash_item_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["trash_item_id"],
            ["trash_item.id"],
            name=op.f("fk_trash_file_trash_item_id_trash_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_trash_file_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("trash_item_id", "sha256", name=op.f("pk_trash_file")),
    )
    op.create_index("ix_trash_file_user_sha256", "trash_file", ["user_id", "sha256"])


def downgrade():
    op.drop_index("ix_trash_file_user_sha256", table_name="trash_file")
    op.drop_table("trash_file")
    op.drop_index("ix_trash_item_user_deleted", table_name="trash_item")
    op.drop_index("ix_trash_item_user_batch", table_name="trash_item")
    op.drop_table("trash_item")
