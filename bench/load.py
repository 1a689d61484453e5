"""Requests per second under load: CPD Log under gunicorn against a hello-world app, same run.

gunicorn serves with gunicorn.conf.py (as `make serve`: CPD_LOG_CONFIG=production, a SECRET_KEY,
DATABASE_URL, the JSON access log) on a free loopback port, and wrk drives it from the same
machine. Per database: hello-world, CPD Log's login page, a trivial logged-in page and the mixed
workload of many users (bench/load.lua: 75 % page views, 20 % writes with CSRF tokens, 5 % PDF/ZIP
through whatever the portfolio page offers), then hello-world again. Each figure is a ratio to
the mean of the two hello-world runs, so it means the same on a laptop and on a quiet CI machine.
Figures are printed beside their targets, never asserted: `make bench-load` or
`python -m bench.load [--help]`.
"""

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from bench.databases import fresh_database
from bench.generate import BenchUser, activity_counts, many_users
from bench.load_server import Server, children_cpu, gunicorn, job_worker, process_tree_cpu
from bench.load_session import check_writes, prepare_all, write_users
from bench.run import PAGES, PING
from cpd_log import create_app
from cpd_log.extensions import db
from cpd_log.models import Activity

HERE = Path(__file__).resolve().parent
LUA = HERE / "load.lua"
RESULTS = HERE / "results" / "load-latest.txt"
PG_URL = os.environ.get(
    "CPD_LOG_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
HELLO = "hello-world"
TRIVIAL = "trivial logged-in page"
MIXED = "mixed workload"
# The mixed workload: actions and their weights (load.lua draws one per request or job).
MIX = {
    **{"dashboard": 20, "list": 20, "search": 20, "cycle": 15},  # 75 % page views
    **{"log": 8, "edit": 6, "reflect": 6},  # 20 % writes
    **{"pdf": 3, "zip": 2},  # 5 % PDF/ZIP
}
TARGETS = {
    TRIVIAL: (0.60, None),
    MIXED: (0.25, 250.0),  # and 0 errors
}
CPUS = len(os.sched_getaffinity(0))


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    errors: int
    wrk_cpu: float  # share of the machine's CPUs wrk used
    server_cpu: float  # share gunicorn's processes used
    counts: dict = field(default_factory=dict)
    error_counts: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def wrk(server: Server, args, scenario: str, users: str, path: str, seconds: int) -> dict:
    """One wrk run; its LOADBENCH line and the CPU wrk and gunicorn used meanwhile."""
    connections = args.connections
    command = [
        args.wrk, "-t", str(connections), "-c", str(connections), "-d", f"{seconds}s",
        "--timeout", "10s", "-s", str(LUA), server.url, "--",
        scenario, users, path, str(connections),
    ]  # fmt: skip
    wrk_before, server_before = children_cpu(), process_tree_cpu(server.pid)
    started = time.monotonic()
    finished = subprocess.run(  # noqa: S603 - wrk from PATH, our own arguments
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    wall = time.monotonic() - started
    if os.environ.get("LOADBENCH_DEBUG"):  # load.lua then writes every response to stderr
        sys.stderr.write(finished.stderr)
    lines = [line for line in finished.stdout.splitlines() if line.startswith("LOADBENCH ")]
    if finished.returncode != 0 or not lines:
        raise SystemExit(f"wrk failed ({finished.returncode}):\n{finished.stdout}{finished.stderr}")
    figures = json.loads(lines[-1].removeprefix("LOADBENCH "))
    figures["wrk_cpu"] = (children_cpu() - wrk_before) / (wall * CPUS)
    figures["server_cpu"] = (process_tree_cpu(server.pid) - server_before) / (wall * CPUS)
    return figures


def measure(name: str, server: Server, args, scenario: str, users: str, path: str) -> Result:
    seconds = args.mixed_seconds if scenario == "mixed" else args.seconds
    print(f"  {name}: {args.warmup} s warm-up, {seconds} s measured…", file=sys.stderr)
    wrk(server, args, scenario, users, path, args.warmup)
    if scenario == "mixed":  # the warm-up's edits raised versions load.lua no longer knows
        users = refresh_versions(Path(users), args)
    f = wrk(server, args, scenario, users, path, seconds)
    errors = sum(f["socket_errors"].values()) + sum(f["errors"].values())
    return Result(
        name,
        f["requests"],
        f["duration_us"] / 1e6,
        f["p50_us"] / 1000,
        f["p95_us"] / 1000,
        f["p99_us"] / 1000,
        errors,
        f["wrk_cpu"],
        f["server_cpu"],
        f["counts"],
        f["errors"],
    )


def refresh_versions(path: Path, args) -> str:
    """Read the edited activities' versions back from the database into the users file."""
    entries = args.entries
    engine = create_engine(args.database_url)
    try:
        with engine.connect() as conn:
            ids = [a["id"] for entry in entries for a in entry["editable"]]
            versions = dict(conn.execute(select(Activity.id, Activity.version).where(
                Activity.id.in_(ids))).all())  # fmt: skip
    finally:
        engine.dispose()
    for entry in entries:
        for activity in entry["editable"]:
            activity["version"] = versions[activity["id"]]
    return str(write_users(path, entries, args.mix))


def seed(database_url: str, args) -> tuple[list[BenchUser], float]:
    started = time.monotonic()
    app = create_app("development", overrides={"SQLALCHEMY_DATABASE_URI": database_url})
    try:
        with app.app_context():
            upgrade()
        users = many_users(
            app,
            activity_counts(args.users, args.smallest, args.largest),
            portfolio_days=args.portfolio_days,
        )
    finally:
        with app.app_context():
            db.engine.dispose()
    return users, time.monotonic() - started


def cpd_log_env(database_url: str, tmp: Path, args) -> dict[str, str]:
    """The README's production settings, on loopback."""
    env = {
        "CPD_LOG_CONFIG": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        # Plain HTTP on loopback: Secure cookies would never be sent back.
        "SESSION_COOKIE_SECURE": "0",
        # Every bench user logs in from 127.0.0.1 before the timed runs.
        "LOGIN_RATE_LIMIT": "100000 per minute",
        "UPLOAD_DIR": str(tmp / "uploads"),
        "MAIL_OUTBOX_DIR": str(tmp / "outbox"),
        # PDF/ZIP exports go to a `flask worker` beside gunicorn (one host: a SQLite queue).
        "QUEUE_URL": f"sqlite:///{tmp / 'queue.sqlite'}",
    }
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    return env


def hello(args, tmp: Path, label: str) -> Result:
    env = {"WEB_CONCURRENCY": str(args.workers)} if args.workers else {}
    with gunicorn("bench.load_apps:hello()", env, logs(args, tmp), "/") as server:
        return measure(f"{HELLO} ({label})", server, args, "get", "-", "/")


def logs(args, tmp: Path) -> Path:
    """Where gunicorn's access and error logs go: --logs, else the run's temporary folder."""
    folder = args.logs / args.current_database if args.logs else tmp
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def run_database(database: str, args) -> list[str]:
    server_url = None if database == "sqlite" else args.pg_url
    args.current_database = database
    with (
        tempfile.TemporaryDirectory(prefix="cpd_load_") as tmp_name,
        fresh_database(server_url, "load") as database_url,
    ):
        tmp = Path(tmp_name)
        args.database_url = database_url
        print(f"{database}: seeding {args.users} users…", file=sys.stderr)
        users, seeded = seed(database_url, args)
        results = [hello(args, tmp, "before")]
        env = cpd_log_env(database_url, tmp, args)
        with (
            job_worker(env, logs(args, tmp)),
            gunicorn("bench.load_apps:cpd_log()", env, logs(args, tmp), "/healthz") as server,
        ):
            print(f"{database}: logging {len(users)} users in…", file=sys.stderr)
            args.entries = prepare_all(server.url, users)
            check_writes(server.url, args.entries[0])
            users_file = str(write_users(tmp / "users.lua", args.entries, args.mix))
            results += [
                measure("login page", server, args, "get", "-", "/account/login"),
                measure(TRIVIAL, server, args, "get", users_file, PAGES[PING]),
                measure(MIXED, server, args, "mixed", users_file, "-"),
            ]
        results.append(hello(args, tmp, "after"))
    return report(database, args, users, seeded, results)


def report(database: str, args, users: list[BenchUser], seeded: float, results) -> list[str]:
    reference = sum(r.rate for r in results if r.name.startswith(HELLO)) / 2
    sizes = [u.activities for u in users]
    backend = "SQLite" if database == "sqlite" else make_url(args.pg_url).render_as_string()
    lines = [
        f"{backend}: {len(users)} users with {min(sizes):,}–{max(sizes):,} activities "
        f"({sum(sizes):,} in all, seeded in {seeded:.0f} s); ratios to the mean hello-world",
        f"{'scenario':<27}{'req/s':>8}{'ratio':>7}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
        f"{'errors':>7}{'wrk CPU':>8}{'app CPU':>8}{'CPU ms':>8}{'CPU ratio':>10}  target",
    ]
    cpu_reference = sum(cpu_ms(r) for r in results if r.name.startswith(HELLO)) / 2
    for r in results:
        ratio = r.rate / reference
        lines.append(
            f"{r.name:<27}{r.rate:>8.0f}{ratio:>7.2f}{r.p50:>8.1f}{r.p95:>8.1f}{r.p99:>8.1f}"
            f"{r.errors:>7}{r.wrk_cpu:>8.0%}{r.server_cpu:>8.0%}{cpu_ms(r):>8.2f}"
            f"{cpu_reference / cpu_ms(r):>10.2f}  {verdict(r, ratio)}"
        )
    mixed = next(r for r in results if r.name == MIXED)
    failed = mixed.error_counts
    actions = ", ".join(
        f"{name} {count}" + (f" ({failed[name]} errors)" if name in failed else "")
        for name, count in sorted(mixed.counts.items())
    )
    lines.append(f"mixed workload requests by action: {actions}")
    return lines


def cpu_ms(result: Result) -> float:
    """gunicorn's CPU milliseconds per request. On a machine other work keeps busy the server
    gets a varying share of the CPUs, so req/s swing with it; CPU per request much less. Its
    ratio (hello-world's over this) is the rate ratio a quiet machine would show, roughly."""
    return result.server_cpu * CPUS * 1000 / result.rate if result.rate else float("inf")


def verdict(result: Result, ratio: float) -> str:
    if result.name not in TARGETS:
        return ""
    least, p99 = TARGETS[result.name]
    wanted = [f">= {least:.0%} of hello-world"]
    met = ratio >= least
    if p99 is not None:
        wanted += ["0 errors", f"p99 <= {p99:g} ms"]
        met = met and result.errors == 0 and result.p99 <= p99
    return f"{', '.join(wanted)}: {'met' if met else 'NOT MET'}"


def _mix(value: str) -> dict[str, int]:
    mix = {}
    for part in value.split(","):
        action, _, weight = part.partition("=")
        if action.strip() not in MIX or not weight.strip().isdigit():
            raise argparse.ArgumentTypeError(
                f"{part!r}: give ACTION=WEIGHT, ACTION one of {list(MIX)}"
            )
        mix[action.strip()] = int(weight)
    return mix


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__spec__.name}", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--pg-url",
        default=PG_URL,
        help="a PostgreSQL server: a scratch database is made on it and dropped afterwards "
        "(default: $CPD_LOG_BENCH_PG_URL or the local server's postgres database)",
    )
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--smallest", type=int, default=500, help="activities of the lightest user")
    parser.add_argument("--largest", type=int, default=1000, help="activities of the heaviest")
    parser.add_argument(
        "--portfolio-days",
        type=int,
        default=7,
        help="each user's portfolio (the PDF/ZIP) holds the activities of the last this many days",
    )
    parser.add_argument("--seconds", type=int, default=15, help="per simple scenario")
    parser.add_argument("--mixed-seconds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3, help="seconds before each measurement")
    parser.add_argument("--connections", type=int, default=16, help="one wrk thread each")
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY (default: gunicorn.conf.py's)")
    parser.add_argument(
        "--mix",
        type=_mix,
        default=MIX,
        help="the mixed workload's actions and weights, e.g. pdf=1,zip=1 (default: "
        + ",".join(f"{a}={w}" for a, w in MIX.items())
        + ")",
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--logs", type=Path, help="keep gunicorn's logs here (JSON access log)")
    args = parser.parse_args(argv)
    args.wrk = shutil.which("wrk")
    if args.wrk is None:
        parser.error("wrk is not installed: apt-get install -y wrk")
    if args.connections > args.users:
        parser.error("give at least as many users as connections (each thread has its own users)")

    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    header = (
        f"CPD Log load bench {datetime.now():%Y-%m-%d %H:%M}: gunicorn.conf.py "
        f"(workers: {args.workers or 'its default'}), wrk {args.connections} connections on "
        f"loopback, {args.seconds} s per scenario ({args.mixed_seconds} s mixed) after "
        f"{args.warmup} s warm-up; {CPUS} CPUs shared by server and wrk"
    )
    report_lines = [header]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    print(header)
    for database in databases:
        table = ["", *run_database(database, args)]
        print("\n".join(table), flush=True)
        # Written after each database, so a later failure keeps the tables already measured.
        report_lines += table
        args.output.write_text("\n".join(report_lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
