"""The activity search index and the triggers that keep it right, declared once for the
migration that creates it (and any later one that must create it again).

One document per activity: its searched fields (activities/fields.py SEARCHED), each with its
weight, and the texts of the reflections written about it. Triggers, not the ORM, keep it up to
date, so every writer is covered: a form, a bulk import's `INSERT … SELECT`, the trash moving rows
out and back, a reflection edited or moved to another activity, an account restored or deleted.

- SQLite: an FTS5 table `activity_search` with the porter stemmer. It keeps its own copy of the
  text: an external-content table must be told the old text of a row to forget it, and the
  reflections column is gathered from another table. Its rowid is the user id × OWNER_SPAN + the
  activity id, so one user's rows are one rowid range: a search bounded to it reads only that
  user's postings of its words, whatever the user's or the server's number of activities. (An
  `owner` column did the same job before, but its one term was in every row of the user: a
  search read a posting per activity the user had, and bm25 counted them all.)
- PostgreSQL: a table `activity_search` (activity id, tsvector) with a GIN index, refreshed by
  statement-level triggers (a 10,000-row import runs the function once). Each text is indexed
  twice, stemmed ('english') and as written ('simple'): the stems find "risks" from "risk", the
  words as written let a half-typed word match as a prefix.

A batch operation that copies activity or reflection on SQLite drops the triggers on it, and
SQLite refuses to rename the copy while another trigger reads it: wrap it in
`with rebuilding(op):` as cpd_log/page_cache_triggers.py does for its own triggers.
Pure Python: no Flask, no SQLAlchemy.
"""

# ruff: noqa: S608 - the statements are built from this module's own names, never user input

import unicodedata
from contextlib import contextmanager

TABLE = "activity_search"
# The searched fields in the order of their FTS5 columns, with their weight: a word in the title
# counts most, in a reflection least. PostgreSQL has four weights (A-D) for the same ranks.
WEIGHTS = {"title": 10.0, "provider": 5.0, "objective": 2.0, "description": 2.0}
REFLECTIONS_WEIGHT = 1.0
PG_WEIGHTS = {"title": "A", "provider": "B", "objective": "C", "description": "C"}
COLUMNS = (*WEIGHTS, "reflections")  # what a search looks in
# SQLite rowid = user id × OWNER_SPAN + activity id (ids stay below 2³²: 4 billion activities).
OWNER_SPAN = 2**32
# PostgreSQL refuses a tsvector over 1 MB; far more text than that makes no better match.
PG_TEXT_LIMIT = 200_000
PG_INDEX = f"ix_{TABLE}_document"
# A GIN index takes new entries into a pending list that every search reads whole until vacuum or
# the list's limit (4 MB by default) moves them into the index: after a 5,000-row import a search
# scanned them all, and the planner then preferred reading every document. The smallest limit
# (kB) keeps that list to a few dozen documents; a bulk write still moves entries in batches.
PG_PENDING_KB = 64

_SQLITE_REFLECTIONS = (
    "(SELECT group_concat(reflection.search_text || ' ' || coalesce(reflection.applied_text, ''),"
    " ' ') FROM reflection WHERE reflection.activity_id = {id})"
)


def sqlite_rowid(owner: str, activity: str) -> str:
    """The index's rowid of an activity, from SQL expressions for its owner and its id."""
    return f"({owner} * {OWNER_SPAN} + {activity})"


_SQLITE_INSERT = (
    f"INSERT INTO {TABLE} (rowid, {', '.join(COLUMNS)}) "
    f"VALUES ({sqlite_rowid('new.user_id', 'new.id')}, {', '.join('new.' + f for f in WEIGHTS)}, "
    + _SQLITE_REFLECTIONS.format(id="new.id")
    + ")"
)
_SQLITE_DELETE = f"DELETE FROM {TABLE} WHERE rowid = {sqlite_rowid('old.user_id', 'old.id')}"
# One activity's reflections column again, from the reflection's row ({row}: old or new). The
# rowid comes from the reflection's own user id, not a read of activity: a trigger on reflection
# that read activity would stop SQLite's batch copy of activity (see `rebuilding`). A reflection
# is its activity's owner's; were it not, the rowid would name no row and nothing would change.
_SQLITE_REFRESH = (
    f"UPDATE {TABLE} SET reflections = "
    + _SQLITE_REFLECTIONS.format(id="{row}.activity_id")
    + f" WHERE rowid = {sqlite_rowid('{row}.user_id', '{row}.activity_id')}"
)
SQLITE_TRIGGERS = {
    "search_activity_insert": f"AFTER INSERT ON activity BEGIN {_SQLITE_INSERT}; END",
    "search_activity_update": (
        f"AFTER UPDATE OF user_id, {', '.join(WEIGHTS)} ON activity BEGIN "
        f"{_SQLITE_DELETE}; {_SQLITE_INSERT}; END"
    ),
    "search_activity_delete": f"AFTER DELETE ON activity BEGIN {_SQLITE_DELETE}; END",
    "search_reflection_insert": (
        "AFTER INSERT ON reflection WHEN new.activity_id IS NOT NULL BEGIN "
        + _SQLITE_REFRESH.format(row="new")
        + "; END"
    ),
    "search_reflection_update": (
        "AFTER UPDATE OF user_id, activity_id, search_text, applied_text ON reflection BEGIN "
        + _SQLITE_REFRESH.format(row="old")
        + "; "
        + _SQLITE_REFRESH.format(row="new")
        + " AND (old.activity_id IS NOT new.activity_id OR old.user_id IS NOT new.user_id); END"
    ),
    "search_reflection_delete": (
        "AFTER DELETE ON reflection WHEN old.activity_id IS NOT NULL BEGIN "
        + _SQLITE_REFRESH.format(row="old")
        + "; END"
    ),
}


def _sqlite_create() -> list[str]:
    weights = ", ".join(str(w) for w in (*WEIGHTS.values(), REFLECTIONS_WEIGHT))
    return [
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5({', '.join(COLUMNS)}, "
        "tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3')",
        # `rank` orders by bm25 with the columns' weights.
        f"INSERT INTO {TABLE} ({TABLE}, rank) VALUES ('rank', 'bm25({weights})')",
        f"INSERT INTO {TABLE} ({TABLE}, rank) VALUES ('usermerge', 2)",
        *(f"CREATE TRIGGER {name} {body}" for name, body in SQLITE_TRIGGERS.items()),
        # Backfill: every activity that exists when the index is created.
        f"INSERT INTO {TABLE} (rowid, {', '.join(COLUMNS)}) "
        f"SELECT {sqlite_rowid('activity.user_id', 'activity.id')}, "
        f"{', '.join('activity.' + f for f in WEIGHTS)}, "
        + _SQLITE_REFLECTIONS.format(id="activity.id")
        + " FROM activity",
    ]


# FTS5 writes each transaction's rows as a new segment and merges segments lazily, so a grown
# index has several per level (11 at 5,000 activities in bench/search.py) and each searched word
# is looked up in every one: a search of a few exact words cost three times as much at 5,000 as at
# 500. The housekeeping sweep (search/upkeep.py) merges any level holding two or more (the
# 'usermerge' set above), at most MERGE_PAGES pages a pass, which leaves about one a level.
MERGE_PAGES = 200
SQLITE_MERGE = f"INSERT INTO {TABLE} ({TABLE}, rank) VALUES ('merge', {MERGE_PAGES})"


def _unaccented_letters() -> tuple[str, str]:
    """Latin letters with accents and their plain letter ("é" -> "e"), for translate(): FTS5's
    remove_diacritics does the same on SQLite, with no PostgreSQL extension (unaccent) needed."""
    accented, plain = [], []
    for code in range(0xC0, 0x250):
        letter = chr(code)
        base = unicodedata.normalize("NFKD", letter)[0]
        if base != letter and base.isascii() and base.isalpha():
            accented.append(letter)
            plain.append(base)
    return "".join(accented), "".join(plain)


ACCENTED, PLAIN = _unaccented_letters()


def plain_letters(word: str) -> str:
    """A word as the PostgreSQL index stores it: the same letters translate() replaces."""
    return word.translate(str.maketrans(ACCENTED, PLAIN))


def _pg_text(expression: str, weight: str) -> str:
    text = f"translate(left(coalesce({expression}, ''), {PG_TEXT_LIMIT}), '{ACCENTED}', '{PLAIN}')"
    return " || ".join(
        f"setweight(to_tsvector('{config}', {text}), '{weight}')"
        for config in ("english", "simple")
    )


PG_DOCUMENT = " || ".join(
    [
        *(_pg_text(f"activity.{field}", weight) for field, weight in PG_WEIGHTS.items()),
        _pg_text(
            "(SELECT string_agg(reflection.search_text || ' ' || "
            "coalesce(reflection.applied_text, ''), ' ') FROM reflection "
            "WHERE reflection.activity_id = activity.id)",
            "D",
        ),
    ]
)
_PG_REFRESH = (
    f"CREATE FUNCTION search_activity_refresh(ids integer[]) RETURNS void LANGUAGE plpgsql AS $$ "
    f"BEGIN INSERT INTO {TABLE} (activity_id, document) "
    f"SELECT activity.id, {PG_DOCUMENT} FROM activity WHERE activity.id = ANY(ids) "
    f"ON CONFLICT (activity_id) DO UPDATE SET document = excluded.document; END $$"
)
_CHANGED = "n.{key} IS DISTINCT FROM o.{key}"
PG_TRIGGERS = {
    # name: (table, event, transition tables, the ids whose document to build again)
    "search_activity_insert": ("activity", "INSERT", "NEW", "SELECT id FROM new_rows"),
    "search_activity_update": (
        "activity",
        "UPDATE",
        "OLD NEW",
        "SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE "
        + " OR ".join(_CHANGED.format(key=field) for field in WEIGHTS),
    ),
    "search_reflection_insert": (
        "reflection",
        "INSERT",
        "NEW",
        "SELECT activity_id FROM new_rows WHERE activity_id IS NOT NULL",
    ),
    "search_reflection_update": (
        "reflection",
        "UPDATE",
        "OLD NEW",
        "SELECT unnest(ARRAY[o.activity_id, n.activity_id]) FROM new_rows n "
        "JOIN old_rows o ON o.id = n.id WHERE "
        + " OR ".join(
            _CHANGED.format(key=key) for key in ("activity_id", "search_text", "applied_text")
        ),
    ),
    "search_reflection_delete": (
        "reflection",
        "DELETE",
        "OLD",
        "SELECT activity_id FROM old_rows WHERE activity_id IS NOT NULL",
    ),
}
_TRANSITION = {"NEW": "NEW TABLE AS new_rows", "OLD": "OLD TABLE AS old_rows"}


def _pg_create() -> list[str]:
    statements = [
        # The row goes with its activity (a delete, the trash, an account deleted).
        f"CREATE TABLE {TABLE} (activity_id integer NOT NULL PRIMARY KEY "
        "REFERENCES activity (id) ON DELETE CASCADE, document tsvector NOT NULL)",
        f"CREATE INDEX {PG_INDEX} ON {TABLE} USING gin (document) "
        f"WITH (gin_pending_list_limit = {PG_PENDING_KB})",
        _PG_REFRESH,
    ]
    for name, (table, event, transitions, ids) in PG_TRIGGERS.items():
        referencing = " ".join(_TRANSITION[t] for t in transitions.split())
        statements += [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN PERFORM search_activity_refresh(ARRAY({ids})); RETURN NULL; END $$",
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    # Backfill: every activity that exists when the index is created.
    statements.append("SELECT search_activity_refresh(ARRAY(SELECT id FROM activity))")
    return statements


def create_statements(dialect: str) -> list[str]:
    """The statements that create the index, its triggers, and fill it."""
    if dialect == "sqlite":
        return _sqlite_create()
    if dialect == "postgresql":
        return _pg_create()
    raise ValueError(f"CPD Log runs on SQLite or PostgreSQL, not {dialect}")


def drop_statements(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [*(f"DROP TRIGGER IF EXISTS {n}" for n in SQLITE_TRIGGERS), _drop_table()]
    return [
        *(
            statement
            for name, (table, *_rest) in PG_TRIGGERS.items()
            for statement in (
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"DROP FUNCTION IF EXISTS {name}()",
            )
        ),
        "DROP FUNCTION IF EXISTS search_activity_refresh(integer[])",
        _drop_table(),
    ]


def _drop_table() -> str:
    return f"DROP TABLE IF EXISTS {TABLE}"


def create_index(op) -> None:
    """(Re)create and fill the index in a migration (`op` is alembic.op)."""
    dialect = op.get_bind().dialect.name
    for statement in drop_statements(dialect) + create_statements(dialect):
        op.execute(statement)


def drop_index(op) -> None:
    for statement in drop_statements(op.get_bind().dialect.name):
        op.execute(statement)


@contextmanager
def rebuilding(op):
    """Around a SQLite batch operation that copies activity or reflection: the index is dropped
    and created again (and refilled) after the block."""
    drop_index(op)
    yield
    create_index(op)


def is_index_table(name: str) -> bool:
    """The index's own tables (FTS5 keeps shadow tables named after it): no model declares them,
    so the models/migrations comparison leaves them out."""
    return name == TABLE or name.startswith(TABLE + "_")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's `include_object` hook (migrations/env.py and tests/test_migrations.py)."""
    return not (type_ == "table" and is_index_table(name))
