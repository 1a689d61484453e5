"""self_assessment and goal behind the dashboard: the next best activity ranks by them

Revision ID: 6e1d9a4c2b58
Revises: 3b8e2f6c1d47
Create Date: 2026-12-10 09:00:00

The dashboard now suggests what to learn next with the user's open goals and self-assessed gaps
first, so a new goal or self-assessment must refresh the kept dashboard: both tables get the page
cache's data_version triggers (cpd_log/page_cache_triggers.py). No schema change.
"""

from alembic import op

from cpd_log.page_cache_triggers import create_triggers, drop_triggers

revision = "6e1d9a4c2b58"
down_revision = "3b8e2f6c1d47"
branch_labels = None
depends_on = None


def upgrade():
    create_triggers(op, "self_assessment", "goal")


def downgrade():
    drop_triggers(op, "goal", "self_assessment")
