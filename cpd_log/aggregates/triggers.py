"""The triggers that keep `monthly_minutes` equal to the sums of `activity`, declared once.

Why triggers: activities are written by the ORM, by imports' bulk `INSERT … SELECT`, by the trash
and its undo, by bulk actions and by an account restore; a trigger runs in the same transaction as
each of those statements, so the totals cannot drift whoever writes (the page cache's
data_version triggers were chosen for the same reason, cpd_log/page_cache_triggers.py).

SQLite gets row-level triggers (`UPDATE OF` the counted columns only, so editing a title costs
nothing); PostgreSQL statement-level triggers with transition tables, so a 10,000-row import
adds its rows to the totals in one grouped upsert. A row whose count falls to zero is deleted.

Careful in later migrations: on SQLite a batch operation that copies `activity` drops these
triggers; call `create_triggers(op)` after it. tests/aggregates/test_triggers.py fails when the
migrated database lacks them or holds other definitions. Pure Python: no Flask, no SQLAlchemy.
"""
# Every name in these statements is a constant of this module; no value is ever formatted in.
# ruff: noqa: S608

from cpd_log.common.triggers import drop_trigger, statement_trigger

TABLE = "activity"
AGGREGATE = "monthly_minutes"
# monthly_minutes column <- activity expression ({row}: "NEW.", "OLD." or nothing); the month is
# the first day of the start date's calendar month.
KEY = {"user_id": "{row}user_id", "month": "MONTH", "kind": "{row}kind", "status": "{row}status"}
MONTH = {
    "sqlite": "date({row}start_date, 'start of month')",
    "postgresql": "CAST(date_trunc('month', {row}start_date) AS date)",
}
WATCHED_COLUMNS = ("user_id", "start_date", "kind", "status", "minutes")
EVENTS = ("insert", "update", "delete")
_KEY_COLUMNS = ", ".join(KEY)


def trigger_name(event: str) -> str:
    return f"{AGGREGATE}_{TABLE}_{event}"


def sources(dialect: str, row: str = "") -> list[str]:
    """The key's expressions over an activity row (`row`: "NEW", "OLD" or "" for the table)."""
    prefix = f"{row}." if row else ""
    return [
        (MONTH[dialect] if expression == "MONTH" else expression).format(row=prefix)
        for expression in KEY.values()
    ]


def rebuild_statement(dialect: str, user_condition: str = "") -> str:
    """Recompute the totals from `activity` (the migration's backfill and `flask aggregates
    rebuild`); `user_condition` restricts it, e.g. "user_id = :user_id"."""
    where = f" WHERE {user_condition}" if user_condition else ""
    sources_ = ", ".join(sources(dialect))
    return (
        f"INSERT INTO {AGGREGATE} ({_KEY_COLUMNS}, minutes, activities) "
        f"SELECT {sources_}, SUM(minutes), COUNT(*) FROM {TABLE}{where} GROUP BY {sources_}"
    )


def _upsert(values: str) -> str:
    """INSERT `values` (a SELECT or VALUES of key, minutes, activities), adding to what is there."""
    return (
        f"INSERT INTO {AGGREGATE} ({_KEY_COLUMNS}, minutes, activities) {values} "
        f"ON CONFLICT ({_KEY_COLUMNS}) DO UPDATE SET "
        f"minutes = {AGGREGATE}.minutes + excluded.minutes, "
        f"activities = {AGGREGATE}.activities + excluded.activities"
    )


def _sqlite_body(event: str) -> str:
    parts = []
    if event in ("update", "delete"):
        olds = sources("sqlite", "OLD")
        match = " AND ".join(f"{col} = {src}" for col, src in zip(KEY, olds, strict=True))
        parts.append(
            f"UPDATE {AGGREGATE} SET minutes = minutes - OLD.minutes, "
            f"activities = activities - 1 WHERE {match}"
        )
        parts.append(f"DELETE FROM {AGGREGATE} WHERE {match} AND activities = 0")
    if event in ("insert", "update"):
        news = ", ".join(sources("sqlite", "NEW"))
        # "WHERE true" parses the upsert's ON CONFLICT unambiguously (SQLite's lang_upsert.html)
        parts.append(_upsert(f"SELECT {news}, NEW.minutes, 1 WHERE true"))
    return "; ".join(parts)


def _planned_each_call(statement: str) -> str:
    """`statement` as plpgsql's EXECUTE, planned for each run with the transition tables' real
    size. A plain statement keeps the plan of its first run in the session: after one bulk edit
    of 300 activities, every later one-row edit joined by reading all of monthly_minutes (every
    account's months) instead of its own row by primary key."""
    return f"EXECUTE $plan${statement}$plan$"


def _postgresql_body(event: str) -> str:
    """Group the statement's changes by key; a group that removes activities (or only changes
    minutes) updates the row that is there, a group that adds some upserts. A row already gone
    (the user's, deleted in the same statement) is left gone. The UPDATE and the DELETE join
    monthly_minutes to the changes, so they are planned each call (the upsert finds its rows
    through the primary key whatever the plan)."""
    keyed = ", ".join(
        f"{expression} AS {column}"
        for column, expression in zip(KEY, sources("postgresql"), strict=True)
    )
    changes = []
    if event in ("insert", "update"):
        changes.append(f"SELECT {keyed}, minutes, 1 AS n FROM new_rows")
    if event in ("update", "delete"):
        changes.append(f"SELECT {keyed}, -minutes AS minutes, -1 AS n FROM old_rows")
    delta = (
        f"SELECT {_KEY_COLUMNS}, SUM(minutes) AS minutes, SUM(n) AS n "
        f"FROM ({' UNION ALL '.join(changes)}) AS change GROUP BY {_KEY_COLUMNS}"
    )
    parts = []
    if event != "insert":
        match = " AND ".join(f"{AGGREGATE}.{col} = delta.{col}" for col in KEY)
        parts.append(
            _planned_each_call(
                f"UPDATE {AGGREGATE} SET minutes = {AGGREGATE}.minutes + delta.minutes, "
                f"activities = {AGGREGATE}.activities + delta.n FROM ({delta}) AS delta "
                f"WHERE {match} AND delta.n <= 0 AND (delta.n <> 0 OR delta.minutes <> 0)"
            )
        )
        parts.append(
            _planned_each_call(
                f"DELETE FROM {AGGREGATE} WHERE activities = 0 "
                f"AND user_id IN (SELECT user_id FROM old_rows)"
            )
        )
    if event != "delete":
        parts.append(
            _upsert(f"SELECT {_KEY_COLUMNS}, minutes, n FROM ({delta}) AS delta WHERE n > 0")
        )
    return "; ".join(parts)


_REFERENCING = {
    "insert": "NEW TABLE AS new_rows",
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
}


def create_statements(dialect: str) -> list[str]:
    statements = []
    for event in EVENTS:
        name = trigger_name(event)
        if dialect == "sqlite":
            watched = event.upper()
            if event == "update":
                watched = f"UPDATE OF {', '.join(WATCHED_COLUMNS)}"
            statements.append(
                f"CREATE TRIGGER {name} AFTER {watched} ON {TABLE} "
                f"FOR EACH ROW BEGIN {_sqlite_body(event)}; END"
            )
        elif dialect == "postgresql":
            body = f"BEGIN {_postgresql_body(event)}; RETURN NULL; END"
            statements += statement_trigger(name, TABLE, event, _REFERENCING[event], body)
        else:
            raise ValueError(f"CPD Log runs on SQLite or PostgreSQL, not {dialect}")
    return statements


def drop_statements(dialect: str) -> list[str]:
    return [s for event in EVENTS for s in drop_trigger(trigger_name(event), TABLE, dialect)]


def create_triggers(op) -> None:
    """(Re)create the triggers in a migration (`op` is alembic.op); safe after a batch copy."""
    dialect = op.get_bind().dialect.name
    for statement in drop_statements(dialect) + create_statements(dialect):
        op.execute(statement)


def drop_triggers(op) -> None:
    for statement in drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
