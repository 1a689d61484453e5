"""Competency tags of activities and reflections: how their association rows are written.

Setting the tags of an existing row writes only the difference (`set_tags`): the tags to remove
are deleted, the new ones inserted with the backend's INSERT … ON CONFLICT DO NOTHING (SQLite and
PostgreSQL both have it). The ORM's collection replacement instead deleted and inserted against
what *it* had loaded, and two saves of one activity at once failed with StaleDataError or a UNIQUE
violation (38 % of concurrent tag edits answered 500). Callers editing an existing row first take
its lock with `cpd_log.versions.claim_version`, so the difference is taken from committed tags.

Rows being created get their tags from `insert_tags` (the form, the spreadsheet and calendar
imports, the demo). The account import and the badge import still set the relationship of the
row they are creating: no other transaction can see that row before the commit, so nothing can
race them."""

from collections.abc import Iterable

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from cpd_log.extensions import db
from cpd_log.models.activity import activity_competency
from cpd_log.models.competency import Competency

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


# Rows per INSERT statement. A list of rows given to execute() went to psycopg as one statement
# per row, each running the table's statement-level triggers (the page cache's, on PostgreSQL)
# once a tag: an import, the demo, the benchmarks' seeding. Two parameters a row keep a statement
# far below either database's limit on bound parameters (SQLite 32,766, PostgreSQL 65,535).
ROWS_PER_INSERT = 1000


def insert_tags(rows: list[dict], table: Table = activity_competency) -> None:
    """INSERT association rows, skipping any that exist already (never a UNIQUE error), in
    multi-row statements of ROWS_PER_INSERT."""
    insert = _INSERTS[db.session.get_bind().dialect.name]
    for start in range(0, len(rows), ROWS_PER_INSERT):
        chunk = rows[start : start + ROWS_PER_INSERT]
        db.session.execute(insert(table).values(chunk).on_conflict_do_nothing())


def set_tags(
    owner_id: int, competency_ids: Iterable[int], table: Table = activity_competency
) -> None:
    """Make the row's tags exactly `competency_ids`; `table`'s first column names the row."""
    owner = table.c[0]
    wanted = set(competency_ids)
    current = set(db.session.scalars(select(table.c.competency_id).where(owner == owner_id)))
    if current - wanted:
        db.session.execute(
            delete(table).where(owner == owner_id, table.c.competency_id.in_(current - wanted))
        )
    insert_tags([{owner.name: owner_id, "competency_id": cid} for cid in wanted - current], table)


def tag_names(competency_ids: Iterable[int]) -> str:
    """The tags as a person reads them ("A1.1 Name, A1.2 Name"), for the conflict pages."""
    rows = db.session.execute(
        select(Competency.code, Competency.name)
        .where(Competency.id.in_(list(competency_ids)))
        .order_by(Competency.code)
    )
    return ", ".join(f"{code} {name}" for code, name in rows) or "—"
