"""The deployment block of the README, run as written: environment variables, `flask db upgrade`,
`flask seed`, `flask create-user`, then gunicorn from gunicorn.conf.py (as `make serve` starts it)
with two workers and the production config, on a scratch SQLite file (or a fresh PostgreSQL
database when the suite runs there) with Redis as the rate limiter's storage. Every process is
bounded by a timeout and its process group is killed.
"""

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
import requests

from tests.database import scratch_database
from tests.parallel import redis_db

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent
# This suite's own Redis database (13; 14, 15 for further xdist workers); only it is ever flushed.
REDIS_DB = redis_db(13)
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
EMAIL, PASSWORD = "operator@example.com", "correct horse battery staple"
# A bound for a hang, not a speed test (2 cores shared with other suites and xdist workers).
STARTUP_SECONDS = 180


@pytest.fixture
def production_env(tmp_path) -> Iterator[dict]:
    """The README's exports, pointing at scratch storage."""
    store = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    store.flushdb()
    with scratch_database(tmp_path) as url:
        yield {
            **os.environ,
            "CPD_LOG_CONFIG": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE_URL": url,
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "UPLOAD_DIR": str(tmp_path / "uploads"),
        }
    store.flushdb()
    store.close()


def flask(env: dict, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "flask"), "--app", "cpd_log", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(
    env: dict, log: Path, wait: bool = True, workers: int = 2
) -> Iterator[tuple[subprocess.Popen, str]]:
    """`make serve`'s gunicorn (gunicorn.conf.py) with two workers, in its own process group
    (output to `log`), killed whatever happens."""
    port = free_port()
    env = {**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)}
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py")],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        if wait:
            _wait_until_serving(process, base, log)
        yield process, base
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=15)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def _wait_until_serving(process: subprocess.Popen, base: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}: {log.read_text()}")
        try:
            if requests.get(f"{base}/account/login", timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    pytest.fail(f"gunicorn did not serve the login page in {STARTUP_SECONDS} s: {log.read_text()}")


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_production_starts_from_the_environment_and_logs_in(production_env, tmp_path):
    """Defect 1: every real SECRET_KEY was refused, so no worker booted and `db upgrade` failed."""
    env = production_env
    for step in (["db", "upgrade"], ["seed"]):
        done = flask(env, *step)
        assert done.returncode == 0, done.stderr
    created = flask(env, "create-user", "--email", EMAIL, "--name", "Op", "--password", PASSWORD)
    assert created.returncode == 0, created.stderr

    with gunicorn(env, tmp_path / "gunicorn.log") as (_, base):
        page = requests.get(f"{base}/account/login", timeout=10)
        assert page.status_code == 200 and 'name="password"' in page.text
        assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        session_cookie = page.headers["Set-Cookie"]
        assert "Secure" in session_cookie and "HttpOnly" in session_cookie
        # The cookies are Secure and this is plain http on loopback: a client would keep them
        # to itself, so this one sends them by hand, as a browser behind TLS would.
        cookies = {"session": page.cookies["session"]}
        data = {"csrf_token": csrf_token(page.text), "email": EMAIL, "password": PASSWORD}
        login = requests.post(
            f"{base}/account/login", data=data, cookies=cookies, allow_redirects=False, timeout=30
        )
        assert login.status_code == 302, login.text
        assert login.headers["Location"] == "/dashboard"
        assert "X-RateLimit-Limit" in login.headers  # the limiter answered, from Redis
        dashboard = requests.get(
            f"{base}/dashboard", cookies={"session": login.cookies["session"]}, timeout=30
        )
        assert dashboard.status_code == 200 and "Hello, Op" in dashboard.text
        assert dashboard.headers["Cache-Control"] == "private, no-store"
    assert redis.Redis.from_url(REDIS_URL).dbsize() > 0, "no rate-limit counter in Redis"


@pytest.mark.parametrize("key", ["", "dev-only-not-secret", "a" * 31])
def test_production_refuses_a_missing_or_short_key_with_a_clear_message(
    production_env, tmp_path, key
):
    env = {**production_env, "SECRET_KEY": key}
    upgrade = flask(env, "db", "upgrade")
    assert upgrade.returncode != 0
    assert "SECRET_KEY" in upgrade.stderr
    if key == "a" * 31:
        assert "SECRET_KEY is 31 bytes; production needs at least 32" in upgrade.stderr
    log = tmp_path / "gunicorn.log"
    # One worker: each would import the app only to be refused the same way (1.5 s of CPU).
    with gunicorn(env, log, wait=False, workers=1) as (process, _):
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            pytest.fail("gunicorn kept running with a refused SECRET_KEY")
    assert process.returncode != 0
    assert "SECRET_KEY" in log.read_text()
    if key == "a" * 31:
        assert "SECRET_KEY is 31 bytes; production needs at least 32" in log.read_text()
