"""The search index's upkeep, a housekeeping step (cpd_log/housekeeping.py): on SQLite, merge
the FTS5 index's segments so that a search looks each word up in a few, not one per write
(index.py, SQLITE_MERGE). PostgreSQL's GIN index needs none (its pending list is bounded)."""

from datetime import datetime

from sqlalchemy import text

from cpd_log.extensions import db
from cpd_log.search.index import SQLITE_MERGE

# At most this many passes of MERGE_PAGES pages a sweep: a 5,000-activity index needs one or two
# (15 ms); a 100,000-activity index left unmerged took 46 passes of at most 0.3 s each, so it is
# caught up over a few sweeps, never holding the write lock for long.
MERGE_PASSES = 8


def merge_index(now: datetime) -> int:
    """Merge the SQLite index's segments level by level; returns the passes that merged some.
    FTS5 reports no result: a pass that changed fewer than two rows found nothing to merge."""
    if db.session.get_bind().dialect.name != "sqlite":
        return 0
    connection = db.session.connection()
    for passes in range(MERGE_PASSES):
        before = connection.scalar(text("SELECT total_changes()"))
        connection.exec_driver_sql(SQLITE_MERGE)
        if connection.scalar(text("SELECT total_changes()")) - before < 2:
            return passes
    return MERGE_PASSES
