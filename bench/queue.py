"""Benchmark (not a test): what the job queue adds to a background export.

One gunicorn app instance and one `flask worker` process from environment variables (as README
"Deployment" says), on a scratch SQLite database, for each queue storage: the default SQLite
file and Redis (database 11). `--jobs` portfolio PDFs of `--activities` activities are started
one after another through the page ("Prepare PDF") and polled every 10 ms until done; the
reference is the same PDF rendered in this process (`documents.pdf.render`, warm) in the same
run. Printed: the median wall-clock time of each, their ratio, and the median wait from "Prepare"
until the worker took the job (state `running`).

    python -m bench.queue [--activities 20] [--jobs 8] [--queues sqlite redis]
"""

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

import redis
from flask_migrate import upgrade

from cpd_log import create_app
from cpd_log.documents import pdf
from cpd_log.extensions import db
from cpd_log.models import Portfolio, User
from cpd_log.portfolio import services
from tests import factories
from tests.background.processes import Browser, app_instance, production_env, worker
from tests.portfolio.builders import make_portfolio

# The tests' Redis database (tests/background/): do not run this beside them.
REDIS_URL = "redis://127.0.0.1:6379/11"
TIMEOUT_S = 120


def _seed(env: dict, activities: int, portfolios: int) -> tuple[str, list[int], float]:
    """A user, `portfolios` portfolios over the same activities; and the median time of
    rendering one of them in this process (the reference)."""
    app = create_app(
        "testing",
        overrides={"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "UPLOAD_DIR": env["UPLOAD_DIR"]},
    )
    with app.app_context():
        upgrade()
        user = factories.make_user(display_name="Bench")
        for n in range(activities):
            factories.make_activity(user, title=f"Bench course {n}")
        ids = [make_portfolio(user, title=f"Bench {n}").id for n in range(portfolios)]
        email = db.session.get(User, user.id).email
        times = []
        for portfolio_id in ids[:3] * 2:
            began = time.perf_counter()
            content = services.gather(db.session.get(Portfolio, portfolio_id))
            pdf.render(content, io.BytesIO())
            times.append(time.perf_counter() - began)
        db.session.remove()
        db.engine.dispose()
    return email, ids, statistics.median(times[1:])


def measure(queue: str, activities: int, jobs: int, folder: Path) -> dict:
    database = f"sqlite:///{folder / 'bench.sqlite'}"
    settings = {"QUEUE_URL": REDIS_URL} if queue == "redis" else {}
    if queue == "redis":
        redis.Redis.from_url(REDIS_URL).flushdb()
    env = production_env(database, folder / "uploads", **settings)
    email, portfolio_ids, direct = _seed(env, activities, jobs)
    total, waits = [], []
    with app_instance(env, folder / "app.log") as base, worker(env, folder / "worker.log"):
        browser = Browser(base, email)
        time.sleep(2)  # the worker has started polling
        for portfolio_id in portfolio_ids:
            began = time.perf_counter()
            job, taken = browser.start_export(base, portfolio_id), None
            while (status := browser.get(f"{base}{job}/status").json())["state"] != "done":
                assert status["state"] != "failed", status
                # Bounded, so the processes are always stopped (a stray worker on the same
                # Redis database would take later runs' jobs).
                assert time.perf_counter() - began < TIMEOUT_S, f"not done in {TIMEOUT_S} s"
                if taken is None and status["state"] == "running":
                    taken = time.perf_counter() - began
                time.sleep(0.01)
            total.append(time.perf_counter() - began)
            waits.append(taken if taken is not None else total[-1])
    if queue == "redis":
        redis.Redis.from_url(REDIS_URL).flushdb()
    through = statistics.median(total)
    return {
        "queue": queue,
        "direct_s": direct,
        "through_queue_s": through,
        "ratio": through / direct,
        "wait_for_worker_s": statistics.median(waits),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--queues", nargs="+", default=["sqlite", "redis"])
    args = parser.parse_args()
    print(f"{args.jobs} PDFs of {args.activities} activities, medians")
    print(
        "| queue | direct render | prepare → done through the queue | ratio | wait for a worker |"
    )
    print("|---|---|---|---|---|")
    for queue in args.queues:
        with tempfile.TemporaryDirectory() as folder:
            row = measure(queue, args.activities, args.jobs, Path(folder))
        print(
            f"| {row['queue']} | {row['direct_s']:.2f} s | {row['through_queue_s']:.2f} s "
            f"| {row['ratio']:.2f} | {row['wait_for_worker_s']:.2f} s |"
        )


if __name__ == "__main__":
    main()
