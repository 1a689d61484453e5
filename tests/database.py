"""Scratch databases for a test run: a SQLite file, or a new PostgreSQL database dropped after."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import uuid4

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.parallel import WORKER

# Set to a PostgreSQL URL to run the suite there, e.g.
# postgresql+psycopg://postgres@127.0.0.1:5432/test (the database only serves to CREATE another).
TEST_DATABASE_URL = os.environ.get("CPD_LOG_TEST_DATABASE_URL", "")


@contextmanager
def scratch_database(folder: Path) -> Iterator[str]:
    """A new, empty database for this run; never one another run (or a person) uses. Each xdist
    worker is its own process, so its databases are its own (named after it, e.g. `_gw1_`)."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{folder / f'{uuid4().hex}.sqlite'}"
        return
    url = make_url(TEST_DATABASE_URL)
    worker = f"{WORKER}_" if WORKER else ""
    name = f"cpd_log_test_{worker}{os.getpid()}_{uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    # An unreachable server raises here: the run errors instead of silently testing SQLite.
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        # Every session on it, a subprocess's too, commits without waiting for the WAL flush
        # (1–2 ms a commit on these disks). Only a crash of the server could lose a commit: a
        # scratch database has nothing to keep, and locking and visibility are unchanged.
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
