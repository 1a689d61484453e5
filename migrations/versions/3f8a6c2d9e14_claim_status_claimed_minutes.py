"""claim_status.claimed_minutes: the minutes counted when the activity was marked claimed

Revision ID: 3f8a6c2d9e14
Revises: 8c4d1e7a2f90
Create Date: 2026-12-05 09:00:00

The pre-audit check compares it with what the activity counts today: a claim whose hours differ
from what was logged is what an auditor queries. Null for statuses saved before (not compared).

Plain `op.add_column` with its CHECK on the column, never batch mode: SQLite's batch mode copies
the table (and reflects the expression index on activity it cannot read).
"""

import sqlalchemy as sa
from alembic import op

revision = "3f8a6c2d9e14"
down_revision = "8c4d1e7a2f90"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "claim_status",
        sa.Column(
            "claimed_minutes",
            sa.Integer(),
            sa.CheckConstraint(
                "claimed_minutes >= 0", name=op.f("ck_claim_status_claimed_minutes_not_negative")
            ),
            nullable=True,
        ),
    )


def downgrade():
    # SQLite 3.35+ drops a column in place, its own column CHECK with it.
    op.drop_column("claim_status", "claimed_minutes")
