"""Account backups imported on the queue (cpd_log/background/), with progress in their ImportJob
row.

The request only streams the upload to the job's staging folder (UPLOAD_DIR/.imports/<random>/)
and returns a page that polls the job, so no request lives long enough for gunicorn's worker
timeout. A worker (any host's: the folder is on the shared UPLOAD_DIR) checks the archive
(archive_reader.py), imports it in one transaction (account_import.py), and only after the
commit moves the evidence files into the user's folder.

Progress is written in short transactions of its own. SQLite has a single writer: while the
import's transaction is open nobody else can write the job row, so on SQLite the page shows
"importing" without a count until the commit; PostgreSQL shows the count as it goes.

A killed worker leaves its job "checking" or "importing" and its staging folder. Its heartbeat
stops, so the next look at the job (`fail_if_worker_lost`, from its page) marks it failed after
QUEUE_STALE_SECONDS, saying so; `sweep` fails any such job left after STALE_SECONDS and removes the
folder (nothing was committed). A job that
committed but was killed before moving its files is finished by the sweep.
"""

import secrets
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select

from cpd_log.account import account_format, account_import, archive_reader
from cpd_log.account.codec import Notes
from cpd_log.account.evidence_transfer import EvidenceFiles
from cpd_log.account.transfer import BadFile
from cpd_log.account.upload_stream import UploadRefused, save_file
from cpd_log.background import queue
from cpd_log.evidence.services import used_bytes
from cpd_log.extensions import db
from cpd_log.models import ImportJob, User
from cpd_log.security_log import record_event

STALE_SECONDS = 30 * 60  # no progress for this long: the worker died
KEEP_SECONDS = 24 * 3600  # finished jobs' rows, for the page a user may come back to
PROGRESS_EVERY = 0.5  # seconds between progress writes
UPLOAD = "upload"
FILES = "files"
FORM_OVERHEAD = 64 * 1024  # the multipart form around the file: boundaries, the CSRF token
QUEUE_NAME = "account-import"
RUNNING = ("checking", "importing")
WORKER_LOST = "The worker importing this file stopped before it was done; nothing was imported."


def imports_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_DIR"]) / ".imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_folder() -> Path:
    """A fresh staging folder for one upload (its name is random)."""
    folder = imports_folder() / secrets.token_hex(16)
    (folder / FILES).mkdir(parents=True)
    return folder


def upload_limit(user) -> int:
    """What one upload may weigh: the remaining quota (as base64, which a version 1 JSON file
    holds) plus the JSON's own cap."""
    left = max(current_app.config["EVIDENCE_QUOTA_BYTES"] - used_bytes(user), 0)
    return current_app.config["ACCOUNT_IMPORT_JSON_MAX_BYTES"] + left * 4 // 3


def refuse_if_running(user) -> None:
    """One import at a time per account: two at once could both add what neither saw."""
    sweep()
    running = select(ImportJob.id).where(
        ImportJob.user_id == user.id, ImportJob.state.in_(("queued", "checking", "importing"))
    )
    if db.session.scalar(running.limit(1)) is not None:
        raise UploadRefused("An import into your account is already running. Wait for it to end.")


def accept_upload(open_body, headers: tuple, limit: int, check_fields) -> Path:
    """Stream the form's file to a new staging folder; returns the folder. `open_body()` gives
    the body stream (opened only once the declared length is known to fit), `headers` is
    (content type, content length). Raises UploadRefused, leaving no folder behind."""
    content_type, length = headers
    if length is not None and length > limit + FORM_OVERHEAD:
        raise UploadRefused(too_large(limit))
    folder = new_folder()
    try:
        save_file(open_body(), content_type, folder / UPLOAD, limit, check_fields)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def too_large(limit: int) -> str:
    return (
        f"The file is larger than the {limit // (1024 * 1024)} MB your remaining storage allows."
        " Delete some evidence first."
    )


def limits(user) -> archive_reader.Limits:
    config = current_app.config
    return archive_reader.Limits(
        quota_left=max(config["EVIDENCE_QUOTA_BYTES"] - used_bytes(user), 0),
        file_max=config["EVIDENCE_MAX_BYTES"],
        json_max=config["ACCOUNT_IMPORT_JSON_MAX_BYTES"],
        members_max=config["ACCOUNT_IMPORT_MAX_MEMBERS"],
    )


def start(user, folder: Path) -> ImportJob:
    """Create the job row (committed, so a worker sees it) and put it on the queue."""
    job = ImportJob(user_id=user.id, folder=folder.name)
    db.session.add(job)
    db.session.commit()
    queue.enqueue(QUEUE_NAME, job.id)
    return job


def fail_if_worker_lost(job: ImportJob) -> ImportJob:
    """Mark a checking or importing job failed when its worker stopped beating. Its staging
    folder goes with the next sweep; nothing was committed."""
    if job.state in RUNNING and queue.worker_lost(QUEUE_NAME, job.id, job.updated_at):
        with db.engine.begin() as connection:
            lost = connection.execute(
                ImportJob.__table__.update()
                .where(ImportJob.id == job.id, ImportJob.state == job.state)
                .values(state="failed", message=WORKER_LOST, updated_at=datetime.now(UTC))
            ).rowcount
        if lost:
            current_app.logger.warning("account import %s: its worker stopped", job.id)
        db.session.refresh(job)
    return job


def run(app: Flask, job_id: int) -> None:
    """Check, import, commit, move the files; or fail with the reason and change nothing."""
    with app.app_context():
        folder = None
        try:
            job = db.session.get(ImportJob, job_id)
            user = db.session.get(User, job.user_id)
            folder = imports_folder() / job.folder
            _import(job_id, user, folder)
        except BadFile as problem:
            db.session.rollback()
            _set(job_id, state="failed", message=f"Nothing was imported. {problem}")
        except Exception:
            current_app.logger.exception("account import %s failed", job_id)
            db.session.rollback()
            _set(job_id, state="failed", message="Something went wrong; nothing was imported.")
        finally:
            db.session.remove()
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)


def _import(job_id: int, user, folder: Path) -> None:
    report = _Progress(job_id, sqlite=db.engine.dialect.name == "sqlite")
    _set(job_id, state="checking")
    document, missing, manifest = archive_reader.read_upload(
        folder / UPLOAD, folder / FILES, limits(user), report.checking
    )
    account_format.check_document(document)
    notes = Notes()
    if manifest is not None:
        account_format.note_manifest(manifest, notes)
    files = EvidenceFiles(folder / FILES, missing)
    total = len(document.get("activities") or [])
    db.session.commit()  # end the read; the import's transaction starts with its first write
    _set(job_id, state="importing", done=0, total=total)
    counts = account_import.import_account(user, document, files, report.importing, notes)
    job = db.session.get(ImportJob, job_id)
    job.state, job.done, job.counts = "done", total, counts
    job.message = notes.summary()
    job.updated_at = datetime.now(UTC)
    db.session.commit()
    record_event("import.account", user_id=user.id, job_id=job_id, activities=counts["activities"])


class _Progress:
    """Throttled progress writes; none while SQLite's write lock is the import's."""

    def __init__(self, job_id: int, sqlite: bool):
        self.job_id, self.sqlite, self.last = job_id, sqlite, 0.0

    def checking(self, done: int, total: int) -> None:
        self._write(done=done, total=total)

    def importing(self, done: int) -> None:
        if not self.sqlite:
            self._write(done=done)

    def _write(self, **values) -> None:
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY:
            self.last = now
            _set(self.job_id, **values)


def _set(job_id: int, **values) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            ImportJob.__table__.update()
            .where(ImportJob.id == job_id)
            .values(updated_at=datetime.now(UTC), **values)
        )


def sweep() -> None:
    """Fail stale jobs, remove staging folders no live job uses and old
    finished rows. Runs before each new import; cheap when there is nothing to do."""
    now = datetime.now(UTC)
    live, finished = set(), set()
    for job in db.session.scalars(select(ImportJob)):
        updated = job.updated_at if job.updated_at.tzinfo else job.updated_at.replace(tzinfo=UTC)
        folder = imports_folder() / job.folder
        if job.state == "done" and folder.exists():
            finished.add(job.folder)
        elif job.state in ("queued", "checking", "importing"):
            if now - updated > timedelta(seconds=STALE_SECONDS):
                job.state, job.message = (
                    "failed",
                    "The import was interrupted; nothing was imported.",
                )
            else:
                live.add(job.folder)
        if job.state in ("done", "failed") and now - updated > timedelta(seconds=KEEP_SECONDS):
            db.session.delete(job)
    db.session.commit()
    for folder in imports_folder().iterdir():
        # An upload still streaming has no job yet: its folder is kept while it is written to.
        if folder.name in finished or (folder.name not in live and _idle(folder) > STALE_SECONDS):
            shutil.rmtree(folder, ignore_errors=True)


def _idle(folder: Path) -> float:
    """Seconds since anything was written in the folder (or to its upload)."""
    times = [p.stat().st_mtime for p in (folder, folder / UPLOAD) if p.exists()]
    return time.time() - max(times, default=0)


def status(job: ImportJob) -> dict:
    """What the progress page's script polls for."""
    return {
        "state": job.state,
        "done": job.done,
        "total": job.total,
        "message": job.message,
        "counts": job.counts if job.state == "done" else {},
    }
