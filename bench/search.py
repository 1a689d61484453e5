"""What a search of the activity list costs at two data sizes, the service alone (no page).

For each N a fresh database gets the bench's heavy user (bench/generate.py) and the same
SPECIFIC activities, then the housekeeping sweep as a live install runs it every few minutes; the
same searches are then timed through `list_activities` (the call the list page makes), the sizes
interleaved round by round so a busy moment on the machine hits both.

Two kinds of search, reported apart. A broad one ("risk") finds a fixed share of the generated
activities, so its matches grow with N (37 at 500, 320 at 5,000): its cost per match (ranking and
the totals line over every match) grows with them. A specific one finds the same SPECIFIC
activities at every N, as a person's more exact words do in a larger log: it should cost the
same at any N.

Wall and CPU time (this thread's: on SQLite it includes the database work and barely moves with
the machine's load; on PostgreSQL the server's share is left out). Printed, never asserted:
`python -m bench.search [--database-url URL] [--sizes 500,5000] [--rounds 50]`.
"""

import argparse
import statistics
import time
from contextlib import ExitStack
from datetime import date, timedelta

from sqlalchemy import insert, select

from bench.databases import fresh_database
from bench.generate import analyse, heavy_user
from bench.run import bench_app
from cpd_log import housekeeping
from cpd_log.activities.services import list_activities
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityKind, ActivityStatus, Delivery, User

SEARCHES = {
    "broad ranked": {"q": "risk", "sort": "relevance"},
    "broad by hours": {"q": "risk", "sort": "hours_desc"},
    "broad 2 words": {"q": "stakeholder mapping", "sort": "relevance"},
    "broad typed": {"q": "prioritis", "sort": "relevance"},
    "exact ranked": {"q": "cynefin", "sort": "relevance"},
    "exact by hours": {"q": "cynefin", "sort": "hours_desc"},
    "exact 2 words": {"q": "cynefin sensemaking", "sort": "relevance"},
    "exact typed": {"q": "sensemak", "sort": "relevance"},
    "no search": {"q": None, "sort": "date_desc"},
}
# Words the generated activities never use, in the same number of activities at every N.
SPECIFIC = 12
WARMUP = 3


def add_specific(app, email: str) -> None:
    """SPECIFIC activities of the user that the exact searches find, spread over the years."""
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
        db.session.execute(
            insert(Activity),
            [
                {
                    "user_id": user_id,
                    "title": f"Cynefin workshop {i}: sensemaking in a complex portfolio",
                    "kind": ActivityKind.COURSE,
                    "provider": "Cognitive Edge",
                    "start_date": date.today() - timedelta(days=300 * i),
                    "minutes": 60 + 30 * (i % 4),
                    "delivery": Delivery.ONLINE,
                    "participatory": True,
                    "description": "Sorting portfolio decisions into clear, complicated, complex.",
                    "url": "",
                    "status": ActivityStatus.COMPLETED,
                }
                for i in range(SPECIFIC)
            ],
        )
        db.session.commit()


def settle(app) -> None:
    """What a live install's housekeeping sweep does every few minutes (cpd_log/housekeeping.py),
    the search index's segments merged among it; and the planner's statistics (analyse)."""
    with app.app_context():
        housekeeping.sweep()
    analyse(app)


def _time(app, email: str, criteria: dict) -> tuple[float, float, int]:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        start, start_cpu = time.perf_counter(), time.thread_time()
        page = list_activities(user, criteria, 1, 50)
        return time.perf_counter() - start, time.thread_time() - start_cpu, page.total


def measure(sizes: list[int], server_url: str | None, rounds: int) -> dict:
    with ExitStack() as stack:
        apps = {}
        for n in sizes:
            app = bench_app(stack.enter_context(fresh_database(server_url, f"search{n}")))
            email = heavy_user(app, n)[0]
            add_specific(app, email)
            settle(app)
            apps[n] = (app, email)
        wall = {(n, s): [] for n in sizes for s in SEARCHES}
        cpu = {(n, s): [] for n in sizes for s in SEARCHES}
        hits = {}
        for round_ in range(WARMUP + rounds):
            for name, criteria in SEARCHES.items():
                for n, (app, email) in apps.items():
                    seconds, cpu_seconds, hits[n, name] = _time(app, email, criteria)
                    if round_ >= WARMUP:
                        wall[n, name].append(seconds)
                        cpu[n, name].append(cpu_seconds)
        for app, _ in apps.values():
            with app.app_context():
                db.engine.dispose()
    return {
        key: (statistics.median(wall[key]) * 1000, statistics.median(cpu[key]) * 1000, hits[key])
        for key in wall
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--sizes", default="500,5000")
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = measure(sizes, args.database_url, args.rounds)
    first, last = sizes[0], sizes[-1]
    print(f"{'search':<15}" + "".join(f"{f'N={n}: ms, CPU ms (hits)':>28}" for n in sizes))
    for name in SEARCHES:
        cells = "".join(
            f"{results[n, name][0]:>12.2f} {results[n, name][1]:>7.2f} ({results[n, name][2]:>5})"
            for n in sizes
        )
        growth = results[last, name][0] / results[first, name][0]
        cpu_growth = results[last, name][1] / results[first, name][1]
        print(f"{name:<15}{cells}   growth {growth:.2f}x, CPU {cpu_growth:.2f}x")


if __name__ == "__main__":
    main()
