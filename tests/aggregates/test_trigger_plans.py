"""The monthly totals' PostgreSQL triggers after a bulk edit: a one-row edit later in the same
session still reads its own monthly_minutes rows only, not every account's
(cpd_log/aggregates/triggers.py, `_planned_each_call`)."""

# ruff: noqa: S608 - constant statements

from datetime import date

import pytest
from sqlalchemy import create_engine, text

from cpd_log.extensions import db

ACCOUNTS = 300
READS = 5  # the edited activity's old and new month, by primary key


def monthly_rows_read(connection) -> int:
    return connection.scalar(
        text(
            "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)"
            " FROM pg_stat_xact_user_tables WHERE relname = 'monthly_minutes'"
        )
    )


def test_a_one_row_edit_after_a_bulk_edit_reads_its_own_totals(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("plpgsql's plan cache; SQLite's triggers are row-level")
    db.session.execute(
        text(
            'INSERT INTO "user" (email, display_name, password_hash, role, timezone, created_at,'
            " data_version) SELECT 'many' || i || '@example.com', 'Many', 'x', 'practitioner',"
            " 'UTC', CURRENT_TIMESTAMP, 0 FROM generate_series(1, :count) AS i"
        ),
        {"count": ACCOUNTS},
    )
    db.session.execute(
        text(
            "INSERT INTO activity (user_id, title, kind, provider, start_date, minutes, delivery,"
            " participatory, description, url, status, source, created_at, updated_at)"
            " SELECT id, 'Course', 'course', '', :day, 60, 'online', false, '', '', 'completed',"
            " 'manual', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM \"user\""
        ),
        {"day": date(2026, 3, 2)},
    )
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    one = db.session.scalar(text("SELECT min(id) FROM activity"))

    # A new server session: the triggers' first run in it is the bulk edit.
    engine = create_engine(db.engine.url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE activity SET minutes = minutes + 1"))
            before = monthly_rows_read(connection)
            connection.execute(
                text("UPDATE activity SET minutes = minutes + 1 WHERE id = :id"), {"id": one}
            )
            read = monthly_rows_read(connection) - before
            assert read <= READS, f"{read} rows of monthly_minutes read for one edit"
            connection.rollback()
    finally:
        engine.dispose()
