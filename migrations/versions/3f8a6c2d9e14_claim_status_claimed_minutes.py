"""claim_status.claimed_minutes: the minutes counted when the activity was marked claimed

Revision ID: 3f8a6c2d9e14
Revises: 8c4d1e7a2f90
Create Date: 2026-12-05 09:00:00

The pre-audit check compares it with what the activity counts today: a claim whose hours differ
from what was logged is what an auditor queries. Null for statuses saved before (not compared).
"""

import sqlalchemy as sa
from alembic import op

revision = "3f8a6c2d9e14"
down_revision = "8c4d1e7a2f90"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("claim_status") as batch_op:
        batch_op.add_column(sa.Column("claimed_minutes", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("claim_status") as batch_op:
        batch_op.drop_column("claimed_minutes")
