"""Large imports on the queue (cpd_log/background/), with progress in their batch row.

A calendar of more than IMPORT_BACKGROUND_AT events is kept as it was uploaded (its bytes, in the
batch's payload) and read by a job (`ics.read_calendar`, with its budgets): step "read". The
request answers with the progress page; once read, the batch holds the events as one read in the
request would, and the page moves on to the events to choose from; a file that cannot be read ends
failed with the reason, which the upload page shows (nothing was stored but the upload).

A spreadsheet of more than IMPORT_BACKGROUND_AT rows is parsed (with its budgets) and stored in
the request, as every upload is: the rows live in the batch's payload, in the database, so any
host's worker reads them. What grows with the file is then a job: checking every row and staging
it (`staging.ensure_staged`, chunked) after the upload or a new column mapping, and the import
itself (`staging.import_staged`, one transaction). The request answers at once with a page that
polls the batch's status (`status`) and moves on to the preview when staging is done.

The guarantees are staging.py's: staging commits chunk by chunk and counts as done only once its
mapping is recorded, so a killed or failed staging is redone at the next preview; the import is
one transaction that also marks the batch done (expired, with the message the page shows), so a
failure half-way leaves nothing and the Import button tries again. A job whose worker died (no
heartbeat for QUEUE_STALE_SECONDS) is marked failed, saying so, by the next look at its page.
"""

import base64
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from cpd_log.background import queue
from cpd_log.extensions import db
from cpd_log.imports import staging
from cpd_log.imports.bulk import gc_paused
from cpd_log.imports.rows import Defaults
from cpd_log.models import ActivityKind, Delivery, ImportBatch, User

QUEUE_NAME = "import-batch"
RUNNING = ("queued", "reading", "staging", "importing")
FAILED = "Something went wrong; nothing was imported. Try again."
WORKER_LOST = (
    "The worker handling this file stopped before it was done; nothing was imported. Try again."
)

NOT_QUEUED = "The background worker could not be reached; nothing was imported. Try again."


def in_background(rows: int) -> bool:
    """Whether a spreadsheet of this many rows (or a calendar of this many events) is handled
    by a worker."""
    return rows > current_app.config["IMPORT_BACKGROUND_AT"]


def calendar_payload(data: bytes) -> dict:
    """What a calendar read by a worker keeps until then: the file's bytes, as uploaded."""
    return {"ics": base64.b64encode(data).decode("ascii")}


def start_reading(batch: ImportBatch, zone: ZoneInfo, window: tuple[date, date]) -> None:
    """Queue the reading of a calendar batch, in the user's zone and window of the upload."""
    start(batch, "read", [zone.key, window[0].isoformat(), window[1].isoformat()], total=1)


def _defaults(kept: list) -> tuple[dict, Defaults]:
    mapping, kind, delivery, minutes, date_order = kept
    return mapping, Defaults(ActivityKind(kind), Delivery(delivery), minutes, date_order)


def start(
    batch: ImportBatch, step: str, kept: list, duplicates: bool = False, total: int | None = None
) -> None:
    """Commit the batch as queued for this step (so a worker sees it) and put it on the queue."""
    batch.job_state, batch.job_message = "queued", ""
    batch.job = {"step": step, "signature": kept, "duplicates": duplicates}
    batch.job_done = 0
    if total is not None:
        batch.job_total = total
    else:  # a spreadsheet's rows, read once, at the upload
        batch.job_total = batch.job_total or len(batch.payload["rows"])
    batch.job_updated_at = datetime.now(UTC)
    batch_id = batch.id
    db.session.commit()
    try:
        queue.enqueue(QUEUE_NAME, batch_id)
    except Exception:  # noqa: BLE001 - the queue's storage did not answer: say so, never a 500
        current_app.logger.exception("spreadsheet import %s: not queued", batch_id)
        _set(batch_id, ("queued",), job_state="failed", job_message=NOT_QUEUED)


def run(app: Flask, batch_id: int) -> None:
    """Stage or import the batch as its `job` says; failed, with the reason, on any error."""
    with app.app_context(), gc_paused():
        try:
            batch = db.session.get(ImportBatch, batch_id)
            if batch is None or batch.job_state != "queued":
                return  # discarded meanwhile, or given up as lost
            if batch.job["step"] == "read":
                _read(batch)
                return
            user = db.session.get(User, batch.user_id)
            mapping, defaults = _defaults(batch.job["signature"])
            if batch.job["step"] == "stage":
                _stage(user, batch, mapping, defaults)
            else:
                _import(user, batch, mapping, defaults, batch.job["duplicates"])
        except Exception:
            current_app.logger.exception("spreadsheet import %s failed", batch_id)
            db.session.rollback()
            _set(batch_id, RUNNING, job_state="failed", job_message=FAILED)
        finally:
            db.session.remove()


def _read(batch: ImportBatch) -> None:
    """Read the calendar as the upload would have; a file it refuses ends failed, saying why."""
    from cpd_log.imports import ics  # icalendar loads with the first calendar, not at start-up

    batch_id = batch.id
    if not _set(batch_id, ("queued",), job_state="reading"):
        return
    zone, first, last = batch.job["signature"]
    data = base64.b64decode(batch.payload["ics"])
    try:
        read = ics.read_calendar(
            data, ZoneInfo(zone), (date.fromisoformat(first), date.fromisoformat(last))
        )
        ics.check_some_events(read)
    except ics.CalendarError as error:
        _set(batch_id, ("reading",), job_state="failed", job_message=str(error))
        return
    # Read: the events take the bytes' place, and the batch is an ordinary calendar preview.
    _set(batch_id, ("reading",), job_state=None, payload=ics.batch_payload(read), job_done=1)


def _stage(user, batch: ImportBatch, mapping: dict, defaults: Defaults) -> None:
    batch_id = batch.id
    _set(batch_id, ("queued",), job_state="staging")
    done = 0
    for _ in staging.ensure_staged(user, batch, mapping, defaults):
        db.session.commit()
        done = min(done + staging.STAGE_CHUNK, batch.job_total)
        _set(batch_id, ("staging",), job_done=done)
    _set(batch_id, ("staging",), job_state=None, job_done=batch.job_total)


def _import(user, batch: ImportBatch, mapping: dict, defaults: Defaults, duplicates: bool) -> None:
    batch_id = batch.id
    _set(batch_id, ("queued",), job_state="importing")
    for _ in staging.ensure_staged(user, batch, mapping, defaults):  # the log may have changed
        db.session.commit()
    report = staging.staged_report(batch_id)
    if report.errors:
        message = f"Nothing was imported: {report.errors} row(s) have errors."
        _set(batch_id, ("importing",), job_state="failed", job_message=message)
        return
    count = staging.import_staged(user, batch_id, duplicates)
    batch = db.session.get(ImportBatch, batch_id)
    batch.job_state, batch.job_done = "done", batch.job_total
    batch.job_message = imported_message(count, report.total - count)
    batch.job_updated_at = datetime.now(UTC)
    db.session.commit()  # the import and its "done": one transaction, all or nothing
    for _ in staging.clear_rows(batch_id):
        db.session.commit()


def _set(batch_id: int, only_in: tuple, **values) -> bool:
    """Update the batch's job in a transaction of its own, only while in one of the states
    `only_in`; False when the batch is gone or moved on."""
    update = (
        ImportBatch.__table__.update()
        .where(ImportBatch.id == batch_id, ImportBatch.job_state.in_(only_in))
        .values(job_updated_at=datetime.now(UTC), **values)
    )
    with db.engine.begin() as connection:
        return connection.execute(update).rowcount > 0


def fail_if_worker_lost(batch: ImportBatch) -> ImportBatch:
    """Mark a staging or importing batch failed when its worker stopped beating."""
    state = batch.job_state
    if state in ("reading", "staging", "importing") and queue.worker_lost(
        QUEUE_NAME, batch.id, batch.job_updated_at
    ):
        if _set(batch.id, (state,), job_state="failed", job_message=WORKER_LOST):
            current_app.logger.warning("spreadsheet import %s: its worker stopped", batch.id)
        db.session.refresh(batch)
    return batch


def status(batch: ImportBatch, preview_url: str, done_url: str) -> dict:
    """What the progress page's script polls for; `next` once there is a page to go to."""
    state = batch.job_state or "staged"
    # Staged, or failed: the preview (it shows a failure's message, and the Import button
    # tries again); done: the activities.
    following = {"staged": preview_url, "failed": preview_url, "done": done_url}.get(state)
    return {
        "state": state,
        "step": (batch.job or {}).get("step", "stage"),
        "done": batch.job_done,
        "total": batch.job_total,
        "message": batch.job_message if state in ("done", "failed") else "",
        "next": following,
    }


def imported_message(created: int, skipped: int) -> str:
    message = f"Imported {created} activit{'y' if created == 1 else 'ies'}."
    if skipped:
        message += f" Skipped {skipped} already in your log."
    return message
