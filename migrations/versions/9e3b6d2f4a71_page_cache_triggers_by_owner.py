"""page cache triggers: read the owners' "user" rows by id, not a test on every user (issue 17)

Revision ID: 9e3b6d2f4a71
Revises: d4a7e2c9b518
Create Date: 2026-12-01 22:30:00

The data_version triggers updated "user" WHERE a condition on each user row held: on PostgreSQL
an EXISTS over the statement's changed rows, which read every account whenever it was planned as
a scan (a small "user" table, the OR of the shipped tables, or the plan plpgsql kept from the
session's first, bulk, write): a write then cost time in proportion to the accounts. They now
read the owners of the changed rows and update those rows by primary key; shipped rows (no owner)
still raise every user's version, decided once per statement (cpd_log/page_cache_triggers.py).
SQLite's row-level triggers change the same way: its shipped-or-owner conditions scanned "user".

On PostgreSQL the monthly totals' UPDATE and DELETE (cpd_log/aggregates/triggers.py) are now
planned each call: plpgsql kept the plan of a session's first, maybe bulk, edit, and one-row edits
then read every account's monthly_minutes rows.

No schema change. The downgrade restores the previous definitions from the frozen copies below.
"""

# ruff: noqa: S608 - every name in these statements is a constant of this file

from alembic import op

from cpd_log.aggregates import triggers as aggregate_triggers
from cpd_log.page_cache_triggers import WATCHED, create_triggers, drop_triggers

revision = "9e3b6d2f4a71"
down_revision = "d4a7e2c9b518"
branch_labels = None
depends_on = None

# The definitions before this revision, frozen: table -> the condition on "user" ({row}: the
# changed row) that the triggers of revisions 5d2e8c1a9f37 to d4a7e2c9b518 wrote.
_DIRECT = '"user".id = {row}.user_id'
_OWNER = '({row}.owner_id IS NULL OR "user".id = {row}.owner_id)'
PREVIOUS = {
    "activity": _DIRECT,
    "activity_competency": (
        '"user".id = (SELECT activity.user_id FROM activity WHERE activity.id = {row}.activity_id)'
    ),
    "quick_capture": _DIRECT,
    "apply_prompt_dismissal": _DIRECT,
    "reflection": _DIRECT,
    "reflection_competency": (
        '"user".id = (SELECT reflection.user_id FROM reflection'
        " WHERE reflection.id = {row}.reflection_id)"
    ),
    "framework": _OWNER,
    "competency": (
        "EXISTS (SELECT 1 FROM framework WHERE framework.id = {row}.framework_id"
        ' AND (framework.owner_id IS NULL OR framework.owner_id = "user".id))'
    ),
    "scheme": _OWNER,
    "crosswalk": _OWNER,
    "crosswalk_mapping": (
        "EXISTS (SELECT 1 FROM crosswalk WHERE crosswalk.id = {row}.crosswalk_id"
        ' AND (crosswalk.owner_id IS NULL OR crosswalk.owner_id = "user".id))'
    ),
    "crosswalk_override": _DIRECT,
    "enrolment": _DIRECT,
    "cycle": _DIRECT,
    "allocation": _DIRECT,
    "self_assessment": _DIRECT,
    "goal": _DIRECT,
}
_EVENTS = {"insert": ("NEW",), "update": ("OLD", "NEW"), "delete": ("OLD",)}
_BUMP = 'UPDATE "user" SET data_version = data_version + 1 WHERE '
_TRANSITION = {"NEW": "new_rows", "OLD": "old_rows"}


def _previous_statements(table: str, dialect: str) -> list[str]:
    condition, statements = PREVIOUS[table], []
    for event, rows in _EVENTS.items():
        name = f"data_version_{table}_{event}"
        if dialect == "sqlite":
            where = " OR ".join(f"({condition.format(row=row)})" for row in rows)
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} "
                f"FOR EACH ROW BEGIN {_BUMP}{where}; END"
            )
        else:
            where = " OR ".join(
                f"EXISTS (SELECT 1 FROM {_TRANSITION[row]} AS changed"
                f" WHERE {condition.format(row='changed')})"
                for row in rows
            )
            referencing = " ".join(f"{row} TABLE AS {_TRANSITION[row]}" for row in rows)
            statements.append(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {_BUMP}{where}; RETURN NULL; END $$"
            )
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} "
                f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    return statements


# The monthly totals' PostgreSQL functions before this revision (d8472c55d30c's), frozen.
_KEY = "user_id, month, kind, status"
_KEYED = (
    "user_id AS user_id, CAST(date_trunc('month', start_date) AS date) AS month, kind AS kind,"
    " status AS status"
)
_CHANGES = {
    "NEW": f"SELECT {_KEYED}, minutes, 1 AS n FROM new_rows",
    "OLD": f"SELECT {_KEYED}, -minutes AS minutes, -1 AS n FROM old_rows",
}


def _previous_monthly_body(rows: tuple[str, ...]) -> str:
    changes = " UNION ALL ".join(_CHANGES[row] for row in ("NEW", "OLD") if row in rows)
    delta = (
        f"SELECT {_KEY}, SUM(minutes) AS minutes, SUM(n) AS n FROM ({changes}) AS change"
        f" GROUP BY {_KEY}"
    )
    parts = []
    if "OLD" in rows:
        match = " AND ".join(
            f"monthly_minutes.{c} = delta.{c}" for c in ("user_id", "month", "kind", "status")
        )
        parts.append(
            "UPDATE monthly_minutes SET minutes = monthly_minutes.minutes + delta.minutes, "
            f"activities = monthly_minutes.activities + delta.n FROM ({delta}) AS delta "
            f"WHERE {match} AND delta.n <= 0 AND (delta.n <> 0 OR delta.minutes <> 0)"
        )
        parts.append(
            "DELETE FROM monthly_minutes WHERE activities = 0 "
            "AND user_id IN (SELECT user_id FROM old_rows)"
        )
    if "NEW" in rows:
        parts.append(
            f"INSERT INTO monthly_minutes ({_KEY}, minutes, activities) "
            f"SELECT {_KEY}, minutes, n FROM ({delta}) AS delta WHERE n > 0 "
            f"ON CONFLICT ({_KEY}) DO UPDATE SET "
            "minutes = monthly_minutes.minutes + excluded.minutes, "
            "activities = monthly_minutes.activities + excluded.activities"
        )
    return "; ".join(parts)


def _previous_monthly_statements() -> list[str]:
    statements = []
    for event, rows in _EVENTS.items():
        name = f"monthly_minutes_activity_{event}"
        referencing = " ".join(f"{row} TABLE AS {_TRANSITION[row]}" for row in rows)
        statements.append(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {_previous_monthly_body(rows)}; RETURN NULL; END $$"
        )
        statements.append(
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON activity "
            f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    return statements


def upgrade():
    create_triggers(op, *WATCHED)
    if op.get_bind().dialect.name == "postgresql":  # SQLite's monthly triggers are unchanged
        aggregate_triggers.create_triggers(op)


def downgrade():
    dialect = op.get_bind().dialect.name
    drop_triggers(op, *PREVIOUS)
    for table in PREVIOUS:
        for statement in _previous_statements(table, dialect):
            op.execute(statement)
    if dialect == "postgresql":
        aggregate_triggers.drop_triggers(op)
        for statement in _previous_monthly_statements():
            op.execute(statement)
