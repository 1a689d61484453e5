"""A throwaway database per benchmark size, so N=500 and N=5,000 never share rows or caches."""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


@contextmanager
def fresh_database(server_url: str | None, label: str) -> Iterator[str]:
    """Yield the URL of an empty database, removed afterwards.

    No `server_url`: a SQLite file in a temporary directory. A PostgreSQL URL: a new database
    `cpd_bench_<pid>_<label>` on that server, created and dropped through the URL's own database
    (CREATE DATABASE cannot run inside a transaction, hence autocommit).
    """
    if server_url is None:
        with tempfile.TemporaryDirectory(prefix="cpd_bench_") as tmp:
            yield f"sqlite:///{os.path.join(tmp, 'bench.sqlite')}"
        return

    url = make_url(server_url)
    if url.get_backend_name() != "postgresql":
        raise SystemExit(f"--database-url must be a PostgreSQL URL, not {url.get_backend_name()}")
    name = f"cpd_bench_{os.getpid()}_{label}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            # FORCE: a connection the app's pool still holds must not keep the database alive.
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
