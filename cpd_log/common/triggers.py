"""What every trigger module writes alike: a PostgreSQL statement-level trigger and its plpgsql
function, and the statements that drop a trigger (cpd_log/page_cache_triggers.py,
cpd_log/aggregates/triggers.py, cpd_log/schemes/kept_triggers.py). Pure Python: the migrations
import those modules, so no Flask and no SQLAlchemy here."""


def statement_trigger(name: str, table: str, event: str, referencing: str, body: str) -> list[str]:
    """PostgreSQL: the function `name()` running the plpgsql `body` ("BEGIN … END"), and the
    trigger calling it once per `event` statement on `table`, with its transition tables."""
    return [
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ {body} $$",
        f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} "
        f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
    ]


def drop_trigger(name: str, table: str, dialect: str) -> list[str]:
    """The trigger `name` on `table` gone (and on PostgreSQL its function), if it exists."""
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]
    return [f"DROP TRIGGER IF EXISTS {name}"]
