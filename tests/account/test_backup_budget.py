"""The backup's budgets at a size the normal suite runs in seconds (bench/backup.py measures the
full 4,000 activities and 25 MB): the archive never sits in memory, evidence is not base64, and
the import runs through the job in bounded time."""

import os
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from cpd_log.account import account_archive, account_export
from cpd_log.evidence import services as evidence_services
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityKind, ActivityStatus, Delivery, Evidence
from cpd_log.models.activity import ActivitySource
from tests import factories
from tests.account.backup_helpers import restore

MB = 1024 * 1024
ACTIVITIES = 400
FILES = 8  # of 2 MB: 16 MB of evidence


def _account(user) -> None:
    now = datetime.now(UTC)
    db.session.execute(
        insert(Activity),
        [
            {
                "user_id": user.id,
                "title": f"Activity {n}",
                "kind": ActivityKind.COURSE,
                "start_date": date(2020, 1, 1) + timedelta(days=n),
                "minutes": 60,
                "delivery": Delivery.ONLINE,
                "status": ActivityStatus.COMPLETED,
                "source": ActivitySource.MANUAL,
                "description": "What I learnt. " * 10,
                "created_at": now - timedelta(seconds=n),
                "updated_at": now,
            }
            for n in range(ACTIVITIES)
        ],
    )
    activity = db.session.scalar(select(Activity).where(Activity.user_id == user.id).limit(1))
    for n in range(FILES):
        data = b"%PDF-1.4\n" + os.urandom(2 * MB)
        upload = evidence_services.Upload(f"scan-{n}.pdf", data)
        evidence_services.attach_file(user, activity, upload)
    db.session.commit()


def _warm_up(tmp_path) -> None:
    """One small backup and restore first, untraced: what a process does once (loading the scheme
    schema's validator, first imports and caches) is not what an import costs. Without it, the
    first run in a fresh checkout (CI) read 8.0–8.3 MB where later runs read 4.6–4.8 MB."""
    source = factories.make_user()
    activity = factories.make_activity(source, title="Warm-up")
    evidence_services.attach_file(
        source, activity, evidence_services.Upload("warm-up.pdf", b"%PDF-1.4\n" + os.urandom(64))
    )
    db.session.commit()
    archive = tmp_path / "warm-up.zip"
    archive.write_bytes(
        b"".join(account_archive.stream(source.id, account_export.export_account(source)))
    )
    assert restore(factories.make_user(), archive).state == "done"


@pytest.mark.serial  # asserts a wall-time bound
def test_export_streams_and_import_runs_in_budget(app, user, tmp_path):
    _warm_up(tmp_path)
    _account(user)
    archive = tmp_path / "backup.zip"
    tracemalloc.start()
    began = time.perf_counter()
    with archive.open("wb") as out:
        for chunk in account_archive.stream(user.id, account_export.export_account(user)):
            out.write(chunk)
    export_seconds = time.perf_counter() - began
    export_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    evidence_bytes = FILES * 2 * MB
    # Stored as themselves: the archive is the evidence plus a little (base64 was 4/3 of it).
    assert evidence_bytes < archive.stat().st_size < evidence_bytes * 1.1
    # One chunk of one file at a time: well under the evidence held at once.
    assert export_peak < evidence_bytes / 2, export_peak / MB
    assert export_seconds < 15

    target = factories.make_user()
    tracemalloc.start()
    began = time.perf_counter()
    job = restore(target, archive)
    import_seconds = time.perf_counter() - began
    import_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert job.state == "done", job.message
    assert job.counts["activities"] == ACTIVITIES and job.done == job.total == ACTIVITIES
    count = select(func.count(Evidence.id)).where(Evidence.user_id == target.id)
    assert db.session.scalar(count) == FILES
    # One file at a time (each is read whole to sniff it: at most EVIDENCE_MAX_BYTES) and the
    # document: well under the evidence held at once.
    assert import_peak < evidence_bytes / 2, import_peak / MB
    assert import_seconds < 30
    print(
        f"export {export_seconds:.2f} s peak {export_peak / MB:.1f} MB;"
        f" import {import_seconds:.2f} s peak {import_peak / MB:.1f} MB"
    )
