"""counted_activity, counted_share, counted_basis, counted_dirty, counted_total, counted_day:
each cycle's counted minutes kept between views, marked out of date by triggers, and their sums
kept by triggers (issue 17, Deliver 2; cpd_log/schemes/kept.py)

Revision ID: c7e3a9d2f614
Revises: 9e3b6d2f4a71
Create Date: 2026-12-01 22:30:00

Nothing to fill: a cycle without a `counted_basis` row has never been counted and is counted
whole on its first view (kept.py), so the existing data needs no backfill to be right.
"""

import sqlalchemy as sa
from alembic import op

from cpd_log.schemes.kept_triggers import create_triggers, drop_triggers

revision = "c7e3a9d2f614"
down_revision = "9e3b6d2f4a71"
branch_labels = None
depends_on = None


def _cycle(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["cycle_id"], ["cycle.id"], name=op.f(f"fk_{table}_cycle_id_cycle"), ondelete="CASCADE"
    )


def upgrade():
    op.create_table(
        "counted_activity",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("counts", sa.Boolean(), nullable=False),
        sa.Column("below", sa.Boolean(), nullable=False),
        sa.Column("capped", sa.Boolean(), nullable=False),
        _cycle("counted_activity"),
        sa.PrimaryKeyConstraint("cycle_id", "activity_id", name=op.f("pk_counted_activity")),
    )
    op.create_table(
        "counted_share",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        _cycle("counted_share"),
        sa.PrimaryKeyConstraint(
            "cycle_id", "activity_id", "category", name=op.f("pk_counted_share")
        ),
    )
    op.create_table(
        "counted_basis",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=64), nullable=False),
        _cycle("counted_basis"),
        sa.PrimaryKeyConstraint("cycle_id", name=op.f("pk_counted_basis")),
    )
    op.create_table(
        "counted_total",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        _cycle("counted_total"),
        sa.PrimaryKeyConstraint("cycle_id", "category", name=op.f("pk_counted_total")),
    )
    op.create_table(
        "counted_day",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in ("minutes", "counts", "below", "capped", "activities")
        ),
        _cycle("counted_day"),
        sa.PrimaryKeyConstraint("cycle_id", "day", name=op.f("pk_counted_day")),
    )
    op.create_table(
        "counted_dirty",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "activity_id", name=op.f("pk_counted_dirty")),
    )
    create_triggers(op)


def downgrade():
    drop_triggers(op)
    for table in (
        "counted_dirty",
        "counted_day",
        "counted_total",
        "counted_basis",
        "counted_share",
        "counted_activity",
    ):
        op.drop_table(table)
