"""The floor every page pays, measured in the process: CPU ms per request of the trivial
logged-in page (bench.run's /bench/ping: session cookie, loading the user, the layout around one
line) and of the login page, each against a hello-world Flask app timed in the same run.

The app runs with the production settings (`create_app("production")`: CSRF, rate limits,
templates not reloading) on a temporary SQLite file, through Flask's test client, one user
logged in through the real form. Pages are timed in interleaved batches (CPU time of this
thread, which other work on the machine barely moves); the figure is the median batch. The
ratio is hello-world's time over the page's: what share of hello-world's rate the page could
reach if the server cost nothing (gunicorn adds the same per request to both; bench/load.py
measures that). `--profile` adds a cProfile of the trivial page.
`python -m bench.floor [--help]`; figures are printed, never asserted.
"""

import argparse
import cProfile
import logging
import pstats
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from bench.generate import heavy_user
from bench.load_apps import hello
from bench.run import PAGES, PING, add_ping_page
from cpd_log import create_app

LOGIN = "/account/login"


def production_app(tmp: Path) -> Flask:
    """The production configuration on loopback, as bench.load's gunicorn runs it."""
    app = create_app(
        "production",
        overrides={
            "SECRET_KEY": secrets.token_hex(32),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'floor.sqlite'}",
            "SESSION_COOKIE_SECURE": False,  # the test client speaks plain HTTP
            "REMEMBER_COOKIE_SECURE": False,
            "LOGIN_RATE_LIMIT": "100000 per minute",
            "HOUSEKEEPING_EVERY_MINUTES": 0,
            "QUEUE_URL": f"sqlite:///{tmp / 'queue.sqlite'}",
            "UPLOAD_DIR": str(tmp / "uploads"),
            "MAIL_OUTBOX_DIR": str(tmp / "outbox"),
        },
    )
    add_ping_page(app)
    with app.app_context():
        upgrade()
    return app


def logged_in(app: Flask) -> FlaskClient:
    """A client logged in through the login form, CSRF token and all."""
    email, password = heavy_user(app, 10, schemes=False)
    client = app.test_client()
    page = client.get(LOGIN).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = {"email": email, "password": password, "csrf_token": token}
    if client.post(LOGIN, data=data).status_code != 302:
        raise SystemExit("logging in failed")
    return client


def batch(client: FlaskClient, path: str, requests: int) -> float:
    """CPU seconds per request over `requests` GETs; anything but 200 stops the run."""
    started = time.thread_time()
    for _ in range(requests):
        status = client.get(path).status_code
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}")
    return (time.thread_time() - started) / requests


def measure(pages: dict[str, tuple[FlaskClient, str]], rounds: int, size: int) -> dict:
    for client, path in pages.values():
        batch(client, path, size)  # warm-up: templates compiled, url_for builders made
    samples: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(rounds):
        for name, (client, path) in pages.items():
            samples[name].append(batch(client, path, size))
    return {name: statistics.median(times) for name, times in samples.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__spec__.name}", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--batch", type=int, default=40, help="requests per timed batch")
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile N trivial pages")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # the rate-limit storage warning, the security log
    with tempfile.TemporaryDirectory(prefix="cpd_floor_") as tmp:
        app = production_app(Path(tmp))
        client = logged_in(app)
        pages = {
            "hello-world": (hello().test_client(), "/"),
            "login page": (app.test_client(), LOGIN),
            "trivial logged-in page": (client, PAGES[PING]),
        }
        figures = measure(pages, args.rounds, args.batch)
        reference = figures["hello-world"]
        print(f"CPU ms per request, median of {args.rounds} batches of {args.batch}")
        print(f"{'page':<24}{'ms':>8}{'ratio':>8}")
        for name, seconds in figures.items():
            print(f"{name:<24}{seconds * 1000:>8.3f}{reference / seconds:>8.2f}")
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(batch, client, PAGES[PING], args.profile)
            pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
