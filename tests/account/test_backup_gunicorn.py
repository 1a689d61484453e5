"""The backup through a real gunicorn, started from environment variables as the README does:
the archive streams out, and a backup three times MAX_CONTENT_LENGTH streams in and is restored
by the job, in a `flask worker` process (against the measured 413 and the worker killed at
gunicorn's timeout)."""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import requests
from flask_migrate import upgrade

from cpd_log import create_app
from cpd_log.auth.services import register_user
from cpd_log.evidence import services
from cpd_log.extensions import db
from cpd_log.models import Activity, ActivityKind, ActivityStatus, Delivery

PASSWORD = "gunicorn test password"


def _prepare(env: dict) -> None:
    """`flask db upgrade` and two accounts, the source's 30 activities with three 1 MB scans, in
    this process (set-up, not what is tested: no interpreter start-ups for it)."""
    app = create_app(
        "testing",
        overrides={"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "UPLOAD_DIR": env["UPLOAD_DIR"]},
    )
    with app.app_context():
        upgrade()
        source = register_user("source@example.com", "Source", PASSWORD)
        register_user("target@example.com", "Target", PASSWORD)
        for n in range(30):
            activity = Activity(
                user_id=source.id,
                title=f"Course {n}",
                kind=ActivityKind.COURSE,
                start_date=date(2025, 1, 1),
                minutes=60,
                delivery=Delivery.ONLINE,
                status=ActivityStatus.COMPLETED,
            )
            db.session.add(activity)
            db.session.flush()
            if n < 3:
                data = b"%PDF-1.4\n" + os.urandom(1024 * 1024)
                services.attach_file(source, activity, services.Upload(f"scan-{n}.pdf", data))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    if os.environ.get("CPD_LOG_TEST_DATABASE_URL"):
        pytest.skip(
            "the server runs on a SQLite file of its own (bench/backup.py covers PostgreSQL)"
        )
    env = {
        **os.environ,
        "CPD_LOG_CONFIG": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cpd.sqlite'}",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "MAX_CONTENT_LENGTH": str(1024 * 1024),
        "SESSION_COOKIE_SECURE": "false",  # plain http on loopback in this test
        "RATELIMIT_ENABLED": "false",
    }
    bin_dir = Path(sys.executable).parent
    flask = [str(bin_dir / "flask"), "--app", "cpd_log"]
    _prepare(env)
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}"]
        + ["--timeout", "30", "cpd_log:create_app()"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    # The restore is a background job: a worker runs it (README, Background jobs).
    worker_log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [*flask, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=worker_log
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"{base}/account/login", timeout=5)
            break
        except requests.RequestException:
            time.sleep(0.2)
    yield base
    for each in (process, worker):  # both stop at once
        each.terminate()
    for each in (process, worker):
        each.wait(timeout=30)
    log.close()
    worker_log.close()
    assert b"Traceback" not in (tmp_path / "gunicorn.log").read_bytes()


def _token(session, url: str) -> str:
    page = session.get(url).text
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _login(base: str, email: str) -> requests.Session:
    session = requests.Session()
    token = _token(session, f"{base}/account/login")
    response = session.post(
        f"{base}/account/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[-500:]
    return session


def test_backup_and_restore_through_gunicorn(server, tmp_path):
    source = _login(server, "source@example.com")
    token = _token(source, f"{server}/export/")
    archive = tmp_path / "backup.zip"
    with source.post(
        f"{server}/export/account", data={"password": PASSWORD, "csrf_token": token}, stream=True
    ) as response:
        assert response.status_code == 200 and response.headers["Content-Type"] == "application/zip"
        assert "Content-Length" not in response.headers  # streamed, never assembled first
        with archive.open("wb") as out:
            for chunk in response.iter_content(64 * 1024):
                out.write(chunk)
    assert archive.stat().st_size > 3 * 1024 * 1024  # over three times MAX_CONTENT_LENGTH

    target = _login(server, "target@example.com")
    token = _token(target, f"{server}/export/")
    with archive.open("rb") as body:
        response = target.post(
            f"{server}/export/import",
            data={"csrf_token": token},
            files={"file": ("backup.zip", body, "application/zip")},
            allow_redirects=False,
        )
    assert response.status_code == 302, response.text[-500:]
    job_url = server + response.headers["Location"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = target.get(f"{job_url}/status").json()
        if status["state"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert status["state"] == "done", status
    assert status["counts"]["activities"] == 30 and status["total"] == 30
    page = target.get(job_url).text
    assert "30 activities" in page
