"""Benchmark: the dashboard's first view with its trends, against the same dashboard without them.

Run with `python -m bench.trends` (or `.venv/bin/python -m bench.trends`). For each data size a
user with that many activities over four years, enrolled in the 4 schemes of bench.schemes (PMP
with its previous cycle, APM, PeopleCert, RICS), opens the dashboard with the page cache off: the
first view after every write. Two apps share one database: one draws the trends (hours per month
over 24 months by kind, a burn-up per open cycle), the other has `DASHBOARD_TRENDS` off (the
reference). Requests alternate between them, so a slow moment of the machine hits both.
Printed per size: SQL statements per request, median wall-clock and CPU time (this thread's:
steadier on a shared machine), and the ratios. Targets (issue 14): the query count does not grow
with the data, and the time is at most 1.2 times the reference's at 5,000 activities.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from bench.schemes import PASSWORD, scheme_app, scheme_user
from cpd_log import create_app
from cpd_log.extensions import db

SIZES = (500, 5_000)
ROUNDS = 25
TARGET = 1.2


class Page:
    """One app's dashboard for one user: timed and counted request by request."""

    def __init__(self, app, email: str):
        self.client = app.test_client()
        response = self.client.post("/account/login", data={"email": email, "password": PASSWORD})
        if response.status_code != 302:
            raise RuntimeError(f"logging in as {email} answered {response.status_code}")
        with app.app_context():
            self.engine = db.engine
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.statements = 0

    def get(self, timed: bool = True) -> bytes:
        statements = []

        def record(*_args) -> None:
            statements.append(1)

        event.listen(self.engine, "before_cursor_execute", record)
        start, cpu_start = time.perf_counter(), time.thread_time()
        response = self.client.get("/dashboard")
        wall, cpu = time.perf_counter() - start, time.thread_time() - cpu_start
        event.remove(self.engine, "before_cursor_execute", record)
        if response.status_code != 200:
            raise RuntimeError(f"the dashboard answered {response.status_code}")
        if timed:
            self.wall.append(wall)
            self.cpu.append(cpu)
            self.statements = len(statements)
        return response.data


def measure(folder: Path, size: int) -> tuple[Page, Page]:
    name = f"trends{size}"
    app = scheme_app(folder, name)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    without = create_app(
        "testing",
        overrides={"SQLALCHEMY_DATABASE_URI": url, "PAGE_CACHE_MB": 0, "DASHBOARD_TRENDS": False},
    )
    email = f"bench{size}@example.com"
    print(f"N={size:,}: generating…", file=sys.stderr)
    scheme_user(app, email, size, enrol=True)
    pages = Page(app, email), Page(without, email)
    body = pages[0].get(timed=False)  # the first visit stores the cycles: time the steady state
    if body.count(b'data-testid="burnup-card"') != 4 or b'data-testid="trend-chart"' not in body:
        raise RuntimeError("the dashboard does not show the trends it is timed with")
    if b'data-testid="trends"' in pages[1].get(timed=False):
        raise RuntimeError("the reference shows the trends")
    print(f"N={size:,}: timing {ROUNDS} rounds…", file=sys.stderr)
    for _ in range(ROUNDS):
        for page in pages:
            page.get()
    for made in (app, without):
        with made.app_context():
            db.engine.dispose()
    return pages


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in SIZES:
            rows.append((size, *measure(Path(folder), size)))
    print("dashboard, first view (page cache off), 4 active cycles, with and without the trends")
    print(
        f"{'activities':>10} {'queries':>8} {'without':>8} {'median ms':>10} {'without':>8} "
        f"{'x without':>9} {'cpu ms':>7} {'without':>8} {'cpu x':>6}"
    )
    ratios = []
    for size, on, off in rows:
        wall, ref = statistics.median(on.wall), statistics.median(off.wall)
        cpu, ref_cpu = statistics.median(on.cpu), statistics.median(off.cpu)
        ratios.append((wall / ref, cpu / ref_cpu))
        print(
            f"{size:>10} {on.statements:>8} {off.statements:>8} {wall * 1000:>10.1f} "
            f"{ref * 1000:>8.1f} {wall / ref:>9.2f} {cpu * 1000:>7.1f} {ref_cpu * 1000:>8.1f} "
            f"{cpu / ref_cpu:>6.2f}"
        )
    # Not more than at the smallest size (the next best activity reads less once every area
    # minimum is met: bench.schemes), and the trends add the same number at every size.
    constant = all(on.statements <= rows[0][1].statements for _, on, _ in rows) and (
        len({on.statements - off.statements for _, on, off in rows}) == 1
    )
    within = ratios[-1][1] <= TARGET
    print(f"query count does not grow with the data: {'yes' if constant else 'NO'}")
    print(f"CPU time at {SIZES[-1]:,} within {TARGET} x without: {'yes' if within else 'NO'}")
    return 0 if constant and within else 1


if __name__ == "__main__":
    sys.exit(main())
