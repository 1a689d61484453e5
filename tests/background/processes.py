"""Real processes for the queue tests: gunicorn app instances and `flask worker`, started from
environment variables as README "Deployment" says, each in its own process group and killed
whatever happens; a user with a portfolio written straight into the shared database; a browser
session over plain HTTP (production cookies are Secure, so they are sent by hand, as a browser
behind TLS would)."""

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from flask_migrate import upgrade

from cpd_log import create_app
from cpd_log.extensions import db
from tests import factories
from tests.portfolio.builders import make_portfolio
from tests.test_deployment import csrf_token, free_port

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent.parent
RESTORER = "restorer@example.com"


def production_env(database_url: str, upload_dir: Path, **settings: str) -> dict:
    """What an operator exports; every large portfolio is a background job."""
    return {
        **os.environ,
        "CPD_LOG_CONFIG": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "UPLOAD_DIR": str(upload_dir),
        "HOUSEKEEPING_EVERY_MINUTES": "0",
        "PORTFOLIO_BACKGROUND_AT": "1",
        **settings,
    }


def seed(env: dict, activities: int) -> tuple[str, int]:
    """Migrate the database and add a user whose portfolio holds `activities`, and an empty
    account `restorer@example.com`; (the first user's email, the portfolio's id)."""
    app = create_app(
        "testing",
        overrides={"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "UPLOAD_DIR": env["UPLOAD_DIR"]},
    )
    with app.app_context():
        upgrade()
        user = factories.make_user(display_name="Queue Tester")
        for n in range(activities):
            factories.make_activity(user, commit=False, title=f"Queued course {n}")
        db.session.commit()
        portfolio = make_portfolio(user, title="Rendered by the worker")
        factories.make_user(email=RESTORER, display_name="Restorer")
        email, portfolio_id = user.email, portfolio.id
        db.session.remove()
        db.engine.dispose()
    return email, portfolio_id


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    for each in (sig, signal.SIGKILL):
        try:
            os.killpg(process.pid, each)
            process.wait(timeout=15)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def started(command: list[str], env: dict, log: Path) -> Iterator[subprocess.Popen]:
    with log.open("w") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        _stop(process)


@contextmanager
def app_instance(env: dict, log: Path) -> Iterator[str]:
    """gunicorn from gunicorn.conf.py on a port of its own; yields its base URL once /healthz
    answers 200."""
    port = free_port()
    env = {**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"}
    with started([str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py")], env, log):
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                health = requests.get(f"{base}/healthz", timeout=10)
                assert health.status_code == 200, health.text
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not answer in 90 s: {log.read_text()}")
                time.sleep(0.3)
        yield base


def worker(env: dict, log: Path):
    """`flask --app cpd_log worker`, as `make worker` starts it."""
    return started([str(BIN / "flask"), "--app", "cpd_log", "worker"], env, log)


class Browser:
    """One logged-in session, usable against any instance (the session is in the database)."""

    def __init__(self, base: str, email: str):
        page = requests.get(f"{base}/account/login", timeout=30)
        self.cookies = {"session": page.cookies["session"]}
        data = {"csrf_token": csrf_token(page.text), "email": email, "password": factories.PASSWORD}
        login = requests.post(
            f"{base}/account/login",
            data=data,
            cookies=self.cookies,
            allow_redirects=False,
            timeout=30,
        )
        assert login.status_code == 302, login.text
        self.cookies = {"session": login.cookies["session"]}

    def get(self, url: str, **kwargs) -> requests.Response:
        return requests.get(url, cookies=self.cookies, timeout=60, **kwargs)

    def start_export(self, base: str, portfolio_id: int, kind: str = "pdf") -> str:
        """Press "Prepare PDF" on the portfolio page; the job's path (/portfolios/jobs/<token>)."""
        page = self.get(f"{base}/portfolios/{portfolio_id}")
        assert page.status_code == 200, page.text
        response = requests.post(
            f"{base}/portfolios/{portfolio_id}/prepare",
            data={"csrf_token": csrf_token(page.text), "kind": kind},
            cookies=self.cookies,
            allow_redirects=False,
            timeout=60,
        )
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def backup(self, base: str) -> bytes:
        """The account backup archive, as "Download a backup" gives it."""
        page = self.get(f"{base}/export/")
        data = {"csrf_token": csrf_token(page.text), "password": factories.PASSWORD}
        response = requests.post(
            f"{base}/export/account", data=data, cookies=self.cookies, timeout=120
        )
        assert response.status_code == 200, response.text[-500:]
        return response.content

    def start_restore(self, base: str, archive: bytes) -> str:
        """Upload a backup to "Import a backup"; the job's path (/export/imports/<id>)."""
        page = self.get(f"{base}/export/")
        response = requests.post(
            f"{base}/export/import",
            data={"csrf_token": csrf_token(page.text)},
            files={"file": ("backup.zip", archive, "application/zip")},
            cookies=self.cookies,
            allow_redirects=False,
            timeout=120,
        )
        assert response.status_code == 302, response.text[-500:]
        return response.headers["Location"]

    def wait(self, base: str, job: str, until, seconds: float = 120) -> dict:
        """Poll the job's status on `base` until `until(status)`; the last status."""
        deadline = time.monotonic() + seconds
        while True:
            status = self.get(f"{base}{job}/status").json()
            if until(status):
                return status
            if time.monotonic() > deadline:
                pytest.fail(f"the job did not get there in {seconds} s: {status}")
            time.sleep(0.1)
