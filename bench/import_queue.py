"""Benchmark: how long the requests of the largest spreadsheet import take, in the request and
on the queue.

    python -m bench.import_queue [--rows 20000] [--repeat 3]

Same process, same fresh SQLite file, alternating: the reference is the import done within its
requests (IMPORT_BACKGROUND_AT above the row count); the other puts the check and the import on
a SQLite queue file and runs each job where a worker would (`batch_jobs.run`, timed apart), so
the requests only store the upload, enqueue and render. Prints the median wall-clock seconds of
each request (upload, preview, Import), the slowest request's ratio to the reference's, and the
worker's time.
"""

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, select

from bench.imports import PASSWORD, make_csv, new_user
from cpd_log import create_app
from cpd_log.extensions import db
from cpd_log.imports import batch_jobs
from cpd_log.imports.columns import FIELDS
from cpd_log.models import Activity, ImportBatch


def one_import(app, data: bytes, rows: int, queued: bool) -> dict:
    """Each request's wall-clock seconds, and the jobs' (run as a worker would run them)."""
    with app.app_context():
        user = new_user("queue" if queued else "request")
        user_id, email = user.id, user.email
    client = app.test_client()
    client.post("/account/login", data={"email": email, "password": PASSWORD})
    mapping = {f"col_{name}": str(i) for i, name in enumerate(FIELDS)}
    form = {**mapping, "default_kind": "other", "default_delivery": "online", "commit": "1"}
    times = {"worker": 0.0}

    def request(name, send):
        began = time.perf_counter()
        response = send()
        times[name] = time.perf_counter() - began
        return response

    def work():
        if queued:
            with app.app_context():
                batch_id = db.session.scalar(
                    select(ImportBatch.id).where(ImportBatch.user_id == user_id)
                )
            began = time.perf_counter()
            batch_jobs.run(app, batch_id)
            times["worker"] += time.perf_counter() - began

    upload = request(
        "upload",
        lambda: client.post(
            "/imports/spreadsheet",
            data={"sheet": (io.BytesIO(data), "export.csv")},
            content_type="multipart/form-data",
        ),
    )
    location = upload.headers["Location"]
    work()
    assert request("preview", lambda: client.get(location)).status_code == 200
    assert request("import", lambda: client.post(location, data=form)).status_code == 302
    work()
    with app.app_context():
        imported = db.session.scalar(
            select(func.count(Activity.id)).where(Activity.user_id == user_id)
        )
    assert imported == rows, f"imported {imported} of {rows}"
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = make_csv(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        base = {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite'}",
            "WTF_CSRF_ENABLED": False,
            "QUEUE_URL": f"sqlite:///{Path(folder) / 'queue.sqlite'}",
        }
        inline = create_app("testing", overrides={**base, "IMPORT_BACKGROUND_AT": args.rows})
        queued = create_app("testing", overrides={**base, "IMPORT_BACKGROUND_AT": 0})
        with inline.app_context():
            upgrade()
        runs = {False: [], True: []}
        for _ in range(args.repeat):  # alternate, so drift hits both alike
            runs[False].append(one_import(inline, data, args.rows, queued=False))
            runs[True].append(one_import(queued, data, args.rows, queued=True))
        for app in (inline, queued):
            with app.app_context():
                db.engine.dispose()
    print(f"rows: {args.rows}, CSV {len(data) / 1e6:.1f} MB, median of {args.repeat}")
    slowest = {}
    for on_queue, label in ((False, "in the request"), (True, "on the queue")):
        median = {k: statistics.median(r[k] for r in runs[on_queue]) for k in runs[on_queue][0]}
        slowest[on_queue] = max(median["upload"], median["preview"], median["import"])
        print(
            f"  {label:15} upload {median['upload']:.2f} s, preview {median['preview']:.2f} s, "
            f"Import {median['import']:.2f} s; worker {median['worker']:.2f} s"
        )
    print(f"slowest request, queue / in the request: {slowest[True] / slowest[False]:.2f}")


if __name__ == "__main__":
    main()
