"""Full-text search over activities: one index, one service.

- words.py: what a person types, read as words (never as a query language) and turned into an
  FTS5 MATCH string or a PostgreSQL tsquery.
- index.py: the index itself and the triggers that keep it right whoever writes (the ORM, a bulk
  `INSERT … SELECT`, trash and undo, a reflection edited, an account restored or deleted). SQLite:
  an FTS5 table; PostgreSQL: a tsvector per activity with a GIN index.
- services.py: `search_activities(query, text, ranked)`, the hook the activity list (and every
  query built on it: bulk actions over "all matching") uses for its `q` filter.
"""
