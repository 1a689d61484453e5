"""The database in a backup: a consistent snapshot with its facts, and the restore, per engine.

SQLite: the online backup API copies the database in one step inside one read transaction, so
the copy is consistent while the app keeps writing (WAL: readers never block writers).
PostgreSQL: a REPEATABLE READ transaction exports its snapshot; pg_dump dumps that snapshot and
the manifest's counts are read from the same one, so they describe exactly what was dumped.
psycopg is imported where a connection is made, not at start-up: most processes never back up.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask
from sqlalchemy.engine import make_url

from cpd_log.extensions import db
from cpd_log.models import Activity, Evidence, User

if TYPE_CHECKING:
    import psycopg

# The counts printed and written to the manifest: one home for which tables they are.
COUNTED = {
    "users": User.__tablename__,
    "activities": Activity.__tablename__,
    "evidence": Evidence.__tablename__,
}
_DUMP_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ")


class DatabaseError(Exception):
    """The database cannot be backed up or restored as asked (the message says why)."""


@dataclass
class Facts:
    revision: str
    counts: dict[str, int]
    stored_files: list[tuple[int, str]]  # (user id, sha256) of every evidence file row


def read_facts(connection) -> Facts:
    """Works on a sqlite3 or a psycopg connection (plain SQL, no parameters)."""
    import psycopg

    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except (sqlite3.Error, psycopg.Error):
        raise DatabaseError(
            "the database has no schema yet (run `flask --app cpd_log db upgrade`)."
        ) from None
    counts = {
        key: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
        for key, table in COUNTED.items()
    }
    files = connection.execute(
        "SELECT DISTINCT user_id, sha256 FROM evidence WHERE sha256 IS NOT NULL ORDER BY 1, 2"
    ).fetchall()
    return Facts(row[0] if row else "", counts, [tuple(f) for f in files])


def for_app(app: Flask) -> SqliteDatabase | PostgresDatabase:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    backend = url.get_backend_name()
    if backend == "sqlite":
        return SqliteDatabase(url, app.config.get("SQLITE_BUSY_TIMEOUT_MS", 5000) / 1000)
    if backend == "postgresql":
        return PostgresDatabase(url, app.config.get("PG_BIN_DIR") or "")
    raise DatabaseError(f"backup supports SQLite and PostgreSQL, not {backend}.")


def holds_data() -> int:
    """How many tables of the app's database hold rows (the Alembic version table aside)."""
    from sqlalchemy import inspect, text

    try:
        with db.engine.connect() as connection:
            tables = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
            quoted = [connection.dialect.identifier_preparer.quote(t) for t in tables]
            return sum(
                1
                for name in quoted
                if connection.execute(text(f"SELECT 1 FROM {name} LIMIT 1")).first()  # noqa: S608
            )
    finally:
        db.engine.dispose()  # a pooled connection would count as "the app has it open"


class SqliteDatabase:
    kind = "sqlite"

    def __init__(self, url, timeout: float):
        if not url.database or url.database == ":memory:":
            raise DatabaseError("an in-memory SQLite database cannot be backed up or restored.")
        self.path = Path(url.database).absolute()
        self.timeout = timeout

    def snapshot(self, into: Path) -> Facts:
        if not self.path.exists():
            raise DatabaseError(f"the database file {self.path} does not exist.")
        source = sqlite3.connect(self.path, timeout=self.timeout)
        copy = sqlite3.connect(into)
        try:
            source.backup(copy)  # pages=-1: one step, one consistent read transaction
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
            return self.check(copy)
        finally:
            copy.close()
            source.close()

    def check(self, connection: sqlite3.Connection) -> Facts:
        result = connection.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise DatabaseError(f"the SQLite database fails its integrity check: {result}")
        return read_facts(connection)

    def check_staged(self, staged: Path) -> list[str]:
        connection = sqlite3.connect(f"file:{staged}?mode=ro", uri=True)
        try:
            self.check(connection)
        finally:
            connection.close()
        return []

    def facts(self) -> Facts:
        connection = sqlite3.connect(self.path, timeout=self.timeout)
        try:
            return read_facts(connection)
        finally:
            connection.close()

    def check_free(self) -> None:
        """Refuse early (before any copying) when the app still has the database open."""
        if self.path.exists():
            self._leave_wal()

    def install(self, staged: Path, _extra_tables: list[str]) -> None:
        """Move the copy beside the database file, then replace the file in one rename."""
        db.engine.dispose()  # this process's own connections
        self.path.parent.mkdir(parents=True, exist_ok=True)
        beside = self.path.with_name(f".{self.path.name}.restore-{secrets.token_hex(4)}")
        shutil.move(staged, beside)
        try:
            if self.path.exists():
                self._leave_wal()
            os.replace(beside, self.path)
        finally:
            beside.unlink(missing_ok=True)

    def _leave_wal(self) -> None:
        """Fold the WAL into the old file and switch it out of WAL, so no stale -wal is applied
        to the new file. SQLite allows that only with no other connection open: an app still
        serving this database refuses the restore here."""
        connection = sqlite3.connect(self.path, timeout=self.timeout)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            mode = connection.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        except sqlite3.OperationalError:
            mode = "busy"
        finally:
            connection.close()
        if mode != "delete":
            raise DatabaseError(
                f"{self.path} is open in another process: stop the app, then restore again."
            )


class PostgresDatabase:
    kind = "postgresql"

    def __init__(self, url, bin_dir: str):
        # libpq's URL: no SQLAlchemy driver suffix; the password goes in PGPASSWORD, not argv.
        self.dsn = url.set(drivername="postgresql", password=None).render_as_string()
        self.env = {**os.environ, **({"PGPASSWORD": str(url.password)} if url.password else {})}
        self.password = url.password
        self.bin_dir = bin_dir

    def _connect(self) -> psycopg.Connection:
        import psycopg

        extra = {"password": self.password} if self.password else {}
        return psycopg.connect(self.dsn, **extra)

    def _run(self, tool: str, *args: str) -> str:
        program = str(Path(self.bin_dir) / tool) if self.bin_dir else shutil.which(tool)
        if not program:
            raise DatabaseError(
                f"{tool} was not found: install the PostgreSQL client (same major version as "
                "the server, or newer) or set PG_BIN_DIR."
            )
        done = subprocess.run(  # noqa: S603 - fixed program, arguments are not shell-parsed
            [program, *args], env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode:
            raise DatabaseError(f"{tool} failed: {done.stderr.strip()[-2000:]}")
        return done.stdout

    def snapshot(self, into: Path) -> Facts:
        import psycopg

        with self._connect() as connection:
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            connection.read_only = True
            name = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
            facts = read_facts(connection)
            # The exporting transaction stays open until pg_dump has used the snapshot.
            self._run(
                "pg_dump", "--format=custom", f"--snapshot={name}", f"--file={into}",
                "--no-password", f"--dbname={self.dsn}",
            )  # fmt: skip
            connection.rollback()
        return facts

    def check_staged(self, staged: Path) -> list[str]:
        """List the dump (pg_restore reads its table of contents); return the target's tables
        the dump does not have."""
        listing = self._run("pg_restore", "--list", str(staged))
        dumped = {m.group(2) for line in listing.splitlines() if (m := _DUMP_TABLE.match(line))}
        with self._connect() as connection:
            present = connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            ).fetchall()
        return sorted(name for (name,) in present if name not in dumped)

    def facts(self) -> Facts:
        with self._connect() as connection:
            return read_facts(connection)

    def check_free(self) -> None:
        """Other sessions may stay connected: pg_restore's single transaction waits for locks."""

    def install(self, staged: Path, extra_tables: list[str]) -> None:
        """Tables a newer schema added go first (they could reference the dump's tables); then
        pg_restore replaces every object of the dump in one transaction."""
        from psycopg import sql

        db.engine.dispose()
        if extra_tables:
            with self._connect() as connection:
                for name in extra_tables:
                    drop = sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(sql.Identifier(name))
                    connection.execute(drop)
        self._run(
            "pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
            "--single-transaction", "--exit-on-error", "--no-password",
            f"--dbname={self.dsn}", str(staged),
        )  # fmt: skip
