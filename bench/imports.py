"""Benchmark: a 10,000-row CSV import as a ratio to a bare bulk insert of the same rows.

    python -m bench.imports [--rows 10000] [--repeat 3]

Both run in the same process on the same fresh, migrated SQLite file. The import goes through the
real pages (upload → preview → commit, via Flask's test client): reading the CSV, storing the
batch, checking every row, the duplicate query and the bulk insert. The baseline inserts the same
activities as ready-made dicts in one executemany and commits. Target: ratio ≤ 2.

The machine is shared, so the figure that counts is CPU time of this process (time.process_time,
which other processes' load does not inflate), as the median of the per-pair ratios; wall-clock
figures are printed beside it.
"""

import argparse
import csv
import io
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, insert, select

from cpd_log import create_app
from cpd_log.auth.services import register_user
from cpd_log.extensions import db
from cpd_log.imports.columns import FIELDS
from cpd_log.models import Activity, ActivityKind, ActivityStatus, Delivery
from cpd_log.models.activity import ActivitySource

PASSWORD = "bench password 123"
KINDS = ["Course", "Webinar", "Reading", "Podcast", "Conference", "community_event"]


def make_csv(rows: int) -> bytes:
    """Rows shaped like our own export: its columns, filled by name, dates spread over years."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FIELDS)
    start = date(2020, 1, 1)
    for n in range(rows):
        cells = {
            "title": f"Activity {n} on portfolio reporting",
            "kind": KINDS[n % len(KINDS)],
            "provider": f"Provider {n % 37}",
            "start_date": (start + timedelta(days=n % 2000)).isoformat(),
            "hours": f"{(n % 12 + 1) * 0.25:g}",
            "delivery": "Online",
            "participatory": "yes" if n % 2 else "no",
            "description": f"What stuck from session {n}, in a sentence",
            "url": f"https://example.org/{n}",
            "status": "Completed",
        }
        writer.writerow([cells.get(column, "") for column in FIELDS])
    return ("\ufeff" + buffer.getvalue()).encode()


def bare_rows(user_id: int, rows: int) -> list[dict]:
    start = date(2020, 1, 1)
    now = datetime.now(UTC)
    return [
        {
            "user_id": user_id,
            "title": f"Activity {n} on portfolio reporting",
            "kind": ActivityKind.COURSE,
            "provider": f"Provider {n % 37}",
            "start_date": start + timedelta(days=n % 2000),
            "end_date": None,
            "minutes": (n % 12 + 1) * 15,
            "delivery": Delivery.ONLINE,
            "participatory": bool(n % 2),
            "description": f"What stuck from session {n}, in a sentence",
            "url": f"https://example.org/{n}",
            "status": ActivityStatus.COMPLETED,
            "source": ActivitySource.CSV,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(rows)
    ]


def new_user(label: str):
    user = register_user(f"{label}-{time.monotonic_ns()}@example.com", "Bench", PASSWORD)
    db.session.commit()
    return user


def time_bare(app, rows: int) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one bulk insert and commit."""
    with app.app_context():
        user = new_user("bare")
        values = bare_rows(user.id, rows)
        cpu, wall = time.process_time(), time.perf_counter()
        db.session.execute(insert(Activity), values)
        db.session.commit()
        return time.process_time() - cpu, time.perf_counter() - wall


def time_import(app, data: bytes, rows: int) -> tuple[float, float]:
    """Each request in its own app context and session, as under a real server."""
    with app.app_context():
        user = new_user("import")
        user_id, email = user.id, user.email
    client = app.test_client()
    client.post("/account/login", data={"email": email, "password": PASSWORD})
    mapping = {f"col_{name}": str(i) for i, name in enumerate(FIELDS)}
    form = {**mapping, "default_kind": "other", "default_delivery": "online", "commit": "1"}
    cpu, began = time.process_time(), time.perf_counter()
    steps = []
    upload = client.post(
        "/imports/spreadsheet",
        data={"sheet": (io.BytesIO(data), "export.csv")},
        content_type="multipart/form-data",
    )
    steps.append(time.perf_counter())
    location = upload.headers["Location"]
    assert client.get(location).status_code == 200
    steps.append(time.perf_counter())
    assert client.post(location, data=form).status_code == 302
    steps.append(time.perf_counter())
    cpu = time.process_time() - cpu
    elapsed = steps[-1] - began
    print(
        f"  import steps: upload {steps[0] - began:.3f} s, preview {steps[1] - steps[0]:.3f} s, "
        f"commit {steps[2] - steps[1]:.3f} s"
    )
    with app.app_context():
        imported = db.session.scalar(
            select(func.count(Activity.id)).where(Activity.user_id == user_id)
        )
    assert imported == rows, f"imported {imported} of {rows}"
    return cpu, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = make_csv(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        overrides = {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False}
        app = create_app("testing", overrides=overrides)
        with app.app_context():
            upgrade()
        bare, full = [], []
        for _ in range(args.repeat):  # alternate, so drift hits both alike
            bare.append(time_bare(app, args.rows))
            full.append(time_import(app, data, args.rows))
        with app.app_context():
            db.engine.dispose()
    ratios = [f[0] / b[0] for b, f in zip(bare, full, strict=True)]
    wall_ratios = [f[1] / b[1] for b, f in zip(bare, full, strict=True)]
    median = statistics.median
    print(f"rows: {args.rows}, CSV {len(data) / 1e6:.1f} MB, {args.repeat} pairs")
    for label, runs in (("bare bulk insert", bare), ("CSV import (upload+preview+commit)", full)):
        cpu, wall = median(r[0] for r in runs), median(r[1] for r in runs)
        print(f"{label}: CPU {cpu:.3f} s, wall {wall:.3f} s")
    print(f"ratio import / bare insert (CPU, median of pairs): {median(ratios):.2f}  (target <= 2)")
    print(f"ratio import / bare insert (wall, median of pairs): {median(wall_ratios):.2f}")


if __name__ == "__main__":
    main()
