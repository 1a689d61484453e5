"""Benchmark: the dashboard of a user following 4 schemes, at growing numbers of activities.

Run with `python -m bench.schemes` (or `.venv/bin/python -m bench.schemes`). Prints, per data size,
the SQL statements one dashboard request sends and its median time (wall clock, and CPU time of
the request's thread, steadier on a shared machine), beside the same dashboard for a user with the
same activities and no scheme (the reference). The query count must not grow with
the data; the time ratios show the cost of counting every activity toward 4 cycles in Python,
which grows with the activities inside the cycles' span (here: all of them).

Then the same dashboards again in a second database that also has the shipped crosswalks (issue
12): the activities are tagged at random across every shipped framework, so through the
crosswalks most of them reach a Talent Triangle area. Target: at most 1.2 times the time without.
"""

import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import event

from cpd_log import create_app
from cpd_log.auth.services import register_user
from cpd_log.competencies.services import seed_frameworks
from cpd_log.crosswalks.services import seed_crosswalks
from cpd_log.demo import generate_activities
from cpd_log.extensions import db
from cpd_log.schemes import services
from cpd_log.schemes.services import seed_schemes

SIZES = (100, 1_000, 5_000)
RUNS = 7
PASSWORD = "bench password 1"
SCHEMES = (
    ("pmi-pmp", 4 * 365, "PMP"),
    ("apm", 100, "APM"),
    ("peoplecert-axelos", 200, "PRINCE2"),
    ("rics-style", 20, "Employer year"),
)


def scheme_app(folder: Path, name: str = "b", crosswalks: bool = False, **config):
    """An app on `folder`/`name`.db, migrated and seeded (bench.trends builds two on one file)."""
    # The page cache is off: this measures computing the cycles, not serving a kept page.
    url = f"sqlite:///{folder}/{name}.db"
    app = create_app(
        "testing", overrides={"SQLALCHEMY_DATABASE_URI": url, "PAGE_CACHE_MB": 0, **config}
    )
    with app.app_context():
        upgrade()
        seed_frameworks()
        if crosswalks:
            seed_crosswalks()
        seed_schemes()
        db.session.commit()
    return app


def scheme_user(app, email: str, activities: int, enrol: bool) -> None:
    """A user with `activities` over four years, enrolled in the 4 SCHEMES when `enrol`."""
    with app.app_context():
        user = register_user(email, "Bench", PASSWORD)
        schemes = {s.slug: s for s in services.available_schemes(user)}
        today = date.today()
        for slug, days_ago, label in SCHEMES if enrol else ():
            services.enrol(user, schemes[slug], today - timedelta(days=days_ago), label, today)
        generate_activities(user.id, activities, years=4, tags_per_activity=2)
        db.session.commit()


def _measure(app, email: str, cards: int) -> tuple[int, float, float]:
    client = app.test_client()
    client.post("/account/login", data={"email": email, "password": PASSWORD})
    client.get("/dashboard")  # the first visit stores the cycles; measure the steady state
    times, cpu_times, statements = [], [], []
    with app.app_context():
        engine = db.engine

    def record(*_args):
        statements.append(1)

    for _ in range(RUNS):
        statements.clear()
        event.listen(engine, "before_cursor_execute", record)
        start, cpu_start = time.perf_counter(), time.thread_time()
        response = client.get("/dashboard")
        times.append(time.perf_counter() - start)
        cpu_times.append(time.thread_time() - cpu_start)
        event.remove(engine, "before_cursor_execute", record)
        assert response.status_code == 200
        assert response.data.count(b'data-testid="cycle-card"') == cards
    return len(statements), statistics.median(times), statistics.median(cpu_times)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        app = scheme_app(Path(folder))
        walked = scheme_app(Path(folder), "crosswalks", crosswalks=True)
        rows, crossed = [], []
        for size in SIZES:
            scheme_user(app, f"plain{size}@example.com", size, enrol=False)
            scheme_user(app, f"bench{size}@example.com", size, enrol=True)
            scheme_user(walked, f"bench{size}@example.com", size, enrol=True)  # the same activities
            plain = _measure(app, f"plain{size}@example.com", 0)
            rows.append((size, plain, _measure(app, f"bench{size}@example.com", 4)))
            crossed.append(_measure(walked, f"bench{size}@example.com", 4))
    base_queries, base_time, _ = rows[0][2]
    print("dashboard with 4 active cycles (PMP with its previous cycle, APM, PeopleCert, RICS)")
    print("reference: the same dashboard for a user with the same activities and no scheme")
    print(
        f"{'activities':>10} {'queries':>8} {'ref queries':>11} {'median ms':>10} {'ref ms':>8} "
        f"{'x ref':>6} {'x smallest':>10} {'cpu ms':>7} {'ref cpu':>7} {'cpu x ref':>9}"
    )
    for size, (ref_queries, ref_time, ref_cpu), (queries, seconds, cpu) in rows:
        print(
            f"{size:>10} {queries:>8} {ref_queries:>11} {seconds * 1000:>10.1f} "
            f"{ref_time * 1000:>8.1f} {seconds / ref_time:>6.2f} {seconds / base_time:>10.2f} "
            f"{cpu * 1000:>7.1f} {ref_cpu * 1000:>7.1f} {cpu / ref_cpu:>9.2f}"
        )
    print("\nthe same dashboard with the shipped crosswalks (target: at most 1.2 x without)")
    print(
        f"{'activities':>10} {'queries':>8} {'median ms':>10} {'without':>8} {'x without':>9} "
        f"{'cpu ms':>7} {'without':>8} {'cpu x':>6}"
    )
    for (size, _, (_, seconds, cpu)), (queries, with_time, with_cpu) in zip(
        rows, crossed, strict=True
    ):
        print(
            f"{size:>10} {queries:>8} {with_time * 1000:>10.1f} {seconds * 1000:>8.1f} "
            f"{with_time / seconds:>9.2f} {with_cpu * 1000:>7.1f} {cpu * 1000:>8.1f} "
            f"{with_cpu / cpu:>6.2f}"
        )
    # Not more than at the smallest size: fewer once every area minimum is met, when the next
    # best activity has nothing to suggest and reads nothing.
    constant = all(queries <= base_queries for _, _, (queries, *_) in rows)
    constant_crossed = all(queries <= crossed[0][0] for queries, *_ in crossed)
    print(f"query count does not grow with the data: {'yes' if constant else 'NO'}")
    print(f"with crosswalks: {'yes' if constant_crossed else 'NO'}")
    return 0 if constant and constant_crossed else 1


if __name__ == "__main__":
    sys.exit(main())
