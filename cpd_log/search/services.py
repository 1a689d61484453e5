"""The one search over activities: `search_activities` narrows an activity query to those the
text finds, and says how to order them best match first.

The owner filter is the caller's (`owned()`); the SQLite index is also asked for the owner's rowid
range only (index.py), so a search reads that user's postings of its words, not everyone's, and
nothing per activity the user has.
"""

from typing import NamedTuple

from sqlalchemy import Select, column, func, literal_column, select, table
from sqlalchemy.sql.elements import ColumnElement

from cpd_log.models import Activity
from cpd_log.search.index import COLUMNS, OWNER_SPAN, TABLE, plain_letters
from cpd_log.search.words import fts5_match, words

_fts = table(TABLE, column("rowid"), column("rank"))
_pg = table(TABLE, column("activity_id"), column("document"))


class Search(NamedTuple):
    query: Select  # the activity query, narrowed to what the text finds
    best_first: tuple[ColumnElement, ...]  # ORDER BY for "best match first"


def search_activities(
    query: Select, owner_id: int, text: str, dialect: str, ranked: bool = True
) -> Search:
    """Narrow `query` (an activity query, already the owner's) to the activities `text` finds.
    Text with no word in it (only punctuation, say) finds nothing. `ranked=False` when another
    order is chosen: SQLite then skips bm25, most of a search's cost per match."""
    found = words(text)
    if not found:
        return Search(query.where(literal_column("1") == 0), ())
    if dialect == "postgresql":
        return _postgresql(query, found)
    return _sqlite(query, owner_id, found, ranked)


def _sqlite(query: Select, owner_id: int, found: list[str], ranked: bool) -> Search:
    # Materialised first: joined as a plain table, SQLite may run the MATCH once per activity.
    first = owner_id * OWNER_SPAN
    columns = [(_fts.c.rowid - first).label("activity_id")]
    columns += [_fts.c.rank.label("rank")] if ranked else []
    hits = (
        select(*columns)
        .where(literal_column(TABLE).op("MATCH")(fts5_match(found, COLUMNS)))
        .where(_fts.c.rowid.between(first + 1, first + OWNER_SPAN - 1))
        .cte("search_hits")
        .prefix_with("MATERIALIZED")
    )
    query = query.join(hits, hits.c.activity_id == Activity.id)
    # bm25 is negative, lower is better.
    return Search(query, (hits.c.rank.asc(), Activity.id.desc()) if ranked else ())


def _tsquery(found: list[str]) -> ColumnElement:
    """Every word, stemmed or as the start of a word as written. Each word is quoted as a lexeme
    (it holds only letters and digits), so to_tsquery reads no operator from it."""
    english = literal_column("'english'::regconfig")
    simple = literal_column("'simple'::regconfig")
    parts = [
        func.to_tsquery(english, f"'{word}'").op("||")(func.to_tsquery(simple, f"'{word}':*"))
        for word in map(plain_letters, found)
    ]
    combined = parts[0]
    for part in parts[1:]:
        combined = combined.op("&&")(part)
    return combined


def _postgresql(query: Select, found: list[str]) -> Search:
    tsquery = _tsquery(found)
    query = query.join(_pg, _pg.c.activity_id == Activity.id).where(
        _pg.c.document.op("@@")(tsquery)
    )
    rank = func.ts_rank(_pg.c.document, tsquery)
    return Search(query, (rank.desc(), Activity.id.desc()))
