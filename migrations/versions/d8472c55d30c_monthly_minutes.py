"""monthly_minutes: each user's minutes and activities per start month, kind and status, kept
by triggers on activity (issue 17: the first view flat in data size)

Revision ID: d8472c55d30c
Revises: a7c3e9f15d20
Create Date: 2026-12-01 16:10:00

The dashboard's totals, its hours by kind, the trends chart and the activity list's totals line
summed every activity of the user on every uncached view. They now sum this table (at most one
row per month and kind), which the
triggers of cpd_log/aggregates/triggers.py keep equal to the sums of `activity` in the same
transaction as every write. The upgrade fills it from the activities already stored.
"""

import sqlalchemy as sa
from alembic import op

from cpd_log.aggregates.triggers import create_triggers, drop_triggers, rebuild_statement

revision = "d8472c55d30c"
down_revision = "a7c3e9f15d20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "monthly_minutes",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("activities", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "activities >= 0", name=op.f("ck_monthly_minutes_activities_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_monthly_minutes_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "month", "kind", "status", name=op.f("pk_monthly_minutes")),
    )
    op.execute(rebuild_statement(op.get_bind().dialect.name))
    create_triggers(op)


def downgrade():
    drop_triggers(op)
    op.drop_table("monthly_minutes")
