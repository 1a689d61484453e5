"""Reminder digests (the user's frequency, one row per digest and period) and the calendar feed

Revision ID: e5a1c7d93b60
Revises: 15d572fb7aa2
Create Date: 2026-12-01 13:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = "e5a1c7d93b60"
down_revision = "15d572fb7aa2"
branch_labels = None
depends_on = None


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=10)


def upgrade():
    op.create_table(
        "reminder_setting",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "frequency", _enum("reminder_frequency", "off", "weekly", "monthly"), nullable=False
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_reminder_setting_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_reminder_setting")),
    )
    op.create_table(
        "digest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("state", _enum("digest_state", "claimed", "sending", "sent"), nullable=False),
        sa.Column("claim", sa.String(length=32), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_digest_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest")),
        sa.UniqueConstraint("user_id", "period", name="uq_digest_user_id_period"),
    )
    op.create_table(
        "calendar_feed",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_calendar_feed_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_calendar_feed")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_token_hash")),
    )


def downgrade():
    op.drop_table("calendar_feed")
    op.drop_table("digest")
    op.drop_table("reminder_setting")
