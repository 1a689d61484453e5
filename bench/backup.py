"""Benchmark: back up an account with 4,000 activities and 25 MB of evidence, restore it into
another account through the import job, and report time and peak memory of each step.

    python -m bench.backup [--activities 4000] [--evidence-mb 25] [--database-url URL]

Without --database-url: a SQLite file. With a PostgreSQL URL: a fresh database on that server
(bench/databases.py). The export is the real page (POST /export/account with the password),
streamed to a file; the import is the real upload (POST /export/import), then the job's page is
polled until it is done. Peak memory is the process's resident size, sampled every 20 ms during
the step (all threads), above what it was when the step began; tracemalloc is not used because
it slows allocation-heavy code several times over. The job's own time (its row's created → last
update) is printed beside the time of the whole step (upload + job + polling).
"""

import argparse
import os
import resource
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, insert, select

from bench.databases import fresh_database
from cpd_log import create_app
from cpd_log.auth.services import register_user
from cpd_log.evidence import services as evidence_services
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityKind, ActivityStatus, Delivery, Evidence, ImportJob
from cpd_log.models.activity import ActivitySource

PASSWORD = "bench password 123"
MB = 1024 * 1024
PDF_HEAD = b"%PDF-1.4\n1 0 obj << >> endobj\n"


def build(activities: int, evidence_mb: int):
    """The source account: activities in one bulk insert, evidence through the real service."""
    user = register_user("source@example.com", "Source", PASSWORD)
    db.session.commit()
    start, now = date(2016, 1, 1), datetime.now(UTC)
    rows = [
        {
            "user_id": user.id,
            "title": f"Activity {n}",
            "kind": list(ActivityKind)[n % len(ActivityKind)],
            "provider": "Provider",
            "start_date": start + timedelta(days=n % 3000),
            "minutes": 60 + n % 240,
            "delivery": Delivery.ONLINE,
            "participatory": n % 2 == 0,
            "description": "What I learnt, in a sentence or two. " * 3,
            "url": "https://example.org/course",
            "status": ActivityStatus.COMPLETED,
            "source": ActivitySource.MANUAL,
            "created_at": now - timedelta(seconds=n),
            "updated_at": now,
        }
        for n in range(activities)
    ]
    db.session.execute(insert(Activity), rows)
    db.session.commit()
    targets = list(db.session.scalars(select(Activity).where(Activity.user_id == user.id)))
    for n in range(evidence_mb):  # 1 MB files, incompressible, like scans and PDFs
        data = PDF_HEAD + os.urandom(MB - len(PDF_HEAD))
        upload = evidence_services.Upload(f"certificate-{n}.pdf", data)
        evidence_services.attach_file(user, targets[n * 97 % len(targets)], upload, "")
        db.session.commit()
    return user


def login(client, email: str) -> None:
    response = client.post("/account/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code


def _rss() -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


def measured(step):
    """(result, seconds, peak MB of resident size above the start) of step()."""
    base, peak, running = _rss(), [0], [True]

    def sample() -> None:
        while running[0]:
            peak[0] = max(peak[0], _rss())
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    began = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - began
    running[0] = False
    sampler.join()
    return result, seconds, max(peak[0] - base, 0) / MB


def export(client, target: Path) -> int:
    response = client.post("/export/account", data={"password": PASSWORD}, buffered=False)
    assert response.status_code == 200, response.status_code
    with target.open("wb") as out:
        for chunk in response.response:
            out.write(chunk)
    response.close()
    return target.stat().st_size


def restore(client, archive: Path) -> dict:
    with archive.open("rb") as body:
        response = client.post(
            "/export/import",
            data={"file": (body, "backup.zip")},
            content_type="multipart/form-data",
        )
    assert response.status_code == 302, response.get_data(as_text=True)[-500:]
    job_url = response.headers["Location"]
    while True:
        status = client.get(f"{job_url}/status").get_json()
        if status["state"] in ("done", "failed"):
            return status
        time.sleep(0.2)


def run(activities: int, evidence_mb: int, database_url: str | None) -> None:
    with fresh_database(database_url, "backup") as url, tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            "testing",
            overrides={
                "SQLALCHEMY_DATABASE_URI": url,
                "UPLOAD_DIR": f"{tmp}/uploads",
                "WTF_CSRF_ENABLED": False,
            },
        )
        with app.app_context():
            upgrade()
            source = build(activities, evidence_mb)
            register_user("target@example.com", "Target", PASSWORD)
            db.session.commit()
            source_id = source.id
        archive = Path(tmp) / "backup.zip"
        with app.test_client() as client:
            login(client, "source@example.com")
            size, export_s, export_peak = measured(lambda: export(client, archive))
        with app.test_client() as client:
            login(client, "target@example.com")
            status, import_s, import_peak = measured(lambda: restore(client, archive))
        with app.app_context():
            job = db.session.scalar(select(ImportJob).order_by(ImportJob.id.desc()).limit(1))
            job_s = (job.updated_at - job.created_at).total_seconds()
            counts = {
                uid: db.session.scalar(
                    select(func.count(Evidence.id)).where(Evidence.user_id == uid)
                )
                for uid in (source_id, source_id + 1)
            }
            db.engine.dispose()
        backend = "PostgreSQL" if database_url else "SQLite"
        print(f"{backend}: {activities} activities, {evidence_mb} MB of evidence")
        print(
            f"  export: {size / MB:.1f} MB archive in {export_s:.1f} s, peak {export_peak:.1f} MB"
        )
        print(
            f"  import: {status['state']} in {import_s:.1f} s (the job: {job_s:.1f} s),"
            f" peak {import_peak:.1f} MB"
        )
        print(f"          {status['counts']}")
        print(f"  evidence rows source/target: {counts[source_id]}/{counts[source_id + 1]}")
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  process max resident size: {maxrss:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=4000)
    parser.add_argument("--evidence-mb", type=int, default=25)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    run(args.activities, args.evidence_mb, args.database_url)


if __name__ == "__main__":
    main()
