"""What the competency page and the gap view cost a heavy user, at two data sizes.

For each N a fresh database gets a user with N activities tagged to the PMO Practitioner
framework, N reflections, N self-assessments and N/10 goals. Each page is timed against a trivial
logged-in page measured in the same run (a ratio, comparable between machines), and its SQL
statements are counted: the count must be the same at every N. Figures are printed, never
asserted: `python -m bench.competencies [--sizes 200,2000] [--database-url postgresql+psycopg://…]`
(with a server URL, a scratch database is created there and dropped afterwards).
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from flask_login import login_required
from flask_migrate import upgrade
from sqlalchemy import event, insert, select, text

from cpd_log import create_app
from cpd_log.auth.services import register_user
from cpd_log.competencies.services import seed_frameworks
from cpd_log.demo import generate_activities
from cpd_log.extensions import db
from cpd_log.models import Activity, Competency, Framework, Goal, Reflection, SelfAssessment
from cpd_log.models.activity import activity_competency
from cpd_log.models.reflection import reflection_competency

PASSWORD = "bench-password"
WARMUP = 3


@login_required
def _ping() -> str:
    return "ok"


def bench_app(url: str) -> Flask:
    app = create_app(
        "development",
        overrides={"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                   "RATELIMIT_ENABLED": False, "DEBUG": False, "TESTING": False},
    )  # fmt: skip
    app.add_url_rule("/bench/ping", "bench_ping", _ping)
    with app.app_context():
        upgrade()
    return app


def fill(app: Flask, n: int) -> dict[str, str]:
    """The heavy user's rows, inserted in bulk; returns the pages to measure."""
    with app.app_context():
        seed_frameworks()
        user = register_user(f"heavy-{n}@example.com", "Heavy user", PASSWORD)
        fw = db.session.scalar(select(Framework).where(Framework.slug == "pmo-practitioner"))
        leaves = [c.id for c in fw.competencies if c.parent_id is not None]
        generate_activities(user.id, n, years=5, tags_per_activity=0)
        ids = list(db.session.scalars(select(Activity.id).where(Activity.user_id == user.id)))
        focus = leaves[0]
        db.session.execute(insert(activity_competency), [
            {"activity_id": a, "competency_id": c}
            for i, a in enumerate(ids) for c in {focus, leaves[i % len(leaves)]}
        ])  # fmt: skip
        start = date(2025, 1, 1)
        rows = db.session.scalars(insert(Reflection).returning(Reflection.id), [
            {"user_id": user.id, "activity_id": ids[i], "title": f"Reflection {i}",
             "model": "gibbs", "reflected_on": start + timedelta(days=i % 700),
             "is_draft": i % 7 == 0,
             "stages": {"gibbs_description": "What happened " * 20}, "search_text": "x"}
            for i in range(n)
        ]).all()  # fmt: skip
        db.session.execute(insert(reflection_competency), [
            {"reflection_id": r, "competency_id": c}
            for i, r in enumerate(rows) for c in {focus, leaves[(i + 3) % len(leaves)]}
        ])  # fmt: skip
        db.session.execute(insert(SelfAssessment), [
            {"user_id": user.id, "competency_id": leaves[i % len(leaves)], "level": i % 6,
             "assessed_on": start + timedelta(days=i % 700), "note": ""}
            for i in range(n)
        ])  # fmt: skip
        db.session.execute(insert(Goal), [
            {"user_id": user.id, "competency_id": leaves[i % len(leaves)], "target_level": 4,
             "status": "open", "note": ""}
            for i in range(max(n // 10, 1))
        ])  # fmt: skip
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # Fresh rows have no planner statistics until autovacuum runs; a live database has.
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        pages = {
            "ping": "/bench/ping",
            "competency page": f"/competencies/{focus}",
            "gap view": f"/competencies/frameworks/{fw.id}/gap",
            "reflection list": "/reflections/",
        }
        assert db.session.get(Competency, focus) is not None
    return pages


def _get(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}")


def statements(app: Flask, client: FlaskClient, path: str) -> int:
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        _get(client, path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(seen)


def measure(url: str, n: int, rounds: int) -> list[tuple[int, str, float, float, int]]:
    app = bench_app(url)
    print(f"N={n:,}: filling…", file=sys.stderr)
    pages = fill(app, n)
    client = app.test_client()
    client.post("/account/login", data={"email": f"heavy-{n}@example.com", "password": PASSWORD})
    for path in pages.values():
        for _ in range(WARMUP):
            _get(client, path)
    samples: dict[str, list[float]] = {page: [] for page in pages}
    for _ in range(rounds):
        for page, path in pages.items():
            begin = time.perf_counter()
            _get(client, path)
            samples[page].append(time.perf_counter() - begin)
    counts = {page: statements(app, client, path) for page, path in pages.items()}
    with app.app_context():
        db.engine.dispose()
    ping = statistics.median(samples["ping"])
    return [
        (n, page, statistics.median(s) * 1000, statistics.median(s) / ping, counts[page])
        for page, s in samples.items()
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.competencies", description=__doc__)
    parser.add_argument("--sizes", default="200,2000")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args(argv)
    figures = []
    for n in [int(part) for part in args.sizes.split(",") if part.strip()]:
        with tempfile.TemporaryDirectory() as folder:
            if args.database_url:
                from tests import database

                database.TEST_DATABASE_URL = args.database_url
                with database.scratch_database(Path(folder)) as url:
                    figures += measure(url, n, args.rounds)
            else:
                figures += measure(f"sqlite:///{Path(folder) / 'bench.sqlite'}", n, args.rounds)
    print(f"{'N':>6}  {'page':<16} {'median ms':>9}  {'ratio to ping':>13}  {'queries':>7}")
    for n, page, ms, ratio, count in figures:
        print(f"{n:>6}  {page:<16} {ms:>9.2f}  {ratio:>13.2f}  {count:>7}")
    for page in dict.fromkeys(f[1] for f in figures):
        counts = {f[4] for f in figures if f[1] == page}
        verdict = "identical" if len(counts) == 1 else "DIFFERENT"
        print(f"{page}: query count {verdict} across sizes ({sorted(counts)})")


if __name__ == "__main__":
    main()
