"""Concurrent writers against the app as deployed: does any write get lost, or answer 5xx?

The app runs under gunicorn exactly as README's Deployment block starts it (production config, a
64-hex-digit SECRET_KEY, `flask db upgrade` and `flask seed` first), on a SQLite file or a fresh
PostgreSQL database of its own. Plain http on loopback, so SESSION_COOKIE_SECURE=0; rate limits
off (RATELIMIT_ENABLED=0), since every client comes from 127.0.0.1.

Each user registers through the real form; each client (`--tabs` clients per user, each its own
browser session) makes `--writes` writes through the real HTML forms with their CSRF tokens: it
logs a new activity (about a third of the writes) or edits one of its user's activities — new
title, hours and competency tags — with the version its edit form carried. Afterwards every
activity is read back from the database and compared with what the clients believe they wrote:

- lost: an accepted write whose values are not what the database holds, although no later accepted
  write replaced them (with versions, every accepted edit has its own version: two accepted saves
  from the same version would be a lost update, and counted as one);
- conflicts: 409 answers ("changed elsewhere"): only possible with `--tabs 2` or more;
- 5xx and other unexpected answers; p50/p99 latency of the write requests (the POSTs).

    python -m bench.concurrent_writers [--clients 8] [--writes 200] [--tabs 1] [--workers 4]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Figures are printed, never asserted here; tests/activities/test_concurrent_writers.py runs a short
version and asserts 0 lost, 0 5xx.
"""

import argparse
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import create_engine, select

from bench.databases import fresh_database
from cpd_log.models import Activity
from cpd_log.models.activity import activity_competency

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CREATE_SHARE = 0.35
TIMEOUT = 60


@dataclass
class Tally:
    attempted: int = 0
    succeeded: int = 0
    conflicts: int = 0
    server_errors: int = 0
    other: int = 0
    latencies: list[float] = field(default_factory=list)
    # activity id -> [(version after the write, (title, minutes, tag ids))] of accepted writes
    accepted: dict[int, list] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)


def server_environment(database_url: str, upload_dir: str) -> dict[str, str]:
    """README's Deployment variables, for plain http on loopback."""
    return {
        **os.environ,
        "CPD_LOG_CONFIG": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "SESSION_COOKIE_SECURE": "0",
        "RATELIMIT_ENABLED": "0",
        "UPLOAD_DIR": upload_dir,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def deployed_app(database_url: str, workers: int):
    """Migrate, seed and serve the app under gunicorn; yield its base URL."""
    with tempfile.TemporaryDirectory(prefix="cpd_writers_") as uploads:
        env = server_environment(database_url, uploads)
        for command in (["db", "upgrade"], ["seed"]):
            subprocess.run(  # noqa: S603 - our own commands, fixed arguments
                [BIN / "flask", "--app", "cpd_log", *command],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
        port = free_port()
        log = (Path(uploads) / "gunicorn.log").open("wb")
        server = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [BIN / "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
            + ["cpd_log:create_app()"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_serving(base, server, Path(log.name))
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()


def wait_until_serving(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if requests.get(f"{base}/account/login", timeout=TIMEOUT).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {TIMEOUT} s")


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page)
    if not match:
        raise RuntimeError(f"no hidden {name} field in the page")
    return match.group(1)


def competency_ids(page: str) -> list[int]:
    picker = page.split('name="competencies"', 1)[1].split("</select>", 1)[0]
    return [int(value) for value in re.findall(r'<option value="(\d+)"', picker)]


class Client:
    """One browser session: its own cookies, the real forms, their CSRF tokens."""

    def __init__(self, base: str, email: str, password: str, number: int):
        self.base, self.number = base, number
        self.http = requests.Session()
        self.rng = random.Random(number)
        self.email, self.password = email, password

    def form(self, path: str) -> str:
        response = self.http.get(self.base + path, timeout=TIMEOUT)
        response.raise_for_status()
        return response.text

    def post(self, path: str, data: dict) -> requests.Response:
        return self.http.post(self.base + path, data=data, allow_redirects=False, timeout=TIMEOUT)

    def register(self, name: str) -> None:
        token = hidden(self.form("/account/register"), "csrf_token")
        data = {"email": self.email, "display_name": name, "password": self.password}
        answer = self.post(
            "/account/register", {**data, "confirm": self.password, "csrf_token": token}
        )
        if answer.status_code != 302:
            raise RuntimeError(f"registration answered {answer.status_code}")
        self.http.close()  # a registering session only; the clients log in

    def log_in(self) -> None:
        token = hidden(self.form("/account/login"), "csrf_token")
        data = {"email": self.email, "password": self.password, "csrf_token": token}
        if self.post("/account/login", data).status_code != 302:
            raise RuntimeError("login failed")

    def activity(self, tags: list[int], n: int) -> tuple[dict, tuple]:
        title = f"Client {self.number} write {n} {secrets.token_hex(3)}"
        minutes = self.rng.randrange(1, 33) * 15
        chosen = sorted(self.rng.sample(tags, self.rng.randrange(0, 4)))
        data = {
            "title": title,
            "kind": self.rng.choice(["course", "webinar", "reading", "conference"]),
            "start_date": f"2026-{self.rng.randrange(1, 12):02d}-{self.rng.randrange(1, 28):02d}",
            "hours": f"{minutes / 60:g}",
            "delivery": "online",
            "status": "completed",
            "description": "Written by bench.concurrent_writers.",
            "competencies": [str(c) for c in chosen],
        }
        return data, (title, minutes, frozenset(chosen))


def run_client(client: Client, writes: int, owned: list[int], tally: Tally) -> None:
    """`writes` writes: log a new activity or edit one of the user's (shared by its tabs)."""
    tags = competency_ids(client.form("/activities/new"))
    for n in range(writes):
        creating = not owned or client.rng.random() < CREATE_SHARE
        if creating:
            path, page = "/activities/new", client.form("/activities/new")
            version = 0
        else:
            activity_id = client.rng.choice(owned)
            path = f"/activities/{activity_id}/edit"
            page = client.form(path)
            version = int(hidden(page, "version"))
        data, expected = client.activity(tags, n)
        data["csrf_token"] = hidden(page, "csrf_token")
        if not creating:
            data["version"] = str(version)
        started = time.perf_counter()
        answer = client.post(path, data)
        elapsed = time.perf_counter() - started
        with tally.lock:
            tally.attempted += 1
            tally.latencies.append(elapsed)
            if answer.status_code == 302:
                tally.succeeded += 1
                if creating:
                    activity_id = int(answer.headers["Location"].rstrip("/").rsplit("/", 1)[1])
                    owned.append(activity_id)
                tally.accepted[activity_id].append((version + 1, expected))
            elif answer.status_code == 409:
                tally.conflicts += 1
            elif answer.status_code >= 500:
                tally.server_errors += 1
            else:
                tally.other += 1


def lost_writes(database_url: str, accepted: dict[int, list]) -> int:
    """Accepted writes the database does not show: the newest accepted write of each activity
    must be what it holds, at that version, and no two accepted writes may share a version."""
    engine = create_engine(database_url)
    lost = 0
    try:
        with engine.connect() as connection:
            rows = {
                row.id: row
                for row in connection.execute(
                    select(Activity.id, Activity.title, Activity.minutes, Activity.version)
                )
            }
            tags = defaultdict(set)
            for activity_id, competency_id in connection.execute(select(activity_competency)):
                tags[activity_id].add(competency_id)
    finally:
        engine.dispose()
    for activity_id, writes in accepted.items():
        versions = [version for version, _ in writes]
        lost += len(versions) - len(set(versions))
        version, (title, minutes, chosen) = max(writes, key=lambda write: write[0])
        row = rows.get(activity_id)
        held = row and (row.title, row.minutes, frozenset(tags[activity_id]), row.version)
        if held != (title, minutes, chosen, version):
            lost += 1
    return lost


def measure(database_url: str, clients: int, writes: int, tabs: int, workers: int) -> dict:
    """Serve the app, then one run of the writers."""
    setup = time.perf_counter()
    with deployed_app(database_url, workers) as base:
        print(f"  (served after {time.perf_counter() - setup:.1f} s)", file=sys.stderr)
        return run_writers(base, database_url, clients, writes, tabs)


def run_writers(
    base: str, database_url: str, clients: int, writes: int, tabs: int, name: str = "writer"
) -> dict:
    """Register the users (`name` keeps runs on one server apart), run the clients in
    parallel, read everything back."""
    sessions = []
    for u in range(max(1, clients // tabs)):
        email, password = f"{name}{u}@example.com", secrets.token_urlsafe(18)
        Client(base, email, password, u).register(f"Writer {u}")
        owned: list[int] = []
        for t in range(tabs):
            sessions.append((Client(base, email, password, u * tabs + t), owned))
    for client, _owned in sessions:
        client.log_in()
    tally = Tally()
    threads = [
        threading.Thread(target=run_client, args=(client, writes, owned, tally))
        for client, owned in sessions
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    for client, _owned in sessions:
        client.http.close()
    latencies = tally.latencies
    return {
        "clients": len(sessions),
        "writes per client": writes,
        "attempted": tally.attempted,
        "succeeded": tally.succeeded,
        "conflicts (409)": tally.conflicts,
        "5xx": tally.server_errors,
        "other answers": tally.other,
        "lost": lost_writes(database_url, tally.accepted),
        "p50 ms": round(statistics.median(latencies) * 1000, 1),
        "p99 ms": round(statistics.quantiles(latencies, n=100)[98] * 1000, 1),
        "writes/s": round(tally.attempted / wall, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--writes", type=int, default=200, help="writes per client")
    parser.add_argument("--tabs", type=int, default=1, help="clients (sessions) per user")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (README: 4)")
    parser.add_argument(
        "--database-url", help="a PostgreSQL server URL (a fresh database is made); default SQLite"
    )
    args = parser.parse_args(argv)
    backend = "PostgreSQL" if args.database_url else "SQLite"
    with fresh_database(args.database_url, "writers") as url:
        figures = measure(url, args.clients, args.writes, args.tabs, args.workers)
    print(f"{backend}, gunicorn --workers {args.workers}, {args.tabs} tab(s) per user")
    for name, value in figures.items():
        print(f"  {name:<20} {value}")


if __name__ == "__main__":
    main()
