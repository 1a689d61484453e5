"""The tables behind the cached pages, declared once, and the triggers that raise
`user.data_version` on every write to them (cpd_log/page_cache.py says why triggers).

WATCHED maps each table to the owner of a changed row (`Owner`): a column of the row itself, or of
the row it points to (a tag's activity, a competency's framework). A row of a shipped framework,
competency, scheme or crosswalk (`shared`, no owner) concerns every user.
SQLite gets row-level triggers; PostgreSQL statement-level triggers with transition tables, so a
10,000-row import raises the version once, not 10,000 times.

Each trigger reads the "user" rows of the owners only, by primary key: its cost follows the rows
written, never the number of accounts. (Until migration 9e3b6d2f4a71 the condition was a test on
every "user" row, which PostgreSQL often planned as a scan of every account.) On
PostgreSQL the owners come from a scalar subquery per changed row and each owner's row is updated
by its id, in id order: plpgsql keeps the first plan of a statement for the session, and a join
planned for a 10,000-row import would go on scanning whole tables for every later one-row write.
Ownerless rows are decided once per statement (one UPDATE of every user, not a test per user).

Migration 5d2e8c1a9f37 created the triggers from its own frozen copy of this table (a migration
must keep its meaning whatever the code says later). Later migrations use this module:
- a new table behind the dashboard or the activity list: add it to WATCHED and call
  `create_triggers(op, "table")` in the migration that creates the table;
- a batch operation that copies a table on SQLite (a change `op.add_column` cannot make): wrap
  it in `with rebuilding(op, "table"), op.batch_alter_table("table") as batch_op:`. The copy
  drops the table's own triggers (on `activity` also those of the monthly totals,
  cpd_log/aggregates/triggers.py, and on the tables cpd_log/schemes/kept_triggers.py reads those
  of the kept counts, which `rebuilding` brings back as well), and SQLite refuses
  to rename the copy into place while another table's trigger reads it (activity_competency's
  reads activity, every trigger updates "user"); `rebuilding` drops all of those first and
  creates them again after the block;
- a changed owner: a migration that calls `create_triggers` for that table.
tests/test_page_cache.py fails when a watched table lacks its triggers on the migrated database or
when they differ from what this module writes; tests/test_page_cache_triggers.py when a write
reads more "user" rows than its owners'. Pure Python: no Flask, no SQLAlchemy.
"""

# Every name in these statements is a constant of this module; no value is ever formatted in.
# ruff: noqa: S608

from contextlib import contextmanager
from dataclasses import dataclass

from cpd_log.aggregates import triggers as aggregate_triggers
from cpd_log.common.triggers import drop_trigger, statement_trigger
from cpd_log.schemes import kept_triggers


@dataclass(frozen=True)
class Owner:
    """Whose a changed row is: the row's `column`, or with `via` (a table) and `key` (the row's
    column holding that table's id) the `column` of the row it points to."""

    column: str = "user_id"
    via: str | None = None
    key: str | None = None
    shared: bool = False  # no owner: a shipped row, every user's

    def of(self, row: str) -> str:
        """The owner's id of `row` (NULL when a `via` row is gone, e.g. deleted with it)."""
        if self.via is None:
            return f"{row}.{self.column}"
        return self._pointed(row, f"{self.via}.{self.column}")

    def unowned(self, row: str) -> str:
        """True when `row` (or the row it points to) exists and has no owner."""
        if self.via is None:
            return f"{row}.{self.column} IS NULL"
        return self._pointed(row, f"{self.via}.{self.column} IS NULL")

    def _pointed(self, row: str, expression: str) -> str:
        """`expression` over the `via` row `row` points to, by that row's primary key."""
        return f"(SELECT {expression} FROM {self.via} WHERE {self.via}.id = {row}.{self.key})"


_DIRECT = Owner()
_SHIPPED = Owner("owner_id", shared=True)

WATCHED = {
    "activity": _DIRECT,
    "activity_competency": Owner(via="activity", key="activity_id"),
    "quick_capture": _DIRECT,
    "apply_prompt_dismissal": _DIRECT,
    "reflection": _DIRECT,
    "reflection_competency": Owner(via="reflection", key="reflection_id"),
    "framework": _SHIPPED,
    "competency": Owner("owner_id", via="framework", key="framework_id", shared=True),
    "scheme": _SHIPPED,
    "crosswalk": _SHIPPED,
    "crosswalk_mapping": Owner("owner_id", via="crosswalk", key="crosswalk_id", shared=True),
    "crosswalk_override": _DIRECT,
    "enrolment": _DIRECT,
    "cycle": _DIRECT,
    "allocation": _DIRECT,
    "self_assessment": _DIRECT,  # the next best activity ranks goals and gaps first
    "goal": _DIRECT,
}

EVENTS = {"insert": ("NEW",), "update": ("OLD", "NEW"), "delete": ("OLD",)}
_BUMP = 'UPDATE "user" SET data_version = data_version + 1'
_TRANSITION = {"NEW": "new_rows", "OLD": "old_rows"}


def trigger_name(table: str, event: str) -> str:
    return f"data_version_{table}_{event}"


def _sqlite_body(owner: Owner, rows: tuple[str, ...]) -> str:
    """Row-level: the owners' rows by primary key. A shipped row's every user: a bound on the
    primary key that is NULL unless the row is shipped, so SQLite reads no "user" row otherwise
    (a plain condition on the changed row was tested on every user row: 7 ms a write at 100,000
    accounts)."""
    ids = ", ".join(owner.of(row) for row in rows)
    body = f'{_BUMP} WHERE "user".id IN ({ids})'
    if owner.shared:
        shipped = " OR ".join(owner.unowned(row) for row in rows)
        body += f'; {_BUMP} WHERE "user".id >= (SELECT 0 WHERE {shipped})'
    return body


def _postgresql_body(owner: Owner, rows: tuple[str, ...]) -> str:
    """Statement-level (see the module's docstring for why a loop)."""
    body = ""
    if owner.shared:
        shipped = " OR ".join(
            f"EXISTS (SELECT 1 FROM {_TRANSITION[row]} WHERE {owner.unowned(_TRANSITION[row])})"
            for row in rows
        )
        body += f"IF {shipped} THEN {_BUMP}; RETURN NULL; END IF; "
    owners = " UNION ALL ".join(
        f"SELECT {owner.of(_TRANSITION[row])} FROM {_TRANSITION[row]}" for row in rows
    )
    return (
        f"{body}FOR concerned IN SELECT DISTINCT id FROM ({owners}) AS owners (id)"
        f" WHERE id IS NOT NULL ORDER BY id LOOP"
        f' {_BUMP} WHERE "user".id = concerned; END LOOP; RETURN NULL;'
    )


def create_statements(table: str, dialect: str) -> list[str]:
    """The statements that create `table`'s three triggers (and, on PostgreSQL, their functions)."""
    owner, statements = WATCHED[table], []
    for event, rows in EVENTS.items():
        name = trigger_name(table, event)
        if dialect == "sqlite":
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} "
                f"FOR EACH ROW BEGIN {_sqlite_body(owner, rows)}; END"
            )
        elif dialect == "postgresql":
            referencing = " ".join(f"{row} TABLE AS {_TRANSITION[row]}" for row in rows)
            body = f"DECLARE concerned integer; BEGIN {_postgresql_body(owner, rows)} END"
            statements += statement_trigger(name, table, event, referencing, body)
        else:
            raise ValueError(f"CPD Log runs on SQLite or PostgreSQL, not {dialect}")
    return statements


def drop_statements(table: str, dialect: str) -> list[str]:
    return [s for event in EVENTS for s in drop_trigger(trigger_name(table, event), table, dialect)]


def create_triggers(op, *tables: str) -> None:
    """(Re)create the triggers of `tables` in a migration (`op` is alembic.op): whatever is left
    of them is dropped first, so it is safe after a batch operation and when nothing was lost."""
    dialect = op.get_bind().dialect.name
    for table in tables:
        for statement in drop_statements(table, dialect) + create_statements(table, dialect):
            op.execute(statement)


def drop_triggers(op, *tables: str) -> None:
    """Drop the triggers of `tables` (a migration's downgrade, or before dropping a table)."""
    dialect = op.get_bind().dialect.name
    for table in tables:
        for statement in drop_statements(table, dialect):
            op.execute(statement)


def reading(table: str) -> list[str]:
    """The watched tables whose triggers use `table`: its own, those whose owner is read from it,
    and every one for "user" (each trigger updates it)."""
    return [watched for watched, owner in WATCHED.items() if table in ("user", watched, owner.via)]


@contextmanager
def rebuilding(op, table: str):
    """Around a batch operation that copies `table` (see the module's docstring)."""
    tables = reading(table)
    drop_triggers(op, *tables)
    if table == aggregate_triggers.TABLE:  # the monthly totals' triggers are on it too
        aggregate_triggers.drop_triggers(op)
    # the kept counts' marks (cpd_log/schemes/kept.py), once a migration has made them
    kept = table in kept_triggers.READING and kept_triggers.made(op)
    if kept:
        kept_triggers.drop_triggers(op)
    yield
    create_triggers(op, *tables)
    if table == aggregate_triggers.TABLE:
        aggregate_triggers.create_triggers(op)
    if kept:
        kept_triggers.create_triggers(op)
