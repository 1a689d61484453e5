"""Other users keep saving while a large spreadsheet import runs (issue 10, defect 7).

On SQLite one transaction at a time may write, and another waits at most the busy timeout (5 s)
before "database is locked" (a 500). The import used to hold the write lock from its first
statement to its commit, through seconds of row checking; now it writes in short transactions
(cpd_log/imports/staging.py). Here a 20,000-row CSV (the largest allowed) is uploaded, previewed
and imported by one user while writer processes (tests/imports/writer_probe.py, as gunicorn
workers would) save activities for other users the whole time; every save must succeed and
the p99 wait stay far below the timeout, and no import transaction may hold the lock while
Python works. Runs on PostgreSQL too (CPD_LOG_TEST_DATABASE_URL), where row locks never block
these writers.
"""

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import IntegrityError

from cpd_log.extensions import db
from cpd_log.imports import services, staging
from cpd_log.imports.columns import suggest_mapping
from cpd_log.imports.views import DEFAULTS
from cpd_log.models import Activity, ImportBatch, ImportRow
from tests import factories
from tests.imports.test_hostile_uploads import upload_sheet
from tests.imports.test_sheets import mapping_form

ROOT = Path(__file__).resolve().parents[2]
ROWS = 20_000  # the most a spreadsheet may hold (sheets.MAX_ROWS)
WRITERS = 4
# Seconds; the busy timeout is 5. Half of it: a wait that long means a writer came near failing.
# Unloaded the p99 is ≈0.1 s; with other test suites on the same 2 cores it reached 1.2 s.
P99_LIMIT = 2.5
# Seconds; the one all-or-nothing INSERT of 20,000 rows takes ≈0.2 s unloaded, 1.6 s seen loaded.
LONGEST_WRITE = 2.5
# Before the fix the upload's transaction held the lock while 20,000 rows were checked in Python
# (0.3–1 s, with the machine's load); now only chunk parameters are prepared under it.
PYTHON_UNDER_LOCK = 0.15


def big_csv(rows: int) -> bytes:
    lines = ["title,date,hours,provider,description"]
    lines += [f"Course {n},2026-01-{1 + n % 28:02d},1.5,PMI,Row {n}" for n in range(rows)]
    return ("\r\n".join(lines) + "\r\n").encode()


def start_writers(url: str, emails: list[str], stop: Path) -> list[subprocess.Popen]:
    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.imports.writer_probe", url, email, str(stop)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for email in emails
    ]
    for writer in writers:
        assert writer.stdout.readline().strip() == "ready"
    return writers


def collect(writers: list[subprocess.Popen]) -> list[tuple[float, int]]:
    saves = []
    for writer in writers:
        out, _ = writer.communicate(timeout=120)
        saves += [tuple(save) for save in json.loads(out.strip().splitlines()[-1])]
    return saves


@dataclass
class Transaction:
    held: float = 0.0  # first write to commit: on SQLite, how long the write lock was held
    in_database: float = 0.0  # of which spent executing statements

    @property
    def in_python(self) -> float:
        """Lock held while Python worked (checking rows, building values): what must not be."""
        return self.held - self.in_database


@contextmanager
def write_transactions() -> Iterator[list[Transaction]]:
    """Each write transaction of this process (the importer's), timed."""
    opened: dict[int, tuple[float, Transaction]] = {}
    running: dict[int, float] = {}
    done: list[Transaction] = []

    def before(conn, _cursor, statement, *_args) -> None:
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            opened.setdefault(id(conn), (time.perf_counter(), Transaction()))
        running[id(conn)] = time.perf_counter()

    def after(conn, *_args) -> None:
        started = running.pop(id(conn), None)
        if id(conn) in opened and started is not None:
            opened[id(conn)][1].in_database += time.perf_counter() - started

    def ended(conn) -> None:
        if id(conn) in opened:
            began, transaction = opened.pop(id(conn))
            transaction.held = time.perf_counter() - began
            done.append(transaction)

    listeners = [
        ("before_cursor_execute", before),
        ("after_cursor_execute", after),
        ("commit", ended),
        ("rollback", ended),
    ]
    for name, listener in listeners:
        event.listen(db.engine, name, listener)
    try:
        yield done
    finally:
        for name, listener in listeners:
            event.remove(db.engine, name, listener)


@pytest.mark.serial  # p99 waits and time under the lock: no other worker's load beside it
def test_other_users_save_while_the_largest_import_runs(app, login_as, database_url, tmp_path):
    importer = factories.make_user(email="importer@example.com")
    emails = [factories.make_user(email=f"w{n}@example.com").email for n in range(WRITERS)]
    importer_id = importer.id
    db.session.commit()
    importing = login_as(app.test_client(), importer)
    stop = tmp_path / "stop"
    writers = start_writers(database_url, emails, stop)
    try:
        time.sleep(0.5)
        with write_transactions() as transactions:
            location = upload_sheet(importing, big_csv(ROWS), "big.csv").headers["Location"]
            headers = ["title", "date", "hours", "provider", "description"]
            form = mapping_form(suggest_mapping(headers), commit="1")
            response = importing.post(location, data=form)
        assert response.status_code == 302, response.data.decode()[-2000:]
        time.sleep(0.5)
    finally:
        stop.touch()
        results = collect(writers)
    waits = sorted(wait for wait, _status in results)
    statuses = [status for _wait, status in results]
    p99 = waits[int(len(waits) * 0.99) - 1]
    print(
        f"\n{len(results)} saves by {WRITERS} writers: "
        f"failed {sum(s != 302 for s in statuses)}, median {statistics.median(waits):.3f} s, "
        f"p99 {p99:.3f} s, max {waits[-1]:.3f} s; the import's {len(transactions)} write "
        f"transactions: longest {max(t.held for t in transactions):.3f} s, "
        f"total {sum(t.held for t in transactions):.3f} s, longest Python work under the lock "
        f"{max(t.in_python for t in transactions):.3f} s"
    )
    db.session.rollback()
    imported = db.session.scalar(
        select(func.count()).select_from(Activity).where(Activity.user_id == importer_id)
    )
    saved = db.session.scalar(
        select(func.count()).select_from(Activity).where(Activity.user_id != importer_id)
    )
    assert imported == ROWS
    assert set(statuses) == {302} and saved == len(results) + WRITERS  # and the warm-ups
    assert p99 < P99_LIMIT
    if db.engine.dialect.name == "sqlite":  # PostgreSQL locks rows: a long INSERT blocks no one
        assert max(t.held for t in transactions) < LONGEST_WRITE
        assert max(t.in_python for t in transactions) < PYTHON_UNDER_LOCK


def staged_batch(user, rows: int):
    headers = ["title", "date", "hours", "provider", "description"]
    lines = big_csv(rows).decode().splitlines()[1:]
    payload = {"headers": headers, "rows": [line.split(",") for line in lines]}
    batch = services.store_batch(user, "spreadsheet", "big.csv", payload, headers)
    db.session.commit()
    return batch, suggest_mapping(headers)


def test_interrupted_staging_is_staged_again_never_previewed_half(app, user):
    batch, mapping = staged_batch(user, 2 * staging.STAGE_CHUNK + 500)
    steps = staging.ensure_staged(user, batch, mapping, DEFAULTS)
    for _ in range(2):  # the clearing step and the first chunk, then the request dies
        next(steps)
        db.session.commit()
    steps.close()
    db.session.expire_all()
    assert batch.mapping is None
    for _ in staging.ensure_staged(user, batch, mapping, DEFAULTS):
        db.session.commit()
    assert staging.staged_report(batch.id).total == 2 * staging.STAGE_CHUNK + 500


def test_an_import_that_fails_half_way_leaves_nothing(app, user):
    batch, mapping = staged_batch(user, 3000)
    for _ in staging.ensure_staged(user, batch, mapping, DEFAULTS):
        db.session.commit()
    # A row the database refuses (minutes below 0), as a later row failing mid-INSERT would.
    db.session.execute(update(ImportRow).where(ImportRow.number == 2500).values(minutes=-1))
    db.session.commit()
    with pytest.raises(IntegrityError):
        staging.import_staged(user, batch.id, include_duplicates=False)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 0
    assert not services.is_expired(db.session.get(ImportBatch, batch.id))  # can be retried
