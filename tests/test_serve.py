"""`make serve` and its gunicorn, started from gunicorn.conf.py with only environment variables
(BIND, WEB_CONCURRENCY, the production settings), as README "Deployment" does. /healthz answers
200, every line on stdout is one JSON access-log object, WEB_CONCURRENCY sets the workers, and
/healthz answers 503 naming the database, Redis or the job queue when one is unreachable."""

import importlib.util
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import uuid4

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.database import TEST_DATABASE_URL, scratch_database
from tests.test_deployment import REDIS_URL, free_port

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "gunicorn.conf.py"
GUNICORN = Path(sys.executable).parent / "gunicorn"
PG_URL = TEST_DATABASE_URL or os.environ.get(
    "PG_TEST_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
FIELDS = {"time", "method", "path", "status", "bytes", "duration_ms", "remote_addr"}
# A bound for a hang, not a speed test: `make serve` migrates before gunicorn boots, which took
# 85 s on 2 cores loaded by other suites and the other xdist worker (90 s was missed once).
STARTUP_SECONDS = 180


def _env(tmp_path: Path, **settings: str) -> dict:
    return {
        **os.environ,
        "CPD_LOG_CONFIG": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite'}",
        "HOUSEKEEPING_EVERY_MINUTES": "0",
        "BIND": f"127.0.0.1:{free_port()}",
        **settings,
    }


@contextmanager
def served(
    env: dict, folder: Path, command: list[str] | None = None
) -> Iterator[tuple[subprocess.Popen, str]]:
    """gunicorn -c gunicorn.conf.py (or `command`) in its own process group; stdout and stderr
    to files."""
    with (folder / "stdout.log").open("w") as out, (folder / "stderr.log").open("w") as err:
        process = subprocess.Popen(
            command or [str(GUNICORN), "--config", str(CONFIG)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    base = f"http://{env['BIND']}"
    try:
        _wait_for_healthz(process, base, folder)
        yield process, base
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)
                process.wait(timeout=15)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue


def _wait_for_healthz(process: subprocess.Popen, base: str, folder: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited: {(folder / 'stderr.log').read_text()}")
        try:
            requests.get(f"{base}/healthz", timeout=10)
            return
        except requests.RequestException:
            time.sleep(0.3)
    stderr = (folder / "stderr.log").read_text()
    pytest.fail(f"gunicorn did not answer in {STARTUP_SECONDS} s: {stderr}")


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _workers(process: subprocess.Popen, expected: int) -> list[int]:
    """The gunicorn master's worker processes once `expected` have booted (or after 30 s).
    `make` execs gunicorn in its shell, so the master is make's only child."""
    (master,) = _children(process.pid)
    deadline = time.monotonic() + 30
    while len(_children(master)) < expected and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1)  # a surplus worker would have booted by now
    return _children(master)


def test_make_serve_migrates_then_serves_with_json_access_log_and_the_workers_asked_for(tmp_path):
    venv = GUNICORN.parent.parent
    if not (venv / ".installed").exists():
        pytest.skip(f"{venv} was not made by `make install` (make serve would install into it)")
    make = ["make", "--no-print-directory", "serve", f"VENV={venv}"]
    with scratch_database(tmp_path) as url:
        env = _env(tmp_path, DATABASE_URL=url, RATELIMIT_STORAGE_URI=REDIS_URL, WEB_CONCURRENCY="3")
        with served(env, tmp_path, make) as (process, base):
            response = requests.get(f"{base}/healthz?token=do-not-log-me", timeout=10)
            assert response.status_code == 200, response.text
            assert response.json() == {
                "status": "ok",
                "database": "ok",
                "redis": "ok",
                "queue": "ok",
            }
            assert "Set-Cookie" not in response.headers
            assert len(_workers(process, 3)) == 3
            time.sleep(0.5)  # the access log line is written after the response
        engine = create_engine(url)
        with engine.connect() as connection:  # make serve ran `db upgrade` first
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        engine.dispose()
    lines = (tmp_path / "stdout.log").read_text().splitlines()
    records = [json.loads(line) for line in lines]  # every line on stdout is one JSON object
    probe = [r for r in records if r["method"] == "GET" and r["status"] == 200][-1]
    assert set(probe) == FIELDS
    assert probe["path"] == "/healthz" and probe["remote_addr"] == "127.0.0.1"
    assert probe["bytes"] == len(response.content) and probe["duration_ms"] >= 0
    assert "do-not-log-me" not in "\n".join(lines)
    assert (tmp_path / "stderr.log").read_text().count("Booting worker") == 3


@pytest.mark.parametrize("broken", ["database", "redis", "queue"])
def test_answers_503_naming_the_part_that_is_unreachable(tmp_path, broken):
    nowhere = f"redis://127.0.0.1:{free_port()}/0"  # a port nobody listens on
    missing_pg = make_url(PG_URL).set(database=f"cpd_log_missing_{uuid4().hex[:8]}")
    settings = {
        "database": {
            "DATABASE_URL": missing_pg.render_as_string(hide_password=False),
            "RATELIMIT_STORAGE_URI": REDIS_URL,
        },
        "redis": {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'cpd_log.sqlite'}",
            "RATELIMIT_STORAGE_URI": nowhere,
        },
        "queue": {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'cpd_log.sqlite'}",
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "QUEUE_URL": nowhere,
        },
    }[broken]
    env = _env(tmp_path, WEB_CONCURRENCY="1", **settings)
    with served(env, tmp_path) as (_, base):
        response = requests.get(f"{base}/healthz", timeout=10)
    assert response.status_code == 503
    healthy = {"database": "ok", "redis": "ok", "queue": "ok"}
    assert response.json() == {"status": "failed", **healthy, broken: "failed"}


def _config_module():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", CONFIG)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_workers_default_to_twice_the_cpus_plus_one_capped():
    conf = _config_module()
    assert [conf.default_workers(cpus) for cpus in (1, 2, 4, 16)] == [3, 5, 9, 9]
    assert conf.workers_from({"WEB_CONCURRENCY": "7"}) == 7
    assert conf.workers_from({}) == conf.default_workers(conf.cpu_count())
    with pytest.raises(ValueError, match="WEB_CONCURRENCY is 0"):
        conf.workers_from({"WEB_CONCURRENCY": "0"})
