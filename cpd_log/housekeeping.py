"""Housekeeping: remove what has outlived its use — expired export jobs and their files, files no
row names, expired import batches, trash items older than 30 days (with their evidence files),
evidence files no row names; and the search index's segments merged (cpd_log/search/upkeep.py).

`sweep()` runs every step in STEPS, each in a transaction of its own, so one failing step does not
stop the others. It runs from the command line (`flask --app cpd_log sweep`, from cron or a
systemd timer: see the README) and, opportunistically, in each app process at most every
HOUSEKEEPING_EVERY_MINUTES, in a background thread started by a request (no request waits for it).

To add a step, write a function `step(now: datetime) -> int` (how many things it removed) that
flushes and never commits, and add a line to STEPS.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app

from cpd_log.auth import tokens
from cpd_log.documents import job_files
from cpd_log.evidence.services import sweep_orphan_files
from cpd_log.extensions import db
from cpd_log.imports.services import remove_expired_batches
from cpd_log.search.upkeep import merge_index
from cpd_log.trash.services import purge_expired


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[datetime], int]


# A file no evidence row names is left alone this long: an upload that writes without the storage
# lock (none today) would still be mid-way, and a killed upload's file has long been counted.
ORPHAN_GRACE = timedelta(hours=1)


def remove_orphan_evidence_files(now: datetime) -> int:
    """Evidence files no row names (a killed upload or import, a deleted account's leftovers),
    last written more than ORPHAN_GRACE before `now`."""
    return sweep_orphan_files(ORPHAN_GRACE + (datetime.now(UTC) - now)).files


STEPS: list[Step] = [
    Step("expired export jobs", job_files.remove_expired_jobs),
    Step("unnamed export files", job_files.remove_unnamed_files),
    Step("expired import batches", remove_expired_batches),
    # Before the orphan files: a purged item's files go after its step commits.
    Step("trash older than 30 days", purge_expired),
    Step("orphan evidence files", remove_orphan_evidence_files),
    Step("expired password reset and confirmation links", tokens.sweep),
    Step("search index segments merged", merge_index),
]


def sweep(now: datetime | None = None) -> dict[str, int | None]:
    """Run every step; returns how many things each removed (None: the step failed, logged)."""
    now = now or datetime.now(UTC)
    done: dict[str, int | None] = {}
    for step in STEPS:
        try:
            done[step.name] = step.run(now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            current_app.logger.exception("housekeeping step %r failed", step.name)
            done[step.name] = None
    return done


def init_app(app: Flask) -> None:
    """Sweep in this process at most every HOUSEKEEPING_EVERY_MINUTES (0: never; rely on cron)."""
    minutes = float(app.config.get("HOUSEKEEPING_EVERY_MINUTES", 10))
    if minutes <= 0:
        return
    lock = threading.Lock()
    due = {"at": 0.0}  # time.monotonic() of the next sweep

    @app.before_request
    def _maybe_sweep() -> None:
        now = time.monotonic()
        if now < due["at"]:
            return
        with lock:
            if now < due["at"]:
                return
            due["at"] = now + minutes * 60
        threading.Thread(
            target=_in_background, args=(app,), name="housekeeping", daemon=True
        ).start()


def _in_background(app: Flask) -> None:
    with app.app_context():
        try:
            sweep()
        finally:
            db.session.remove()
