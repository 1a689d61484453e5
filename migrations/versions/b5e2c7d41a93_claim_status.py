"""claim_status: where each activity's claim with the body stands in a cycle (to claim, claimed
on a date with the body's reference, rejected with the reason) and the user's choice of the body's
activity type (cpd_log/claims/)

Revision ID: b5e2c7d41a93
Revises: d9186bf55dcd
Create Date: 2026-12-03 09:00:00

A new table, nothing copied: no page-cache triggers (the claim list is not a cached page).
"""

import sqlalchemy as sa
from alembic import op

revision = "b5e2c7d41a93"
down_revision = "d9186bf55dcd"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "claim_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "to_claim",
                "claimed",
                "rejected",
                name="claim_state",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("claimed_on", sa.Date(), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("body_type", sa.String(length=100), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state != 'claimed' OR claimed_on IS NOT NULL",
            name=op.f("ck_claim_status_claimed_has_date"),
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
            name=op.f("fk_claim_status_activity_id_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycle.id"],
            name=op.f("fk_claim_status_cycle_id_cycle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_claim_status_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_status")),
        sa.UniqueConstraint(
            "cycle_id", "activity_id", name=op.f("uq_claim_status_cycle_id_activity_id")
        ),
    )
    op.create_index(
        op.f("ix_claim_status_activity_id"), "claim_status", ["activity_id"], unique=False
    )
    op.create_index(op.f("ix_claim_status_user_id"), "claim_status", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_claim_status_user_id"), table_name="claim_status")
    op.drop_index(op.f("ix_claim_status_activity_id"), table_name="claim_status")
    op.drop_table("claim_status")
