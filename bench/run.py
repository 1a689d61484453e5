"""What the dashboard, the activity list, a cycle and the schemes page cost a heavy user, at two
data sizes.

For each N a fresh database gets a user with N activities (ten years, three tags each) who
follows four schemes (bench/generate.py SCHEMES) with the shipped crosswalks. Every page
is timed against a trivial logged-in page measured in the same run, so the ratio means the same on
a laptop and on CI; the SQL query count per page must not grow with N (STYLE.md, Queries).
Pages marked * are timed right after a write to the user's data (their `data_version` is raised
outside the timed request), so the page cache cannot serve them: that is the cost of the first
view after every change. The other rows are the repeat views the cache serves.
Figures are printed, never asserted: `make bench` or `python -m bench.run [--help]`.
"""

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path

from flask import Flask, render_template
from flask.testing import FlaskClient
from flask_login import login_required
from flask_migrate import upgrade
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from bench.databases import fresh_database
from bench.generate import heavy_user
from cpd_log import create_app
from cpd_log.extensions import db

PING = "ping"
# "{cycle}" is the heavy user's current PMP cycle (three years of their activities).
PAGES = {
    PING: "/bench/ping",
    "dashboard": "/dashboard",
    "list": "/activities/",
    "search": "/activities/?q=risk",  # ranked, best match first (cpd_log/search/)
    # The same pages right after the user's data changed: the page cache has nothing to offer,
    # so these are the cost of really rendering them (the first view after every write).
    "dashboard*": "/dashboard",
    "list*": "/activities/",
    # Filtered without text search (search has rows and a bench of its own).
    "filtered list*": "/activities/?kind=course&status=completed&sort=date_desc",
    "search*": "/activities/?q=risk",
    "cycle*": "/schemes/cycles/{cycle}",
    "schemes*": "/schemes/",
}
SCHEME_PAGES = {"cycle*", "schemes*"}
AFTER_A_WRITE = "*"
WARMUP = 3
TRIVIAL_PAGE = '{% extends "base.html" %}{% block content %}<p>ok</p>{% endblock %}'
PING_TEMPLATE = "bench/ping.html"
RATIO_TARGET = 3.0
GROWTH_TARGET = 1.2  # from 500 to 5,000 activities
RESULTS = Path(__file__).resolve().parent / "results" / "latest.txt"


@dataclass(frozen=True)
class Figure:
    n: int
    page: str
    median_ms: float
    ratio: float
    cpu_ratio: float
    statements: tuple[str, ...]

    @property
    def queries(self) -> int:
        return len(self.statements)


@login_required
def _ping() -> str:
    """The floor every page pays: routing, session cookie, loading the user (one query) and
    rendering the layout (navigation, menus) around a one-line body."""
    return render_template(PING_TEMPLATE)


def add_ping_page(app: Flask) -> Flask:
    """Add the trivial logged-in page at PAGES[PING] (bench.run and bench.load both use it)."""
    app.add_url_rule(PAGES[PING], "bench_ping", _ping)
    # A named template is compiled once and cached, like every real page's (a template string
    # would be compiled on every request and make the floor look higher than it is).
    app.jinja_env.loader = ChoiceLoader(
        [app.jinja_env.loader, DictLoader({PING_TEMPLATE: TRIVIAL_PAGE})]
    )
    return app


def bench_app(database_url: str) -> Flask:
    """The development app, migrated, without the debug, CSRF and rate-limit work a test skips."""
    app = create_app(
        "development",
        overrides={
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "DEBUG": False,
            "TESTING": False,
        },
    )
    add_ping_page(app)
    with app.app_context():
        upgrade()  # the schema the app really runs on, never create_all()
    return app


def touch_data(app: Flask, email: str) -> None:
    """What any write does to the user's pages: raise the version the page cache keys on. The
    write is a real one to the user's latest activity (its minutes set again), so what the
    triggers keep for it (monthly totals, the counted minutes' marks, cpd_log/schemes/kept.py)
    is brought up to date by the view timed next, as after a user's edit."""
    with app.app_context():
        db.session.execute(
            text(
                "UPDATE activity SET minutes = minutes WHERE id = (SELECT activity.id"
                ' FROM activity JOIN "user" ON "user".id = activity.user_id'
                ' WHERE "user".email = :email ORDER BY activity.start_date DESC, activity.id DESC'
                " LIMIT 1)"
            ),
            {"email": email},
        )
        db.session.execute(
            text('UPDATE "user" SET data_version = data_version + 1 WHERE email = :email'),
            {"email": email},
        )
        db.session.commit()


def _get(client: FlaskClient, path: str) -> None:
    """GET a page; a redirect or an error would time the wrong thing, so it stops the run."""
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}, expected 200")


def logged_in_client(app: Flask, email: str, password: str) -> FlaskClient:
    client = app.test_client()
    response = client.post("/account/login", data={"email": email, "password": password})
    if response.status_code != 302:
        raise RuntimeError(f"logging in as {email} answered {response.status_code}")
    return client


def current_cycle(app: Flask, email: str) -> int:
    """The id of the heavy user's PMP cycle that holds today (0: the user follows no scheme)."""
    with app.app_context():
        found = db.session.execute(
            text(
                "SELECT cycle.id FROM cycle JOIN enrolment ON enrolment.id = cycle.enrolment_id"
                ' JOIN "user" ON "user".id = enrolment.user_id'
                ' WHERE "user".email = :email AND cycle.start_date <= :today'
                " AND cycle.end_date >= :today ORDER BY enrolment.id LIMIT 1"
            ),
            {"email": email, "today": date.today()},
        ).scalar()
    return found or 0


def time_pages(
    client: FlaskClient, paths: dict[str, str], rounds: int, touch: Callable[[], None]
) -> tuple[dict, dict]:
    """Wall and CPU seconds per request, pages interleaved so a slow moment hits them all.

    CPU time (this thread's) barely moves when other processes load the machine; on SQLite it
    includes the database work, on PostgreSQL it leaves the server's share out.
    """
    # Each page is timed right after a write (X*), then again as its repeat view (X).
    order = [PING] + [
        name for page in paths if page.endswith(AFTER_A_WRITE)
        for name in (page, page.removesuffix(AFTER_A_WRITE)) if name in paths
    ]  # fmt: skip
    for page in order:
        for _ in range(WARMUP):
            if page.endswith(AFTER_A_WRITE):
                touch()
            _get(client, paths[page])
    wall: dict[str, list[float]] = {page: [] for page in paths}
    cpu: dict[str, list[float]] = {page: [] for page in paths}
    for _ in range(rounds):
        for page in order:
            path = paths[page]
            if page.endswith(AFTER_A_WRITE):
                touch()
            start, start_cpu = time.perf_counter(), time.thread_time()
            _get(client, path)
            cpu[page].append(time.thread_time() - start_cpu)
            wall[page].append(time.perf_counter() - start)
    return wall, cpu


def statements_for(
    app: Flask, client: FlaskClient, path: str, page: str, touch: Callable[[], None]
) -> tuple[str, ...]:
    """The SQL one request sends. The listener is attached for that request only."""
    # No app context may stay pushed while the client runs: a request would reuse it, and with it
    # the SQLAlchemy session, so the user would come from the identity map and go uncounted.
    with app.app_context():
        engine = db.engine
    if page.endswith(AFTER_A_WRITE):
        touch()
    else:
        _get(client, path)  # a repeat view, as timed
    statements: list[str] = []

    def _record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", _record)
    try:
        _get(client, path)
    finally:
        event.remove(engine, "before_cursor_execute", _record)
    return tuple(statements)


def measure(n: int, server_url: str | None, rounds: int, schemes: bool = True) -> list[Figure]:
    with fresh_database(server_url, str(n)) as database_url:
        app = bench_app(database_url)
        try:
            print(f"N={n:,}: generating the heavy user…", file=sys.stderr)
            email, password = heavy_user(app, n, schemes=schemes)
            client = logged_in_client(app, email, password)
            _get(client, PAGES["dashboard"])  # the first visit stores the cycles that began
            cycle = str(current_cycle(app, email))
            paths = {
                page: path.replace("{cycle}", cycle)
                for page, path in PAGES.items()
                if schemes or page not in SCHEME_PAGES
            }
            touch = partial(touch_data, app, email)
            print(f"N={n:,}: timing {rounds} rounds…", file=sys.stderr)
            samples, cpu_samples = time_pages(client, paths, rounds, touch)
            statements = {
                page: statements_for(app, client, paths[page], page, touch) for page in paths
            }
        finally:
            with app.app_context():
                db.engine.dispose()
    medians = {page: statistics.median(times) for page, times in samples.items()}
    cpu = {page: statistics.median(times) for page, times in cpu_samples.items()}
    return [
        Figure(
            n,
            page,
            medians[page] * 1000,
            medians[page] / medians[PING],
            cpu[page] / cpu[PING],
            statements[page],
        )
        for page in samples
    ]


def table(figures: list[Figure]) -> list[str]:
    lines = [
        f"{'N':>6}  {'page':<14} {'median ms':>9}  {'ratio to ping':>13}  {'CPU ratio':>9}"
        f"  {'queries':>7}"
    ]
    for f in figures:
        lines.append(
            f"{f.n:>6}  {f.page:<14} {f.median_ms:>9.2f}  {f.ratio:>13.2f}  {f.cpu_ratio:>9.2f}"
            f"  {f.queries:>7}"
        )
    return lines


def verdicts(figures: list[Figure]) -> list[str]:
    """One line per page: is the query count the same at every N, and is the ratio on target?"""
    lines = []
    for page in PAGES:
        if page == PING:
            continue
        mine = [f for f in figures if f.page == page]
        if not mine:
            continue
        counts = ", ".join(f"{f.queries} at N={f.n}" for f in mine)
        same = "identical" if len({f.queries for f in mine}) == 1 else "DIFFERENT"
        ratios = ", ".join(f"{f.ratio:.2f} at N={f.n}" for f in mine)
        ok = "ok" if all(f.ratio <= RATIO_TARGET for f in mine) else "ABOVE TARGET"
        # Growth from the smallest N to the largest, by wall and CPU ratio (target <= 1.2).
        growth = mine[-1].ratio / mine[0].ratio
        cpu_growth = mine[-1].cpu_ratio / mine[0].cpu_ratio
        flat = "flat" if max(growth, cpu_growth) <= GROWTH_TARGET else "GROWS"
        lines.append(
            f"{page}: queries {same} ({counts}); ratio <= {RATIO_TARGET:g} {ok} ({ratios}); "
            f"{flat} ({growth:.2f}x wall, {cpu_growth:.2f}x CPU)"
        )
    return lines


def _sizes(value: str) -> list[int]:
    return [int(part) for part in value.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__spec__.name}", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--sizes", type=_sizes, default=[500, 5000], help="default: 500,5000")
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--show-sql", action="store_true", help="print each page's statements")
    parser.add_argument(
        "--no-schemes", action="store_true", help="the heavy user follows no scheme (no cycle rows)"
    )
    args = parser.parse_args(argv)

    figures = [
        f
        for n in args.sizes
        for f in measure(n, args.database_url, args.rounds, schemes=not args.no_schemes)
    ]
    backend = (
        make_url(args.database_url).render_as_string(hide_password=True)
        if args.database_url
        else "SQLite (temporary file)"
    )
    report = [
        f"CPD Log bench {datetime.now():%Y-%m-%d %H:%M}: {backend}; "
        f"{args.rounds} rounds after {WARMUP} warm-up requests per page",
        "",
        *table(figures),
        "",
        *verdicts(figures),
    ]
    if args.show_sql:
        for f in figures:
            report += ["", f"-- N={f.n} {f.page}", *(f"{s};" for s in f.statements)]
    output = "\n".join(report) + "\n"
    print(output, end="")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(output, encoding="utf-8")


if __name__ == "__main__":
    main()
