"""SQL text helpers."""

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def escape_like(text: str) -> str:
    """`text` as a literal inside a LIKE pattern, for use with `escape="\\\\"`."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class year_month(FunctionElement):  # noqa: N801 (a SQL function, named like one)
    """SQL: a date's "YYYY-MM"."""

    type = String()
    inherit_cache = True


@compiles(year_month)
def _year_month(element, compiler, **kw) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


@compiles(year_month, "sqlite")
def _year_month_sqlite(element, compiler, **kw) -> str:
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 7)"
