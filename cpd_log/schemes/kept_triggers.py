"""The triggers that mark an activity's kept counts (cpd_log/schemes/kept.py) out of date, in the
same transaction as every write that can change them, whoever writes: the ORM, an import's bulk
INSERT … SELECT, the trash and its undo, bulk actions, an account restore.

A mark is a row (user id, activity id) of `counted_dirty`. Written on a change to the activity
(its counted columns), to its tags, to the user's own split of it in any cycle, and to a
competency or framework its tags resolve through (code, framework, slug, owner, team). SQLite gets
row-level triggers (`UPDATE OF` the columns that matter); PostgreSQL statement-level triggers with
transition tables, so a 10,000-row import marks its rows in one INSERT.

Careful in later migrations: on SQLite a batch operation that copies one of these tables drops its
triggers; page_cache_triggers.rebuilding brings these back too. Pure Python.
"""
# Every name in these statements is a constant of this module; no value is ever formatted in.
# ruff: noqa: S608

from cpd_log.common.triggers import drop_trigger, statement_trigger

DIRTY = "counted_dirty"
_MARK = f"INSERT INTO {DIRTY} (user_id, activity_id) "
# A mark already there is updated (to itself), not skipped: the update locks it, so a view taking
# the marks waits for the writer's commit and then reads what it wrote (PostgreSQL; SQLite runs
# one writer at a time anyway). Skipping it would let a view take the mark, read the activity as
# it was before the write, and leave nothing marked once the writer commits.
_IGNORE = " ON CONFLICT (user_id, activity_id) DO UPDATE SET activity_id = excluded.activity_id"

# table -> (columns whose change matters on UPDATE, SELECT of (user id, activity id) over {row})
_TAGGED = (
    "SELECT activity.user_id, activity.id FROM activity"
    " JOIN activity_competency ON activity_competency.activity_id = activity.id"
)
MARKS = {
    "activity": (
        ("user_id", "kind", "minutes", "participatory", "status", "start_date", "end_date"),
        "SELECT {row}.user_id, {row}.id{from_row}",
    ),
    "activity_competency": (
        ("activity_id", "competency_id"),
        "SELECT activity.user_id, activity.id FROM activity{join_row}"
        " WHERE activity.id = {row}.activity_id",
    ),
    "allocation": (
        ("user_id", "cycle_id", "activity_id", "category", "minutes"),
        "SELECT {row}.user_id, {row}.activity_id{from_row}",
    ),
    "competency": (
        ("framework_id", "code"),
        _TAGGED + "{join_row} WHERE activity_competency.competency_id = {row}.id",
    ),
    "framework": (
        ("slug", "owner_id", "team_id"),
        _TAGGED + " JOIN competency ON competency.id = activity_competency.competency_id"
        "{join_row} WHERE competency.framework_id = {row}.id",
    ),
}
# competency and framework rows are deleted with their tags (ON DELETE CASCADE), whose own
# triggers mark the activities; an inserted one is no one's tag yet.
EVENTS = {
    "activity": ("insert", "update", "delete"),
    "activity_competency": ("insert", "update", "delete"),
    "allocation": ("insert", "update", "delete"),
    "competency": ("update",),
    "framework": ("update",),
}
# The tables these triggers are on or read: a batch copy of one must drop them all first.
READING = ("activity", "activity_competency", "allocation", "competency", "framework", DIRTY)
_ROWS = {"insert": ("NEW",), "update": ("OLD", "NEW"), "delete": ("OLD",)}
_TRANSITION = {"NEW": "new_rows", "OLD": "old_rows"}


# The sums kept of the kept rows, by triggers on them (kept.py only inserts and deletes them):
# table -> (sums table, key columns, {sum column: expression over a row ({row}.)}).
SUMS = {
    "counted_share": ("counted_total", ("cycle_id", "category"), {"minutes": "{row}.minutes"}),
    "counted_activity": (
        "counted_day",
        ("cycle_id", "day"),
        {
            "minutes": "{row}.minutes",
            "counts": "CASE WHEN {row}.counts THEN 1 ELSE 0 END",
            "below": "CASE WHEN {row}.below THEN 1 ELSE 0 END",
            "capped": "CASE WHEN {row}.capped THEN 1 ELSE 0 END",
            "activities": "1",
        },
    ),
}


def sums_name(table: str, event: str) -> str:
    return f"{SUMS[table][0]}_{table}_{event}"


def _sums_sqlite(table: str, event: str) -> str:
    target, key, sums = SUMS[table]
    if event == "insert":
        values = ", ".join(
            [*(f"NEW.{k}" for k in key), *(e.format(row="NEW") for e in sums.values())]
        )
        added = ", ".join(f"{c} = {target}.{c} + excluded.{c}" for c in sums)
        return (
            f"INSERT INTO {target} ({', '.join([*key, *sums])}) SELECT {values} WHERE true "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {added}"
        )
    match = " AND ".join(f"{k} = OLD.{k}" for k in key)
    taken = ", ".join(f"{c} = {c} - {e.format(row='OLD')}" for c, e in sums.items())
    gone = (
        f"; DELETE FROM {target} WHERE {match} AND activities = 0" if "activities" in sums else ""
    )
    return f"UPDATE {target} SET {taken} WHERE {match}{gone}"


def _sums_postgresql(table: str, event: str) -> str:
    target, key, sums = SUMS[table]
    rows = "new_rows" if event == "insert" else "old_rows"
    grouped = (
        f"SELECT {', '.join(key)}, "
        + ", ".join(f"SUM({e.format(row=rows)}) AS {c}" for c, e in sums.items())
        + f" FROM {rows} GROUP BY {', '.join(key)}"
    )
    if event == "insert":
        added = ", ".join(f"{c} = {target}.{c} + excluded.{c}" for c in sums)
        return (
            f"INSERT INTO {target} ({', '.join([*key, *sums])}) {grouped} "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {added}"
        )
    match = " AND ".join(f"{target}.{k} = taken.{k}" for k in key)
    taken = ", ".join(f"{c} = {target}.{c} - taken.{c}" for c in sums)
    gone = (
        f"; DELETE FROM {target} WHERE activities = 0 AND cycle_id IN (SELECT cycle_id FROM {rows})"
        if "activities" in sums
        else ""
    )
    return f"UPDATE {target} SET {taken} FROM ({grouped}) AS taken WHERE {match}{gone}"


def sums_statements(table: str, dialect: str) -> list[str]:
    statements = []
    for event in ("insert", "delete"):
        name = sums_name(table, event)
        if dialect == "sqlite":
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} FOR EACH ROW "
                f"BEGIN {_sums_sqlite(table, event)}; END"
            )
        else:
            rows = "NEW TABLE AS new_rows" if event == "insert" else "OLD TABLE AS old_rows"
            statements.append(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {_sums_postgresql(table, event)}; RETURN NULL; END $$"
            )
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} REFERENCING {rows} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    return statements


def sums_drop_statements(table: str, dialect: str) -> list[str]:
    statements = []
    for event in ("insert", "delete"):
        name = sums_name(table, event)
        if dialect == "postgresql":
            statements += [
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"DROP FUNCTION IF EXISTS {name}()",
            ]
        else:
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
    return statements


def trigger_name(table: str, event: str) -> str:
    return f"counted_dirty_{table}_{event}"


def _select(table: str, row: str, transition: str | None) -> str:
    """The marks of one changed row (SQLite: NEW/OLD) or of a transition table (PostgreSQL)."""
    template = MARKS[table][1]
    if transition is None:
        return template.format(row=row, from_row=" WHERE true", join_row="")
    return template.format(
        row="changed", from_row=f" FROM {transition} AS changed",
        join_row=f" JOIN {transition} AS changed ON true",
    )  # fmt: skip


def create_statements(table: str, dialect: str) -> list[str]:
    statements = []
    for event in EVENTS[table]:
        name = trigger_name(table, event)
        if dialect == "sqlite":
            watched = event.upper()
            if event == "update":
                watched += " OF " + ", ".join(MARKS[table][0])
            body = "; ".join(f"{_MARK}{_select(table, row, None)}{_IGNORE}" for row in _ROWS[event])
            statements.append(
                f"CREATE TRIGGER {name} AFTER {watched} ON {table} FOR EACH ROW BEGIN {body}; END"
            )
        elif dialect == "postgresql":
            marks = " UNION ".join(_select(table, row, _TRANSITION[row]) for row in _ROWS[event])
            referencing = " ".join(f"{row} TABLE AS {_TRANSITION[row]}" for row in _ROWS[event])
            body = (
                f"BEGIN {_MARK}SELECT DISTINCT * FROM ({marks}) AS marks{_IGNORE}; RETURN NULL; END"
            )
            statements += statement_trigger(name, table, event, referencing, body)
        else:
            raise ValueError(f"CPD Log runs on SQLite or PostgreSQL, not {dialect}")
    return statements


def drop_statements(table: str, dialect: str) -> list[str]:
    return [
        s
        for event in EVENTS[table]
        for s in drop_trigger(trigger_name(table, event), table, dialect)
    ]


def create_triggers(op, *tables: str) -> None:
    """(Re)create the triggers of `tables` (default: all) in a migration; safe after a copy."""
    dialect = op.get_bind().dialect.name
    for table in tables or EVENTS:
        for statement in drop_statements(table, dialect) + create_statements(table, dialect):
            op.execute(statement)
    for table in SUMS if not tables else ():
        for statement in sums_drop_statements(table, dialect) + sums_statements(table, dialect):
            op.execute(statement)


def made(op) -> bool:
    """Whether the database has the marks' table yet (older migrations run before it)."""
    return op.get_bind().dialect.has_table(op.get_bind(), DIRTY)


def drop_triggers(op, *tables: str) -> None:
    dialect = op.get_bind().dialect.name
    for table in tables or EVENTS:
        for statement in drop_statements(table, dialect):
            op.execute(statement)
    for table in SUMS if not tables else ():
        for statement in sums_drop_statements(table, dialect):
            op.execute(statement)
