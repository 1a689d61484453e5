"""activity search index: on SQLite rowid = user id × 2³² + activity id, no owner column; on
PostgreSQL a 64 kB GIN pending list (issue 17: search flat in data size)

Revision ID: d4a7f2c9e851
Revises: b3d61f0a7c24
Create Date: 2026-12-01 19:40:00

The owner column's one term was in every row of a user, so each search read a posting per
activity the user had and bm25 counted them all; a rowid range per user bounds a search to the
user's postings of its words (cpd_log/search/index.py). On SQLite the index is dropped, made
again and refilled from the activities and reflections. On PostgreSQL the GIN index's pending
list (4 MB by default, read whole by every search) gets the smallest limit and is emptied now.

The SQLite index's layout is the code's (`create_index`, as c8e4a1f7d352 and every `rebuilding`
use it), so the downgrade leaves it as it is and only resets PostgreSQL's limit: code of an
earlier revision rebuilds the SQLite index with its own `create_index` (called by hand).
"""

from alembic import op

from cpd_log.search.index import PG_INDEX, PG_PENDING_KB, create_index

revision = "d4a7f2c9e851"
down_revision = "b3d61f0a7c24"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        create_index(op)
        return
    op.execute(f"ALTER INDEX {PG_INDEX} SET (gin_pending_list_limit = {PG_PENDING_KB})")
    op.execute(f"SELECT gin_clean_pending_list('{PG_INDEX}')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER INDEX {PG_INDEX} RESET (gin_pending_list_limit)")
