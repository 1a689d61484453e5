"""What a search of the activity list costs at two data sizes, the service alone (no page).

For each N a fresh database gets the bench's heavy user (bench/generate.py) and the same searches
are timed through `list_activities`, the call the list page makes: ranked ("risk", best match
first), sorted by hours, and a half-typed word. The page timings in bench/run.py include
rendering; these isolate what grows with the data. Printed, never asserted:
`python -m bench.search [--database-url URL] [--sizes 500,5000] [--rounds 50]`.
"""

import argparse
import statistics
import time

from sqlalchemy import select

from bench.databases import fresh_database
from bench.generate import heavy_user
from bench.run import bench_app
from cpd_log.activities.services import list_activities
from cpd_log.extensions import db
from cpd_log.models import User

SEARCHES = {
    "ranked": {"q": "risk", "sort": "relevance"},
    "by hours": {"q": "risk", "sort": "hours_desc"},
    "two words": {"q": "stakeholder mapping", "sort": "relevance"},
    "typed ahead": {"q": "prioritis", "sort": "relevance"},
    "no search": {"q": None, "sort": "date_desc"},
}


def measure(n: int, server_url: str | None, rounds: int) -> dict[str, float]:
    with fresh_database(server_url, f"search{n}") as database_url:
        app = bench_app(database_url)
        email, _ = heavy_user(app, n)
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == email))
            times: dict[str, list[float]] = {name: [] for name in SEARCHES}
            for round_ in range(rounds + 3):
                for name, criteria in SEARCHES.items():
                    start = time.perf_counter()
                    list_activities(user, criteria, 1, 50)
                    elapsed = time.perf_counter() - start
                    db.session.rollback()
                    if round_ >= 3:  # warm-up
                        times[name].append(elapsed)
            matches = {name: list_activities(user, c, 1, 50).total for name, c in SEARCHES.items()}
            db.engine.dispose()
    return {name: (statistics.median(t) * 1000, matches[name]) for name, t in times.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--sizes", default="500,5000")
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {n: measure(n, args.database_url, args.rounds) for n in sizes}
    print(f"{'search':<12}" + "".join(f"{f'N={n} ms (hits)':>22}" for n in sizes) + "   growth")
    for name in SEARCHES:
        cells = "".join(f"{results[n][name][0]:>13.2f} ({results[n][name][1]:>5})" for n in sizes)
        growth = results[sizes[-1]][name][0] / results[sizes[0]][name][0]
        print(f"{name:<12}{cells:>}   {growth:.2f}x")


if __name__ == "__main__":
    main()
