"""The housekeeping sweep: expired export jobs and their files, files no row names, expired import
batches; from the command line (a real `flask` process) and now and then inside the app."""

import os
import secrets
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from cpd_log import housekeeping
from cpd_log.documents import job_files, jobs
from cpd_log.extensions import db
from cpd_log.models import ExportJob, ImportBatch
from tests import factories
from tests.evidence import samples
from tests.imports.helpers import make_batch
from tests.portfolio.builders import make_finished_job, make_portfolio

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _files() -> set[str]:
    return {path.name for path in job_files.export_folder().iterdir()}


def _job_count() -> int:
    return db.session.scalar(select(func.count(ExportJob.id)))


def test_sweep_removes_expired_jobs_and_their_files(user):
    portfolio = make_portfolio(user)
    old = make_finished_job(portfolio, created_at=NOW, expires_at=NOW + jobs.KEEP)
    later = NOW + timedelta(minutes=30)
    new = make_finished_job(portfolio, kind="zip", created_at=later, expires_at=later + jobs.KEEP)
    old_name, new_name = old.file_name, new.file_name

    assert housekeeping.sweep(now=NOW + timedelta(minutes=59))["expired export jobs"] == 0
    assert _files() == {old_name, new_name} and _job_count() == 2

    done = housekeeping.sweep(now=NOW + timedelta(minutes=61))
    assert done["expired export jobs"] == 1
    assert _files() == {new_name} and _job_count() == 1

    assert housekeeping.sweep(now=NOW + timedelta(hours=2))["expired export jobs"] == 1
    assert _files() == set() and _job_count() == 0


def test_sweep_removes_files_no_row_names_after_a_grace(user):
    job = make_finished_job(make_portfolio(user), expires_at=NOW + timedelta(days=1))
    folder = job_files.export_folder()
    stray = [folder / "0123abcd.pdf", folder / "4567cdef.part"]  # a killed render, a lost row
    for path in [*stray, job_files.job_path(job)]:
        path.write_bytes(b"old bytes")
        os.utime(path, (NOW.timestamp(), NOW.timestamp()))

    kept = housekeeping.sweep(now=NOW + timedelta(minutes=30))
    assert kept["unnamed export files"] == 0 and len(_files()) == 3
    swept = housekeeping.sweep(now=NOW + timedelta(hours=2))
    assert swept["unnamed export files"] == 2
    assert _files() == {job.file_name}  # named by a live row: kept, however old the file


def test_sweep_removes_expired_import_batches(user, other_user):
    make_batch(user, expires_in=timedelta(hours=-1))
    make_batch(other_user, expires_in=timedelta(hours=-2))
    live = make_batch(user, expires_in=timedelta(hours=1))
    done = housekeeping.sweep()
    assert done["expired import batches"] == 2
    assert list(db.session.scalars(select(ImportBatch.id))) == [live.id]


def test_a_failing_step_does_not_stop_the_others(user, monkeypatch, caplog):
    def broken(now):
        raise RuntimeError("disk on fire")

    steps = [housekeeping.Step("broken", broken), *housekeeping.STEPS]
    monkeypatch.setattr(housekeeping, "STEPS", steps)
    make_batch(user, expires_in=timedelta(hours=-1))
    done = housekeeping.sweep()
    assert done["broken"] is None and done["expired import batches"] == 1
    assert "disk on fire" in caplog.text


def test_the_sweep_command_runs_as_the_readme_says(app, database_url, upload_dir, user):
    """`flask --app cpd_log sweep` in its own process, configured from the environment only."""
    past = datetime.now(UTC) - timedelta(hours=2)
    expired = make_finished_job(make_portfolio(user), created_at=past, expires_at=past + jobs.KEEP)
    current = make_finished_job(make_portfolio(user, title="Current"))
    stray = job_files.export_folder() / "feedface.pdf"
    stray.write_bytes(b"left behind")
    os.utime(stray, (past.timestamp(), past.timestamp()))
    expired_id, current_name = expired.id, current.file_name
    db.session.close()

    env = {
        "PATH": os.environ["PATH"],
        "CPD_LOG_CONFIG": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "UPLOAD_DIR": str(upload_dir),
    }
    flask = Path(sys.executable).parent / "flask"
    done = subprocess.run(
        [str(flask), "--app", "cpd_log", "sweep"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "expired export jobs: 1" in done.stdout
    assert "unnamed export files: 1" in done.stdout
    assert "expired import batches: 0" in done.stdout
    assert _files() == {current_name}
    assert db.session.get(ExportJob, expired_id) is None


def test_each_process_sweeps_now_and_then_without_a_request_waiting(app_factory, tmp_path, user):
    app = app_factory(UPLOAD_DIR=str(tmp_path / "uploads"), HOUSEKEEPING_EVERY_MINUTES=10)
    with app.app_context():
        past = datetime.now(UTC) - timedelta(hours=2)
        first = make_finished_job(make_portfolio(user), expires_at=past).id
        client = app.test_client()
        assert client.get("/account/login").status_code == 200
        _wait_for_sweep()
        assert _files() == set() and db.session.get(ExportJob, first) is None

        second = make_finished_job(make_portfolio(user), expires_at=past)
        assert client.get("/account/login").status_code == 200
        _wait_for_sweep()
        assert _files() == {second.file_name}, "swept again within ten minutes"


def _wait_for_sweep() -> None:
    deadline = time.monotonic() + 30
    for thread in threading.enumerate():
        if thread.name == "housekeeping":
            thread.join(timeout=max(deadline - time.monotonic(), 0))
    db.session.rollback()  # see what the sweep committed


def test_sweep_removes_evidence_files_no_row_names_after_the_grace(user, upload_dir):
    """A killed upload's file (no row names it) goes once it is older than ORPHAN_GRACE before
    `now`; a file a row names stays whatever its age."""
    activity = factories.make_activity(user)
    kept = samples.make_evidence(user, activity, b"notes kept", "kept.txt")
    db.session.commit()
    folder = upload_dir / str(user.id)
    orphan = folder / ("ab" * 32)
    orphan.write_bytes(b"x" * 10)
    named = {path.name for path in folder.iterdir()} - {orphan.name}
    assert kept.sha256 in named

    young = datetime.now(UTC) + housekeeping.ORPHAN_GRACE - timedelta(minutes=1)
    assert housekeeping.sweep(now=young)["orphan evidence files"] == 0
    assert orphan.exists()
    later = datetime.now(UTC) + housekeeping.ORPHAN_GRACE + timedelta(minutes=1)
    assert housekeeping.sweep(now=later)["orphan evidence files"] == 1
    assert {path.name for path in folder.iterdir()} == named
