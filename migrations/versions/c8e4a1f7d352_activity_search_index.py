"""activity search index (issue 17: real search): SQLite FTS5, PostgreSQL tsvector + GIN

Revision ID: c8e4a1f7d352
Revises: ff90d0161d6c
Create Date: 2026-12-01 16:10:00

Creates the index, the triggers that keep it right on every write to activity and reflection,
and fills it with every existing activity (cpd_log/search/index.py). No model declares its tables
(an FTS5 virtual table and its shadow tables on SQLite): the models/migrations comparison leaves
them out through search.index.include_object. A later change to the index (a new searched field)
calls `create_index(op)` again in its own migration: it drops what is there first.
"""

from alembic import op

from cpd_log.search.index import create_index, drop_index

revision = "c8e4a1f7d352"
down_revision = "ff90d0161d6c"
branch_labels = None
depends_on = None


def upgrade():
    create_index(op)


def downgrade():
    drop_index(op)
